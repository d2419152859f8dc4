/**
 * vitest's global setup: with PARLEY_TEST_DATABASE=postgres, a throwaway PostgreSQL cluster
 * for this run (startPostgresCluster), on 127.0.0.1 and a free port, in a temporary folder; every test server then
 * gets a database of its own in it (support/database.ts), cloned from a migrated template.
 * Without it, nothing happens: SQLite needs no setup.
 *
 * PostgreSQL refuses to run as root, so as root (CI) the cluster runs as the `postgres`
 * user that Debian's package creates, in a folder handed to it.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../../scripts/free-port.mjs';
import { TEMPLATE_DATABASE, TEST_DATABASE_URL_KEY } from './database-names.js';

declare module 'vitest' {
  // Declaration merging needs an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  export interface ProvidedContext {
    [TEST_DATABASE_URL_KEY]: string | null;
  }
}

const ROLE = 'parley';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.PARLEY_TEST_DATABASE !== 'postgres') {
    project.provide(TEST_DATABASE_URL_KEY, null);
    return undefined;
  }
  const cluster = await startPostgresCluster();
  try {
    // One migrated database that every test's database is a copy of: faster than migrating each.
    const templateUrl = await createPostgresDatabase(cluster.url, TEMPLATE_DATABASE);
    // Loaded only here: a run on SQLite (and the renderer's tests) never loads the server.
    const { openDatabase } = await import('../../src/platform/database.js');
    const db = await openDatabase(cluster.dir, { databaseUrl: templateUrl });
    await db.destroy();
    project.provide(TEST_DATABASE_URL_KEY, cluster.url);
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster.close;
}

export type TestPostgres = {
  /** postgres://parley@127.0.0.1:<port>, without a database. */
  url: string;
  /** The cluster's folder (its data folder is `data` inside). */
  dir: string;
  /** Stops the server (`fast`: sessions are told and cut; `immediate`: as a crash), keeping its port and data. */
  stop: (mode?: 'fast' | 'immediate') => Promise<void>;
  /** Starts it again on the same port and data. */
  start: () => Promise<void>;
  /** Stops it for good and removes its folder. */
  close: () => Promise<void>;
};

/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 and a free port, in a temporary folder. The
 * run shares one (the global setup above); a test that stops and starts PostgreSQL starts
 * its own, so as not to cut the other test files' connections, and `crashSafe` if it stops
 * it as a crash.
 */
export async function startPostgresCluster(settings: { crashSafe?: boolean } = {}): Promise<TestPostgres> {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pg-'));
  const data = path.join(dir, 'data');
  const owner = process.getuid?.() === 0 ? postgresUser() : null;
  if (owner !== null) fs.chownSync(dir, owner.uid, owner.gid);
  // Asynchronous: a test's servers in this process keep running while PostgreSQL stops.
  const run = async (command: string, args: string[]): Promise<void> => {
    const [file, argv] = owner === null ? [command, args] : ['runuser', ['-u', 'postgres', '--', command, ...args]];
    try {
      await promisify(execFile)(file, argv, { encoding: 'utf8', cwd: dir });
    } catch (error) {
      const { code, stdout, stderr } = error as { code?: unknown; stdout?: string; stderr?: string };
      throw new Error(`${path.basename(command)} failed (${String(code)}):\n${stdout ?? ''}\n${stderr ?? ''}`);
    }
  };
  await run(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    ROLE,
    '--auth=trust',
    '--no-locale',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-k ${dir}`,
    // A throwaway cluster: nothing in it has to survive a crash of the machine. Nor of
    // PostgreSQL, unless `crashSafe`: then a commit it acknowledged survives an immediate stop.
    '-c fsync=off',
    `-c synchronous_commit=${settings.crashSafe === true ? 'on' : 'off'}`,
    '-c full_page_writes=off',
    '-c max_connections=400',
  ].join(' ');
  const start = (): Promise<void> =>
    run(path.join(bin, 'pg_ctl'), ['start', '-w', '-D', data, '-l', path.join(dir, 'postgres.log'), '-o', options]);
  const stop = (mode: 'fast' | 'immediate' = 'immediate'): Promise<void> =>
    run(path.join(bin, 'pg_ctl'), ['stop', '-w', '-D', data, '-m', mode]);
  await start();
  let running = true;
  // A run stopped by a signal exits without its teardown (vitest exits at once on SIGTERM, as
  // the test command sends it when a step beside it failed): the cluster goes with it, not
  // left running once its folder is gone.
  const stopOnExit = (): void => {
    if (!running) return;
    running = false;
    const argv = [path.join(bin, 'pg_ctl'), 'stop', '-D', data, '-m', 'immediate'];
    try {
      if (owner === null) execFileSync(argv[0] ?? '', argv.slice(1), { stdio: 'ignore' });
      else execFileSync('runuser', ['-u', 'postgres', '--', ...argv], { stdio: 'ignore' });
    } catch {
      // Already stopped.
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopOnExit);
  return {
    url: `postgres://${ROLE}@127.0.0.1:${port}`,
    dir,
    stop: async (mode) => {
      await stop(mode);
      running = false;
    },
    start: async () => {
      await start();
      running = true;
    },
    close: async () => {
      process.off('exit', stopOnExit);
      try {
        if (running) await stop('immediate');
      } finally {
        running = false;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Creates an empty database in the cluster; answers its URL. */
export async function createPostgresDatabase(clusterUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: `${clusterUrl}/postgres` });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return `${clusterUrl}/${name}`;
}

/** Debian's PostgreSQL (the newest under /usr/lib/postgresql), else whatever `pg_ctl` is on the PATH. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((name) => fs.existsSync(path.join(root, name, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] !== undefined) return path.join(root, versions[0], 'bin');
  try {
    return path.dirname(fs.realpathSync(execFileSync('which', ['pg_ctl'], { encoding: 'utf8' }).trim()));
  } catch {
    throw new Error('PARLEY_TEST_DATABASE=postgres needs PostgreSQL: apt-get install postgresql');
  }
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'As root, the test cluster runs as the `postgres` user, and there is none: apt-get install postgresql',
    );
  }
}
