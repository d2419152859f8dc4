/**
 * A day without leaks: a compressed eight-hour working day in headless Chromium. The web
 * build (renderer/dist, built if missing) runs against a real Parley server on 127.0.0.1
 * with the fake Graph API on 127.0.0.1 (nothing leaves the machine), starting from a
 * realistic cache written straight into the app's IndexedDB the way the inbox benchmark does
 * (2,000 conversations, 40,000 messages). Each compressed hour is a fixed block of work:
 *  - customer messages arriving by signed webhooks on WhatsApp, Messenger and Instagram into
 *    many conversations, some from new customers (new conversations appear);
 *  - the agent opening conversations, by click and by keyboard (Escape, j, Enter), in Mine
 *    and in Unassigned, scrolling each thread up and back down, replying (text), changing
 *    assignment and status (i, p, o, e), searching ("/", a query, Escape), opening the
 *    command palette and the settings and closing them;
 *  - one reconnect: the context goes offline (or, every other hour, the server restarts on
 *    the same port and data folder) while messages arrive, then the app resumes and catches up.
 * After each hour the app is brought to the same screen (Mine, the long seeded thread open,
 * the list at its top), a full GC is forced (CDP HeapProfiler.collectGarbage) and the used
 * JS heap (Runtime.getHeapUsage), the DOM counters (Memory.getDOMCounters: documents, nodes,
 * JS event listeners) and the load average are recorded. The growth from the first hour to
 * the last is reported against a 10 % target, beside the second half's growth (a leak keeps
 * growing; code being compiled and optimised as it gets hot levels off). With snapshots on, a
 * heap snapshot after the first hour and after the last is summarised by constructor: the
 * heap without compiled code, the biggest growers and the detached DOM nodes are printed.
 *
 * Settings (environment):
 *  SOAK_HOURS (8)               compressed hours
 *  SOAK_MESSAGES (40)           customer messages per hour
 *  SOAK_NEW_CUSTOMERS (6)       of those, first messages from new customers
 *  SOAK_OPENS (15)              conversations opened per hour (half by click, half by keyboard)
 *  SOAK_REPLIES (8)             text replies per hour
 *  SOAK_CHANGES (4)             assignment or status changes per hour
 *  SOAK_SEARCHES (2)            searches per hour
 *  SOAK_RECONNECTS (1)          socket drops per hour
 *  SOAK_CONVERSATIONS (2000)    conversations in the seeded cache
 *  SOAK_CACHED_MESSAGES (40000) messages in the seeded cache
 *  SOAK_SNAPSHOTS (1)           0: no heap snapshots
 *  SOAK_SNAPSHOT_DIR            keep the two .heapsnapshot files there (for DevTools)
 *  SOAK_BUDGET_MS (720000)      no hour starts after this long (what was measured is kept)
 * Every step is bounded (SOAK_STEP_MS, 15 s): a step that fails or times out is counted,
 * not fatal.
 */
import os from 'node:os';
import { loadConfig, messagingTextWebhook, whatsappTextWebhook } from '@parley/server/testing';
import { startFakeGraph, type FakeGraphOptions } from '../fake-graph/server.js';
import { AGENT, APP_SECRET, TEST_ACCOUNTS, postWebhook, startTestServer, type TestServer } from '../support/server.js';
import { launchChromium } from './browser.js';
import { bounded, fromEnv, printTable, writeResult, type Row } from './harness.js';
import { inboxPageScript, seedCache, signInToCache, webBuild } from './inbox-cache.js';
import {
  ROW,
  STEP_MS,
  canonical,
  change,
  explainFailure,
  openByClick,
  openByKeyboard,
  paletteAndClose,
  pick,
  random,
  reply,
  scrollThread,
  search,
  settings,
  view,
  type Tally,
} from './soak-agent.js';
import { census, measure, type Census, type Sample } from './soak-measure.js';

