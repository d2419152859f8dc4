import { afterEach } from 'vitest';
import { startTestServer, type TestServer } from '../helpers.js';
import { testDatabaseUrl } from '../support/database.js';

/**
 * Two nodes on one database, with Redis between them when given one (without, each serves
 * its own commits at once and the other's within the live feed's check): the second
 * shares the first's database.
 */
export async function startTwoNodes(redisUrl?: string): Promise<[TestServer, TestServer]> {
  const redis = redisUrl === undefined ? {} : { redisUrl };
  const a = await startTestServer(redis);
  const b = await startTestServer({ ...redis, databaseUrl: await testDatabaseUrl(a.dataDir) });
  return [a, b];
}

/** Stops both; the first owns the data folder and its database. */
export async function stopTwoNodes(a: TestServer, b: TestServer): Promise<void> {
  await b.close();
  await a.cleanup();
}

/**
 * Two nodes on one database, no Redis, started by the function this returns and stopped
 * after each test. Call it at the top of a test file.
 */
export function twoNodesPerTest(): () => Promise<[TestServer, TestServer]> {
  const started: [TestServer, TestServer][] = [];
  afterEach(async () => {
    for (const [a, b] of started.splice(0)) await stopTwoNodes(a, b);
  });
  return async () => {
    const nodes = await startTwoNodes();
    started.push(nodes);
    return nodes;
  };
}
