import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../src/config.js';
import { newId } from '../src/platform/ids.js';
import { startTestServer, type TestServer } from './helpers.js';
import { makePng, mediaConfig, mediaRow, settled, startMetaFixture, type MetaFixture } from './media-fixtures.js';
import {
  MESSAGES_PATH,
  jobsOf,
  mutate,
  seedThread,
  sendText,
  startHarness,
  waitForIdle,
  waitForMessage,
  type Harness,
} from './outbound-support.js';

/**
 * The lease rules one node keeps: work another node holds under a live lease is left to
 * it, and taken over once that lease lapses: a queued job runs, a job left in flight is
 * settled without a call, a copy is made.
 */

const OTHER_NODE = 'another-node';
const LONG_LEASE_MS = 10 * 60_000;

let meta: MetaFixture;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  meta = await startMetaFixture();
});
afterAll(async () => {
  await meta.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(): Promise<Harness> {
  const started = await startHarness();
  cleanups.push(() => started.close());
  return started;
}

function textsSent(h: Harness): string[] {
  return h.fake
    .callsTo({ path: MESSAGES_PATH.whatsapp })
    .map((call) => (call.body as { text?: { body?: string } }).text?.body ?? '');
}

test("a job left in flight under another node's live lease is left alone; once it lapses it is settled without a call", async () => {
  const h = await harness();
  const blocked = await seedThread(h.server, { channel: 'whatsapp' });
  const free = await seedThread(h.server, { channel: 'whatsapp' });
  const now = Date.now();
  // Another node's call under way, at the head of the conversation.
  const inFlightId = newId();
  const account = await h.server.store.db
    .selectFrom('conversations')
    .select('channel_account_id')
    .where('id', '=', blocked.conversationId)
    .executeTakeFirstOrThrow();
  await h.server.store.db
    .insertInto('outbound_jobs')
    .values({
      id: inFlightId,
      kind: 'conversation.markRead',
      channel_account_id: account.channel_account_id,
      conversation_id: blocked.conversationId,
      message_id: null,
      payload: JSON.stringify({ kind: 'conversation.markRead' }),
      state: 'in_flight',
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      created_at: now,
      updated_at: now,
      lease_owner: OTHER_NODE,
      lease_until: now + LONG_LEASE_MS,
    })
    .execute();
  const waiting = await mutate(h, sendText(blocked.conversationId, 'Behind the other node'));
  const elsewhere = await mutate(h, sendText(free.conversationId, 'In another conversation'));
  if (!waiting.ok || !elsewhere.ok || waiting.message === undefined || elsewhere.message === undefined) {
    throw new Error('send refused');
  }
  // The worker has looked at the queue since both were stored: the free conversation went.
  await waitForMessage(h.server, elsewhere.message.id, (m) => m.status === 'sent', 'sent');
  const held = await h.server.store.db
    .selectFrom('outbound_jobs')
    .select(['state', 'lease_owner'])
    .where('id', '=', inFlightId)
    .executeTakeFirstOrThrow();
  expect(held).toEqual({ state: 'in_flight', lease_owner: OTHER_NODE });
  expect(await jobsOf(h.server, blocked.conversationId)).toEqual([
    { kind: 'conversation.markRead', state: 'in_flight', attempts: 0 },
    { kind: 'message.send', state: 'queued', attempts: 0 },
  ]);
  expect(textsSent(h)).toEqual(['In another conversation']);

  // That node died: its lease lapses.
  await h.server.store.db
    .updateTable('outbound_jobs')
    .set({ lease_until: Date.now() - 1 })
    .where('id', '=', inFlightId)
    .execute();
  h.server.outbound.kick();
  await waitForIdle(h.server, blocked.conversationId);
  expect(await jobsOf(h.server, blocked.conversationId)).toEqual([
    { kind: 'conversation.markRead', state: 'failed', attempts: 0 },
    { kind: 'message.send', state: 'done', attempts: 0 },
  ]);
  // The call it may have made is not made again; the next job goes once.
  expect(h.fake.callsTo({ path: MESSAGES_PATH.whatsapp })).toHaveLength(2);
  expect(textsSent(h)).toEqual(['In another conversation', 'Behind the other node']);
});

test("a copy under another node's live lease is left to it; once the lease lapses it is made, once", async () => {
  const server: TestServer = await startTestServer(mediaConfig(meta));
  cleanups.push(() => server.cleanup());
  const account = await server.store.db
    .selectFrom('channel_accounts')
    .select('id')
    .where('channel', '=', 'messenger')
    .executeTakeFirstOrThrow();
  const png = await makePng(64, 64);
  const heldUrl = meta.cdn(`held-${newId()}.png`, png);
  const now = Date.now();
  const heldId = newId();
  await server.store.db
    .insertInto('media')
    .values({
      id: heldId,
      channel_account_id: account.id,
      kind: 'image',
      status: 'pending',
      source_kind: 'url',
      source_ref: heldUrl,
      attempts: 1,
      created_at: now - 60_000,
      updated_at: now - 60_000,
      lease_owner: OTHER_NODE,
      lease_until: now + LONG_LEASE_MS,
    })
    .execute();
  // A copy nobody holds, made after: once it is done, the worker has passed the held one by.
  const freeId = await server.media.copyAvatar(account.id, meta.cdn(`free-${newId()}.png`, png));
  if (freeId === null) throw new Error('no copy started');
  expect((await settled(server, freeId)).status).toBe('ready');
  expect(await mediaRow(server, heldId)).toMatchObject({ status: 'pending', attempts: 1 });
  const heldPath = new URL(heldUrl).pathname;
  expect(meta.requests.filter((request) => request.path.startsWith(heldPath))).toEqual([]);

  await server.store.db
    .updateTable('media')
    .set({ lease_until: Date.now() - 1 })
    .where('id', '=', heldId)
    .execute();
  server.media.kick();
  expect(await settled(server, heldId)).toMatchObject({ status: 'ready', attempts: 2 });
  expect(meta.requests.filter((request) => request.path.startsWith(heldPath))).toHaveLength(1);
});

test('PARLEY_NODE_ID names the node, checked; without it every process gets a name of its own', () => {
  expect(loadConfig({ PARLEY_NODE_ID: 'eu-west.1' }, false).nodeId).toBe('eu-west.1');
  const first = loadConfig({}, false).nodeId;
  const second = loadConfig({}, false).nodeId;
  expect(first).not.toBe(second);
  expect(first).toContain(`:${String(process.pid)}:`);
  expect(() => loadConfig({ PARLEY_NODE_ID: 'two words' }, false)).toThrow(/PARLEY_NODE_ID/);
  expect(loadConfig({}, false).jobLeaseMs).toBe(30_000);
  expect(loadConfig({ PARLEY_JOB_LEASE_MS: '1500' }, false).jobLeaseMs).toBe(1_500);
  expect(() => loadConfig({ PARLEY_JOB_LEASE_MS: '10' }, false)).toThrow(/PARLEY_JOB_LEASE_MS/);
});
