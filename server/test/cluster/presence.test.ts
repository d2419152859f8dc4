import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import type { ConversationPeers } from '@parley/protocol';
import {
  AGENT,
  EVENT_TIMEOUT_MS,
  connectReady,
  deliver,
  login,
  startTestServer,
  whatsappText,
  type ClientSocket,
  type TestServer,
} from '../helpers.js';
import { testDatabaseUrl } from '../support/database.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';

/** Presence and who views a conversation, with agents on two nodes. */

let redis: TestRedis;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
});
beforeEach(async () => {
  a = await startTestServer({ redisUrl: redis.url });
  b = await startTestServer({ redisUrl: redis.url, databaseUrl: await testDatabaseUrl(a.dataDir) });
});
afterEach(async () => {
  await b.close();
  await a.cleanup();
});

async function person(
  email: string,
  name: string,
): Promise<{ id: string; tokenOn(server: TestServer): Promise<string> }> {
  const created = await a.agents.createAgent({ email, name, role: 'admin', password: AGENT.password });
  return {
    id: created.id,
    tokenOn: async (server) => {
      const response = await login(server, { email, password: AGENT.password });
      expect(response.status).toBe(200);
      return ((await response.json()) as { token: string }).token;
    },
  };
}

async function presenceIn(server: TestServer, agentId: string): Promise<string> {
  const row = await server.store.db
    .selectFrom('agents')
    .select('presence')
    .where('id', '=', agentId)
    .executeTakeFirst();
  return row?.presence ?? 'missing';
}

function peersSeen(socket: ClientSocket): ConversationPeers[] {
  const seen: ConversationPeers[] = [];
  socket.on('conversation:peers', (peers) => seen.push(peers));
  return seen;
}

test('presence set on one node is seen by a client on the other, and stays while a socket anywhere is open', async () => {
  const ana = await person('ana@example.com', 'Ana');
  const sam = await person('sam@example.com', 'Sam');
  const anaOnA = await connectReady(a, await ana.tokenOn(a));
  const samOnB = await connectReady(b, await sam.tokenOn(b));
  await expect.poll(() => presenceIn(b, ana.id)).toBe('online');

  const reply: unknown = await anaOnA.socket
    .timeout(EVENT_TIMEOUT_MS)
    .emitWithAck('presence:set', { presence: 'away' });
  expect(reply).toMatchObject({ ok: true });
  await samOnB.batches.waitFor(
    (batch) =>
      batch.changes.some(
        (change) => change.entity === 'agent' && change.data.id === ana.id && change.data.presence === 'away',
      ),
    "Ana's Away, on B",
  );

  // Ana opens the app on B too, then closes it on A: one socket left, still Away, not Offline.
  const anaOnB = await connectReady(b, await ana.tokenOn(b));
  anaOnA.socket.disconnect();
  await expect.poll(() => presenceIn(a, ana.id)).toBe('away');
  expect(anaOnB.socket.connected).toBe(true);
});

test('who views a conversation is told to clients on both nodes', async () => {
  const ana = await person('ana@example.com', 'Ana');
  const sam = await person('sam@example.com', 'Sam');
  await deliver(
    a,
    'whatsapp',
    whatsappText({ from: '33600000001', name: 'Zoé', id: 'wamid.peer', text: 'hi', timestampSeconds: 1_700_000_000 }),
  );
  const conversation = await a.store.db.selectFrom('conversations').select('id').executeTakeFirstOrThrow();
  const anaOnA = await connectReady(a, await ana.tokenOn(a));
  const samOnB = await connectReady(b, await sam.tokenOn(b));
  const seenByAna = peersSeen(anaOnA.socket);
  const seenBySam = peersSeen(samOnB.socket);

  anaOnA.socket.emit('conversation:view', { conversationId: conversation.id });
  await expect.poll(() => seenByAna.at(-1)?.viewerIds).toEqual([ana.id]);
  samOnB.socket.emit('conversation:view', { conversationId: conversation.id });
  const both = [ana.id, sam.id].sort();
  await expect.poll(() => seenBySam.at(-1)?.viewerIds).toEqual(both);
  await expect.poll(() => seenByAna.at(-1)?.viewerIds).toEqual(both);

  samOnB.socket.emit('typing', { conversationId: conversation.id });
  await expect.poll(() => seenByAna.at(-1)?.typingIds).toEqual([sam.id]);

  samOnB.socket.disconnect();
  await expect.poll(() => seenByAna.at(-1)?.viewerIds).toEqual([ana.id]);
});
