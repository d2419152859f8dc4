/**
 * Two nodes on one database fetch WhatsApp's templates on their timers by turns: about once
 * an interval between them, not once each.
 */
import { afterEach, expect, it } from 'vitest';
import { WA_BUSINESS_ACCOUNT_ID, startTestServer, type TestServer } from '../helpers.js';
import { startFakeGraph, type FakeGraph } from '../outbound-support.js';
import { testDatabaseUrl } from '../support/database.js';

let fake: FakeGraph | null = null;
const nodes: TestServer[] = [];
afterEach(async () => {
  const [first, ...others] = nodes.splice(0);
  for (const node of others) await node.close();
  await first?.cleanup();
  await fake?.close();
  fake = null;
});

const INTERVAL_MS = 300;
const WATCH_MS = 3_000;

it('two nodes take turns at the timed template sync', async () => {
  fake = await startFakeGraph();
  const graph = { baseUrl: fake.url, version: 'v21.0' };
  const a = await startTestServer({ graph });
  nodes.push(a);
  const b = await startTestServer({ graph, databaseUrl: await testDatabaseUrl(a.dataDir) });
  nodes.push(b);
  // The account's templates are fetched from its business account.
  await a.store.db
    .updateTable('channel_accounts')
    .set({ waba_id: WA_BUSINESS_ACCOUNT_ID })
    .where('channel', '=', 'whatsapp')
    .execute();
  const templates = { method: 'GET', path: `/${WA_BUSINESS_ACCOUNT_ID}/message_templates` } as const;
  fake.reset();

  a.outbound.tune({ templateSyncIntervalMs: INTERVAL_MS });
  b.outbound.tune({ templateSyncIntervalMs: INTERVAL_MS });
  await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
  a.outbound.tune({ templateSyncIntervalMs: 60 * 60_000 });
  b.outbound.tune({ templateSyncIntervalMs: 60 * 60_000 });

  const runs = fake.callsTo(templates).length;
  // Each alone would fetch WATCH_MS / INTERVAL_MS = 10 times, 20 together; by turns, runs
  // are at least 0.9 of an interval apart.
  expect(runs).toBeGreaterThanOrEqual(5);
  expect(runs).toBeLessThanOrEqual(Math.ceil(WATCH_MS / (0.9 * INTERVAL_MS)) + 1);
});