const HOURS = Math.max(2, fromEnv('SOAK_HOURS', 8));
const PER_HOUR = {
  messages: fromEnv('SOAK_MESSAGES', 40),
  newCustomers: fromEnv('SOAK_NEW_CUSTOMERS', 6),
  opens: fromEnv('SOAK_OPENS', 15),
  replies: fromEnv('SOAK_REPLIES', 8),
  changes: fromEnv('SOAK_CHANGES', 4),
  searches: fromEnv('SOAK_SEARCHES', 2),
  reconnects: fromEnv('SOAK_RECONNECTS', 1),
};
const CACHE = {
  conversations: fromEnv('SOAK_CONVERSATIONS', 2_000),
  messages: fromEnv('SOAK_CACHED_MESSAGES', 40_000),
  thread: 1_000,
};
const SNAPSHOTS = process.env['SOAK_SNAPSHOTS'] !== '0';
const SNAPSHOT_DIR = process.env['SOAK_SNAPSHOT_DIR'];
const BUDGET_MS = fromEnv('SOAK_BUDGET_MS', 720_000);
const TARGET_GROWTH = 0.1;
/** Customers already writing when the day starts. */
const FIRST_CUSTOMERS = 24;
const CHANNELS = ['whatsapp', 'messenger', 'instagram'] as const;
type Channel = (typeof CHANNELS)[number];

webBuild();
// The inbox benchmark's page code: it seeds the app's own IndexedDB.
const pageScript = await inboxPageScript();

const WORDS =
  'hello thanks please order delivery parcel tracking refund return size colour broken missing late invoice payment card address account store price discount stock shipping courier arrived waiting urgent sorry product cancel'.split(
    ' ',
  );
const sentence = (): string => Array.from({ length: 4 + Math.floor(random() * 10) }, () => pick(WORDS)).join(' ');

const startedAt = Date.now();
function step(what: string): void {
  console.log(`[${((Date.now() - startedAt) / 1000).toFixed(0)} s] ${what}`);
}

// ---- the customers and their messages ---------------------------------------------------

type Customer = { channel: Channel; id: string; name: string };
const customers: Customer[] = [];
function newCustomer(): Customer {
  const n = customers.length;
  const channel = CHANNELS[n % CHANNELS.length] ?? 'whatsapp';
  const number = String(n).padStart(4, '0');
  // Messenger and Instagram names come from the profile the fake Graph API answers.
  const customer: Customer =
    channel === 'whatsapp'
      ? { channel, id: `44770091${number}`, name: `Soak Customer ${number}` }
      : { channel, id: `${channel === 'messenger' ? 71 : 72}0000000${number}`, name: `Customer ${number}` };
  customers.push(customer);
  return customer;
}

let sent = 0;
async function customerWrites(server: TestServer, customer: Customer): Promise<void> {
  sent += 1;
  const text = `${sentence()} (${sent})`;
  const body =
    customer.channel === 'whatsapp'
      ? whatsappTextWebhook({
          phoneNumberId: TEST_ACCOUNTS.whatsapp,
          from: customer.id,
          name: customer.name,
          id: `wamid.SOAK${sent}`,
          text,
          timestampSeconds: Math.floor(Date.now() / 1000),
        })
      : messagingTextWebhook({
          channel: customer.channel,
          accountId: TEST_ACCOUNTS[customer.channel],
          senderId: customer.id,
          mid: `m_SOAK${sent}`,
          text,
          timestampMs: Date.now(),
        });
  const response = await postWebhook(server.url, customer.channel, body);
  if (response.status !== 200) throw new Error(`a webhook was answered ${response.status}`);
}

/** A message from a customer already writing, the recent ones more often. */
function someoneWriting(): Customer {
  const recent = Math.floor(random() ** 2 * customers.length);
  return customers[customers.length - 1 - recent] ?? newCustomer();
}

// ---- the day -----------------------------------------------------------------------------

