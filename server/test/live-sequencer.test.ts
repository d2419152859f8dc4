import { expect, test } from 'vitest';
import type { CommittedBatch } from '../src/platform/store.js';
import { LiveSequencer } from '../src/transport/socket/live.js';

/**
 * The order a node delivers in when commits come from it and from other nodes: a database
 * of seqs stands in for the store, and each batch says where it came from.
 */

function batch(after: number, upTo: number, from: string): CommittedBatch {
  return {
    after,
    upTo,
    changes: [],
    access: [],
    placements: new Map(),
    contactPlacements: new Map(),
    grants: new Map(),
    origin: { channel: from, receivedAt: 0 },
  };
}

function node(startHead: number): {
  sequencer: LiveSequencer;
  delivered: { after: number; upTo: number; from: string }[];
  reads: { after: number; until: number | undefined }[];
  setHead: (head: number) => void;
  errors: unknown[];
} {
  let head = startHead;
  const delivered: { after: number; upTo: number; from: string }[] = [];
  const reads: { after: number; until: number | undefined }[] = [];
  const errors: unknown[] = [];
  const sequencer = new LiveSequencer({
    committedHead: () => Promise.resolve(head),
    readCommitted: (after, until) => {
      reads.push({ after, until });
      const upTo = Math.min(head, until ?? Number.POSITIVE_INFINITY);
      const read = batch(after, upTo, 'database');
      delete read.origin;
      return Promise.resolve(upTo <= after ? null : read);
    },
    deliver: (committed) => {
      delivered.push({ after: committed.after, upTo: committed.upTo, from: committed.origin?.channel ?? 'database' });
      return Promise.resolve();
    },
    onError: (error) => errors.push(error),
  });
  return { sequencer, delivered, reads, setHead: (value) => (head = value), errors };
}

test('its own commits are delivered from memory, in order, without reading the database', async () => {
  const { sequencer, delivered, reads, setHead } = node(10);
  await sequencer.start();
  setHead(12);
  sequencer.committed(batch(10, 12, 'here'));
  setHead(13);
  sequencer.committed(batch(12, 13, 'here'));
  await sequencer.settled();
  expect(delivered).toEqual([
    { after: 10, upTo: 12, from: 'here' },
    { after: 12, upTo: 13, from: 'here' },
  ]);
  expect(reads).toEqual([]);
});

test("another node's commits before one of ours are read up to where ours begins, then ours follows", async () => {
  const { sequencer, delivered, reads, setHead } = node(10);
  await sequencer.start();
  // Another node wrote 11 and 12, then this one wrote 13-14; its notice came first.
  setHead(14);
  sequencer.committed(batch(12, 14, 'here'));
  await sequencer.settled();
  expect(reads).toEqual([{ after: 10, until: 12 }]);
  expect(delivered).toEqual([
    { after: 10, upTo: 12, from: 'database' },
    { after: 12, upTo: 14, from: 'here' },
  ]);
  // The other node's notice arrives late: it was delivered already, nothing more.
  sequencer.heard(12, { channel: 'there', receivedAt: 0 });
  await sequencer.settled();
  expect(delivered).toHaveLength(2);
});

test('a notice makes the node read to the head; a lost one is made up by the check; nothing twice', async () => {
  const { sequencer, delivered, setHead } = node(5);
  await sequencer.start();
  setHead(7);
  sequencer.heard(7, { channel: 'there', receivedAt: 1 });
  await sequencer.settled();
  expect(delivered).toEqual([{ after: 5, upTo: 7, from: 'there' }]);

  // Commits 8-9 with no notice (Redis away): the check of the head finds them.
  setHead(9);
  await sequencer.check();
  await sequencer.settled();
  // Our own commit of 8-9 is heard after the read covered it: not delivered again.
  sequencer.committed(batch(7, 9, 'here'));
  await sequencer.settled();
  expect(delivered).toEqual([
    { after: 5, upTo: 7, from: 'there' },
    { after: 7, upTo: 9, from: 'database' },
  ]);
  for (let index = 1; index < delivered.length; index += 1) {
    expect(delivered[index]?.after).toBe(delivered[index - 1]?.upTo);
  }
});

test('a start that failed is tried again by the next check', async () => {
  let fail = true;
  const delivered: number[] = [];
  const errors: unknown[] = [];
  const sequencer = new LiveSequencer({
    committedHead: () => (fail ? Promise.reject(new Error('database away')) : Promise.resolve(3)),
    readCommitted: () => Promise.resolve(null),
    deliver: (committed) => {
      delivered.push(committed.upTo);
      return Promise.resolve();
    },
    onError: (error) => errors.push(error),
  });
  await expect(sequencer.start()).rejects.toThrow('database away');
  expect(sequencer.position).toBeNull();
  fail = false;
  await sequencer.check();
  expect(sequencer.position).toBe(3);
  sequencer.committed(batch(3, 4, 'here'));
  await sequencer.settled();
  expect(delivered).toEqual([4]);
});
