import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectRedis, type RedisLink } from '../../src/platform/redis.js';
import { Throttle, shareThrottles } from '../../src/platform/throttle.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';

/** WhatsApp's throughput is per business number: two nodes draw on one bucket. */

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
});

/** Takes until the bucket gives a token (0) or says to wait longer than a fetch (the bucket is empty). */
async function takeOne(throttle: Throttle, rate: number): Promise<number> {
  for (;;) {
    const now = Date.now();
    const wait = throttle.bucket('account-1', rate, now).take(now);
    if (wait === 0 || wait > 100) return wait;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

async function ready(link: RedisLink): Promise<void> {
  await expect.poll(() => link.up()).toBe(true);
}

test("a token one node took is not the other node's, and each paces alone while Redis is away", async () => {
  const log = pino({ level: 'silent' });
  const links = [connectRedis(redis.url, log), connectRedis(redis.url, log)] as const;
  try {
    await Promise.all(links.map(ready));
    const [nodeA, nodeB] = links.map((link) => {
      const key = {};
      shareThrottles(key, link);
      return Throttle.of(() => key);
    }) as [Throttle, Throttle];
    // One message every 100 s: the bucket holds one token.
    const rate = 0.01;
    expect(await takeOne(nodeA, rate)).toBe(0);
    const waitOnB = await takeOne(nodeB, rate);
    expect(waitOnB).toBeGreaterThan(1_000);
    // A process on its own would have had its own token.
    expect(new Throttle().bucket('account-1', rate, Date.now()).take(Date.now())).toBe(0);

    await redis.stop({ crash: true });
    await expect.poll(() => links[1].up()).toBe(false);
    // Redis away: node B paces with its own bucket, which still holds its token.
    expect(await takeOne(nodeB, rate)).toBe(0);
    await redis.start();
  } finally {
    await Promise.all(links.map((link) => link.close()));
  }
});
