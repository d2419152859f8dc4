import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import type pg from 'pg';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';
import type { Probe } from './health.js';
import { ConfigError } from './config.js';
import { SECRET_PREFIX, SecretBox, missingKeyMessage, secretsPlugin } from './secrets.js';

export type Db = Kysely<Database>;

/** Which SQL the database speaks: SQLite (one file, the default) or PostgreSQL (DATABASE_URL). */
export type Engine = 'sqlite' | 'postgres';

/** The store's file in the data folder, on SQLite. */
export const SQLITE_DATABASE_FILE = 'parley.sqlite';

export type OpenOptions = {
  secretKey?: Buffer | null;
  /** A postgres:// URL: the store lives in that PostgreSQL database instead of the data folder's SQLite file. */
  databaseUrl?: string | undefined;
  /**
   * Told when PostgreSQL ends a connection of the pool (a restart, a failover, an
   * administrator), with PostgreSQL's error: the node keeps running and opens another.
   */
  onConnectionLost?: (error: Error) => void;
};

/**
 * Opens the store and migrates it: PostgreSQL when `databaseUrl` is given, else the SQLite
 * file in the data folder (created if needed). With `secretKey`, channel secrets are sealed
 * at rest (plaintext ones left by an older server are sealed now); without it, a database
 * that holds sealed secrets is refused.
 */
