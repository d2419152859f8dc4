import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, expect, test } from 'vitest';
import type { Db } from '../src/platform/database.js';
import { Store } from '../src/platform/store.js';
import { openTestDatabase } from './support/database.js';

/**
 * The global `seq` is gap-free in commit order: a client that has read every change up to
 * seq N never later finds one below N. Several writers (on PostgreSQL: two stores, each
 * with its own pool, as two server nodes would be) write at once, some rolling back, each
 * holding its transaction open a moment after taking its seqs, while a reader on its own
 * connection polls `seq > cursor` the whole time.
 */

const WRITERS = 6;
const WRITES_EACH = 15;

const dirs: string[] = [];
const handles: Db[] = [];

afterEach(async () => {
  for (const db of handles.splice(0)) await db.destroy();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function open(dataDir: string): Promise<Db> {
  const db = await openTestDatabase(dataDir);
  handles.push(db);
  return db;
}

/** Lets the event loop (and the other writers and the reader) run while a transaction is open. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

class RolledBack extends Error {}

test('concurrent writers commit their seqs in order: a polling reader never skips one, and the seqs are exactly 1..N', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-seq-order-'));
  dirs.push(dataDir);
  const first = new Store(await open(dataDir));
  // SQLite has one writer by design: the server holds one connection, and a second writing
  // connection would wait on a lock synchronously. PostgreSQL gets a second node's store.
  const writers = first.engine === 'postgres' ? [first, new Store(await open(dataDir))] : [first];
  const reader = await open(dataDir);
  const start = await first.head();

  const seen: number[] = [];
  let cursor = start;
  let writing = true;
  let polls = 0;
  const read = async (): Promise<void> => {
    const rows = await reader
      .selectFrom('canned_responses')
      .select('seq')
      .where('seq', '>', cursor)
      .orderBy('seq')
      .execute();
    polls += 1;
    for (const row of rows) {
      // Each seq of this test is a row: the next one read must be the very next seq.
      expect(row.seq).toBe(cursor + 1);
      seen.push(row.seq);
      cursor = row.seq;
    }
  };
  const polling = (async () => {
    while (writing) {
      await read();
      await pause(1);
    }
    await read();
  })();

  let committed = 0;
  let rolledBack = 0;
  const writer = async (index: number): Promise<void> => {
    const store = writers[index % writers.length];
    if (store === undefined) throw new Error('no store');
    for (let n = 0; n < WRITES_EACH; n += 1) {
      const rows = 1 + ((index + n) % 3);
      const rollback = (index * WRITES_EACH + n) % 5 === 0;
      try {
        await store.write(async (trx, changes) => {
          for (let row = 0; row < rows; row += 1) {
            const id = randomUUID();
            const seq = await changes.nextSeq('cannedResponse', id);
            await trx
              .insertInto('canned_responses')
              .values({
                id,
                shortcut: `w${index}-${n}-${row}`,
                title: 'Order',
                body: 'Seq order',
                owner_id: null,
                deleted: 0,
                created_at: 1,
                updated_at: 1,
                seq,
              })
              .execute();
          }
          // Held open after taking the seqs: a writer that came later could commit first here.
          await pause((index + n) % 4);
          if (rollback) throw new RolledBack();
        });
        committed += rows;
      } catch (error) {
        if (!(error instanceof RolledBack)) throw error;
        rolledBack += rows;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: WRITERS }, (_, index) => writer(index)));
  } finally {
    writing = false;
    await polling;
  }

  const expected = Array.from({ length: committed }, (_, index) => start + index + 1);
  expect(rolledBack).toBeGreaterThan(0);
  expect(polls).toBeGreaterThan(1);
  // The reader saw every committed seq once, in order, with nothing missed.
  expect(seen).toEqual(expected);
  // The numbers of the rolled-back writes were given back: the stored seqs are exactly 1..N after the start.
  const stored = await reader.selectFrom('canned_responses').select('seq').orderBy('seq').execute();
  expect(stored.map((row) => row.seq)).toEqual(expected);
  expect(await first.head()).toBe(start + committed);
});
