/**
 * Ingest of 100k messages in headless Chromium through the app's own `applyChanges`
 * (one call, and in the sync engine's pages of 500), against the floor: raw IndexedDB
 * `put` of the same objects in one transaction, measured in the same run. Also reports
 * the longest main-thread task (PerformanceObserver 'longtask') during each.
 */
import path from 'node:path';
import { launchChromium, serveBundles } from './browser.js';
import { printTable, writeResult } from './harness.js';
import type { IngestBenchResult } from './pages/ingest-page.js';

const MESSAGES = Number(process.env['BENCH_INGEST_MESSAGES'] ?? 100_000);
const TARGET_RATIO = 1.3;
const TARGET_LONGEST_TASK_MS = 100;

const here = path.dirname(new URL(import.meta.url).pathname);
const site = await serveBundles({ 'ingest-page': path.join(here, 'pages/ingest-page.ts') });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(240_000);
  await page.goto(site.url);
  await page.addScriptTag({ url: `${site.url}ingest-page.js`, type: 'module' });
  await page.waitForFunction(() => typeof globalThis.runIngestBench === 'function');
  const result: IngestBenchResult = await page.evaluate((messages) => globalThis.runIngestBench(messages), MESSAGES);
  const rows = [
    { what: 'applyChanges, one call', run: result.app },
    { what: 'applyChanges, pages of 500', run: result.appPaged },
    { what: 'floor: raw IndexedDB put', run: result.floor },
  ].map(({ what, run }) => ({
    what,
    ms: run.ms,
    ratio: run.ms / result.floor.ms,
    longestTaskMs: run.longestTaskMs,
    longTasks: run.longTasks,
    stored: run.stored,
  }));
  printTable(`Ingest of ${result.messages} messages`, rows);
  const ratio = result.app.ms / result.floor.ms;
  const pass = ratio <= TARGET_RATIO && result.app.longestTaskMs <= TARGET_LONGEST_TASK_MS;
  console.log(
    `ratio ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}) · longest task ${result.app.longestTaskMs.toFixed(0)} ms ` +
      `(target ≤ ${TARGET_LONGEST_TASK_MS}) · ${pass ? 'PASS' : 'FAIL'}`,
  );
  const file = writeResult('ingest', {
    ...result,
    ratio,
    pagedRatio: result.appPaged.ms / result.floor.ms,
    targetRatio: TARGET_RATIO,
    targetLongestTaskMs: TARGET_LONGEST_TASK_MS,
    pass,
  });
  console.log(`wrote ${file}`);
} finally {
  await browser.close();
  await site.close();
}
