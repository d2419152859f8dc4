/**
 * Which database the server tests run on: SQLite (the default, a file in each server's
 * data folder) or, with PARLEY_TEST_DATABASE=postgres, a database of its own for each data
 * folder in the run's throwaway cluster (support/postgres-cluster.ts). A server restarted
 * on the same folder finds the same database.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, SQLITE_DATABASE_FILE, type Db, type OpenOptions } from '../../src/platform/database.js';
import { SQLITE_TEMPLATE_KEY, TEMPLATE_DATABASE, TEST_DATABASE_URL_KEY } from './database-names.js';

const databases = new Map<string, Promise<string>>();

/** The cluster's URL (no database) when the tests run on PostgreSQL; null on SQLite. */
export function postgresUrl(): string | null {
  return inject(TEST_DATABASE_URL_KEY);
}

/**
 * The DATABASE_URL a server on this data folder uses: undefined on SQLite, where a folder
 * with no database yet gets a copy of the run's migrated file.
 */
export async function testDatabaseUrl(dataDir: string): Promise<string | undefined> {
  const cluster = postgresUrl();
  if (cluster === null) {
    copySqliteTemplate(dataDir);
    return undefined;
  }
  let url = databases.get(dataDir);
  if (url === undefined) {
    url = createDatabase(cluster);
    databases.set(dataDir, url);
  }
  return url;
}

/**
 * A database copied from the migrated template. Copying takes PostgreSQL a few hundred
 * milliseconds, and most tests start a server or two: the next one is copied while the
 * current test runs, so a test rarely waits for its own.
 */
function createDatabase(cluster: string): Promise<string> {
  const next = spare ?? copyTemplate(cluster);
  spare = copyTemplate(cluster);
  // A spare nobody takes must not fail the run; the one handed out still reports its error.
  spare.catch(() => undefined);
  return next;
}

let spare: Promise<string> | null = null;

async function copyTemplate(cluster: string): Promise<string> {
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

function copySqliteTemplate(dataDir: string): void {
  const template = inject(SQLITE_TEMPLATE_KEY);
  const file = path.join(dataDir, SQLITE_DATABASE_FILE);
  if (template === null || fs.existsSync(file)) return;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.copyFileSync(template, file, fs.constants.COPYFILE_EXCL);
  fs.chmodSync(file, 0o600);
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
