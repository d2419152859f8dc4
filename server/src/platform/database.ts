import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';
import type { Probe } from './health.js';
import { ConfigError } from './config.js';
import { SECRET_PREFIX, SecretBox, missingKeyMessage, secretsPlugin } from './secrets.js';

export type Db = Kysely<Database>;

const DATABASE_FILE = 'parley.sqlite';

/**
 * Opens (creating if needed) the SQLite store in the data folder and migrates it. The folder
 * and the database files are the server's user's alone (0700, 0600). With `secretKey`,
 * channel secrets are sealed at rest (plaintext ones left by an older server are sealed
 * now); without it, a database that holds sealed secrets is refused.
 */
export async function openDatabase(dataDir: string, options: { secretKey?: Buffer | null } = {}): Promise<Db> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
  const file = path.join(dataDir, DATABASE_FILE);
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
  const box = new SecretBox(options.secretKey ?? null);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), plugins: [secretsPlugin(box)] });
  try {
    await migrate(db);
    await sealSecrets(db, box);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/** The database, its write-ahead log and its shared-memory index: 0600. */
function restrictFiles(dataDir: string): void {
  for (const name of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`]) {
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
      check: async () => {
        await sql`select 1`.execute(db);
        return { ok: true };
      },
    },
    {
      name: 'migrations',
      check: async () => {
        const known = await new Migrator({ db, provider: migrationProvider }).getMigrations();
        const pending = known.filter((migration) => migration.executedAt === undefined).map((m) => m.name);
        return pending.length === 0
          ? { ok: true, detail: { applied: known.length } }
          : { ok: false, reason: `pending migrations: ${pending.join(', ')}` };
      },
    },
  ];
}
