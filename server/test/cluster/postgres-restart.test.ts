import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  AGENT,
  batchHasMessage,
  connectReady,
  messagesByExternalId,
  postWebhook,
  startTestServer,
  whatsappText,
  type TestServer,
} from '../helpers.js';
import {
  FAST_TUNING,
  MESSAGES_PATH,
  mutate,
  readMessage,
  sendText,
  startFakeGraph,
  waitForMessage,
  type FakeGraph,
} from '../outbound-support.js';
import { createPostgresDatabase, startPostgresCluster, type TestPostgres } from '../support/postgres-cluster.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { accepted, expectInOrder, readiness, timesDelivered, tokenOn } from './checks.js';

/**
 * PostgreSQL restarted under two running nodes, agents signed in and webhooks still coming:
 * while it is away every webhook is answered 5xx (Meta retries it) and never 200, /readyz
 * names the database and /healthz stays up; once it is back the nodes recover by themselves,
 * every retried webhook is stored once, the agents' sockets get every message once, in seq
 * order, and the outbound worker sends again. The cluster is this file's own: stopping the
 * run's shared one would cut the other files' connections.
 */

/** How long PostgreSQL stays down. */
const OUTAGE_MS = 3_000;
/** How often Meta posts a webhook, all along. */
const WEBHOOK_EVERY_MS = 100;

let postgres: TestPostgres;
let redis: TestRedis;
let fake: FakeGraph;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  // Stopped as in a crash below: a commit it acknowledged must survive that.
  postgres = await startPostgresCluster({ crashSafe: true });
  redis = await startRedis();
  fake = await startFakeGraph();
  const databaseUrl = await createPostgresDatabase(postgres.url, 'parley_restart');
  const node = async (): Promise<TestServer> => {
    const server = await startTestServer({
      databaseUrl,
      redisUrl: redis.url,
      graph: { baseUrl: fake.url, version: 'v21.0' },
    });
    server.outbound.tune(FAST_TUNING);
    return server;
  };
  // One after the other: the first migrates the empty database.
  a = await node();
  b = await node();
  await a.agents.createAgent({ email: AGENT.email, name: AGENT.name, role: 'admin', password: AGENT.password });
}, 60_000);

afterAll(async () => {
  await b?.cleanup();
  await a?.cleanup();
  await fake?.close();
  await redis?.close();
  await postgres?.close();
}, 60_000);

let sent = 0;
/** Meta posting one customer's message (each its own sender, so each its own conversation). */
async function webhookTo(server: TestServer, id: string): Promise<number> {
  sent += 1;
  try {
    const response = await postWebhook(
      server,
      'whatsapp',
      whatsappText({
        from: `3369876${String(sent).padStart(4, '0')}`,
        name: 'Customer',
        id,
        text: `hello ${id}`,
        // Now: the reply below needs the customer's messaging window open.
        timestampSeconds: Math.floor(Date.now() / 1000),
      }),
    );
    await response.text();
    return response.status;
  } catch {
    // The connection cut: Meta retries it like a 5xx.
    return 599;
  }
}

async function conversationOf(server: TestServer, externalId: string): Promise<string> {
  const row = await server.store.db
    .selectFrom('messages')
    .select('conversation_id')
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
  return row.conversation_id;
}

/** The texts sent to Meta in one test. */
function sentTexts(prefix: string): string[] {
  return fake
    .callsTo({ path: MESSAGES_PATH.whatsapp })
    .map((call) => (call.body as { text?: { body?: string } }).text?.body ?? '')
    .filter((text) => text.startsWith(`${prefix}: `));
}

