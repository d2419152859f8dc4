import 'fake-indexeddb/auto';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mutation } from '@parley/protocol';
import { loadConfig, whatsappTextWebhook } from '@parley/server/testing';
import { ParleyDb } from '../../renderer/src/data/db.js';
import { SyncEngine } from '../../renderer/src/sync/engine.js';
import { enqueue, optimisticMessageId } from '../../renderer/src/sync/outbox.js';
import { startFakeGraph, type FakeGraph } from '../fake-graph/server.js';
import { untilState } from '../support/engine.js';
import { AGENT, TEST_ACCOUNTS, postWebhook, startTestServer, type TestServer } from '../support/server.js';

/**
 * Kill the server after it stores a message and before it acknowledges: no duplicate.
 * The server is a real process that dies by SIGKILL in place of the ack; the outbox,
 * having heard nothing, sends the same client id again to the restarted server, which
 * answers with what it recorded. One message, one call to Meta, nothing left queued.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CRASHING_SERVER = path.join(repoRoot, 'test/support/crash-on-ack-server.ts');
const MESSAGES_PATH = `/${TEST_ACCOUNTS.whatsapp}/messages`;
const CLIENT_ID = 'crash-before-ack-1';
const TEXT = 'Your refund went out this morning.';

let graph: FakeGraph | null = null;
let server: TestServer | null = null;
let child: ChildProcess | null = null;
let engine: SyncEngine | null = null;
let dataDir: string | null = null;

afterEach(async () => {
  engine?.stop();
  engine = null;
  if (child !== null && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  child = null;
  await server?.cleanup();
  server = null;
  await graph?.close();
  graph = null;
  if (dataDir !== null) fs.rmSync(dataDir, { recursive: true, force: true });
  dataDir = null;
});

type Crashing = { process: ChildProcess; port: number; exited: Promise<NodeJS.Signals | null> };

/** Forks the server that dies instead of acknowledging, and waits until it listens. */
async function startCrashingServer(folder: string, graphUrl: string): Promise<Crashing> {
  const forked = fork(CRASHING_SERVER, [], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PARLEY_DATA_DIR: folder, PARLEY_GRAPH_API_URL: graphUrl, PORT: '0' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child = forked;
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    forked.once('exit', (_code, signal) => resolve(signal)),
  );
  const port = await new Promise<number>((resolve, reject) => {
    // A bound, not a speed target: tsx compiles the server in the child first, slowly on a busy machine.
    const timer = setTimeout(() => reject(new Error('the crashing server did not start in 30 s')), 30_000);
    forked.once('message', (message: unknown) => {
      clearTimeout(timer);
      const port = typeof message === 'object' && message !== null && 'port' in message ? message.port : undefined;
      if (typeof port === 'number') resolve(port);
      else reject(new Error(`unexpected message from the crashing server: ${JSON.stringify(message)}`));
    });
    forked.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the crashing server exited before listening (${signal ?? code})`));
    });
  });
  return { process: forked, port, exited };
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function sendsOfText(fake: FakeGraph): number {
  return fake
    .callsTo({ method: 'POST', path: MESSAGES_PATH })
    .filter((call) => (call.body as { text?: { body?: string } }).text?.body === TEXT).length;
}

describe('a server killed between storing a reply and acknowledging it', () => {
  it('stores and sends the reply once when the outbox resends it after the restart', async () => {
    const fake = await startFakeGraph();
    graph = fake;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-crash-'));
    dataDir = folder;
    const graphConfig = { baseUrl: fake.url, version: loadConfig({}).graph.version };

    // An agent, a session and a customer's message, written by a server that then stops cleanly.
    const seed = await startTestServer({ dataDir: folder, graph: graphConfig });
    await seed.agents.createAgent({ ...AGENT, role: 'agent' });
    const session = await seed.agents.login(AGENT.email, AGENT.password);
    if (session === null) throw new Error('login failed');
    const inbound = await postWebhook(
      seed.url,
      'whatsapp',
      whatsappTextWebhook({
        phoneNumberId: TEST_ACCOUNTS.whatsapp,
        from: '447700900555',
        name: 'Priya Shah',
        id: 'wamid.CRASH1',
        text: 'Where is my refund?',
        timestampSeconds: Math.floor(Date.now() / 1000),
      }),
    );
    expect(inbound.status).toBe(200);
    await seed.close();

    const crashing = await startCrashingServer(folder, fake.url);
    const db = new ParleyDb('crash-before-ack');
    engine = new SyncEngine({
      db,
      serverUrl: `http://127.0.0.1:${crashing.port}`,
      token: session.token,
      clientName: 'test',
    });
    engine.start();
    await untilState(engine, (state) => state.kind === 'online');
    const conversation = await db.conversations.toCollection().first();
    if (conversation === undefined) throw new Error('no conversation synced');

    const mutation: Mutation = {
      type: 'message.send',
      clientId: CLIENT_ID,
      conversationId: conversation.id,
      content: { kind: 'text', text: TEXT },
      replyToMessageId: null,
      humanAgentTag: false,
    };
    await enqueue(db, mutation);
    expect(await crashing.exited).toBe('SIGKILL');

    // The client heard no answer: the row waits to be sent again. Its one bubble is pending,
    // the optimistic copy or the stored one if the change feed got it out before the kill.
    await eventually(async () => (await db.outbox.get(CLIENT_ID))?.attempts === 1, 'the lost send to be settled');
    const waiting = await db.outbox.get(CLIENT_ID);
    expect(waiting?.state).toBe('queued');
    expect(waiting?.lastError?.code).toBe('internal');
    const before = await db.messages.where('clientId').equals(CLIENT_ID).toArray();
    expect(before.map((message) => message.status)).toEqual(['pending']);
    // It died with its last commit only in the write-ahead log, before its worker called Meta.
    expect(fs.statSync(path.join(folder, 'parley.sqlite-wal')).size).toBeGreaterThan(0);
    expect(sendsOfText(fake)).toBe(0);

    // A normal server on the same folder and port; the engine reconnects by itself.
    const restartedAt = Date.now();
    server = await startTestServer({ dataDir: folder, port: crashing.port, graph: graphConfig });
    const store = server.store.db;
    const integrity = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(store);
    expect(integrity.rows).toEqual([{ integrity_check: 'ok' }]);

    await eventually(async () => (await db.outbox.count()) === 0, 'the outbox to drain');
    await fake.waitForCalls({ method: 'POST', path: MESSAGES_PATH }, 1);
    await eventually(
      async () => (await db.messages.where('clientId').equals(CLIENT_ID).first())?.status === 'sent',
      'the reply to show as sent',
    );

    const stored = await store.selectFrom('messages').selectAll().where('client_id', '=', CLIENT_ID).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.status).toBe('sent');
    const recorded = await store
      .selectFrom('mutations')
      .select('created_at')
      .where('client_id', '=', CLIENT_ID)
      .execute();
    expect(recorded).toHaveLength(1);
    // Both were written by the process that died, not by the resend.
    expect(Number(stored[0]?.created_at)).toBeLessThan(restartedAt);
    expect(Number(recorded[0]?.created_at)).toBeLessThan(restartedAt);
    const jobs = await store
      .selectFrom('outbound_jobs')
      .select('state')
      .where('message_id', '=', stored[0]?.id ?? '')
      .execute();
    expect(jobs).toEqual([{ state: 'done' }]);
    expect(sendsOfText(fake)).toBe(1);

    // One bubble, the server's: no optimistic copy, no failure, the server's id and version.
    const local = await db.messages.where('clientId').equals(CLIENT_ID).toArray();
    expect(local).toHaveLength(1);
    expect(local[0]?.id).toBe(stored[0]?.id);
    expect(local[0]?.status).toBe('sent');
    expect(local[0]?.seq).toBe(stored[0]?.seq);
    expect(await db.messages.get(optimisticMessageId(CLIENT_ID))).toBeUndefined();
    expect(await db.outbox.count()).toBe(0);
  }, 60_000);
});
