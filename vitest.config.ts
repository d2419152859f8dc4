import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
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
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          include: ['server/test/**/*.test.ts'],
          // On SQLite the server's test files share one process and its loaded modules: each
          // starts its own servers and databases and closes them, and importing the whole
          // server again for each file was a fifth of the suite's time. On PostgreSQL they
          // keep a process each: shared, every file ran slower than the one before (3.5 s
          // became 20 s by the end), as what each left behind piled up.
          isolate: process.env['PARLEY_TEST_DATABASE'] === 'postgres',
        },
      },
      {
        extends: true,
        test: {
          name: 'app',
          // The app's and the desktop shell's tests, and the integration tests, each in a
          // fresh process: they install globals (an IndexedDB in memory, a DOM) that must
          // not carry from one file to the next.
          include: ['{protocol,main,renderer}/test/**/*.test.ts', 'test/integration/**/*.test.ts'],
        },
      },
    ],
  },
});