// `fast`: PostgreSQL tells every session and ends it, idle in a pool or in a transaction.
// `immediate`: it dies as in a crash, and recovers from its log at the start.
test.each(['fast', 'immediate'] as const)(
  'PostgreSQL restarted (%s stop): webhooks get 5xx while it is away, then every one is stored once and reaches both nodes once, in order',
  async (mode) => {
    const onA = await connectReady(a, await tokenOn(a));
    const onB = await connectReady(b, await tokenOn(b));
    const harness = { socket: onA.socket, received: [] as unknown[] };
    expect(await webhookTo(a, `wamid.${mode}-before`)).toBe(200);
    await onB.batches.waitFor(batchHasMessage(`wamid.${mode}-before`), 'the message before the restart, on B');
    const conversationId = await conversationOf(a, `wamid.${mode}-before`);
    const first = accepted(await mutate(harness, sendText(conversationId, `${mode}: before the restart`)));
    expect((await waitForMessage(a, first.id, (m) => m.status !== 'pending', 'sent', 10_000)).status).toBe('sent');

    // Meta keeps posting, to both nodes in turn, through the stop and the start.
    const answers = new Map<string, number[]>();
    let posting = true;
    const now: { phase: 'up' | 'down' | 'back' } = { phase: 'up' };
    const downAnswers: number[] = [];
    // Each webhook on its own schedule, as Meta posts them: one held while PostgreSQL stops
    // (its connection ended under it) does not hold back the ones after it.
    const posted: Promise<void>[] = [];
    const poster = (async () => {
      for (let index = 0; posting; index += 1) {
        const id = `wamid.${mode}-${index}`;
        const during = now.phase;
        posted.push(
          webhookTo(index % 2 === 0 ? a : b, id).then((status) => {
            answers.set(id, [status]);
            if (during === 'down' && now.phase === 'down') downAnswers.push(status);
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, WEBHOOK_EVERY_MS));
      }
      await Promise.all(posted);
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));

    await postgres.stop(mode);
    now.phase = 'down';
    for (const server of [a, b]) {
      await expect
        .poll(() => readiness(server), { timeout: 10_000 })
        .toMatchObject({
          status: 503,
          failed: expect.arrayContaining(['database']) as unknown,
          reasons: expect.arrayContaining(['database_unreachable']) as unknown,
        });
      expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    now.phase = 'back';
    await postgres.start();

    for (const server of [a, b]) {
      await expect.poll(async () => (await readiness(server)).status, { timeout: 15_000 }).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    posting = false;
    await poster;

    // While PostgreSQL was away, nothing was acknowledged.
    expect(downAnswers.length).toBeGreaterThan(5);
    for (const status of downAnswers) expect(status).toBeGreaterThanOrEqual(500);
    // Meta retries each one not answered 200, until it is; and redelivers a few it was.
    const refused = [...answers].filter(([, statuses]) => statuses.at(-1) !== 200).map(([id]) => id);
    expect(refused.length).toBeGreaterThanOrEqual(downAnswers.length);
    for (const [index, id] of refused.entries()) {
      await expect.poll(() => webhookTo(index % 2 === 0 ? b : a, id), { timeout: 10_000 }).toBe(200);
    }
    const acknowledged = [...answers.keys()].filter((id) => !refused.includes(id));
    for (const id of acknowledged.slice(0, 3)) expect(await webhookTo(b, id)).toBe(200);

    expect(await webhookTo(b, `wamid.${mode}-after`)).toBe(200);
    const all = [`wamid.${mode}-before`, ...answers.keys(), `wamid.${mode}-after`];
    for (const id of all) expect(await messagesByExternalId(a, id), `${id} stored once`).toBe(1);
    for (const id of all) {
      await onA.batches.waitFor(batchHasMessage(id), `${id} on A`);
      await onB.batches.waitFor(batchHasMessage(id), `${id} on B`);
    }
    for (const id of all) {
      expect(timesDelivered(onA.batches, id), `${id} on A`).toBe(1);
      expect(timesDelivered(onB.batches, id), `${id} on B`).toBe(1);
    }
    expectInOrder(onA.batches.all);
    expectInOrder(onB.batches.all);
    expect(onA.socket.connected).toBe(true);
    expect(onB.socket.connected).toBe(true);

    // The outbound worker came back too: a reply goes out, once.
    const reply = accepted(await mutate(harness, sendText(conversationId, `${mode}: after the restart`)));
    expect((await waitForMessage(a, reply.id, (m) => m.status !== 'pending', 'sent', 10_000)).status).toBe('sent');
    expect((await readMessage(a, reply.id)).status).toBe('sent');
    expect(sentTexts(mode)).toEqual([`${mode}: before the restart`, `${mode}: after the restart`]);
  },
  120_000,
);
