import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mutation } from '@parley/protocol';
import { loadConfig, whatsappTextWebhook } from '@parley/server/testing';
import { ParleyDb, readMeta } from '../../renderer/src/data/db.js';
import { SyncEngine } from '../../renderer/src/sync/engine.js';
import { untilState as until } from '../support/engine.js';
import { requestHistory } from '../../renderer/src/sync/history.js';
import { enqueue, optimisticMessageId } from '../../renderer/src/sync/outbox.js';
import { failureText } from '../../renderer/src/common/i18n/failures.js';
import { startFakeGraph, type FakeGraph } from '../fake-graph/server.js';
import { AGENT, TEST_ACCOUNTS, postWebhook, startTestServer, type TestServer } from '../support/server.js';

/**
 * The durable outbox against the real server and a fake Graph API: what is queued offline
 * survives a restart and goes out once, in order; refusals roll back with the server's
 * words; a resent client id is one message; the first sync is bounded.
 */

const DAY = 24 * 60 * 60 * 1000;
const MESSAGES_PATH = `/${TEST_ACCOUNTS.whatsapp}/messages`;

let graph: FakeGraph;
let server: TestServer;
let token: string;
let dbCount = 0;
const engines: SyncEngine[] = [];

beforeEach(async () => {
  graph = await startFakeGraph();
  server = await startTestServer({ graph: { baseUrl: graph.url, version: loadConfig({}).graph.version } });
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
  const session = await server.agents.login(AGENT.email, AGENT.password);
  if (session === null) throw new Error('login failed');
  token = session.token;
});

afterEach(async () => {
  for (const engine of engines.splice(0)) engine.stop();
  await server.cleanup();
  await graph.close();
});

function newDbName(): string {
  dbCount += 1;
  return `outbox-integration-${dbCount}`;
}

