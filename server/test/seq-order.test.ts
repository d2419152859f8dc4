import { randomUUID } from 'node:crypto';
import { afterEach, expect, test } from 'vitest';
import { Store } from '../src/platform/store.js';
import { postgresUrl } from './support/database.js';
import { closeStores, openDb, tempDataDir } from './support/store-writes.js';

/**
 * The global `seq` is gap-free in commit order: a client that has read every change up to
 * seq N never later finds one below N. Several writers (on PostgreSQL: two stores, each
 * with its own pool, as two server nodes would be) write at once, some rolling back, each
 * holding its transaction open a moment after taking its seqs, while a reader on its own
 * connection polls `seq > cursor` the whole time. In the second test, half the writes are
 * concurrent (grouped, taking their seqs only at their end) and run beside each other,
 * never beside the others.
 */

const WRITERS = 6;
const WRITES_EACH = 15;

afterEach(closeStores);

/** Lets the event loop (and the other writers and the reader) run while a transaction is open. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

class RolledBack extends Error {}

test('concurrent writers commit their seqs in order: a polling reader never skips one, and the seqs are exactly 1..N', async () => {
  await writeAtOnce(false);
});

test('concurrent writes beside each other, and writes alone between them, still commit their seqs gap-free in order', async () => {
  const { overlapped } = await writeAtOnce(true);
  // PostgreSQL ran concurrent writes of the two nodes at once; SQLite runs every write alone.
  expect(overlapped).toBe(engineUnderTest() === 'postgres');
});

function engineUnderTest(): 'postgres' | 'sqlite' {
  return postgresUrl() === null ? 'sqlite' : 'postgres';
}

/** `mixed`: the even writers' writes are concurrent; otherwise every write runs alone. */
async function writeAtOnce(mixed: boolean): Promise<{ overlapped: boolean }> {
  const dataDir = tempDataDir('parley-seq-order-');
  const first = new Store(await openDb(dataDir));
  // SQLite has one writer by design: the server holds one connection, and a second writing
  // connection would wait on a lock synchronously. PostgreSQL gets a second node's store.
  const writers = first.engine === 'postgres' ? [first, new Store(await openDb(dataDir))] : [first];
  const reader = await openDb(dataDir);
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
  // Writes at work now, and whether two concurrent ones ever were at once.
  let concurrentInside = 0;
  let aloneInside = 0;
  let overlapped = false;
  const writer = async (index: number): Promise<void> => {
    // Mixed: writers 0, 2, 4 (concurrent) and 1, 3, 5 each spread over both nodes.
    const store = writers[(mixed ? Math.floor(index / 2) : index) % writers.length];
    if (store === undefined) throw new Error('no store');
    for (let n = 0; n < WRITES_EACH; n += 1) {
      const rows = 1 + ((index + n) % 3);
      const rollback = (index * WRITES_EACH + n) % 5 === 0;
      const concurrent = mixed && index % 2 === 0;
      try {
        await store.write(
          async (trx, changes) => {
            // A write alone never has another at work beside it, concurrent or not.
            expect(aloneInside).toBe(0);
            if (concurrent) {
              concurrentInside += 1;
              if (concurrentInside > 1) overlapped = true;
            } else {
              expect(concurrentInside).toBe(0);
              aloneInside += 1;
            }
            try {
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
            } finally {
              if (concurrent) concurrentInside -= 1;
              else aloneInside -= 1;
            }
          },
          concurrent ? { grouped: true, concurrent: true } : {},
        );
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
  return { overlapped };
}
