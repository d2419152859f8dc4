import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import type { ConversationPeers } from '@parley/protocol';
import {
  AGENT,
  EVENT_TIMEOUT_MS,
  connectReady,
  deliver,
  login,
  whatsappText,
  type ClientSocket,
  type TestServer,
} from '../helpers.js';
import pino from 'pino';
import { SharedPresence } from '../../src/modules/presence/index.js';
import { connectRedis } from '../../src/platform/redis.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { startTwoNodes, stopTwoNodes } from './two-nodes.js';

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
  [a, b] = await startTwoNodes(redis.url);
});
afterEach(() => stopTwoNodes(a, b));

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

test('presence set on one node is seen by a client on the other', async () => {
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

test("a node that dies without a word: its agents' presence runs out and another node makes them Offline", async () => {
  const ana = await person('ana@example.com', 'Ana');
  const log = pino({ level: 'silent' });
  const [linkX, linkY] = [connectRedis(redis.url, log), connectRedis(redis.url, log)];
  const times = { leaseMs: 1_500, renewMs: 100, sweepMs: 100, graceMs: 300 };
  const nodeX = new SharedPresence(a.store, linkX, times);
  const nodeY = new SharedPresence(a.store, linkY, times);
  try {
    await expect.poll(() => linkX.up() && linkY.up()).toBe(true);
    await Promise.all([nodeX.reset(), nodeY.reset()]);
    await nodeX.connected(ana.id, 'socket-on-x');
    expect(await presenceIn(a, ana.id)).toBe('online');
    // X keeps its socket counted past a lease: Y's sweeps leave Ana Online.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await presenceIn(a, ana.id)).toBe('online');

    // X dies: it renews nothing more and settles nothing.
    await linkX.close();
    nodeX.stop();
    await expect.poll(() => presenceIn(a, ana.id), { timeout: 5_000 }).toBe('offline');
  } finally {
    nodeX.stop();
    nodeY.stop();
    await Promise.all([linkX.close(), linkY.close()]);
  }
});
