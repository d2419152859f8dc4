/**
 * The agent's inbox with a month of a team's traffic cached: 10,000 conversations, 10,000
 * contacts and 200,000 messages (one conversation holding 5,000), written straight into
 * the app's own IndexedDB. The real app (the web build in renderer/dist) runs in headless
 * Chromium against a real Parley server on 127.0.0.1. Measured, each beside its floor in
 * the same run:
 *  - a navigation to the first conversation rows painted from the cache, online and
 *    offline; floor: a page of the same origin reading the first 50 rows with raw
 *    IndexedDB and writing them to the DOM;
 *  - opening the 5,000-message conversation, click to its last message painted: again and
 *    again (alternating with another), and the first click in a newly loaded app, with
 *    nothing read ahead or opened before;
 *  - scrolling the whole list and the whole thread: the longest task;
 *  - the page's JS heap after load.
 * Every wait is bounded: what does not happen in time is reported as timed out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { AGENT, startTestServer } from '../support/server.js';
import { launchChromium } from './browser.js';
import { bounded, fromEnv, printTable, writeResult, type Row } from './harness.js';
import { inboxPageScript, seedCache, signInToCache, webBuild } from './inbox-cache.js';
import type { OpenResult, ScrollResult } from './pages/inbox-page.js';
import { BIG_CONTACT, LAST_TEXT } from './pages/inbox-shared.js';

const CONVERSATIONS = fromEnv('BENCH_INBOX_CONVERSATIONS', 10_000);
const MESSAGES = fromEnv('BENCH_INBOX_MESSAGES', 200_000);
const BIG_THREAD = fromEnv('BENCH_INBOX_THREAD', 5_000);
const RUNS = fromEnv('BENCH_INBOX_RUNS', 5);
/** One navigation, one opening, one scroll: longer than this is reported as timed out. */
const STEP_TIMEOUT_MS = fromEnv('BENCH_INBOX_TIMEOUT_MS', 30_000);
/** A series of runs stops early once it has taken this long (it keeps what it measured). */
const SERIES_BUDGET_MS = 90_000;
/** The whole run, seeding aside: steps not started by then are reported as not measured. */
const RUN_BUDGET_MS = fromEnv('BENCH_INBOX_BUDGET_MS', 360_000);
/** A folder: the openings of the long thread and its scroll are profiled into it (`.cpuprofile`, for DevTools). */
const PROFILE_DIR = process.env['BENCH_INBOX_PROFILE'];
const TARGET = { firstRowsMs: 400, openMs: 50, longTaskMs: 50, heapMb: 250 };

const dist = webBuild();

// The app's own files, with the floor page beside them so it runs in the same origin.
const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-inbox-'));
fs.cpSync(dist, webDir, { recursive: true });
fs.writeFileSync(
  path.join(webDir, 'bench-floor.html'),
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title></head><body></body></html>',
);
const pageScript = await inboxPageScript();

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

type Series = { samples: number[]; timedOut: number };

/** Navigates to `url` and waits (bounded) for the first conversation row to be painted. */
async function firstRows(page: Page, url: string): Promise<number | null> {
  try {
    // From a blank page, as the app starts in a new window: the page before (the app still
    // reading the rest of its list) is let go first, and its teardown is not counted.
    await page.goto('about:blank', { timeout: STEP_TIMEOUT_MS });
    await page.goto(url, { waitUntil: 'commit', timeout: STEP_TIMEOUT_MS });
    const handle = await page.waitForFunction(() => globalThis.inboxBench.firstRowAt(), null, {
      timeout: STEP_TIMEOUT_MS,
      polling: 50,
    });
    const ms = await handle.jsonValue();
    // Where the time went: the app's own marks on the way to its first rows.
    const marks = await page.evaluate(() => {
      const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
      const scripts = performance
        .getEntriesByType('resource')
        // The app's own code, asked for by the page itself (not loaded later, on demand).
        .filter((entry) => entry.name.endsWith('.js') && entry.startTime <= (navigation?.domInteractive ?? 0))
        .map((entry) => (entry as PerformanceResourceTiming).responseEnd);
      return [
        `html ${(navigation?.responseEnd ?? 0).toFixed(0)}`,
        // The page before lets go only once its running task ends.
        `previous page unloaded ${(navigation?.unloadEventEnd ?? 0).toFixed(0)}`,
        `scripts ${scripts.length === 0 ? '-' : Math.max(...scripts).toFixed(0)}`,
        ...performance
          .getEntriesByType('mark')
          .filter((entry) => entry.name.startsWith('parley:'))
          .map((entry) => `${entry.name.slice('parley:'.length)} ${entry.startTime.toFixed(0)}`),
      ];
    });
    if (marks.length > 0) console.log(`    ${marks.join(' · ')}`);
    return ms;
  } catch {
    return null;
  }
}

