/**
 * Connections PostgreSQL ends under a running node (a restart, a failover, an administrator):
 * the node hears each one once, keeps running, and the next query gets a new connection.
 * While PostgreSQL is away, or its host takes connections and never answers, a write fails
 * within a few seconds (its webhook is answered 5xx) instead of waiting for it to come back.
 * (server/test/cluster/postgres-restart.test.ts stops the whole of PostgreSQL under two nodes.)
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, expect, it, vi } from 'vitest';
import { CONNECT_TIMEOUT_MS, openDatabase, type Db } from '../../src/platform/database.js';
import { Store } from '../../src/platform/store.js';
import { postWebhook, startTestServer, whatsappText, type TestServer } from '../helpers.js';
import { testDatabaseUrl } from '../support/database.js';

let db: Db | null = null;
let door: Door | null = null;
let server: TestServer | null = null;
afterEach(async () => {
  // The door first: a connection it holds unanswered would keep the pool from ending.
  await door?.close();
  door = null;
  await server?.cleanup();
  server = null;
  await db?.destroy();
  db = null;
});

/**
 * A door on 127.0.0.1 to PostgreSQL, passing connections through until it is shut:
 * `refuse` ends them and refuses new ones, as a stopped PostgreSQL does; `swallow` ends them
 * and takes new ones without ever answering, as a host that is down behind a proxy does.
 */
type Door = {
  url: string;
  refuse: () => Promise<void>;
  swallow: () => void;
  open: () => Promise<void>;
  close: () => Promise<void>;
};

async function openDoor(databaseUrl: string): Promise<Door> {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  const keep = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  let mode: 'pass' | 'swallow' = 'pass';
  const listener = net.createServer((socket) => {
    keep(socket);
    if (mode === 'swallow') return;
    const upstream = net.connect(Number(target.port), target.hostname);
    keep(upstream);
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, '127.0.0.1', () => {
        listener.off('error', reject);
        resolve();
      });
    });
  const cut = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  const stopListening = (): Promise<void> =>
    listener.listening ? new Promise((resolve) => listener.close(() => resolve())) : Promise.resolve();
  await listen(0);
  const { port } = listener.address() as net.AddressInfo;
  const url = new URL(databaseUrl);
  url.port = String(port);
  return {
    url: url.toString(),
    refuse: async () => {
      const closed = stopListening();
      cut();
      await closed;
    },
    swallow: () => {
      mode = 'swallow';
      cut();
    },
    open: async () => {
      mode = 'pass';
      if (!listener.listening) await listen(port);
    },
    close: async () => {
      const closed = stopListening();
      cut();
      await closed;
    },
  };
}

/** What `promise` came to within `ms`: 'pending' if it had not settled by then. */
async function within(promise: Promise<unknown>, ms: number): Promise<'resolved' | 'rejected' | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => 'resolved' as const,
        () => 'rejected' as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ends every connection to the database but the caller's, as an administrator would: how many it ended. */
async function endConnections(url: string): Promise<number> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ ended: boolean }>(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()`,
    );
    return rows.filter((row) => row.ended).length;
  } finally {
    await admin.end();
  }
}

it('a connection ended idle or mid-query is told once, the query fails, and the next one runs', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-connections-'));
  const url = await testDatabaseUrl(dataDir);
  if (url === undefined) throw new Error('these tests run on PostgreSQL');
  const lost: Error[] = [];
  db = await openDatabase(dataDir, { databaseUrl: url, onConnectionLost: (error) => lost.push(error) });
  const open = db;

  // Two connections: one idle in the pool, one in a transaction waiting on a query.
  await Promise.all([sql`select pg_sleep(0.05)`.execute(open), sql`select pg_sleep(0.05)`.execute(open)]);
  let release: () => void = () => undefined;
  const holding = new Promise<void>((resolve) => {
    release = resolve;
  });
  const busy = open
    .transaction()
    .execute(async (trx) => {
      release();
      await sql`select pg_sleep(30)`.execute(trx);
    })
    .then(
      () => null,
      (error: unknown) => error,
    );
  await holding;
  // The sleep has reached the server before it is ended.
  await vi.waitFor(
    async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and query like 'select pg_sleep(30)%' and state = 'active'`.execute(open);
      expect(rows[0]?.n).toBe(1);
    },
    { timeout: 5_000 },
  );

  const ended = await endConnections(url);
  expect(ended).toBeGreaterThanOrEqual(2);
  // The query under way fails (its webhook would be answered 5xx).
  expect(String(await busy)).toMatch(/terminat/i);
  await vi.waitFor(() => expect(lost).toHaveLength(ended), { timeout: 5_000 });
  for (const error of lost) expect(error.message).toMatch(/terminat/i);

  // The pool opens new connections: queries run again, and nothing more is told.
  const { rows } = await sql<{ one: number }>`select 1 as one`.execute(open);
  expect(rows[0]?.one).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(lost).toHaveLength(ended);
});

it('while PostgreSQL is away, a grouped write (a webhook) fails at once, and does not commit once it is back', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-connections-'));
  const url = await testDatabaseUrl(dataDir);
  if (url === undefined) throw new Error('these tests run on PostgreSQL');
  door = await openDoor(url);
  db = await openDatabase(dataDir, { databaseUrl: door.url });
  const store = new Store(db);
  let runs = 0;
  const write = (): Promise<number> =>
    store.write(
      async (trx) => {
        runs += 1;
        return (await sql<{ one: number }>`select 1 as one`.execute(trx)).rows[0]?.one ?? 0;
      },
      { grouped: true },
    );
  expect(await write()).toBe(1);

  await door.refuse();
  const away = write();
  const outcome = await within(away, 2_000);
  // Back before anything is asserted: a write still waiting ends either way.
  await door.open();
  expect(outcome).toBe('rejected');
  // Its connection cut under it, or a new one refused.
  await expect(away).rejects.toThrow(/terminated|ECONNREFUSED/);

  // Failed, and so not stored later behind the webhook's 5xx: only the next write runs.
  expect(await write()).toBe(1);
  expect(runs).toBe(2);
});

it('a PostgreSQL host that takes connections and never answers: a webhook is answered 5xx within the connect timeout', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-connections-'));
  const url = await testDatabaseUrl(dataDir);
  if (url === undefined) throw new Error('these tests run on PostgreSQL');
  door = await openDoor(url);
  server = await startTestServer({ dataDir, databaseUrl: door.url });
  const webhook = async (id: string): Promise<number> => {
    const response = await postWebhook(
      server as TestServer,
      'whatsapp',
      whatsappText({
        from: '33698760001',
        name: 'Customer',
        id,
        text: id,
        timestampSeconds: Math.floor(Date.now() / 1000),
      }),
    );
    await response.text();
    return response.status;
  };
  expect(await webhook('wamid.before')).toBe(200);

  door.swallow();
  const started = Date.now();
  const answer = webhook('wamid.swallowed');
  expect(await within(answer, CONNECT_TIMEOUT_MS + 3_000)).toBe('resolved');
  expect(await answer).toBeGreaterThanOrEqual(500);
  expect(Date.now() - started).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 500);

  // Once PostgreSQL answers again, so does the node: Meta's retry is stored.
  await door.open();
  await vi.waitFor(async () => expect(await webhook('wamid.swallowed')).toBe(200), { timeout: 10_000 });
}, 30_000);
