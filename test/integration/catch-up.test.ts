import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { whatsappTextWebhook } from '@parley/server/testing';
import { ParleyDb, readMeta } from '../../renderer/src/data/db.js';
import { SyncEngine } from '../../renderer/src/sync/engine.js';
import { untilState as until } from '../support/engine.js';
import { AGENT, TEST_ACCOUNTS, postWebhook, startTestServer, type TestServer } from '../support/server.js';

/** Catching up after an absence, and a first sync interrupted halfway. */

let server: TestServer;
let token: string;
let dbCount = 0;
const engines: SyncEngine[] = [];

beforeEach(async () => {
  server = await startTestServer();
  await server.accounts.createAgent({ ...AGENT, role: 'agent' });
  const session = await server.accounts.login(AGENT.email, AGENT.password);
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

function startEngine(db: ParleyDb, pageSize?: number): SyncEngine {
  const engine = new SyncEngine({
    db,
    serverUrl: server.url,
    token,
    clientName: 'test',
    ...(pageSize === undefined ? {} : { pageSize }),
  });
  engines.push(engine);
  engine.start();
  return engine;
}

/** `count` customer messages spread over `customers` WhatsApp customers, a few in flight at once. */
async function customersWrite(customers: number, count: number, prefix: string): Promise<void> {
  const start = Math.floor(Date.now() / 1000) - count;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const customer = i % customers;
      const response = await postWebhook(
        server.url,
        'whatsapp',
        whatsappTextWebhook({
          phoneNumberId: TEST_ACCOUNTS.whatsapp,
          from: `4477009${String(customer).padStart(5, '0')}`,
          name: `Customer ${customer}`,
          id: `wamid.${prefix}${i}`,
          text: `${prefix} message ${i}`,
          timestampSeconds: start + i,
        }),
      );
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

describe('catching up', () => {
  it('brings 1,000 messages missed across 200 conversations, with the right unread counts', async () => {
    const db = newDb();
    const first = startEngine(db);
    await until(first, (state) => state.kind === 'online');
    first.stop();

    await customersWrite(200, 1000, 'AWAY');
    const again = startEngine(db);
    await until(again, (state) => state.kind === 'online');

    expect(await db.messages.count()).toBe(1000);
    const conversations = await db.conversations.toArray();
    expect(conversations).toHaveLength(200);
    expect(conversations.every((conversation) => conversation.unreadCount === 5)).toBe(true);
    expect(await readMeta(db, 'cursor')).toBe(await server.store.head());
  });

  it('resumes a first sync dropped halfway, with no gap and no duplicate', async () => {
    await customersWrite(30, 300, 'BOOT');
    const db = newDb();
    const engine = startEngine(db, 20);
    // The moment the first page is stored and more remain, the server drops every socket.
    let dropped = false;
    engine.subscribe(() => {
      if (!dropped && engine.getState().kind === 'catchingUp') {
        dropped = true;
        server.realtime.io.disconnectSockets(true);
      }
    });
    await until(engine, (state) => dropped && state.kind === 'online');

    expect(dropped).toBe(true);
    const messages = await db.messages.toArray();
    expect(messages).toHaveLength(300);
    expect(new Set(messages.map((message) => message.externalId)).size).toBe(300);
    expect(await readMeta(db, 'cursor')).toBe(await server.store.head());
  });
});
