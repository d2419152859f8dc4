import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ConversationPeers } from '@parley/protocol';
import {
  AGENT,
  batchHasMessage,
  connectReady,
  login,
  messagesByExternalId,
  postWebhook,
  whatsappText,
  type ClientSocket,
  type TestServer,
} from '../helpers.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { startTwoNodes, stopTwoNodes } from './two-nodes.js';
import { expectInOrder, readiness, timesDelivered } from './checks.js';

/**
 * Redis away for a minute under two nodes, agents signed in on both and webhooks coming:
 * far past ioredis's first tries and the Streams adapter's few seconds. Every webhook is
 * still stored and answered 200, and reaches the other node's sockets from the database;
 * /readyz names Redis while it is away; once it is back (empty) the nodes find it by
 * themselves, count their sockets in it again, and the socket.io messages between nodes
 * (who views a conversation) flow again; every message came once, in seq order.
 */

/** How long Redis stays down: a minute, the outage this file is about. */
const REDIS_OUTAGE_MS = 60_000;
/** How often Meta posts a webhook while Redis is away. */
const WEBHOOK_EVERY_MS = 5_000;

let redis: TestRedis;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await startTwoNodes(redis.url);
});
afterAll(async () => {
  await stopTwoNodes(a, b);
  await redis.close();
});

async function person(
  email: string,
  name: string,
): Promise<{ id: string; token(server: TestServer): Promise<string> }> {
  const created = await a.agents.createAgent({ email, name, role: 'admin', password: AGENT.password });
  return {
    id: created.id,
    token: async (server) => {
      const response = await login(server, { email, password: AGENT.password });
      expect(response.status).toBe(200);
      return ((await response.json()) as { token: string }).token;
    },
  };
}

let sent = 0;
async function webhookTo(server: TestServer, id: string): Promise<number> {
  sent += 1;
  const response = await postWebhook(
    server,
    'whatsapp',
    whatsappText({
      from: `3367654${String(sent).padStart(4, '0')}`,
      name: 'Customer',
      id,
      text: `hello ${id}`,
      timestampSeconds: 1_700_000_000 + sent,
    }),
  );
  await response.text();
  return response.status;
}

async function redisUp(server: TestServer): Promise<string | undefined> {
  return /^parley_redis_up (\d)$/m.exec(await (await fetch(new URL('/metrics', server.url))).text())?.[1];
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

test(
  'Redis down for a minute: webhooks stored and answered 200 on both nodes, /readyz says so, and everything comes back once Redis does',
  async () => {
    const ana = await person('ana@example.com', 'Ana');
    const sam = await person('sam@example.com', 'Sam');
    const anaOnA = await connectReady(a, await ana.token(a));
    const samOnB = await connectReady(b, await sam.token(b));
    const seenByAna = peersSeen(anaOnA.socket);
    const seenBySam = peersSeen(samOnB.socket);
    expect(await webhookTo(a, 'wamid.before')).toBe(200);
    await samOnB.batches.waitFor(batchHasMessage('wamid.before'), 'the message before the outage, on B');
    await anaOnA.batches.waitFor(batchHasMessage('wamid.before'), 'the message before the outage, on A');
    const { id: conversationId } = await a.store.db.selectFrom('conversations').select('id').executeTakeFirstOrThrow();

    const outageStarted = Date.now();
    await redis.stop({ crash: true });
    for (const server of [a, b]) {
      await expect.poll(() => readiness(server)).toMatchObject({ status: 503, failed: ['redis'] });
      expect(await redisUp(server)).toBe('0');
      expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
    }

    // Ana opens the conversation while Redis is away: her own node knows it at once.
    anaOnA.socket.emit('conversation:view', { conversationId });
    await expect.poll(() => seenByAna.at(-1)?.viewerIds).toEqual([ana.id]);

    // Webhooks all along the minute, to each node in turn: stored, answered 200, and on the
    // other node's sockets too (it finds them in the database without being told).
    const during: string[] = [];
    while (Date.now() - outageStarted < REDIS_OUTAGE_MS - WEBHOOK_EVERY_MS) {
      const id = `wamid.during-${during.length}`;
      during.push(id);
      expect(await webhookTo(during.length % 2 === 0 ? b : a, id)).toBe(200);
      await anaOnA.batches.waitFor(batchHasMessage(id), `${id} on A, Redis away`);
      await samOnB.batches.waitFor(batchHasMessage(id), `${id} on B, Redis away`);
      await new Promise((resolve) => setTimeout(resolve, WEBHOOK_EVERY_MS));
    }
    // Still away, still serving: /readyz has said so all along.
    for (const server of [a, b]) expect(await readiness(server)).toMatchObject({ status: 503, failed: ['redis'] });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageStarted + REDIS_OUTAGE_MS - Date.now())));

    await redis.start();
    for (const server of [a, b]) {
      await expect.poll(async () => (await readiness(server)).status, { timeout: 10_000 }).toBe(200);
      expect(await redisUp(server)).toBe('1');
    }

    // Redis came back empty: each node counts its agents' sockets in it again.
    const check = new Redis(redis.url);
    try {
      await expect
        .poll(async () => [
          await check.zcard(`parley:presence:${ana.id}`),
          await check.zcard(`parley:presence:${sam.id}`),
        ])
        .toEqual([1, 1]);
    } finally {
      check.disconnect();
    }
    expect(await presenceIn(a, ana.id)).toBe('online');
    expect(await presenceIn(a, sam.id)).toBe('online');

    // Who views a conversation is shared again: Sam, on B, opens it and sees Ana, who
    // opened it on A while Redis was away, and she sees him.
    samOnB.socket.emit('conversation:view', { conversationId });
    const both = [ana.id, sam.id].sort();
    await expect.poll(() => seenByAna.at(-1)?.viewerIds, { timeout: 10_000 }).toEqual(both);
    await expect.poll(() => seenBySam.at(-1)?.viewerIds, { timeout: 10_000 }).toEqual(both);

    expect(await webhookTo(b, 'wamid.after')).toBe(200);
    await anaOnA.batches.waitFor(batchHasMessage('wamid.after'), 'the message after the outage, on A');
    await samOnB.batches.waitFor(batchHasMessage('wamid.after'), 'the message after the outage, on B');
    const all = ['wamid.before', ...during, 'wamid.after'];
    expect(during.length).toBeGreaterThanOrEqual(8);
    for (const id of all) {
      expect(await messagesByExternalId(a, id), `${id} stored once`).toBe(1);
      expect(timesDelivered(anaOnA.batches, id), `${id} on A`).toBe(1);
      expect(timesDelivered(samOnB.batches, id), `${id} on B`).toBe(1);
    }
    expectInOrder(anaOnA.batches.all);
    expectInOrder(samOnB.batches.all);
    expect(anaOnA.socket.connected).toBe(true);
    expect(samOnB.socket.connected).toBe(true);
  },
  REDIS_OUTAGE_MS + 60_000,
);
