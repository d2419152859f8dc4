import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '@parley/protocol';
import { ParleyDb } from '../../src/data/db.js';
import {
  KEPT_OPENINGS,
  forgetOpenings,
  keepOpening,
  keptOpening,
  readAhead,
  readAheadMany,
} from '../../src/data/threadPrefetch.js';
import { account, contact, conversationAt, message } from '../fixtures.js';

/** The first screens read ahead of a click, kept in memory so the click renders them at once. */

const NOON = new Date(2026, 5, 10, 12, 0).getTime();

function numbered(conversationId: string, count: number): Message[] {
  return Array.from({ length: count }, (_, index) =>
    message({ id: `${conversationId}-m${index + 1}`, conversationId, createdAt: NOON + index * 60_000 }),
  );
}

let db: ParleyDb | undefined;

afterEach(async () => {
  forgetOpenings();
  db?.close();
  await db?.delete();
  db = undefined;
});

async function seeded(conversations: number, messages: number): Promise<ParleyDb> {
  const opened = new ParleyDb(`thread-prefetch-${Date.now()}-${Math.random()}`);
  await opened.open();
  for (let n = 1; n <= conversations; n += 1) {
    await opened.conversations.put(conversationAt('whatsapp', NOON, { id: `c${n}` }));
    await opened.messages.bulkPut(numbered(`c${n}`, messages));
  }
  return opened;
}

describe('reading a thread ahead', () => {
  it('keeps the newest page of a conversation read ahead, and reads it only once', async () => {
    db = await seeded(1, 100);
    expect(keptOpening(db, 'c1')).toBeUndefined();
    const first = readAhead(db, 'c1');
    // Asked again while it is read: the same read.
    expect(readAhead(db, 'c1')).toBe(first);
    const opening = await first;
    expect(opening?.conversation?.id).toBe('c1');
    expect(opening?.messages).toHaveLength(60);
    expect(opening?.messages.at(-1)?.id).toBe('c1-m100');
    expect(keptOpening(db, 'c1')).toBe(opening);
    // Read again from memory, not from the cache.
    await db.messages.clear();
    expect(await readAhead(db, 'c1')).toBe(opening);
  });

  it('reads the contact and the account with the first page, so the header names the customer and the inbox at once', async () => {
    db = await seeded(1, 3);
    // c1's contact k1 was merged into k2.
    await db.contacts.bulkPut([contact('k1', { name: 'Ana', mergedInto: 'k2' }), contact('k2', { name: 'Ana Lima' })]);
    await db.channelAccounts.put(account('Lisbon store'));
    const opening = await readAhead(db, 'c1');
    expect(opening?.contact?.name).toBe('Ana Lima');
    expect(opening?.account?.name).toBe('Lisbon store');
  });

  it('keeps nothing for a conversation the cache does not hold', async () => {
    db = await seeded(1, 5);
    expect(await readAhead(db, 'c9')).toBeUndefined();
    expect(keptOpening(db, 'c9')).toBeUndefined();
  });

  it('keeps only the newest page of a thread that showed more, and forgets the least recently used', async () => {
    db = await seeded(KEPT_OPENINGS + 2, 3);
    const shown = numbered('c1', 200);
    keepOpening(db, {
      conversationId: 'c1',
      conversation: undefined,
      contact: undefined,
      account: undefined,
      messages: shown,
      history: undefined,
    });
    expect(keptOpening(db, 'c1')?.messages).toEqual(shown.slice(-60));

    await readAheadMany(
      db,
      Array.from({ length: KEPT_OPENINGS + 2 }, (_, index) => `c${index + 2}`),
    );
    // No more are read ahead than are kept; the first one kept went first.
    expect(keptOpening(db, 'c1')).toBeUndefined();
    expect(keptOpening(db, 'c2')?.messages).toHaveLength(3);
    expect(keptOpening(db, `c${KEPT_OPENINGS + 1}`)).toBeDefined();
    expect(keptOpening(db, `c${KEPT_OPENINGS + 2}`)).toBeUndefined();
  });

  it('does not answer from another database', async () => {
    db = await seeded(1, 3);
    await readAhead(db, 'c1');
    const other = new ParleyDb(`thread-prefetch-other-${Date.now()}`);
    expect(keptOpening(other, 'c1')).toBeUndefined();
  });
});
