import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{protocol,server,main,renderer}/test/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // Several nodes share one database, so those tests need PostgreSQL: they run in the
    // PostgreSQL step of the test command, and in `npm run test:postgres`.
    exclude: [
      '**/node_modules/**',
      ...(process.env['PARLEY_TEST_DATABASE'] === 'postgres' ? [] : ['server/test/cluster/**']),
    ],
    environment: 'node',
    // Nothing a test starts may reach beyond 127.0.0.1.
    setupFiles: ['test/support/loopback-only.ts'],
    // With PARLEY_TEST_DATABASE=postgres, a throwaway PostgreSQL cluster for the server tests;
    // without, one migrated SQLite file their servers start from.
    globalSetup: ['server/test/support/postgres-cluster.ts', 'server/test/support/sqlite-template.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests each start their own server on a free port.
    pool: 'forks',
  },
});
