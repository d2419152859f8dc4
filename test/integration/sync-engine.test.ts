import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { whatsappTextWebhook } from '@parley/server/testing';
import { ParleyDb, readMeta } from '../../renderer/src/data/db.js';
import { SyncEngine, type EngineFailure } from '../../renderer/src/sync/engine.js';
import { failureText } from '../../renderer/src/common/i18n/failures.js';
import { answerHello, untilState as until } from '../support/engine.js';
import { AGENT, postWebhook, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;
let dbCount = 0;
const engines: SyncEngine[] = [];

beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
  const session = await server.agents.login(AGENT.email, AGENT.password);
  if (session === null) throw new Error('login failed');
  token = session.token;
});

afterEach(async () => {
  for (const engine of engines.splice(0)) engine.stop();
  await server.cleanup();
});

function newDb(): ParleyDb {
  dbCount += 1;
  return new ParleyDb(`sync-engine-test-${dbCount}`);
}

function startEngine(db: ParleyDb, options: Partial<ConstructorParameters<typeof SyncEngine>[0]> = {}): SyncEngine {
  const engine = new SyncEngine({ db, serverUrl: server.url, token, clientName: 'test', ...options });
  engines.push(engine);
  engine.start();
  return engine;
}

async function poll<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function sendWhatsApp(index: number, from = `55119876500${String(index % 10).padStart(2, '0')}`): Promise<void> {
  const response = await postWebhook(
    server.url,
    'whatsapp',
    whatsappTextWebhook({
      phoneNumberId: '100000000000001',
      from,
      name: `Customer ${from.slice(-2)}`,
      id: `wamid.SYNC${index}`,
      text: `message ${index}`,
      timestampSeconds: 1_760_000_000 + index,
    }),
  );
  expect(response.status).toBe(200);
}

describe('sync engine against a real server', () => {
  it('bootstraps every change in pages, then keeps the cursor at the head', async () => {
    for (let i = 0; i < 12; i += 1) await sendWhatsApp(i);
    const db = newDb();
    const engine = startEngine(db, { pageSize: 5 });
    await until(engine, (state) => state.kind === 'online');

    expect(await db.messages.count()).toBe(12);
    expect(await db.conversations.count()).toBe(10);
    expect(await db.agents.count()).toBe(1);
    expect(await readMeta(db, 'cursor')).toBe(await server.store.head());
    const texts = (await db.messages.toArray()).map((message) => message.text).sort();
    expect(new Set(texts).size).toBe(12);
  });

  it('applies live changes as they are committed', async () => {
    const db = newDb();
    const engine = startEngine(db);
    await until(engine, (state) => state.kind === 'online');
    await sendWhatsApp(1);
    await sendWhatsApp(2, '5511987650001');
    const messages = await poll(
      () => db.messages.toArray(),
      (rows) => rows.length === 2,
    );
    expect(messages.map((message) => message.text).sort()).toEqual(['message 1', 'message 2']);
    const conversation = await db.conversations.toArray();
    expect(conversation).toHaveLength(1);
    expect(conversation[0]?.unreadCount).toBe(2);
    expect(await readMeta(db, 'cursor')).toBe(await server.store.head());
  });

  it('catches up on what was missed while stopped, from its cursor', async () => {
    const db = newDb();
    const first = startEngine(db);
    await until(first, (state) => state.kind === 'online');
    await sendWhatsApp(1);
    await poll(
      () => db.messages.count(),
      (count) => count === 1,
    );
    first.stop();

    for (let i = 2; i <= 30; i += 1) await sendWhatsApp(i);
    const second = startEngine(db, { pageSize: 7 });
    await until(second, (state) => state.kind === 'online');
    expect(await db.messages.count()).toBe(30);
    expect(await readMeta(db, 'cursor')).toBe(await server.store.head());
  });

  it('pulls when a live batch shows a gap, restoring what was missed', async () => {
    await sendWhatsApp(1);
    const db = newDb();
    const engine = startEngine(db);
    await until(engine, (state) => state.kind === 'online');
    const lost = await db.messages.toArray();
    expect(lost).toHaveLength(1);

    // Forget the message and move the cursor back before it, as if its push was lost.
    const lostSeq = lost[0]?.seq ?? 0;
    await db.messages.clear();
    await db.meta.put({ key: 'cursor', value: lostSeq - 1 });

    await sendWhatsApp(2);
    const restored = await poll(
      () => db.messages.toArray(),
      (rows) => rows.length === 2,
    );
    expect(restored.map((message) => message.text).sort()).toEqual(['message 1', 'message 2']);
  });

  it('goes offline when the server stops, keeping the cache', async () => {
    await sendWhatsApp(1);
    const db = newDb();
    const engine = startEngine(db);
    await until(engine, (state) => state.kind === 'online');
    await server.close();
    await until(engine, (state) => state.kind === 'offline');
    expect(await db.messages.count()).toBe(1);
  });

  it('reports a refused session instead of retrying', async () => {
    const db = newDb();
    let signedOut: EngineFailure | null = null;
    const engine = startEngine(db, {
      token: 'not-a-session',
      onSignedOut: (failure) => {
        signedOut = failure;
      },
    });
    await until(engine, (state) => state.kind === 'error');
    expect(engine.getState()).toMatchObject({ kind: 'error', code: 'unauthorized' });
    // The server names the refusal by its code (and reason); the words are the renderer's.
    expect(signedOut).toMatchObject({ code: 'unauthorized' });
    expect(signedOut === null ? '' : failureText(signedOut, 'en')).toMatch(/sign in/i);
  });
});

describe('sync engine against a server that sends invalid payloads', () => {
  let fake: Server;
  let url: string;

  beforeEach(async () => {
    const http = createServer();
    fake = new Server(http);
    fake.on('connection', (socket) => {
      answerHello(socket);
      socket.on('sync:pull', (_request: unknown, ack: (reply: unknown) => void) => {
        ack({ ok: true, changes: [], cursor: 1, hasMore: false, head: 1 });
        // Then garbage: wrong types, unknown entity, a message without its conversation id.
        socket.emit('sync:changes', { after: 'one', changes: [] });
        socket.emit('sync:changes', { after: 1, changes: [{ entity: 'spaceship', data: {} }] });
        socket.emit('sync:changes', { after: 1, changes: [{ entity: 'message', data: { id: 'm1', seq: 2 } }] });
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await fake.close();
  });

  it('rejects them with the protocol schemas, reports them, and leaves the cache untouched', async () => {
    const db = newDb();
    const reported: string[] = [];
    const engine = new SyncEngine({
      db,
      serverUrl: url,
      token: 't',
      clientName: 'test',
      onInvalidPayload: (what) => reported.push(what),
    });
    engines.push(engine);
    engine.start();
    await until(engine, (state) => state.kind === 'online');
    await poll(
      () => Promise.resolve(reported.length),
      (count) => count === 3,
    );
    expect(reported).toEqual(['sync:changes', 'sync:changes', 'sync:changes']);
    expect(await db.messages.count()).toBe(0);
    expect(await readMeta(db, 'cursor')).toBe(1);
    expect(engine.getState().kind).toBe('online');
  });
});
