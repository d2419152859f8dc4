/**
 * vitest's global setup, on SQLite: one migrated database file for the run, copied into the
 * data folder of each test server that has none yet (support/database.ts). Migrating a new
 * file runs every schema statement in its own synchronous commit, about half a second on a
 * busy machine, and the server tests start several hundred servers. On PostgreSQL the
 * cluster's template database does the same (support/postgres-cluster.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { SQLITE_TEMPLATE_KEY } from './database-names.js';

declare module 'vitest' {
  // Declaration merging needs an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  export interface ProvidedContext {
    [SQLITE_TEMPLATE_KEY]: string | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.PARLEY_TEST_DATABASE === 'postgres') {
    project.provide(SQLITE_TEMPLATE_KEY, null);
    return undefined;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sqlite-template-'));
  // Loaded only here: a run that needs no server still pays only for this import.
  const { openDatabase, SQLITE_DATABASE_FILE } = await import('../../src/platform/database.js');
  const db = await openDatabase(dir);
  // Closing the only connection checkpoints the write-ahead log into the file.
  await db.destroy();
  project.provide(SQLITE_TEMPLATE_KEY, path.join(dir, SQLITE_DATABASE_FILE));
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
