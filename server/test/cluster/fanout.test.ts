import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { AGENT, batchHasMessage, connectReady, postWebhook, whatsappText, type TestServer } from '../helpers.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { startTwoNodes, stopTwoNodes } from './two-nodes.js';
import { expectInOrder, timesDelivered, tokenOn } from './checks.js';

/**
 * Two nodes on one database with Redis between them: what a node commits reaches the
 * sockets of both, in seq order and once, Redis or not.
 */

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
  await a.agents.createAgent({ email: AGENT.email, name: AGENT.name, role: 'admin', password: AGENT.password });
});
afterEach(() => stopTwoNodes(a, b));

let sent = 0;
async function webhookTo(server: TestServer, id: string): Promise<number> {
  sent += 1;
  const response = await postWebhook(
    server,
    'whatsapp',
    whatsappText({
      from: `3361234${String(sent).padStart(4, '0')}`,
      name: 'Customer',
      id,
      text: `hello ${id}`,
      timestampSeconds: 1_700_000_000 + sent,
    }),
  );
  await response.text();
  return response.status;
}

test('a webhook posted to one node reaches the sockets signed in on both, once, in seq order', async () => {
  const onA = await connectReady(a, await tokenOn(a));
  const onB = await connectReady(b, await tokenOn(b));

  expect(await webhookTo(a, 'wamid.to-a')).toBe(200);
  await onB.batches.waitFor(batchHasMessage('wamid.to-a'), 'the message posted to A, on B');
  await onA.batches.waitFor(batchHasMessage('wamid.to-a'), 'the message posted to A, on A');
  // B measured the fan-out of A's webhook too: from A's receipt to B's emit.
  expect(await (await fetch(new URL('/metrics', b.url))).text()).toMatch(
    /^parley_webhook_fanout_seconds_count\{channel="whatsapp"\} 1$/m,
  );
  expect(await webhookTo(b, 'wamid.to-b')).toBe(200);
  await onA.batches.waitFor(batchHasMessage('wamid.to-b'), 'the message posted to B, on A');
  await onB.batches.waitFor(batchHasMessage('wamid.to-b'), 'the message posted to B, on B');

  // Both nodes at once: each socket still gets every seq once, in order.
  const ids = Array.from({ length: 6 }, (_, index) => `wamid.both-${index}`);
  const statuses = await Promise.all(ids.map((id, index) => webhookTo(index % 2 === 0 ? a : b, id)));
  expect(statuses).toEqual(ids.map(() => 200));
  for (const id of ids) {
    await onA.batches.waitFor(batchHasMessage(id), `${id} on A`);
    await onB.batches.waitFor(batchHasMessage(id), `${id} on B`);
  }
  for (const id of ['wamid.to-a', 'wamid.to-b', ...ids]) {
    expect(timesDelivered(onA.batches, id)).toBe(1);
    expect(timesDelivered(onB.batches, id)).toBe(1);
  }
  expectInOrder(onA.batches.all);
  expectInOrder(onB.batches.all);
  // A node that stops disconnects its own sockets, not the other node's.
  await b.close();
  expect(await webhookTo(a, 'wamid.after-b-stopped')).toBe(200);
  await onA.batches.waitFor(batchHasMessage('wamid.after-b-stopped'), 'a message on A once B stopped');
  expect(onA.socket.connected).toBe(true);
});

test('Redis down for a few seconds: webhooks are stored and answered 200, the other node gets them, /readyz says so', async () => {
  const onA = await connectReady(a, await tokenOn(a));
  const onB = await connectReady(b, await tokenOn(b));
  expect(await webhookTo(a, 'wamid.before')).toBe(200);
  await onB.batches.waitFor(batchHasMessage('wamid.before'), 'the message before the outage, on B');

  await redis.stop({ crash: true });
  await expect
    .poll(async () => {
      const response = await fetch(new URL('/readyz', b.url));
      return { status: response.status, failed: ((await response.json()) as { failed: string[] }).failed };
    })
    .toEqual({ status: 503, failed: ['redis'] });
  expect(await (await fetch(new URL('/metrics', b.url))).text()).toMatch(/^parley_redis_up 0$/m);

  const during = ['wamid.during-1', 'wamid.during-2', 'wamid.during-3'];
  // Spread over a few seconds of outage.
  for (const id of during) {
    expect(await webhookTo(a, id)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
  for (const id of during) await onA.batches.waitFor(batchHasMessage(id), `${id} on A, its own node`);

  await redis.start();
  await expect.poll(async () => (await fetch(new URL('/readyz', b.url))).status, { timeout: 10_000 }).toBe(200);
  expect(await (await fetch(new URL('/metrics', b.url))).text()).toMatch(/^parley_redis_up 1$/m);
  for (const id of during) await onB.batches.waitFor(batchHasMessage(id), `${id} on B, once Redis is back`);

  expect(await webhookTo(b, 'wamid.after')).toBe(200);
  await onA.batches.waitFor(batchHasMessage('wamid.after'), 'the message after the outage, on A');
  await onB.batches.waitFor(batchHasMessage('wamid.after'), 'the message after the outage, on B');
  for (const id of ['wamid.before', ...during, 'wamid.after']) {
    expect(timesDelivered(onA.batches, id)).toBe(1);
    expect(timesDelivered(onB.batches, id)).toBe(1);
  }
  expectInOrder(onA.batches.all);
  expectInOrder(onB.batches.all);
});
