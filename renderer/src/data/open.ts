import Dexie from 'dexie';
import { ErrorCodeSchema, MutationSchema } from '@parley/protocol';
import { z } from 'zod';
import { exclusively } from '../common/locks.js';
import { optimisticMessageId } from './optimistic.js';
import { watchListTables } from './listChanges.js';
import { ParleyDb, SCHEMA_VERSIONS, optimisticCopy, type OutboxRow, type SchemaVersion } from './db.js';

/**
 * What the agent is told about the cache when it opens: it was emptied by an upgrade that
 * could not migrate it (`resynced`), or it could not be opened at all and was made anew
 * (`rebuilt`), keeping the replies still waiting to be sent where they could be read.
 */
export type LocalDataNotice =
  { kind: 'resynced' } | { kind: 'rebuilt'; keptOutbox: number; lostOutbox: number | 'unknown'; detail: string };

export type OpenedDatabase = { db: ParleyDb; notice: LocalDataNotice | null };

/** An outbox row as read back from a store this app could not open: trusted no further than this. */
const SalvagedRowSchema = z.object({
  clientId: z.string().min(1),
  lane: z.string().min(1),
  conversationId: z.string().nullable(),
  order: z.number(),
  createdAt: z.number(),
  mutation: MutationSchema,
  state: z.enum(['queued', 'sending', 'failed']),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.number(),
  lastError: z.object({ code: ErrorCodeSchema, message: z.string() }).nullable(),
});

type Salvage = { rows: OutboxRow[]; lost: number | 'unknown' };

/** Tries before concluding a store cannot be opened: a lock held a moment elsewhere is not damage. */
const OPEN_ATTEMPTS = 3;

/**
 * Opens the agent's cache. When it cannot be opened (a store corrupted on disk, an upgrade
 * that failed), it is deleted and made anew, to be filled from the server; the outbox is
 * read out of the old store first and put back.
 */
export async function openLocalDatabase(
  name: string,
  versions: readonly SchemaVersion[] = SCHEMA_VERSIONS,
): Promise<OpenedDatabase> {
  // One opener at a time per store, across tabs and windows: two rebuilding the same damaged
  // store at once could delete the outbox the other had just put back. The second one in
  // then finds the rebuilt store and simply opens it.
  return exclusively(`parley-open:${name}`, () => openOrRebuild(name, versions));
}

async function openOrRebuild(name: string, versions: readonly SchemaVersion[]): Promise<OpenedDatabase> {
  let failure: unknown;
  for (let attempt = 1; attempt <= OPEN_ATTEMPTS; attempt += 1) {
    const db = new ParleyDb(name, versions);
    watchListTables(db);
    try {
      // Dexie opens a store a newer app left at a higher version as it is, adding any table
      // it lacks: only damage, or an upgrade that fails, ends up below.
      await db.open();
      return { db, notice: await takeResyncNotice(db) };
    } catch (error) {
      db.close();
      // Without IndexedDB at all there is nothing to rebuild; say so rather than loop.
      if (error instanceof Dexie.MissingAPIError) throw error;
      failure = error;
      if (attempt < OPEN_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 150 * attempt));
    }
  }
  const detail = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
  const salvage = await salvageOutbox(name);
  await Dexie.delete(name);
  const fresh = new ParleyDb(name, versions);
  watchListTables(fresh);
  await fresh.open();
  await restoreOutbox(fresh, salvage.rows);
  return {
    db: fresh,
    notice: { kind: 'rebuilt', keptOutbox: salvage.rows.length, lostOutbox: salvage.lost, detail },
  };
}

/** The mark an upgrade that could not migrate left: said once. */
async function takeResyncNotice(db: ParleyDb): Promise<LocalDataNotice | null> {
  const resynced = await db.meta.get('resynced');
  if (resynced === undefined) return null;
  await db.meta.delete('resynced');
  return { kind: 'resynced' };
}

/** Reads the outbox with raw IndexedDB, at whatever version the store is, row by row. */
async function salvageOutbox(name: string): Promise<Salvage> {
  let raw: unknown[];
  try {
    raw = await new Promise<unknown[]>((resolve, reject) => {
      const request = indexedDB.open(name);
      // No upgrade here: opening without a version takes the store as it is on disk.
      request.onerror = () => reject(request.error ?? new Error('The local store could not be opened.'));
      request.onblocked = () => reject(new Error('The local store is held open elsewhere.'));
      request.onsuccess = () => {
        const idb = request.result;
        try {
          if (!idb.objectStoreNames.contains('outbox')) {
            idb.close();
            resolve([]);
            return;
          }
          const read = idb.transaction('outbox', 'readonly').objectStore('outbox').getAll();
          read.onsuccess = () => {
            idb.close();
            resolve(read.result as unknown[]);
          };
          read.onerror = () => {
            idb.close();
            reject(read.error ?? new Error('The outbox could not be read.'));
          };
        } catch (error) {
          idb.close();
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
    });
  } catch {
    return { rows: [], lost: 'unknown' };
  }
  const rows: OutboxRow[] = [];
  let lost = 0;
  for (const candidate of raw) {
    const row = SalvagedRowSchema.safeParse(candidate);
    if (!row.success) {
      lost += 1;
      continue;
    }
    rows.push({
      ...row.data,
      // Whatever was in flight is sent again with its client id, which the server answers once.
      state: row.data.state === 'sending' ? 'queued' : row.data.state,
      nextAttemptAt: 0,
      // What it would have put back is gone with the old store; the server's copy replaces it.
      rollback:
        row.data.mutation.type === 'message.send' || row.data.mutation.type === 'message.note'
          ? { kind: 'removeMessage', messageId: optimisticMessageId(row.data.clientId) }
          : { kind: 'none' },
    });
  }
  return { rows, lost };
}

/** Puts salvaged rows back in a new store, with the optimistic messages of queued replies. */
export async function restoreOutbox(db: ParleyDb, rows: readonly OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction('rw', [db.outbox, db.messages], async () => {
    await db.outbox.bulkPut([...rows]);
    const messages = rows.flatMap((row) => optimisticCopy(row));
    if (messages.length > 0) await db.messages.bulkPut(messages);
  });
}