const loadBefore = os.loadavg();
const graphOptions: FakeGraphOptions = {
  accounts: {
    [TEST_ACCOUNTS.whatsapp]: 'whatsapp',
    [TEST_ACCOUNTS.messenger]: 'messenger',
    [TEST_ACCOUNTS.instagram]: 'instagram',
  },
  placeholderMedia: true,
};
const graph = await startFakeGraph(graphOptions);
const graphConfig = { baseUrl: graph.url, version: loadConfig({}).graph.version };
let server = await startTestServer({ graph: graphConfig });
// Sends are answered, and their statuses come back by webhook, as from Meta.
graphOptions.webhooks = { parleyUrl: server.url, appSecret: APP_SECRET, delayMs: 300 };
const port = Number(new URL(server.url).port);
const browser = await launchChromium();
const samples: Sample[] = [];
const hourRows: Row[] = [];
const report: Record<string, unknown> = {};
let censusFirst: Census | null = null;
let censusLast: Census | null = null;
try {
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
  for (let n = 0; n < FIRST_CUSTOMERS; n += 1) await customerWrites(server, newCustomer());

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  await context.addInitScript({ content: pageScript });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => {
    pageErrors.push(error.message);
    console.log('page error:', error.message);
  });

  step('signing in');
  const cache = await signInToCache(page, server.url, { onlineTimeoutMs: 60_000 });
  // The first customers' conversations are stored before the cache is written at the cursor.
  await page.locator(ROW).first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(2_000);
  step(`seeding ${CACHE.conversations} conversations and ${CACHE.messages} messages`);
  const seed = await seedCache(page, cache, {
    conversations: CACHE.conversations,
    messages: CACHE.messages,
    bigThread: CACHE.thread,
  });
  step(`seeded in ${(seed.ms / 1000).toFixed(1)} s`);
  report['seedMs'] = seed.ms;
  // The app reads the cache it now holds, as after a restart.
  await page.goto(`${server.url}/`);
  await page.waitForSelector('[data-testid="connection-status"][data-state="online"]', { timeout: 60_000 });
  await page.locator(ROW).first().waitFor({ timeout: 60_000 });

  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await canonical(page);
  const start = await measure(cdp, 0);
  step(`start: heap ${start.heapMb.toFixed(1)} MB, ${start.domNodes} DOM nodes, ${start.listeners} listeners`);

  const dayStarted = Date.now();
  for (let hour = 1; hour <= HOURS; hour += 1) {
    if (hour > 2 && Date.now() - dayStarted > BUDGET_MS) {
      step(`out of time: hour ${hour} and after not played`);
      break;
    }
    const hourStarted = Date.now();
    const tally: Tally = {};
    const attempt = async (what: string, work: () => Promise<unknown>): Promise<boolean> => {
      const entry = (tally[what] ??= { ok: 0, failed: 0 });
      try {
        const result = await bounded(work(), STEP_MS + 5_000);
        if (result === 'timeout') throw new Error('timed out');
        entry.ok += 1;
        return true;
      } catch (error) {
        entry.failed += 1;
        if (entry.failed <= 2) await explainFailure(page, what, hour, error);
        return false;
      }
    };

    // The hour's messages: first messages from new customers, the rest from those writing.
    const arrivals: Customer[] = [];
    for (let n = 0; n < PER_HOUR.messages; n += 1) {
      arrivals.push(n < PER_HOUR.newCustomers ? newCustomer() : someoneWriting());
    }
    arrivals.sort(() => random() - 0.5);
    const deliver = async (count: number): Promise<void> => {
      for (const customer of arrivals.splice(0, count)) {
        await attempt('message arrives', () => customerWrites(server, customer));
      }
    };
    const perStep = Math.max(1, Math.ceil(PER_HOUR.messages / (PER_HOUR.opens + 2)));
    const serverNames = async (): Promise<Set<string>> =>
      new Set((await server.store.db.selectFrom('contacts').select('name').execute()).map((row) => row.name ?? ''));

    let replies = 0;
    let changes = 0;
    let searches = 0;
    let reconnects = 0;
    for (let n = 0; n < PER_HOUR.opens; n += 1) {
      await deliver(perStep);
      if (n % 5 === 0) await attempt('switch view', () => view(page, n % 10 === 0 ? 'unassigned' : 'mine'));
      let opened = '';
      const ok = await attempt(n % 2 === 0 ? 'open by click' : 'open by keyboard', async () => {
        opened = n % 2 === 0 ? await openByClick(page) : await openByKeyboard(page);
      });
      if (!ok) continue;
      await attempt('scroll thread', () => scrollThread(page));
      // Replies and changes only where the server knows the conversation (not the seeded cache).
      const known = (await serverNames()).has(opened);
      const left = PER_HOUR.opens - n;
      if (known && replies < PER_HOUR.replies && (left <= PER_HOUR.replies - replies || random() < 0.7)) {
        replies += 1;
        await attempt('reply', () => reply(page, server, hour, replies));
      }
      if (known && changes < PER_HOUR.changes && (left <= PER_HOUR.changes - changes || random() < 0.4)) {
        changes += 1;
        await attempt('assign or status', () => change(page, changes + hour));
      }
      if (searches < PER_HOUR.searches && n % 6 === 3) {
        searches += 1;
        await attempt('search', () => search(page));
      }
      if (n === 7) await attempt('palette', () => paletteAndClose(page));
      if (n === 11) await attempt('settings', () => settings(page));
      if (
        reconnects < PER_HOUR.reconnects &&
        n === Math.floor(((reconnects + 1) * PER_HOUR.opens) / (PER_HOUR.reconnects + 1))
      ) {
        reconnects += 1;
        const restart = (hour + reconnects) % 2 === 0;
        await attempt(restart ? 'reconnect (server restart)' : 'reconnect (offline)', async () => {
          if (restart) {
            await server.close();
            await page.locator('[data-testid="connection-status"]:not([data-state="online"])').waitFor();
            server = await startTestServer({ dataDir: server.dataDir, port, graph: graphConfig });
          } else {
            await context.setOffline(true);
            await page.locator('[data-testid="connection-status"]:not([data-state="online"])').waitFor();
          }
          // Messages arrive while the agent is away: the resync brings them.
          await deliver(perStep);
          if (!restart) await context.setOffline(false);
          await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor({ timeout: 60_000 });
        });
      }
    }
    await deliver(arrivals.length);
    for (; searches < PER_HOUR.searches; searches += 1) await attempt('search', () => search(page));

    await attempt('back to the same screen', () => canonical(page));
    const sample = await measure(cdp, hour);
    samples.push(sample);
    if (SNAPSHOTS && hour === 1) censusFirst = await census(cdp, 'hour-1', SNAPSHOT_DIR);
    const failed = Object.values(tally).reduce((sum, entry) => sum + entry.failed, 0);
    const done = Object.values(tally).reduce((sum, entry) => sum + entry.ok, 0);
    hourRows.push({
      hour,
      's played': (Date.now() - hourStarted) / 1000,
      'actions ok': done,
      failed,
      'heap MB': sample.heapMb,
      'DOM nodes': sample.domNodes,
      documents: sample.documents,
      'JS listeners': sample.listeners,
      'load 1m': sample.load1,
    });
    report[`hour${hour}`] = tally;
    console.log(
      `  ${Object.entries(tally)
        .map(([what, entry]) => `${what} ${entry.ok}${entry.failed > 0 ? ` (${entry.failed} failed)` : ''}`)
        .join(' · ')}`,
    );
    step(
      `hour ${hour}: heap ${sample.heapMb.toFixed(1)} MB, ${sample.domNodes} DOM nodes, ${sample.listeners} listeners, ${done} actions (${failed} failed), load ${sample.load1.toFixed(2)}`,
    );
  }
  if (SNAPSHOTS && samples.length > 1) censusLast = await census(cdp, `hour-${samples.length}`, SNAPSHOT_DIR);
  report['start'] = start;
  report['pageErrors'] = pageErrors;
} finally {
  step('closing');
  await bounded(browser.close(), 15_000);
  await bounded(server.cleanup(), 15_000);
  await bounded(graph.close(), 5_000);
}