/**
 * Up to RUNS navigations, each a new document (the query changes). Stops after a timeout,
 * after a run ten times over the target (one such run says enough), or when out of budget.
 */
async function series(page: Page, url: (run: number) => string, label: string): Promise<Series> {
  const result: Series = { samples: [], timedOut: 0 };
  const started = Date.now();
  for (let run = 0; run < RUNS; run += 1) {
    const ms = await firstRows(page, url(run));
    console.log(
      `  ${label} #${run + 1}: ${ms === null ? `timed out (> ${STEP_TIMEOUT_MS} ms)` : `${ms.toFixed(0)} ms`}`,
    );
    if (ms === null) {
      result.timedOut += 1;
      break;
    }
    result.samples.push(ms);
    if (Date.now() - started > SERIES_BUDGET_MS || ms > 10 * TARGET.firstRowsMs) break;
  }
  return result;
}

const startedAt = Date.now();
/** Progress, with the time since the start, so a slow step shows where it is. */
let measuringSince = Number.POSITIVE_INFINITY;
function outOfTime(): boolean {
  return Date.now() - measuringSince > RUN_BUDGET_MS;
}
function step(what: string): void {
  console.log(`[${((Date.now() - startedAt) / 1000).toFixed(0)} s] ${what}`);
}

const loadBefore = os.loadavg();
const server = await startTestServer({ webDir });
const browser = await launchChromium();
const rows: Row[] = [];
const report: Record<string, unknown> = {};
try {
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  await context.addInitScript({ content: pageScript });
  const newPage = async (): Promise<Page> => {
    const created = await context.newPage();
    created.setDefaultTimeout(STEP_TIMEOUT_MS);
    created.on('pageerror', (error) => console.log('page error:', error.message));
    return created;
  };
  let page = await newPage();
  /** A page stuck in a long task is closed, and the app opened again in a new one. */
  const replacePage = async (): Promise<void> => {
    step('a page is stuck: opening the app in a new one');
    await bounded(
      page.close({ runBeforeUnload: false }).catch(() => undefined),
      10_000,
    );
    page = await newPage();
    const ms = await firstRows(page, `${server.url}/?fresh`);
    step(`the new page painted its first rows ${ms === null ? 'not in time' : `in ${ms.toFixed(0)} ms`}`);
  };

  // Sign in once, let the first sync finish and the service worker keep the app's files.
  const cache = await signInToCache(page, server.url);
  const { dbName: name, agentId } = cache;

  console.log(`seeding ${CONVERSATIONS} conversations, ${CONVERSATIONS} contacts, ${MESSAGES} messages into ${name}`);
  const seed = await seedCache(page, cache, {
    conversations: CONVERSATIONS,
    messages: MESSAGES,
    bigThread: BIG_THREAD,
  });
  console.log(`seeded in ${(seed.ms / 1000).toFixed(1)} s (cursor ${seed.cursor})`);
  // The agent works from their own view, Mine, where every seeded conversation is.
  await page.evaluate(
    (id) => window.localStorage.setItem(`parley.inbox.${id}`, JSON.stringify({ view: 'mine' })),
    agentId,
  );
  report['seedMs'] = seed.ms;
  measuringSince = Date.now();

  const appUrl = (run: number): string => `${server.url}/?run=${run}`;
  const floorUrl = (run: number): string => `${server.url}/bench-floor.html?run=${run}#${encodeURIComponent(name)}`;

  // Navigation to the first rows, online: floor and app in the same run.
  const floor = await series(page, floorUrl, 'floor');
  const online = await series(page, appUrl, 'online');
  const floorMs = median(floor.samples);
  const summary = (label: string, app: Series, target: number): Row => {
    const ms = median(app.samples);
    return {
      measure: label,
      'app ms': app.samples.length === 0 ? `> ${STEP_TIMEOUT_MS}` : ms,
      'floor ms': floorMs,
      ratio: app.samples.length === 0 ? '-' : ms / floorMs,
      target: `≤ ${target} ms`,
      runs: `${app.samples.length}${app.timedOut > 0 ? ` (+${app.timedOut} timed out)` : ''}`,
      pass: app.timedOut === 0 && ms <= target,
    };
  };
  rows.push(summary('navigation → first rows, online (median)', online, TARGET.firstRowsMs));
  report['firstRows'] = { floor, online };

  // The heap once the app has loaded: the last online navigation, settled.
  // A navigation that timed out gets one more bounded wait for its rows, so the heap and the
  // steps after it measure a loaded app.
  const loaded =
    online.timedOut === 0 ||
    (!outOfTime() &&
      (await page
        .waitForFunction(() => globalThis.inboxBench.firstRowAt(), null, { timeout: 2 * STEP_TIMEOUT_MS, polling: 200 })
        .then(() => true)
        .catch(() => false)));
  await page.waitForTimeout(3_000);
  const cdp = await context.newCDPSession(page);
  const usage = await bounded(
    cdp.send('HeapProfiler.collectGarbage', undefined).then(() => cdp.send('Runtime.getHeapUsage')),
    STEP_TIMEOUT_MS,
  );
  const heapMb = usage === 'timeout' ? Number.NaN : usage.usedSize / 2 ** 20;
  step(`heap ${heapMb.toFixed(0)} MB`);
  rows.push({
    measure: 'JS heap after load (after a GC)',
    'app ms': usage === 'timeout' ? 'timed out' : `${heapMb.toFixed(0)} MB${loaded ? '' : ' (rows never painted)'}`,
    'floor ms': '-',
    ratio: '-',
    target: `≤ ${TARGET.heapMb} MB`,
    runs: 1,
    pass: loaded && usage !== 'timeout' && heapMb <= TARGET.heapMb,
  });
  report['heapMb'] = heapMb;

  // Opening the long thread: click to its last message painted, alternating with a short one.
  const opens: number[] = [];
  const profiled = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    if (PROFILE_DIR === undefined) return work();
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    try {
      return await work();
    } finally {
      // A page replaced after a timeout has taken its profile with it.
      const stopped = await cdp.send('Profiler.stop').catch(() => null);
      if (stopped !== null) {
        fs.mkdirSync(PROFILE_DIR, { recursive: true });
        fs.writeFileSync(path.join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(stopped.profile));
      }
    }
  };
  /** Clicks the long thread's row and waits for its last message, painted. */
  const openBig = (): Promise<OpenResult | 'timeout'> =>
    bounded(
      page.evaluate(([contact, id, text, timeout]) => globalThis.inboxBench.open(contact, id, text, timeout), [
        BIG_CONTACT,
        seed.lastMessageId,
        LAST_TEXT,
        STEP_TIMEOUT_MS,
      ] as const),
      STEP_TIMEOUT_MS + 5_000,
    );
  let openTimedOut = 0;
  const openStarted = Date.now();
  await profiled('open', async () => {
    for (let run = 0; run < RUNS && !outOfTime(); run += 1) {
      const answer = await openBig();
      const result: OpenResult = answer === 'timeout' ? { ms: null } : answer;
      step(
        `open #${run + 1}: ${result.ms === null ? `timed out (> ${STEP_TIMEOUT_MS} ms)` : `${result.ms.toFixed(0)} ms`}`,
      );
      if (result.ms === null) {
        openTimedOut += 1;
        break;
      }
      opens.push(result.ms);
      if (Date.now() - openStarted > SERIES_BUDGET_MS || run === RUNS - 1 || result.ms > 10 * TARGET.openMs) break;
      // Another conversation in between, so the next opening is an opening again.
      await page.evaluate((big) => globalThis.inboxBench.clickOther(big), BIG_CONTACT);
      await page
        .waitForSelector(`[data-message-id="${seed.lastMessageId}"]`, { state: 'detached', timeout: 10_000 })
        .catch(() => undefined);
      await page.waitForTimeout(300);
    }
  });
  rows.push({
    measure: `open the ${BIG_THREAD}-message thread: click → last message (median)`,
    'app ms': opens.length === 0 ? `> ${STEP_TIMEOUT_MS}` : median(opens),
    'floor ms': '-',
    ratio: '-',
    target: `≤ ${TARGET.openMs} ms`,
    runs: `${opens.length}${openTimedOut > 0 ? ` (+${openTimedOut} timed out)` : ''}`,
    pass: openTimedOut === 0 && median(opens) <= TARGET.openMs,
  });
  report['open'] = { samples: opens, timedOut: openTimedOut };

  // The same opening with nothing read ahead: each in a newly loaded app, whose memory holds
  // no conversation opened (or read ahead) before, so the click reads the thread from IndexedDB.
  const coldOpens: number[] = [];
  let coldTimedOut = 0;
  const coldStarted = Date.now();
  for (let run = 0; run < RUNS && !outOfTime() && Date.now() - coldStarted < SERIES_BUDGET_MS; run += 1) {
    const painted = await firstRows(page, `${server.url}/?cold=${run}`);
    if (painted === null) {
      coldTimedOut += 1;
      break;
    }
    // As an agent would: the list settles before the click.
    await page.waitForTimeout(1_500);
    const answer = await openBig();
    const result: OpenResult = answer === 'timeout' ? { ms: null } : answer;
    step(
      `open, nothing read ahead #${run + 1}: ${result.ms === null ? `timed out (> ${STEP_TIMEOUT_MS} ms)` : `${result.ms.toFixed(0)} ms`}`,
    );
    if (result.ms === null) {
      coldTimedOut += 1;
      break;
    }
    coldOpens.push(result.ms);
  }
  rows.push({
    measure: `open the ${BIG_THREAD}-message thread, nothing read ahead: first click after load (median)`,
    'app ms': coldOpens.length === 0 ? `> ${STEP_TIMEOUT_MS}` : median(coldOpens),
    'floor ms': '-',
    ratio: '-',
    target: `≤ ${TARGET.openMs} ms`,
    runs: `${coldOpens.length}${coldTimedOut > 0 ? ` (+${coldTimedOut} timed out)` : ''}`,
    pass: coldTimedOut === 0 && coldOpens.length > 0 && median(coldOpens) <= TARGET.openMs,
  });
  report['openNothingReadAhead'] = { samples: coldOpens, timedOut: coldTimedOut };

  // Scrolling: the whole list, then the whole long thread, with the longest task of each.
  const scrollRow = (label: string, result: ScrollResult | null, note: string): Row => ({
    measure: label,
    'app ms': result === null ? note : `longest task ${result.longestTaskMs.toFixed(0)} ms`,
    'floor ms': '-',
    ratio: '-',
    target: `no task > ${TARGET.longTaskMs} ms`,
    runs:
      result === null
        ? 0
        : `${result.steps} steps in ${(result.ms / 1000).toFixed(1)} s, ${result.longTasks} long${result.timedOut ? ', timed out' : ''}`,
    pass: result !== null && !result.timedOut && result.longestTaskMs <= TARGET.longTaskMs,
  });
  // The thread first: it is open now (or still opening, on a slow build).
  let threadScroll: ScrollResult | null = null;
  let threadNote = 'not measured';
  const threadReady =
    openTimedOut === 0 &&
    (await page
      .waitForSelector(`[data-message-id="${seed.lastMessageId}"]`, { timeout: 5_000 })
      .then(() => true)
      .catch(() => false));
  const scrollOnce = async (which: 'list' | 'thread'): Promise<ScrollResult | 'timeout'> => {
    const answer = await bounded(
      page.evaluate((options) => globalThis.inboxBench.scroll(options.which, options.timeout, options.endId), {
        which,
        timeout: STEP_TIMEOUT_MS,
        endId: which === 'thread' ? seed.firstMessageId : undefined,
      }),
      STEP_TIMEOUT_MS + 10_000,
    );
    if (answer === 'timeout') await replacePage();
    return answer;
  };
  if (threadReady && !outOfTime()) {
    step('scrolling the thread');
    const answer = await profiled('thread-scroll', () => scrollOnce('thread'));
    if (answer === 'timeout') threadNote = 'timed out';
    else threadScroll = answer;
  } else if (outOfTime()) {
    threadNote = 'not measured: out of time';
  } else {
    threadNote = 'the thread did not open in time';
    // The page may still be rendering the thread: start again from a fresh one.
    await replacePage();
  }
  let listScroll: ScrollResult | null = null;
  let listNote = 'not measured';
  try {
    if (outOfTime()) listNote = 'not measured: out of time';
    else {
      step('scrolling the list');
      const answer = await scrollOnce('list');
      if (answer === 'timeout') listNote = 'timed out';
      else listScroll = answer;
    }
  } catch (error) {
    listNote = String(error).slice(0, 60);
  }
  if (process.env['BENCH_INBOX_SCREENSHOT'] !== undefined) {
    await page.screenshot({ path: process.env['BENCH_INBOX_SCREENSHOT'] });
  }
  rows.push(scrollRow('scroll the whole list', listScroll, listNote));
  rows.push(scrollRow(`scroll the whole ${BIG_THREAD}-message thread`, threadScroll, threadNote));
  report['scroll'] = { list: listScroll, thread: threadScroll };

  // Offline: the context loses the network; the service worker serves the app's files.
  await context.setOffline(true);
  // Offline is measured even late: one bounded run at least.
  const offline = await series(page, appUrl, 'offline');
  await context.setOffline(false);
  rows.push(summary('navigation → first rows, offline (median)', offline, TARGET.firstRowsMs));
  report['firstRows'] = { floor, online, offline };
} finally {
  step('closing');
  // A renderer stuck in a long task must not keep the run alive.
  await bounded(browser.close(), 15_000);
  await bounded(server.cleanup(), 15_000);
  fs.rmSync(webDir, { recursive: true, force: true });
}

const loadAfter = os.loadavg();
printTable(
  `The inbox with ${CONVERSATIONS} conversations and ${MESSAGES} messages cached (floor: raw IndexedDB read of 50 rows written to the DOM)`,
  rows,
);
console.log(
  `load average before ${loadBefore.map((n) => n.toFixed(2)).join(' ')} · after ${loadAfter.map((n) => n.toFixed(2)).join(' ')} (${os.cpus().length} cores)`,
);
const file = writeResult('inbox', {
  conversations: CONVERSATIONS,
  messages: MESSAGES,
  bigThread: BIG_THREAD,
  targets: TARGET,
  rows,
  ...report,
  load: { before: loadBefore, after: loadAfter },
});
console.log(`wrote ${file}`);
process.exit(0);
