/**
 * `scripts/cluster.mjs`, the topology of compose.yaml from local processes: it starts, the
 * proxy reaches both nodes, an agent signs in and opens a WebSocket through it, and SIGTERM
 * stops every process it started and removes its folder.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  CLUSTER_AGENT,
  connectAndGreet,
  descendantsOf,
  signInNewAgent,
  startClusterScript,
  stillRunning,
  type RunningCluster,
} from './cluster-script-support.js';

let cluster: RunningCluster | undefined;
beforeAll(async () => {
  cluster = await startClusterScript();
}, 40_000);
afterAll(async () => {
  await cluster?.stop();
});

function running(): RunningCluster {
  if (cluster === undefined) throw new Error('the cluster did not start');
  return cluster;
}

test('the proxy is ready, and deals requests out to both nodes', async () => {
  const ready = await fetch(new URL('/readyz', running().proxyUrl));
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: 'ready', failed: [] });

  const answered = new Set<string>();
  for (let i = 0; i < 4; i += 1) {
    const response = await fetch(new URL('/healthz', running().proxyUrl));
    expect(response.status).toBe(200);
    answered.add(`http://${response.headers.get('x-parley-upstream') ?? 'none'}`);
  }
  expect([...answered].sort()).toEqual([...running().nodeUrls].sort());
});

test('an agent signs in and opens a WebSocket through the proxy', async () => {
  const token = await signInNewAgent(running().proxyUrl, running().databaseUrl);
  const { socket, email } = await connectAndGreet(running().proxyUrl, token);
  try {
    expect(socket.io.engine.transport.name).toBe('websocket');
    expect(email).toBe(CLUSTER_AGENT.email);
  } finally {
    socket.disconnect();
  }
});

test('SIGTERM stops every process the script started, and removes its folder', async () => {
  const started = descendantsOf(running().child.pid ?? -1);
  // PostgreSQL, Redis, two nodes and nginx, and what they started.
  expect(started.length).toBeGreaterThanOrEqual(5);
  const exit = await running().stop();
  expect(exit).toEqual({ code: 0, signal: null });
  expect(running().output()).toContain('Parley cluster stopped.');
  expect(started.filter(stillRunning)).toEqual([]);
  expect(fs.existsSync(running().workDir)).toBe(false);
}, 30_000);