const loadAfter = os.loadavg();
printTable(
  `A compressed working day: ${HOURS} hours of ${PER_HOUR.messages} messages, ${PER_HOUR.opens} opens, ${PER_HOUR.replies} replies, ${PER_HOUR.reconnects} reconnect, over ${CACHE.conversations} cached conversations (after a forced GC)`,
  hourRows,
);
const first = samples[0];
const last = samples.at(-1);
const growth = (pickValue: (sample: Sample) => number): number =>
  first === undefined || last === undefined ? Number.NaN : (pickValue(last) - pickValue(first)) / pickValue(first);
const growthRows: Row[] = [
  ['JS heap', (sample: Sample) => sample.heapMb],
  ['DOM nodes', (sample: Sample) => sample.domNodes],
  ['JS event listeners', (sample: Sample) => sample.listeners],
].map(([label, of]) => {
  const value = growth(of as (sample: Sample) => number);
  return {
    measure: `${label as string}: hour 1 → hour ${last?.hour ?? '-'}`,
    growth: `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)} %`,
    target: label === 'JS event listeners' ? '-' : `≤ ${100 * TARGET_GROWTH} %`,
    pass: label === 'JS event listeners' ? '-' : value <= TARGET_GROWTH,
  };
});
// A leak grows with the hours; warming up (code compiled and optimised as it gets hot) levels off.
const middle = samples[Math.floor((samples.length - 1) / 2)];
if (middle !== undefined && last !== undefined && middle !== first) {
  const value = (last.heapMb - middle.heapMb) / middle.heapMb;
  growthRows.push({
    measure: `JS heap: hour ${middle.hour} → hour ${last.hour} (the second half)`,
    growth: `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)} %`,
    target: '-',
    pass: '-',
  });
}
// The same heap without the compiled code, from the two snapshots' own totals.
if (censusFirst !== null && censusLast !== null) {
  const withoutCode = (of: Census): number =>
    [...of.entries()].reduce((sum, [key, entry]) => sum + (key === '(code)' ? 0 : entry.size), 0);
  const before = withoutCode(censusFirst);
  const after = withoutCode(censusLast);
  const code = (of: Census): number => of.get('(code)')?.size ?? 0;
  growthRows.push({
    measure: `JS heap without compiled code (snapshots): ${(before / 2 ** 20).toFixed(1)} → ${(after / 2 ** 20).toFixed(1)} MB; code ${(code(censusFirst) / 2 ** 20).toFixed(1)} → ${(code(censusLast) / 2 ** 20).toFixed(1)} MB`,
    growth: `${after >= before ? '+' : ''}${((100 * (after - before)) / before).toFixed(1)} %`,
    target: `≤ ${100 * TARGET_GROWTH} %`,
    pass: (after - before) / before <= TARGET_GROWTH,
  });
}
printTable('Growth from the first hour to the last', growthRows);

