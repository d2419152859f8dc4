/**
 * Connections PostgreSQL ends under a running node (a restart, a failover, an administrator):
 * the node hears each one once, keeps running, and the next query gets a new connection.
 * (server/test/cluster/postgres-restart.test.ts stops the whole of PostgreSQL under two nodes.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../src/platform/database.js';
import { testDatabaseUrl } from '../support/database.js';

let db: Db | null = null;
afterEach(async () => {
  await db?.destroy();
  db = null;
});

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
