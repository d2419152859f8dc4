/** Stores on a test database, and the writes the group commit and concurrent write tests make with them. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { LiveBatch } from '@parley/protocol';
import type { Db } from '../../src/platform/database.js';
import { Store, type ChangeSet, type CommittedBatch, type Trx } from '../../src/platform/store.js';
import { openTestDatabase } from './database.js';

const dirs: string[] = [];
const handles: Db[] = [];

/** Closes the stores' databases and removes their folders (after each test). */
export async function closeStores(): Promise<void> {
  for (const db of handles.splice(0)) await db.destroy();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A data folder of its own, removed by closeStores. */
export function tempDataDir(prefix: string): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dataDir);
  return dataDir;
}

/** A connection to the folder's database, closed by closeStores. */
export async function openDb(dataDir: string): Promise<Db> {
  const db = await openTestDatabase(dataDir);
  handles.push(db);
  return db;
}

/** A store whose group transactions take every queued write, however long they take, and a reader of its own. */
export async function openStore(
  options: { groupSpacingMs?: number; parallelGroups?: number } = {},
): Promise<{ store: Store; reader: Db; batches: CommittedBatch[] }> {
  const dataDir = tempDataDir('parley-store-writes-');
  const store = new Store(await openDb(dataDir), { groupBudgetMs: Number.POSITIVE_INFINITY, ...options });
  const batches: CommittedBatch[] = [];
  store.onChanges((batch) => batches.push(batch));
  // Its own connection: it sees only what was committed.
  return { store, reader: await openDb(dataDir), batches };
}

/** Inserts one canned response stamped with the next seq; returns its id. */
export function insertRow(id: string = randomUUID()): (trx: Trx, changes: ChangeSet) => Promise<string> {
  return async (trx, changes) => {
    await trx
      .insertInto('canned_responses')
      .values({
        id,
        shortcut: `s-${id}`,
        title: 'Grouped',
        body: 'Group commit',
        owner_id: null,
        deleted: 0,
        created_at: 1,
        updated_at: 1,
        seq: await changes.nextSeq('cannedResponse', id),
      })
      .execute();
    return id;
  };
}

/** A row, a change of sight (agent-1 starts seeing conversation-1), and another row: three seqs. */
export function rowSightRow(ids: readonly string[]): (trx: Trx, changes: ChangeSet) => Promise<void> {
  return async (trx, changes) => {
    await insertRow(ids[0])(trx, changes);
    const [access] = await changes.stampAccess([
      { agentId: 'agent-1', conversationId: 'conversation-1', visible: true },
    ]);
    if (access === undefined) throw new Error('no seq for the change of sight');
    await trx
      .insertInto('access_changes')
      .values({ agent_id: access.agentId, conversation_id: access.conversationId, visible: 1, seq: access.seq })
      .execute();
    await insertRow(ids[1])(trx, changes);
  };
}

export async function committedIds(reader: Db): Promise<string[]> {
  const rows = await reader.selectFrom('canned_responses').select('id').execute();
  return rows.map((row) => row.id);
}

export function seqsOf(batch: CommittedBatch | LiveBatch): number[] {
  return batch.changes.map((change) => change.data.seq).sort((a, b) => a - b);
}

export function range(after: number, upTo: number): number[] {
  return Array.from({ length: upTo - after }, (_, index) => after + 1 + index);
}
