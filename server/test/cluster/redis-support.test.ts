import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startRedis, type TestRedis } from '../support/redis-server.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
});

test('the test Redis answers, and comes back empty on the same port after a crash', async () => {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  try {
    await client.set('parley:test', 'kept');
    expect(await client.get('parley:test')).toBe('kept');
    await redis.stop({ crash: true });
    await expect(client.get('parley:test')).rejects.toThrow();
    await redis.start();
    await expect.poll(async () => client.ping().catch(() => 'down'), { timeout: 5_000 }).toBe('PONG');
    expect(await client.get('parley:test')).toBeNull();
  } finally {
    client.disconnect();
  }
});
