/**
 * Offline search over 200k cached messages in headless Chromium: the round trip to the
 * search worker for each keystroke of realistic queries (every prefix of at least two
 * characters), after the index is built, and how soon the first answer comes after opening.
 * The floor is a linear scan of the same texts,
 * already folded and in memory, on the page.
 */
import path from 'node:path';
import { launchChromium, serveBundles } from './browser.js';
import { printTable, summarize, writeResult } from './harness.js';
import type { SearchBenchResult } from './pages/search-page.js';

const MESSAGES = Number(process.env['BENCH_SEARCH_MESSAGES'] ?? 200_000);
const CONVERSATIONS = 2_000;
const TARGET_P95_MS = 50;

const here = path.dirname(new URL(import.meta.url).pathname);
const site = await serveBundles({
  'search-page': path.join(here, 'pages/search-page.ts'),
  'search-worker': path.resolve(here, '../../renderer/src/search/search.worker.ts'),
});
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(240_000);
  await page.goto(site.url);
  await page.addScriptTag({ url: `${site.url}search-page.js`, type: 'module' });
  await page.waitForFunction(() => typeof globalThis.runSearchBench === 'function');
  const result: SearchBenchResult = await page.evaluate(
    ([messages, conversations]) => globalThis.runSearchBench(messages, conversations),
    [MESSAGES, CONVERSATIONS] as const,
  );
  const app = summarize(result.app);
  const floor = summarize(result.floor);
  const ratio = app.p95 / floor.p95;
  printTable(`Search over ${result.messages} cached messages (${app.count} keystrokes)`, [
    { what: 'worker search (round trip)', ...app },
    { what: 'floor: linear scan in page', ...floor },
  ]);
  const pass = app.p95 <= TARGET_P95_MS;
  console.log(
    `seed ${result.seedMs.toFixed(0)} ms · first answer ${result.firstQueryMs.toFixed(0)} ms after opening ` +
      `(${result.firstComplete ? 'complete' : 'partial'}) · whole cache indexed ${result.indexedMs.toFixed(0)} ms · ` +
      `p95 ${app.p95.toFixed(2)} ms (target ≤ ${TARGET_P95_MS}) · p95 ratio to floor ${ratio.toFixed(3)} · ${pass ? 'PASS' : 'FAIL'}`,
  );
  const file = writeResult('search', {
    messages: result.messages,
    conversations: CONVERSATIONS,
    seedMs: result.seedMs,
    firstQueryMs: result.firstQueryMs,
    firstComplete: result.firstComplete,
    indexedMs: result.indexedMs,
    app,
    floor,
    ratio,
    targetP95Ms: TARGET_P95_MS,
    pass,
  });
  console.log(`wrote ${file}`);
} finally {
  await browser.close();
  await site.close();
}
