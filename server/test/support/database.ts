/**
 * Which database the server tests run on: SQLite (the default, a file in each server's
 * data folder) or, with PARLEY_TEST_DATABASE=postgres, a database of its own for each data
 * folder in the run's throwaway cluster (support/postgres-cluster.ts). A server restarted
 * on the same folder finds the same database.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Db, type OpenOptions } from '../../src/platform/database.js';
import { TEMPLATE_DATABASE, TEST_DATABASE_URL_KEY } from './database-names.js';

const databases = new Map<string, Promise<string>>();

/** The cluster's URL (no database) when the tests run on PostgreSQL; null on SQLite. */
export function postgresUrl(): string | null {
  return inject(TEST_DATABASE_URL_KEY);
}

/** The DATABASE_URL a server on this data folder uses: undefined on SQLite. */
export async function testDatabaseUrl(dataDir: string): Promise<string | undefined> {
  const cluster = postgresUrl();
  if (cluster === null) return undefined;
  let url = databases.get(dataDir);
  if (url === undefined) {
    url = createDatabase(cluster);
    databases.set(dataDir, url);
  }
  return url;
}

async function createDatabase(cluster: string): Promise<string> {
  const name = `parley_${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${cluster}/postgres` });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  return `${cluster}/${name}`;
}

/** Opens the store of this data folder as the server would, on the engine under test. */
export async function openTestDatabase(dataDir: string, options: Omit<OpenOptions, 'databaseUrl'> = {}): Promise<Db> {
  return openDatabase(dataDir, { ...options, databaseUrl: await testDatabaseUrl(dataDir) });
}

/** Rows exactly as stored, read past the server (its secrets plugin included). */
export async function readStored<T>(dataDir: string, query: string): Promise<T[]> {
  const url = await testDatabaseUrl(dataDir);
  if (url === undefined) {
    const sqlite = new SQLite(path.join(dataDir, 'parley.sqlite'), { readonly: true });
    try {
      return sqlite.prepare(query).all() as T[];
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(query)).rows as T[];
  } finally {
    await client.end();
  }
}
