// `npm test`: every check, in the order that fails fastest. Exits non-zero when any fails,
// and ends with one line counting the tests that ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The Chromium the end-to-end tests drive: PARLEY_CHROMIUM when set, else Debian's
 * /usr/bin/chromium, else Playwright's own when it is installed. Without any, stop at once
 * with the command that installs one, rather than after the build and the unit tests.
 */
function findChromium() {
  const chosen = process.env.PARLEY_CHROMIUM;
  if (chosen !== undefined && chosen !== '') {
    if (fs.existsSync(chosen)) return chosen;
    console.error(`PARLEY_CHROMIUM is set to ${chosen}, and there is no file there.`);
    process.exit(1);
  }
  if (fs.existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  const own = playwrightChromium();
  if (own !== null && fs.existsSync(own)) return own;
  console.error(
    "The end-to-end tests need Chromium, and none is installed. Install Playwright's own with:\n\n" +
      '  npx playwright install chromium\n',
  );
  process.exit(1);
}

/** Where Playwright keeps its own Chromium, whether or not it has been downloaded. */
function playwrightChromium() {
  try {
    return createRequire(import.meta.url)('@playwright/test').chromium.executablePath();
  } catch {
    return null;
  }
}

// The same browser for every step: playwright.config.ts reads PARLEY_CHROMIUM first.
process.env.PARLEY_CHROMIUM = findChromium();

const steps = [
  ['type check', 'npx', ['tsc', '-b']],
  ['lint', 'npx', ['eslint', '.', '--max-warnings', '0']],
  ['desktop security baseline', 'npx', ['tsx', 'scripts/audit-desktop.mjs']],
  ['format', 'npx', ['prettier', '--check', '.']],
  ['build the preload and the renderer', 'npm', ['run', '--silent', 'build:preload']],
  ['', 'npx', ['vite', 'build', 'renderer', '--logLevel', 'warn']],
  [
    'unit and integration tests',
    'npx',
    ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json'],
  ],
  // Server tests again, on PostgreSQL: a throwaway cluster the tests start themselves. The
  // whole server suite takes about ten minutes there on two cores, past what the test command
  // can spend, so this runs the files that reach every engine-specific path (seq order under
  // concurrent writers, group commit, snapshots, JSON and text tests, null ordering, sessions,
  // secrets, webhooks and mutations), and the tests of several nodes and of PostgreSQL and
  // Redis failing under them; `npm run test:postgres` runs them all.
  [
    'server tests on PostgreSQL',
    'npx',
    [
      'vitest',
      'run',
      ...[
        'seq-order',
        'sync',
        'visibility',
        'contacts-profiles',
        'secrets',
        'auth-sessions',
        'auth-throttle',
        'inbox-mutations',
        'webhooks',
        'group-commit',
        'leases',
      ].map((name) => `server/test/${name}.test.ts`),
      // Several nodes on one database and one Redis.
      'server/test/cluster/',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=test-results/vitest-postgres.json',
    ],
    { PARLEY_TEST_DATABASE: 'postgres' },
  ],
  ['end-to-end tests', 'npx', ['playwright', 'test']],
];

fs.rmSync('test-results', { recursive: true, force: true });
const started = Date.now();
for (const [title, command, args, env = {}] of steps) {
  if (title !== '') console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '1', ...env } });
  if (result.status !== 0) {
    console.error(`\n✖ ${title || command} failed.`);
    summarize();
    process.exit(result.status ?? 1);
  }
}
console.log(`\n✔ every check passed in ${Math.round((Date.now() - started) / 1000)} s.`);
summarize();

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** One closing line over both runners: vitest's JSON reports (SQLite, PostgreSQL) and Playwright's. */
function summarize() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const file of ['test-results/vitest.json', 'test-results/vitest-postgres.json']) {
    const vitest = readJson(file);
    if (vitest === null) continue;
    passed += vitest.numPassedTests;
    failed += vitest.numFailedTests;
    skipped += vitest.numPendingTests + vitest.numTodoTests;
  }
  const playwright = readJson('test-results/playwright.json');
  if (playwright !== null) {
    passed += playwright.stats.expected + playwright.stats.flaky;
    failed += playwright.stats.unexpected;
    skipped += playwright.stats.skipped;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
}
