import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterEach, expect, test } from 'vitest';
import { Agents } from '../../src/modules/agents/index.js';
import { Store } from '../../src/platform/store.js';
import {
  AGENT,
  EVENT_TIMEOUT_MS,
  VERIFY_TOKEN,
  connectReady,
  deliver,
  login,
  sayHello,
  signIn,
  startServerProcess,
  startTestServer,
  whatsappText,
  type ClientSocket,
  type TestServer,
} from '../helpers.js';
import {
  FAST_TUNING,
  MESSAGES_PATH,
  TOKENS,
  jobsOf,
  mutate,
  readMessage,
  seedThread,
  sendText,
  startFakeGraph,
  waitForMessage,
  type FakeGraph,
} from '../outbound-support.js';
import { openTestDatabase, testDatabaseUrl } from '../support/database.js';
import { accepted } from './checks.js';

/**
 * Two nodes share the outbound queue: each runs only the jobs it leased, a node starting
 * leaves the other's work alone, and a node that dies has its jobs settled by another once
 * its lease lapses: the queued ones sent, the one in flight never sent again.
 */

const LEASE_MS = 1_500;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeGraph(): Promise<FakeGraph> {
  const fake = await startFakeGraph();
  cleanups.push(() => fake.close());
  return fake;
}

async function node(
  fake: FakeGraph,
  databaseUrl?: string,
  overrides: Parameters<typeof startTestServer>[0] = {},
): Promise<TestServer> {
  const server = await startTestServer({
    graph: { baseUrl: fake.url, version: 'v21.0' },
    jobLeaseMs: LEASE_MS,
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    ...overrides,
  });
  cleanups.push(() => server.cleanup());
  server.outbound.tune(FAST_TUNING);
  return server;
}

function sentTexts(fake: FakeGraph): string[] {
  return fake
    .callsTo({ path: MESSAGES_PATH.whatsapp })
    .map((call) => (call.body as { text?: { body?: string } }).text?.body ?? '');
}

async function jobRows(
  server: TestServer,
): Promise<{ message_id: string | null; state: string; lease_owner: string | null; lease_until: number | null }[]> {
  return server.store.db
    .selectFrom('outbound_jobs')
    .select(['message_id', 'state', 'lease_owner', 'lease_until'])
    .orderBy('id')
    .execute();
}

test("a node starting leaves another node's send in flight alone, and it is recorded as sent", async () => {
  const fake = await fakeGraph();
  const a = await node(fake);
  const session = await signIn(a);
  const { socket } = await connectReady(a, session.token);
  const harness = { socket, received: [] as unknown[] };
  const thread = await seedThread(a, { channel: 'whatsapp' });
  // Meta answers after a while: node B starts, recovers and sweeps, past several leases.
  fake.queue(
    { path: MESSAGES_PATH.whatsapp },
    { status: 200, delayMs: 5_000, body: { messaging_product: 'whatsapp', messages: [{ id: 'wamid.HELD' }] } },
  );
  const message = accepted(await mutate(harness, sendText(thread.conversationId, 'Held by Meta')));
  await fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);

  const b = await node(fake, await testDatabaseUrl(a.dataDir));
  await b.outbound.recovered();
  expect((await readMessage(b, message.id)).status).toBe('pending');
  const [job] = await jobRows(b);
  expect(job).toMatchObject({ state: 'in_flight', lease_owner: a.outbound.nodeId });

  const sent = await waitForMessage(a, message.id, (m) => m.status !== 'pending', 'sent', 10_000);
  expect(sent).toMatchObject({ status: 'sent', externalId: 'wamid.HELD' });
  expect(await jobsOf(b, thread.conversationId)).toEqual([{ kind: 'message.send', state: 'done', attempts: 0 }]);
  expect(sentTexts(fake)).toEqual(['Held by Meta']);
});