export async function openDatabase(dataDir: string, options: OpenOptions = {}): Promise<Db> {
  const box = new SecretBox(options.secretKey ?? null);
  const db =
    options.databaseUrl === undefined
      ? new Kysely<Database>({
          dialect: new SqliteDialect({ database: keepingStatements(openSqlite(dataDir)) }),
          plugins: [secretsPlugin(box)],
        })
      : new Kysely<Database>({
          // Loaded only here: the embedded SQLite server starts without it.
          dialect: new PostgresDialect({
            pool: openPool((await import('pg')).default, options.databaseUrl, options.onConnectionLost),
          }),
          plugins: [secretsPlugin(box)],
        });
  try {
    await migrate(db);
    await sealSecrets(db, box);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/** The engine behind a database handle (or a transaction on it). */
export function engineOf(db: Pick<Kysely<unknown>, 'getExecutor'>): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Whether the database answers at all: one round trip, for a readiness probe. */
export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/** Whether every migration this server carries has been applied (another node may be mid-upgrade). */
export async function migrationsApplied(db: Db): Promise<boolean> {
  try {
    const migrations = await new Migrator({ db, provider: migrationProvider }).getMigrations();
    return migrations.every((migration) => migration.executedAt !== undefined);
  } catch {
    return false;
  }
}

const INT8_OID = 20;

/**
 * How long a query waits for a connection, a new one or a free one in the pool, before it
 * fails. Without a bound, a PostgreSQL host that takes connections but does not answer (down
 * behind a proxy, unreachable, or the pool busy with such attempts) holds every webhook until
 * it comes back; with it, the webhook is answered 5xx in time, and Meta retries it. A
 * healthy server answers in milliseconds.
 */
export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A pool on the PostgreSQL URL. `bigint` (our times, seqs and `count(*)`) comes back from
 * pg as a string, for fear of values past 2^53; none of ours come near, so it is read as a
 * number, like SQLite hands it, and a value that would lose precision fails loudly instead.
 */
function openPool(driver: typeof pg, url: string, onConnectionLost: (error: Error) => void = () => undefined): pg.Pool {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary'): unknown =>
      oid === INT8_OID && format !== 'binary' ? parseInt8 : driver.types.getTypeParser(oid, format ?? 'text'),
  };
  const pool = new driver.Pool({
    connectionString: url,
    types,
    // A node that dies mid-write must not hold the seq row's lock (and so every write on every
    // node) until the kernel notices: the connection is probed, and a transaction left idle
    // is ended by the server.
    keepAlive: true,
    options: '-c idle_in_transaction_session_timeout=30000',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // A connection PostgreSQL ends (a restart, a failover, an administrator) is an 'error'
  // event: on the pool while the connection is idle in it, on the connection itself while a
  // query or transaction holds it. Unheard, either ends the process. The query under way
  // fails on its own (and its webhook is answered 5xx); the pool drops the broken
  // connection and opens another for the next query; the readiness probe says the database
  // is away until it answers again. Each lost connection is told once (a connection that
  // ends raises the event where it is, and sometimes again on the pool).
  const told = new WeakSet<pg.PoolClient>();
  const lost = (error: Error, client?: pg.PoolClient): void => {
    if (client !== undefined && told.has(client)) return;
    if (client !== undefined) told.add(client);
    onConnectionLost(error);
  };
  pool.on('error', (error, client) => lost(error, client));
  pool.on('connect', (client) => client.on('error', (error) => lost(error, client)));
  return pool;
}

function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`A bigint from PostgreSQL is out of range: ${value}`);
  return parsed;
}

/**
 * Opens (creating if needed) the SQLite file in the data folder. The folder and the
 * database files are the server's user's alone (0700, 0600).
 */
function openSqlite(dataDir: string): SQLite.Database {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
  const file = path.join(dataDir, SQLITE_DATABASE_FILE);
  // Created before SQLite opens it, so it is never readable by others, even for a moment.
  if (!fs.existsSync(file)) fs.writeFileSync(file, '', { mode: 0o600, flag: 'wx' });
  const sqlite = new SQLite(file);
  // WAL lets readers (sync pulls) run while a webhook writes. FULL syncs the log on every
  // commit, so a webhook we acknowledged survives a power cut, not only a crash.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // better-sqlite3 returns numbers for integers; none of ours exceed 2^53.
  restrictFiles(dataDir);
  return sqlite;
}

/**
 * SQLite with its compiled statements kept, the last `limit` used: Kysely asks for each
 * query's statement anew, and better-sqlite3 compiles it again each time, while the server
 * runs the same few hundred SQL texts all day (a webhook's ingest is a dozen of them).
 * Kysely runs one query at a time on the connection, and never iterates one, so a kept
 * statement is never in use twice.
 */
export function keepingStatements(sqlite: SqliteDatabase, limit = 500): SqliteDatabase {
  const kept = new Map<string, SqliteStatement>();
  return {
    close: () => {
      kept.clear();
      sqlite.close();
    },
    prepare: (source) => {
      let statement = kept.get(source);
      if (statement === undefined) {
        statement = sqlite.prepare(source);
        if (kept.size >= limit) {
          const oldest = kept.keys().next();
          if (oldest.done !== true) kept.delete(oldest.value);
        }
      } else {
        // The most recently used last: the first is the one to drop.
        kept.delete(source);
      }
      kept.set(source, statement);
      return statement;
    },
  };
}

/** The database, its write-ahead log and its shared-memory index: 0600. */
function restrictFiles(dataDir: string): void {
  for (const name of [SQLITE_DATABASE_FILE, `${SQLITE_DATABASE_FILE}-wal`, `${SQLITE_DATABASE_FILE}-shm`]) {
    const file = path.join(dataDir, name);
    if (fs.existsSync(file)) fs.chmodSync(file, 0o600);
  }
}

/** Seals the secrets still in plaintext, or refuses to start when sealed ones exist and there is no key. */
async function sealSecrets(db: Db, box: SecretBox): Promise<void> {
  const like = `${SECRET_PREFIX}%`;
  if (!box.hasKey) {
    const sealed = await sql<{ n: number }>`select count(*) as n from channel_accounts
      where access_token like ${like} or app_secret like ${like} or verify_token like ${like}`.execute(db);
    if (Number(sealed.rows[0]?.n ?? 0) > 0) throw new ConfigError(missingKeyMessage());
    return;
  }
  const plain = await db
    .selectFrom('channel_accounts')
    .select(['id', 'access_token', 'app_secret', 'verify_token'])
    .where((eb) =>
      eb.or([
        eb('access_token', 'not like', like),
        eb('app_secret', 'not like', like),
        eb('verify_token', 'not like', like),
      ]),
    )
    .execute();
  // Read opened, written sealed (the plugin seals these columns on every write).
  for (const row of plain) {
    await db
      .updateTable('channel_accounts')
      .set({ access_token: row.access_token, app_secret: row.app_secret, verify_token: row.verify_token })
      .where('id', '=', row.id)
      .execute();
  }
}

export async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    const name = failed?.migrationName ?? 'unknown';
    throw new Error(`The database could not be upgraded (migration ${name} failed). Nothing was changed.`, {
      cause: error,
    });
  }
}

/**
 * The database's readiness probes: it answers a trivial query, and every migration this
 * server knows has been applied to it.
 */
export function databaseProbes(db: Db): Probe[] {
  return [
    {
      name: 'database',
      check: async () =>
        (await ping(db))
          ? { ok: true, detail: { engine: engineOf(db) } }
          : { ok: false, reason: 'database_unreachable' },
    },
    {
      name: 'migrations',
      check: async () => {
        if (await migrationsApplied(db)) return { ok: true };
        // Which ones, for the operator; the reason stays a code.
        const known = await new Migrator({ db, provider: migrationProvider }).getMigrations().catch(() => []);
        const pending = known.filter((migration) => migration.executedAt === undefined).map((m) => m.name);
        return { ok: false, reason: 'migrations_pending', detail: { pending } };
      },
    },
  ];
}
