// `npm test`: every check, in the order that fails fastest. Exits non-zero when any fails,
// and ends with one line counting the tests that ran.
import { spawn } from 'node:child_process';
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

// Two lanes side by side once the type check has built what they need: the checks, the
// end-to-end tests, then the tests of several nodes on PostgreSQL, on the terminal; and
// behind them the unit and integration tests, then the rest of the server suite on
// PostgreSQL. One after the other, these steps left one of two cores mostly idle (lint, the
// builds, each vitest run and Playwright's browser each keep about one busy, or wait on
// servers and timers), and there was no time left for the server suite on PostgreSQL but a
// subset. The tests of several nodes close the first lane so that both end at about the
// same time. (A third lane, the two vitest runs side by side, slowed the lint-rule tests
// past their timeout on a busy machine.) The background lane's output is kept in
// test-results/ and printed at the end. A failure in either lane stops both at once.
const RESTART_TEST = 'server/test/cluster/postgres-restart.test.ts';
const CLUSTER_TESTS = 'server/test/cluster';
const typeCheck = ['type check', 'npx', ['tsc', '-b']];
const front = [
  ['lint', 'npx', ['eslint', '.', '--max-warnings', '0']],
  ['desktop security baseline', 'npx', ['tsx', 'scripts/audit-desktop.mjs']],
  ['format', 'npx', ['prettier', '--check', '.']],
  ['build the preload and the renderer', 'npm', ['run', '--silent', 'build:preload']],
  ['', 'npx', ['vite', 'build', 'renderer', '--logLevel', 'warn']],
  ['end-to-end tests', 'npx', ['playwright', 'test']],
  // The tests of several nodes on one database and one Redis, and of Redis failing under
  // them (PostgreSQL restarted under them is below).
  [
    'server tests of several nodes, on PostgreSQL',
    'npx',
    [
      'vitest',
      'run',
      CLUSTER_TESTS,
      '--exclude',
      RESTART_TEST,
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=test-results/vitest-postgres-cluster.json',
    ],
    { env: { PARLEY_TEST_DATABASE: 'postgres' } },
  ],
];
const sqlite = [
  [
    'unit and integration tests',
    'npx',
    ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json'],
    { log: 'test-results/vitest.log' },
  ],
];
const postgres = [
  // The server suite again, on PostgreSQL (with the tests of several nodes above, what
  // `npm run test:postgres` runs): a throwaway cluster the tests start themselves.
  [
    'server tests on PostgreSQL',
    'npx',
    [
      'vitest',
      'run',
      'server/test',
      '--exclude',
      'server/test/migrations.test.ts',
      '--exclude',
      `${CLUSTER_TESTS}/**`,
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=test-results/vitest-postgres.json',
    ],
    { env: { PARLEY_TEST_DATABASE: 'postgres' }, log: 'test-results/vitest-postgres.log' },
  ],
];
// Last, alone: PostgreSQL stopped and started under two nodes while webhooks keep coming. It
// counts the webhooks answered while PostgreSQL is away, a window of a few seconds that
// the lanes' load on two cores can leave without a single answer.
const alone = [
  'server tests on PostgreSQL that restart it',
  'npx',
  [
    'vitest',
    'run',
    RESTART_TEST,
    '--reporter=default',
    '--reporter=json',
    '--outputFile.json=test-results/vitest-postgres-restart.json',
  ],
  { env: { PARLEY_TEST_DATABASE: 'postgres' } },
];

fs.rmSync('test-results', { recursive: true, force: true });
fs.mkdirSync('test-results', { recursive: true });
const started = Date.now();
/** The process group of each step running, to stop them all when one fails. */
const running = new Set();

// Interrupted: every step running goes too (each is in a process group of its own).
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopAll(signal);
    process.exit(130);
  });
}

await lane([typeCheck]);
/** The background lane's steps that ended, with when, for printing their output. */
const backDone = [];
await Promise.all([lane(front), lane([...sqlite, ...postgres], backDone)]);
printBack();
await lane([alone]);
console.log(`\n✔ every check passed in ${seconds()} s.`);
summarize();

/** Runs `steps` one after the other; the first to fail stops the whole run. */
async function lane(steps, done) {
  for (const [title, command, args, { env = {}, log } = {}] of steps) {
    const from = seconds();
    if (log === undefined && title !== '') console.log(`\n▶ ${title} (at ${from} s)`);
    const status = await run(command, args, env, log);
    if (log !== undefined) done?.push({ title, log, from, to: seconds() });
    if (status !== 0) {
      if (log !== undefined) printBack();
      fail(title || command, status);
    }
  }
}

function seconds() {
  return Math.round((Date.now() - started) / 1000);
}

/**
 * Runs a step in a process group of its own (to stop it whole), its output on the terminal,
 * or into `log` for a step of the background lane. Answers its exit status.
 */
function run(command, args, env, log) {
  const out = log === undefined ? 'inherit' : fs.openSync(log, 'w');
  const child = spawn(command, args, {
    stdio: log === undefined ? 'inherit' : ['ignore', out, out],
    detached: true,
    env: { ...process.env, FORCE_COLOR: '1', ...env },
  });
  if (typeof out === 'number') fs.closeSync(out);
  running.add(child);
  return new Promise((resolve) => {
    const settle = (status) => {
      running.delete(child);
      resolve(status);
    };
    child.on('error', () => settle(1));
    child.on('exit', (code, signal) => settle(code ?? (signal === null ? 1 : 128)));
  });
}

/** The output of the background lanes' steps that ended, in the order declared above, each once. */
function printBack() {
  const order = [...sqlite, ...postgres].map(([title]) => title);
  const ended = backDone.splice(0).sort((a, b) => order.indexOf(a.title) - order.indexOf(b.title));
  for (const { title, log, from, to } of ended) {
    console.log(`\n▶ ${title} (in the background, from ${from} s to ${to} s)`);
    process.stdout.write(fs.readFileSync(log));
  }
}

function stopAll(signal) {
  for (const child of running) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function fail(title, status) {
  stopAll('SIGTERM');
  console.error(`\n✖ ${title} failed.`);
  summarize();
  process.exit(status);
}

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
  for (const file of [
    'test-results/vitest.json',
    'test-results/vitest-postgres.json',
    'test-results/vitest-postgres-cluster.json',
    'test-results/vitest-postgres-restart.json',
  ]) {
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