/** Node A as a process of its own, which the test can kill as a machine dies. */
async function startProcessNode(
  fake: FakeGraph,
  databaseUrl: string,
): Promise<{ url: string; child: ChildProcess; exited: Promise<unknown> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-node-a-'));
  const { child, url } = startServerProcess({
    name: 'node A',
    dataDir,
    whatsapp: { name: 'Test whatsapp', accessToken: TOKENS.whatsapp, verifyToken: VERIFY_TOKEN },
    env: {
      DATABASE_URL: databaseUrl,
      PARLEY_GRAPH_API_URL: fake.url,
      PARLEY_NODE_ID: 'node-a',
      PARLEY_JOB_LEASE_MS: String(LEASE_MS),
    },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { url: await url, child, exited };
}

test('a node killed mid-send: after its lease lapses another node sends the queued job once, and never resends the one in flight', async () => {
  const fake = await fakeGraph();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-'));
  cleanups.push(() => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })));
  const databaseUrl = await testDatabaseUrl(dataDir);
  if (databaseUrl === undefined) throw new Error('the cluster tests run on PostgreSQL');
  const a = await startProcessNode(fake, databaseUrl);

  // The agent, and a customer's message through node A's webhook, which opens the thread.
  const db = await openTestDatabase(dataDir);
  cleanups.push(() => db.destroy());
  await new Agents(new Store(db), 30).createAgent({ ...AGENT, role: 'agent' });
  const customer = `1555${String(Date.now()).slice(-7)}`;
  await deliver(
    a,
    'whatsapp',
    whatsappText({
      from: customer,
      name: 'Customer',
      id: `wamid.IN${String(Date.now())}`,
      text: 'Hello?',
      timestampSeconds: Math.floor(Date.now() / 1000),
    }),
  );
  const { id: conversationId } = await db
    .selectFrom('conversations')
    .select('id')
    .where('channel', '=', 'whatsapp')
    .executeTakeFirstOrThrow();
  const signedIn = await login(a, { email: AGENT.email, password: AGENT.password });
  const { token } = (await signedIn.json()) as { token: string };
  const socket: ClientSocket = io(a.url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  cleanups.push(() => Promise.resolve(void socket.disconnect()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
    setTimeout(() => reject(new Error('socket did not connect')), EVENT_TIMEOUT_MS);
  });
  expect((await sayHello(socket)).ok).toBe(true);
  const harness = { socket, received: [] as unknown[] };

  // Meta never answers node A's first call: A dies with it in flight, the second queued.
  fake.queue({ path: MESSAGES_PATH.whatsapp }, { status: 200, delayMs: 60_000, body: {} });
  const first = accepted(await mutate(harness, sendText(conversationId, 'First, in flight')));
  await fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
  const second = accepted(await mutate(harness, sendText(conversationId, 'Second, queued')));

  // Node B starts while A lives: A's jobs stay A's.
  const b = await node(fake, databaseUrl);
  await b.outbound.recovered();
  expect(await jobRows(b)).toEqual([
    expect.objectContaining({ message_id: first.id, state: 'in_flight', lease_owner: 'node-a' }),
    expect.objectContaining({ message_id: second.id, state: 'queued', lease_owner: null }),
  ]);

  a.child.kill('SIGKILL');
  await a.exited;
  const [held] = await jobRows(b);
  const lapsesAt = Number(held?.lease_until);

  const sent = await waitForMessage(b, second.id, (m) => m.status !== 'pending', 'sent', 10_000);
  expect(sent.status).toBe('sent');
  const failed = await readMessage(b, first.id);
  expect(failed.status).toBe('failed');
  expect(failed.error).toMatchObject({
    code: 'unknown_delivery',
    params: { channel: 'whatsapp', cause: 'server_restarted' },
  });
  // Settled only once A's lease had lapsed, by B.
  const settledJob = await b.store.db
    .selectFrom('outbound_jobs')
    .select(['state', 'updated_at', 'lease_owner'])
    .where('message_id', '=', first.id)
    .executeTakeFirstOrThrow();
  expect(settledJob.state).toBe('failed');
  expect(Number(settledJob.updated_at)).toBeGreaterThanOrEqual(lapsesAt);
  // One call each: the first was never made again, the second made once, by B.
  expect(sentTexts(fake)).toEqual(['First, in flight', 'Second, queued']);
  expect(await jobsOf(b, conversationId)).toEqual([
    { kind: 'message.send', state: 'failed', attempts: 0 },
    { kind: 'message.send', state: 'done', attempts: 0 },
  ]);
});

test('a node stopping gives its leases back: another node settles its work at once, not when the leases would lapse', async () => {
  const fake = await fakeGraph();
  // Leases far longer than the test may wait: only giving them back lets B go on.
  const a = await node(fake, undefined, { jobLeaseMs: 60_000, shutdownTimeoutMs: 0 });
  const session = await signIn(a);
  const { socket } = await connectReady(a, session.token);
  const harness = { socket, received: [] as unknown[] };
  const thread = await seedThread(a, { channel: 'whatsapp' });
  fake.queue({ path: MESSAGES_PATH.whatsapp }, { status: 200, delayMs: 60_000, body: {} });
  const first = accepted(await mutate(harness, sendText(thread.conversationId, 'Cut off by the stop')));
  await fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
  const second = accepted(await mutate(harness, sendText(thread.conversationId, 'Waiting behind it')));
  const b = await node(fake, await testDatabaseUrl(a.dataDir), { jobLeaseMs: 60_000 });
  await b.outbound.recovered();

  await a.close();
  expect(await jobRows(b)).toEqual([
    expect.objectContaining({ message_id: first.id, state: 'in_flight', lease_owner: null, lease_until: null }),
    expect.objectContaining({ message_id: second.id, state: 'queued', lease_owner: null }),
  ]);
  const sent = await waitForMessage(b, second.id, (m) => m.status !== 'pending', 'sent', 10_000);
  expect(sent.status).toBe('sent');
  expect((await readMessage(b, first.id)).error).toMatchObject({ code: 'unknown_delivery' });
  expect(sentTexts(fake)).toEqual(['Cut off by the stop', 'Waiting behind it']);
});