const diff: Row[] = [];
if (censusFirst !== null && censusLast !== null) {
  const keys = new Set([...censusFirst.keys(), ...censusLast.keys()]);
  const deltas = [...keys].map((key) => {
    const a = censusFirst?.get(key) ?? { count: 0, size: 0 };
    const b = censusLast?.get(key) ?? { count: 0, size: 0 };
    return { key, count: b.count - a.count, size: b.size - a.size, last: b.count };
  });
  deltas.sort((a, b) => b.size - a.size);
  for (const delta of deltas.slice(0, 15)) {
    diff.push({
      constructor: delta.key,
      'count Δ': delta.count,
      'KB Δ': delta.size / 1024,
      'count at the end': delta.last,
    });
  }
  const detached = censusLast.get('Detached DOM nodes');
  diff.push({
    constructor: 'Detached DOM nodes (at the end)',
    'count Δ': (detached?.count ?? 0) - (censusFirst.get('Detached DOM nodes')?.count ?? 0),
    'KB Δ': ((detached?.size ?? 0) - (censusFirst.get('Detached DOM nodes')?.size ?? 0)) / 1024,
    'count at the end': detached?.count ?? 0,
  });
  printTable('Heap snapshot, first hour → last: the biggest growers by constructor', diff);
}
console.log(
  `load average before ${loadBefore.map((n) => n.toFixed(2)).join(' ')} · after ${loadAfter.map((n) => n.toFixed(2)).join(' ')} (${os.cpus().length} cores) · ${((Date.now() - startedAt) / 1000).toFixed(0)} s in all`,
);
const file = writeResult('soak', {
  hours: HOURS,
  perHour: PER_HOUR,
  cache: CACHE,
  targetGrowth: TARGET_GROWTH,
  samples,
  table: hourRows,
  growth: growthRows,
  heapDiff: diff,
  ...report,
  load: { before: loadBefore, after: loadAfter },
});
console.log(`wrote ${file}`);
process.exit(0);
