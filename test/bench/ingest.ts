/**
 * Ingest of 100k messages in headless Chromium through the app's own `applyChanges`: in
 * the sync engine's pages of 500 (what a first sync does) and in one call, against the
 * floor: raw IndexedDB `put` of the same objects in one transaction. Also reports the
 * longest main-thread task (PerformanceObserver 'longtask') during each.
 *
 * Each run gets a page of its own in a new browser context (an empty IndexedDB, a heap
 * holding only the corpus, collected before timing), so no run pays for the data or the
 * garbage another left; runs alternate in order over several rounds and the median is
 * reported, since one run on a shared machine varies by a third. The machine's load is
 * printed with the results: other work on its two cores slows runs and stretches tasks.
 *
 * Agents' own messages carry a clientId, as in a real cache; BENCH_INGEST_CLIENT_IDS=0
 * leaves them all null, as this benchmark's corpus used to.
 */
import os from 'node:os';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { launchChromium, serveBundles, type BenchSite } from './browser.js';
import { fromEnv, printTable, writeResult } from './harness.js';
import type { IngestRun, IngestVariant } from './pages/ingest-page.js';

const MESSAGES = fromEnv('BENCH_INGEST_MESSAGES', 100_000);
const ROUNDS = fromEnv('BENCH_INGEST_ROUNDS', 3);
const CLIENT_IDS = process.env['BENCH_INGEST_CLIENT_IDS'] !== '0';
const TARGET_RATIO = 1.3;
const TARGET_LONGEST_TASK_MS = 100;
const VARIANTS: readonly IngestVariant[] = ['floor', 'paged', 'app'];

async function runOnce(browser: Browser, site: BenchSite, variant: IngestVariant): Promise<IngestRun> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(240_000);
    await page.goto(site.url);
    await page.addScriptTag({ url: `${site.url}ingest-page.js`, type: 'module' });
    await page.waitForFunction(() => typeof globalThis.ingestBench === 'object');
    await page.evaluate(([messages, clientIds]) => globalThis.ingestBench.prepare(messages, clientIds), [
      MESSAGES,
      CLIENT_IDS,
    ] as const);
    // Building the corpus leaves garbage; collect it now rather than in the timed window.
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    return await page.evaluate((which) => globalThis.ingestBench.run(which), variant);
  } finally {
    await context.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

const here = path.dirname(new URL(import.meta.url).pathname);
const site = await serveBundles({ 'ingest-page': path.join(here, 'pages/ingest-page.ts') });
const browser = await launchChromium();
try {
  const loadBefore = os.loadavg()[0] ?? NaN;
  const runs: Record<IngestVariant, IngestRun[]> = { floor: [], paged: [], app: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    // Rotate the order, so no variant always runs first (or last) in a round.
    for (let i = 0; i < VARIANTS.length; i += 1) {
      const variant = VARIANTS[(round + i) % VARIANTS.length] ?? 'floor';
      const run = await runOnce(browser, site, variant);
      if (run.stored !== MESSAGES) throw new Error(`${variant} stored ${run.stored} of ${MESSAGES} messages`);
      runs[variant].push(run);
    }
  }
  const summary = (variant: IngestVariant, what: string) => {
    const all = runs[variant];
    return {
      what,
      ms: median(all.map((run) => run.ms)),
      // The worst round, not the median: one long task is one the agent feels.
      longestTaskMs: Math.max(...all.map((run) => run.longestTaskMs)),
      longTasks: Math.max(...all.map((run) => run.longTasks)),
      roundsMs: all.map((run) => run.ms.toFixed(0)).join(' '),
    };
  };
  const results = {
    paged: summary('paged', 'applyChanges, pages of 500 (sync engine)'),
    app: summary('app', 'applyChanges, one call'),
    floor: summary('floor', 'floor: raw IndexedDB put, one transaction'),
  };
  const floor = results.floor;
  printTable(
    `Ingest of ${MESSAGES} messages${CLIENT_IDS ? '' : ' (no clientIds)'} ` +
      `(median of ${ROUNDS} rounds; longest task: worst round)`,
    Object.values(results).map(({ what, ms, longestTaskMs, longTasks, roundsMs }) => ({
      what,
      ms,
      ratio: ms / floor.ms,
      longestTaskMs,
      longTasks,
      roundsMs,
    })),
  );
  const verdict = (run: { ms: number; longestTaskMs: number }) => {
    const ratio = run.ms / floor.ms;
    return { ratio, pass: ratio <= TARGET_RATIO && run.longestTaskMs <= TARGET_LONGEST_TASK_MS };
  };
  const paged = verdict(results.paged);
  const app = verdict(results.app);
  const pass = paged.pass && app.pass;
  for (const [what, run, v] of [
    ['pages of 500', results.paged, paged],
    ['one call', results.app, app],
  ] as const) {
    console.log(
      `${what}: ratio ${v.ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}) · longest task ${run.longestTaskMs.toFixed(0)} ms ` +
        `(target ≤ ${TARGET_LONGEST_TASK_MS}) · ${v.pass ? 'PASS' : 'FAIL'}`,
    );
  }
  console.log(`load average over the minute before the runs: ${loadBefore.toFixed(2)} (${os.cpus().length} cores)`);
  const file = writeResult('ingest', {
    messages: MESSAGES,
    clientIds: CLIENT_IDS,
    rounds: ROUNDS,
    loadAverageBefore: loadBefore,
    runs,
    paged: results.paged,
    app: results.app,
    floor: results.floor,
    pagedRatio: paged.ratio,
    ratio: app.ratio,
    targetRatio: TARGET_RATIO,
    targetLongestTaskMs: TARGET_LONGEST_TASK_MS,
    pass,
  });
  console.log(`wrote ${file}`);
} finally {
  await browser.close();
  await site.close();
}
