/**
 * vitest's global setup: with PARLEY_TEST_DATABASE=postgres, a throwaway PostgreSQL cluster
 * for this run, on 127.0.0.1 and a free port, in a temporary folder; every test server then
 * gets a database of its own in it (support/database.ts), cloned from a migrated template.
 * Without it, nothing happens: SQLite needs no setup.
 *
 * PostgreSQL refuses to run as root, so as root (CI) the cluster runs as the `postgres`
 * user that Debian's package creates, in a folder handed to it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pg-'));
  const data = path.join(dir, 'data');
  const owner = process.getuid?.() === 0 ? postgresUser() : null;
  if (owner !== null) fs.chownSync(dir, owner.uid, owner.gid);
  const run = (command: string, args: string[]): void => {
    const [file, argv] = owner === null ? [command, args] : ['runuser', ['-u', 'postgres', '--', command, ...args]];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) {
      throw new Error(`${path.basename(command)} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
  };
  run(path.join(bin, 'initdb'), ['-D', data, '-U', ROLE, '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-k ${dir}`,
    // A throwaway cluster: nothing in it has to survive a crash.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=400',
  ].join(' ');
  run(path.join(bin, 'pg_ctl'), ['start', '-w', '-D', data, '-l', path.join(dir, 'postgres.log'), '-o', options]);
  const stop = (): Promise<void> => {
    try {
      run(path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return Promise.resolve();
  };
  try {
    const url = `postgres://${ROLE}@127.0.0.1:${port}`;
    // One migrated database that every test's database is a copy of: faster than migrating each.
    const admin = new pg.Client({ connectionString: `${url}/postgres` });
    await admin.connect();
    try {
      await admin.query(`create database ${TEMPLATE_DATABASE}`);
    } finally {
      await admin.end();
    }
    // Loaded only here: a run on SQLite (and the renderer's tests) never loads the server.
    const { openDatabase } = await import('../../src/platform/database.js');
    const db = await openDatabase(dir, { databaseUrl: `${url}/${TEMPLATE_DATABASE}` });
    await db.destroy();
    project.provide(TEST_DATABASE_URL_KEY, url);
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
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