function startEngine(db: ParleyDb): SyncEngine {
  const engine = new SyncEngine({ db, serverUrl: server.url, token, clientName: 'test' });
  engines.push(engine);
  engine.start();
  return engine;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function inbound(id: string, text: string, at: number, from = '5511900000001'): Promise<void> {
  const response = await postWebhook(
    server.url,
    'whatsapp',
    whatsappTextWebhook({
      phoneNumberId: TEST_ACCOUNTS.whatsapp,
      from,
      name: 'Customer',
      id,
      text,
      timestampSeconds: Math.floor(at / 1000),
    }),
  );
  expect(response.status).toBe(200);
}

function reply(clientId: string, conversationId: string, text: string): Mutation {
  return {
    type: 'message.send',
    clientId,
    conversationId,
    content: { kind: 'text', text },
    replyToMessageId: null,
    humanAgentTag: false,
  };
}

/** Syncs once so the conversation is cached, then stops: the app goes offline. */
async function cachedConversation(db: ParleyDb): Promise<string> {
  const engine = startEngine(db);
  await until(engine, (state) => state.kind === 'online');
  const conversation = await db.conversations.toCollection().first();
  engine.stop();
  if (conversation === undefined) throw new Error('no conversation synced');
  return conversation.id;
}

function sentTexts(): string[] {
  return graph.callsTo({ method: 'POST', path: MESSAGES_PATH }).map((call) => {
    const body = call.body as { text?: { body?: string } };
    return body.text?.body ?? '';
  });
}

describe('outbox', () => {
  it('sends what was queued offline after a restart, once each, in order', async () => {
    await inbound('wamid.in.1', 'Hello?', Date.now());
    const name = newDbName();
    const offline = new ParleyDb(name);
    const conversationId = await cachedConversation(offline);
    for (let index = 1; index <= 5; index += 1) {
      await enqueue(offline, reply(`restart-client-${index}`, conversationId, `reply ${index}`));
    }
    expect((await offline.messages.toArray()).filter((message) => message.status === 'pending')).toHaveLength(5);

    // The app restarts: a new database handle and a new engine on the same data.
    const db = new ParleyDb(name);
    const engine = startEngine(db);
    await until(engine, (state) => state.kind === 'online');
    await eventually(async () => (await db.outbox.count()) === 0, 'the outbox to drain');
    await graph.waitForCalls({ method: 'POST', path: MESSAGES_PATH }, 5);
    expect(sentTexts()).toEqual(['reply 1', 'reply 2', 'reply 3', 'reply 4', 'reply 5']);
    const outbound = await db.messages.where('conversationId').equals(conversationId).toArray();
    // The first reply took the unassigned conversation: its activity line is no reply.
    const replies = outbound.filter((message) => message.direction === 'outbound' && message.kind !== 'activity');
    expect(replies).toHaveLength(5);
    expect(replies.every((message) => !message.id.startsWith('local:') && message.status !== 'pending')).toBe(true);
  });

  it('rolls a refused reply back and keeps the refusal, in codes the renderer words, on the row', async () => {
    await inbound('wamid.in.old', 'Are you there?', Date.now() - 2 * DAY);
    const db = new ParleyDb(newDbName());
    const engine = startEngine(db);
    await until(engine, (state) => state.kind === 'online');
    const conversation = await db.conversations.toCollection().first();
    if (conversation === undefined) throw new Error('no conversation synced');
    await enqueue(db, reply('refused-client-1', conversation.id, 'Too late'));
    await eventually(async () => (await db.outbox.get('refused-client-1'))?.state === 'failed', 'the refusal');
    const row = await db.outbox.get('refused-client-1');
    expect(row?.lastError?.code).toBe('window_closed');
    // The server sends codes, not words: the row keeps the code and the reason, and the renderer words them.
    expect(row?.lastError).toMatchObject({ code: 'window_closed', reason: 'window_template_only' });
    expect(row?.lastError === null || row === undefined ? '' : failureText(row.lastError, 'en')).toMatch(/template/i);
    expect(await db.messages.get(optimisticMessageId('refused-client-1'))).toBeUndefined();
    expect(graph.callsTo({ method: 'POST', path: MESSAGES_PATH })).toHaveLength(0);
  });

  it('stores a client id sent twice (a lost acknowledgement) as one message', async () => {
    await inbound('wamid.in.2', 'Hi', Date.now());
    const db = new ParleyDb(newDbName());
    const engine = startEngine(db);
    await until(engine, (state) => state.kind === 'online');
    const conversation = await db.conversations.toCollection().first();
    if (conversation === undefined) throw new Error('no conversation synced');
    const mutation = reply('twice-client-1', conversation.id, 'Only once');
    const first = await engine.mutate(mutation);
    const second = await engine.mutate(mutation);
    expect(first.ok && second.ok).toBe(true);
    expect(first.ok && first.message?.id).toBe(second.ok && second.message?.id);
    expect(sentTexts()).toEqual(['Only once']);
  });

  it('bounds the first sync and fetches older history on demand, without moving the cursor', async () => {
    const start = Date.now() - 60 * 60 * 1000;
    for (let index = 0; index < 60; index += 1) {
      await inbound(`wamid.hist.${index}`, `message ${index}`, start + index * 1000);
    }
    const db = new ParleyDb(newDbName());
    const engine = startEngine(db);
    await until(engine, (state) => state.kind === 'online');
    const conversation = await db.conversations.toCollection().first();
    if (conversation === undefined) throw new Error('no conversation synced');
    expect(await db.messages.where('conversationId').equals(conversation.id).count()).toBe(50);
    const cursor = await readMeta(db, 'cursor');

    // The thread scrolled to its top asks through the database; the engine answers.
    await requestHistory(db, conversation.id);
    await eventually(
      async () => (await db.history.get(conversation.id))?.requestedAt === null,
      'the history request to be answered',
    );
    expect(await db.messages.where('conversationId').equals(conversation.id).count()).toBe(60);
    expect(await db.history.get(conversation.id)).toEqual({
      conversationId: conversation.id,
      hasMore: false,
      requestedAt: null,
    });
    // Nothing older: asking again neither fetches nor changes anything.
    await requestHistory(db, conversation.id);
    expect((await db.history.get(conversation.id))?.requestedAt).toBeNull();
    expect(await engine.fetchHistory(conversation.id)).toEqual({ ok: true, added: 0, hasMore: false });
    expect(await readMeta(db, 'cursor')).toBe(cursor);
  });
});
