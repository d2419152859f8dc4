import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, test } from 'vitest';
import type { LiveBatch } from '@parley/protocol';
import {
  connectReady,
  postWebhook,
  signIn,
  startTestServer,
  whatsappMessage,
  whatsappValue,
  whatsappWebhook,
  type TestServer,
} from './helpers.js';

/**
 * One signed WhatsApp webhook of 15,000 messages (about 2 MB), as a burst after an outage
 * can bring. Storing it takes seconds; the process must keep answering meanwhile, and
 * every message must be stored once, with the live batches' seqs following each other.
 */

const MESSAGES = 15_000;
const CUSTOMERS = 150;

function bigWebhook(prefix: string): string {
  const waId = (index: number): string => `4477009${String(index % CUSTOMERS).padStart(5, '0')}`;
  const messages = Array.from({ length: MESSAGES }, (_, index) =>
    whatsappMessage({
      from: waId(index),
      id: `wamid.${prefix}${index}`,
      timestampSeconds: 1_700_000_000 + index,
      text: `Message ${index}: is my order on its way?`,
    }),
  );
  const contacts = Array.from({ length: CUSTOMERS }, (_, index) => ({ waId: waId(index), name: `Customer ${index}` }));
  return JSON.stringify(whatsappWebhook([[{ value: whatsappValue({ contacts, messages }) }]]));
}

/**
 * Calls /healthz every 20 ms from a thread of its own (its own event loop, so a busy
 * server loop cannot hold the calls back before they are made) until told to stop.
 */
const POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
const latencies = [];
let running = true;
parentPort.on('message', () => { running = false; });
(async () => {
  while (running) {
    const started = performance.now();
    const response = await fetch(workerData.url);
    await response.text();
    latencies.push(response.status === 200 ? performance.now() - started : Infinity);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  parentPort.postMessage(latencies);
})();
`;

function pollHealth(url: string): { stop(): Promise<number[]> } {
  const worker = new Worker(POLLER, { eval: true, workerData: { url: new URL('/healthz', url).href } });
  return {
    stop: () =>
      new Promise<number[]>((resolve, reject) => {
        worker.once('message', (latencies: number[]) => {
          void worker.terminate();
          resolve(latencies);
        });
        worker.once('error', reject);
        worker.postMessage('stop');
      }),
  };
}

describe('a webhook of 15,000 messages', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.cleanup();
  });

  test('is stored while /healthz keeps answering; every message once, seqs in order', async () => {
    server = await startTestServer();
    const { token } = await signIn(server);
    const { batches } = await connectReady(server, token);
    const headBefore = await server.store.head();
    const body = bigWebhook('BIG');

    const loop = monitorEventLoopDelay({ resolution: 10 });
    const poller = pollHealth(server.url);
    // Let the poller's first calls land before the webhook starts.
    await new Promise((resolve) => setTimeout(resolve, 200));
    loop.enable();
    const started = performance.now();
    const response = await postWebhook(server, 'whatsapp', body);
    const text = await response.text();
    const elapsedMs = performance.now() - started;
    loop.disable();
    const latencies = await poller.stop();

    expect(response.status, text).toBe(200);
    const longestBlockMs = loop.max / 1e6;
    const p99BlockMs = loop.percentile(99) / 1e6;
    const slowestHealthMs = Math.max(...latencies);
    // Printed for the record: the machine's load shows in every figure.
    console.log(
      `15,000 messages in ${Math.round(elapsedMs)} ms; /healthz ${latencies.length} calls, median ` +
        `${Math.round([...latencies].sort((a, b) => a - b)[Math.floor(latencies.length / 2)] ?? 0)} ms, slowest ` +
        `${Math.round(slowestHealthMs)} ms; event-loop delay p99 ${Math.round(p99BlockMs)} ms, ` +
        `longest ${Math.round(longestBlockMs)} ms`,
    );
    // /healthz was called throughout the ingest, not only before or after it.
    expect(latencies.length).toBeGreaterThan(elapsedMs / 200);
    // Before slicing, the loop was held for the whole ingest: 14 s on an idle machine, 48 s
    // on this loaded one, and every /healthz call waited as long. Slices of 8 ms leave it
    // free between transactions, about 20 ms apart on an idle machine, where every figure
    // below stays under 100 ms. The bounds are several times that on purpose: this
    // machine's cores are shared (a load of 20 on two cores stretches an 8 ms slice past
    // 100 ms, and a garbage collection or a throttled CPU quota past a second), so a tight
    // bound would fail on the load, not on a regression; a regression shows as the whole
    // ingest, tens of seconds.
    const median = [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length / 2)] ?? Infinity;
    expect(median).toBeLessThan(100);
    expect(p99BlockMs).toBeLessThan(500);
    expect(longestBlockMs).toBeLessThan(5_000);
    expect(slowestHealthMs).toBeLessThan(5_000);
    expect(slowestHealthMs).toBeLessThan(elapsedMs / 10);

    // Every message stored, once.
    const stored = await server.store.db
      .selectFrom('messages')
      .select((eb) => [eb.fn.countAll<number>().as('rows'), eb.fn.count<number>('external_id').distinct().as('ids')])
      .where('external_id', 'like', 'wamid.BIG%')
      .executeTakeFirstOrThrow();
    expect(Number(stored.rows)).toBe(MESSAGES);
    expect(Number(stored.ids)).toBe(MESSAGES);

    // The live batches cover every seq from the head before to the head after, in order,
    // with no gap and no overlap, though the webhook was stored in many transactions.
    const head = await server.store.head();
    const seen: LiveBatch[] = [];
    await batches.waitFor((batch) => batch.upTo === head, `upTo ${head}`);
    seen.push(...batches.all.filter((batch) => batch.upTo > headBefore));
    expect(seen.length).toBeGreaterThan(1);
    let cursor = headBefore;
    for (const batch of seen) {
      expect(batch.after).toBe(cursor);
      cursor = batch.upTo;
    }
    expect(cursor).toBe(head);
  }, 240_000);
});
