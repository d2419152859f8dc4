import { randomUUID } from 'node:crypto';
import { afterEach, expect, test } from 'vitest';
import type { ChangeSet, Trx } from '../src/platform/store.js';
import { closeStores, committedIds, insertRow, openStore, range, rowSightRow, seqsOf } from './support/store-writes.js';

/**
 * Concurrent writes (PostgreSQL: side by side, taking their seqs at their end; SQLite runs
 * them as any write, alone): how many run at once, the seqs of their batches, and running
 * again alone.
 */

afterEach(closeStores);

/** A write that says when it has begun, and ends only when told. */
function heldWrite(
  log: string[],
  name: string,
): {
  work: (trx: Trx, changes: ChangeSet) => Promise<string>;
  begun: Promise<void>;
  release: () => void;
} {
  let begun!: () => void;
  let release!: () => void;
  const begunPromise = new Promise<void>((resolve) => (begun = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    work: async (trx, changes) => {
      log.push(`${name} begins`);
      begun();
      const id = await insertRow()(trx, changes);
      await released;
      log.push(`${name} ends`);
      return id;
    },
    begun: begunPromise,
    release,
  };
}

/** Resolves after the event loop and the database have had time to start what they would. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 150));

test('run side by side up to the limit; a write that must run alone waits for them, and runs alone', async () => {
  const { store, batches } = await openStore({ parallelGroups: 2 });
  const postgres = store.engine === 'postgres';
  const head = await store.head();
  const log: string[] = [];
  const [a, b, c] = ['a', 'b', 'c'].map((name) => heldWrite(log, name));
  const alone = heldWrite(log, 'alone');
  if (a === undefined || b === undefined || c === undefined) throw new Error('no writes');
  const writes = [store.write(a.work, { grouped: true, concurrent: true })];
  await a.begun;
  writes.push(store.write(b.work, { grouped: true, concurrent: true }));
  await settle();
  // Beside a on PostgreSQL; SQLite runs one transaction at a time.
  expect(log.includes('b begins')).toBe(postgres);
  writes.push(store.write(c.work, { grouped: true, concurrent: true }));
  writes.push(store.write(alone.work, { grouped: true }));
  await settle();
  // At most two at once: c waits for a slot, and the write alone for every other.
  expect(log.includes('c begins')).toBe(false);
  expect(log.includes('alone begins')).toBe(false);
  a.release();
  b.release();
  await c.begun;
  await settle();
  expect(log.includes('alone begins')).toBe(false);
  c.release();
  await alone.begun;
  alone.release();
  await Promise.all(writes);
  expect(log.indexOf('alone begins')).toBeGreaterThan(log.indexOf('c ends'));
  // Whatever ran beside what, the batches cover the seqs after the head, each once, each
  // batch exactly its range.
  expect(batches.flatMap((batch) => seqsOf(batch)).sort((x, y) => x - y)).toEqual(range(head, head + 4));
  for (const batch of batches) expect(seqsOf(batch)).toEqual(range(batch.after, batch.upTo));
});

test("a concurrent write's batch has its real seqs, as another node reads it back, changes of sight too", async () => {
  const { store, batches, reader } = await openStore();
  const head = await store.head();
  const ids = [randomUUID(), randomUUID()];
  await store.write(rowSightRow(ids), { grouped: true, concurrent: true });
  const [published] = batches;
  expect(published?.after).toBe(head);
  expect(published?.upTo).toBe(head + 3);
  expect(published === undefined ? [] : seqsOf(published)).toEqual([head + 1, head + 3]);
  expect(published?.access).toEqual([
    { agentId: 'agent-1', conversationId: 'conversation-1', visible: true, seq: head + 2 },
  ]);
  const read = await store.readCommitted(head);
  expect(read?.changes).toEqual(published?.changes);
  expect(read?.access).toEqual(published?.access);
  // No provisional seq was committed, and the counter moved on by three.
  const negative = await reader.selectFrom('canned_responses').select('id').where('seq', '<', 0).execute();
  expect(negative).toEqual([]);
  expect(await store.committedHead()).toBe(head + 3);
});

test('a concurrent write that meets something it may only do alone runs again alone, and is stored once', async () => {
  const { store, reader } = await openStore();
  const runs: boolean[] = [];
  const id = randomUUID();
  await store.write(
    async (trx, changes) => {
      runs.push(changes.concurrent);
      await insertRow(id)(trx, changes);
      changes.requireExclusive('a test');
      return id;
    },
    { grouped: true, concurrent: true },
  );
  // PostgreSQL: first beside others, then alone; SQLite: alone from the start.
  expect(runs).toEqual(store.engine === 'postgres' ? [true, false] : [false]);
  expect(await committedIds(reader)).toEqual([id]);
});
