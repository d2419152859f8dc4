import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ParleyDb, readMeta } from '../../renderer/src/data/db.js';
import { SyncEngine, type Arrivals, type BootstrapBounds } from '../../renderer/src/sync/engine.js';
import { untilState as until } from '../support/engine.js';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';

/** Catching up after an absence, and a first sync interrupted halfway. */

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
  return new ParleyDb(`catch-up-${dbCount}`);
}

type EngineSetup = { pageSize?: number; bootstrap?: BootstrapBounds; onArrivals?: (arrivals: Arrivals) => void };

function startEngine(db: ParleyDb, setup: EngineSetup = {}): SyncEngine {
  const engine = new SyncEngine({ db, serverUrl: server.url, token, clientName: 'test', ...setup });
  engines.push(engine);
  engine.start();
  return engine;
}

/** `count` customer messages spread over `customers` WhatsApp customers, a few in flight at once. */
async function customersWrite(customers: number, count: number, prefix: string, phone = '4477009'): Promise<void> {
  const start = Math.floor(Date.now() / 1000) - count;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const customer = i % customers;
      await customerWrites(server.url, {
        from: `${phone}${String(customer).padStart(5, '0')}`,
        name: `Customer ${customer}`,
        id: `wamid.${prefix}${i}`,
        text: `${prefix} message ${i}`,
        timestampSeconds: start + i,
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/**
 * The moment the first page of a pull is stored and more remain, the server drops every
 * socket; resolves once the engine is back online after it.
 */
async function dropOnFirstPage(engine: SyncEngine): Promise<void> {
  let dropped = false;
  engine.subscribe(() => {
    if (!dropped && engine.getState().kind === 'catchingUp') {
      dropped = true;
      server.realtime.io.disconnectSockets(true);
    }
  });
  await until(engine, (state) => dropped && state.kind === 'online');
  expect(dropped).toBe(true);
}

describe('catching up', () => {
  it('brings 1,000 messages missed across 200 conversations, with the right unread counts', async () => {
    const db = newDb();
    await customersWrite(3, 3, 'BEFORE', '3361234');
    const arrivals: Arrivals[] = [];
    const first = startEngine(db, { onArrivals: (batch) => arrivals.push(batch) });
    await until(first, (state) => state.kind === 'online');
    first.stop();
    // What a first sync brings is the cache being filled, not news.
    expect(arrivals).toEqual([]);

    await customersWrite(200, 1000, 'AWAY');
    const again = startEngine(db, { onArrivals: (batch) => arrivals.push(batch) });
    await until(again, (state) => state.kind === 'online');

    // One report for the whole absence, which the app sums up in one line.
    expect(arrivals).toHaveLength(1);
    expect(arrivals[0]?.during).toBe('catchUp');
    expect(arrivals[0]?.messages).toHaveLength(1000);
    expect(new Set(arrivals[0]?.messages.map((message) => message.conversationId)).size).toBe(200);

    expect(await db.messages.count()).toBe(1003);
    const conversations = (await db.conversations.toArray()).filter((conversation) =>
      (conversation.preview?.text ?? '').startsWith('AWAY'),
    );
    expect(conversations).toHaveLength(200);
    expect(conversations.every((conversation) => conversation.unreadCount === 5)).toBe(true);
    expect(await readMeta(db, 'cursor')).toBe(await server.store.head());
  });

  it('resumes a first sync dropped halfway, with no gap and no duplicate', async () => {
    await customersWrite(30, 300, 'BOOT');
    const db = newDb();
    const engine = startEngine(db, { pageSize: 20 });
    await dropOnFirstPage(engine);
    const messages = await db.messages.toArray();
    expect(messages).toHaveLength(300);
    expect(new Set(messages.map((message) => message.externalId)).size).toBe(300);
    expect(await readMeta(db, 'cursor')).toBe(await server.store.head());
  });

  it('keeps a first sync bounded when it resumes after a drop', async () => {
    await customersWrite(10, 100, 'BOUND');
    const db = newDb();
    const engine = startEngine(db, { pageSize: 5, bootstrap: { messagesPerConversation: 3, closedDays: 30 } });
    await dropOnFirstPage(engine);
    expect(await db.conversations.count()).toBe(10);
    const perConversation = new Map<string, number>();
    for (const message of await db.messages.toArray()) {
      perConversation.set(message.conversationId, (perConversation.get(message.conversationId) ?? 0) + 1);
    }
    // The last three of each conversation's ten, before and after the drop alike.
    expect([...perConversation.values()]).toEqual(Array.from({ length: 10 }, () => 3));
    expect(await readMeta(db, 'bootstrapped')).toBeGreaterThan(0);
    expect(await readMeta(db, 'cursor')).toBe(await server.store.head());
  });
});
