import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { ParleyDb } from '../../src/data/db.js';
import { ConversationIndex, FIRST_PAGE, PAGE } from '../../src/data/conversationIndex.js';
import { watchListTables } from '../../src/data/listChanges.js';
import { contact, conversationAt, message } from '../fixtures.js';

let count = 0;
const open: { db: ParleyDb; index: ConversationIndex }[] = [];

async function setup(): Promise<{ db: ParleyDb; index: ConversationIndex }> {
  count += 1;
  const db = new ParleyDb(`conversation-index-test-${count}`);
  watchListTables(db);
  await db.open();
  const index = new ConversationIndex(db, 'me');
  open.push({ db, index });
  return { db, index };
}

afterEach(async () => {
  for (const { db, index } of open.splice(0)) {
    index.close();
    db.close();
    await Dexie.delete(db.name);
  }
});

/** Resolves once the index has told its listeners `times` more times. */
function told(index: ConversationIndex, times = 1): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const stop = index.subscribe(() => {
      seen += 1;
      if (seen >= times) {
        stop();
        resolve();
      }
    });
  });
}

describe('the conversation index', () => {
  it('reads every conversation in pages, the newest first page first', async () => {
    const { db } = await setup();
    const total = FIRST_PAGE + PAGE + 7;
    await db.conversations.bulkPut(
      Array.from({ length: total }, (_, at) =>
        conversationAt('whatsapp', at, { id: `c${at}`, lastMessageAt: at, assigneeId: at === 3 ? 'me' : null }),
      ),
    );
    // An index made after the writes: all it knows comes from reading.
    const index = new ConversationIndex(db, 'me');
    open.push({ db, index });
    const seen: number[] = [];
    const stop = index.subscribe(() => seen.push(index.conversations.size));
    await index.load();
    stop();
    expect(index.complete).toBe(true);
    expect(index.conversations.size).toBe(total);
    // The first page: the newest conversations, and the agent's own (an old one here).
    expect(seen[0]).toBe(FIRST_PAGE + 1);
    expect(index.conversations.has(`c${total - 1}`)).toBe(true);
    expect(index.conversations.has('c3')).toBe(true);
  });

  it('holds what follows the first rows until they are painted, and says so once', async () => {
    const { db, index } = await setup();
    await db.conversations.bulkPut([conversationAt('whatsapp', 1, { id: 'a' })]);
    let settledTold = 0;
    index.subscribeSettled(() => {
      settledTold += 1;
    });
    const firstPage = told(index);
    const loading = index.load();
    await firstPage;
    // Rows to paint: nothing is let go before they are on screen.
    expect(index.settled).toBe(false);
    expect(settledTold).toBe(0);
    index.rowsPainted();
    expect(index.settled).toBe(true);
    await index.whenSettled();
    index.rowsPainted();
    expect(settledTold).toBe(1);
    await loading;
    expect(index.complete).toBe(true);
  });

  it('lets go at once when the cache has no conversation to paint', async () => {
    const { index } = await setup();
    const firstPage = told(index);
    const loading = index.load();
    await firstPage;
    expect(index.settled).toBe(true);
    await loading;
  });

  it('follows puts and deletes after they commit, without reading the table again', async () => {
    const { db, index } = await setup();
    await db.conversations.bulkPut([
      conversationAt('whatsapp', 1, { id: 'a' }),
      conversationAt('whatsapp', 2, { id: 'b' }),
    ]);
    await index.load();
    const before = index.version;

    let change = told(index);
    await db.conversations.put(conversationAt('whatsapp', 3, { id: 'c', unreadCount: 2 }));
    await change;
    expect(index.conversations.get('c')?.unreadCount).toBe(2);

    change = told(index);
    await db.conversations.update('a', { assigneeId: 'me' });
    await change;
    expect(index.conversations.get('a')?.assigneeId).toBe('me');

    change = told(index);
    await db.conversations.delete('b');
    await change;
    expect(index.conversations.has('b')).toBe(false);
    expect(index.version).toBeGreaterThan(before);
  });

  it('ignores a write whose transaction aborts', async () => {
    const { db, index } = await setup();
    await db.conversations.put(conversationAt('whatsapp', 1, { id: 'a', unreadCount: 0 }));
    await index.load();
    await expect(
      db.transaction('rw', db.conversations, async () => {
        await db.conversations.put(conversationAt('whatsapp', 1, { id: 'a', unreadCount: 5 }));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    // A later committed write is seen, and the aborted one never was.
    const change = told(index);
    await db.conversations.put(conversationAt('whatsapp', 1, { id: 'z' }));
    await change;
    expect(index.conversations.get('a')?.unreadCount).toBe(0);
    expect(index.conversations.has('z')).toBe(true);
  });

  it('reads everything again after the table is cleared (a resync)', async () => {
    const { db, index } = await setup();
    await db.conversations.bulkPut([
      conversationAt('whatsapp', 1, { id: 'a' }),
      conversationAt('whatsapp', 2, { id: 'b' }),
    ]);
    await index.load();
    const change = told(index);
    await db.transaction('rw', db.conversations, async () => {
      await db.conversations.clear();
      await db.conversations.put(conversationAt('whatsapp', 3, { id: 'fresh' }));
    });
    await change;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (index.complete) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    expect([...index.conversations.keys()]).toEqual(['fresh']);
  });

  it('knows the conversations whose notes mention the agent, as notes come and go', async () => {
    const { db, index } = await setup();
    await db.messages.put(message({ id: 'n1', conversationId: 'c1', kind: 'note', mentions: ['me', 'you'] }));
    await db.messages.put(message({ id: 'n2', conversationId: 'c2', kind: 'note', mentions: ['you'] }));
    await index.load();
    expect([...index.mentioned]).toEqual(['c1']);

    let change = told(index);
    await db.messages.put(message({ id: 'n3', conversationId: 'c3', kind: 'note', mentions: ['me'] }));
    await change;
    expect([...index.mentioned].sort()).toEqual(['c1', 'c3']);

    change = told(index);
    await db.messages.delete('n1');
    await change;
    expect([...index.mentioned]).toEqual(['c3']);
  });

  it('reads only the contacts asked for, follows merges, and keeps them current', async () => {
    const { db, index } = await setup();
    await db.contacts.bulkPut([
      contact('k1', { name: 'Old', mergedInto: 'k2' }),
      contact('k2', { name: 'Kept' }),
      contact('k3', { name: 'Never asked' }),
    ]);
    await index.wantContacts(['k1']);
    expect(index.contact('k1')?.name).toBe('Old');
    expect(index.contact('k2')?.name).toBe('Kept');
    expect(index.contact('k3')).toBeUndefined();

    const conversationsTold: number[] = [];
    const stopConversations = index.subscribe(() => conversationsTold.push(1));
    const change = new Promise<void>((resolve) => {
      const stop = index.subscribeContacts(() => {
        stop();
        resolve();
      });
    });
    await db.contacts.update('k2', { name: 'Renamed' });
    await change;
    stopConversations();
    expect(index.contact('k2')?.name).toBe('Renamed');
    // A contact's change tells the rows that show it, not the lists and counts.
    expect(conversationsTold).toEqual([]);
  });

  it('does not let a page read before a write bring back the old copy', async () => {
    const { db, index } = await setup();
    await db.conversations.bulkPut(
      Array.from({ length: FIRST_PAGE + 10 }, (_, at) =>
        conversationAt('whatsapp', at, { id: `c${at}`, lastMessageAt: at + 1 }),
      ),
    );
    const loading = index.load();
    await db.conversations.update('c0', { unreadCount: 9 });
    await loading;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(index.conversations.get('c0')?.unreadCount).toBe(9);
  });
});

describe('the conversation index with another window on the same database', () => {
  /** A second window's handle on the database: it writes, and this window's index must hear of it. */
  async function otherWindow(db: ParleyDb): Promise<ParleyDb> {
    const other = new ParleyDb(db.name);
    watchListTables(other);
    await other.open();
    return other;
  }

  it('reads again the conversations another window wrote or deleted', async () => {
    const { db, index } = await setup();
    await db.conversations.bulkPut([
      conversationAt('whatsapp', 1, { id: 'a' }),
      conversationAt('whatsapp', 2, { id: 'b' }),
    ]);
    await index.load();
    const other = await otherWindow(db);
    try {
      // The other window's own index follows its writes too: the two must not be confused.
      const otherIndex = new ConversationIndex(other, 'me');
      open.push({ db: other, index: otherIndex });

      let change = told(index);
      await other.conversations.put(conversationAt('whatsapp', 3, { id: 'c', unreadCount: 4 }));
      await change;
      expect(index.conversations.get('c')?.unreadCount).toBe(4);

      change = told(index);
      await other.conversations.delete('a');
      await change;
      expect(index.conversations.has('a')).toBe(false);
      expect(index.conversations.has('b')).toBe(true);
    } finally {
      other.close();
    }
  });

  it('reads everything again after another window writes in bulk, and drops what it removed', async () => {
    const { db, index } = await setup();
    await db.conversations.bulkPut([conversationAt('whatsapp', 1, { id: 'gone' })]);
    await index.load();
    const other = await otherWindow(db);
    try {
      await other.transaction('rw', other.conversations, async () => {
        await other.conversations.delete('gone');
        await other.conversations.bulkPut(
          Array.from({ length: 80 }, (_, at) => conversationAt('whatsapp', at, { id: `bulk${at}`, lastMessageAt: at })),
        );
      });
      await expect.poll(() => index.conversations.size).toBe(80);
      expect(index.conversations.has('gone')).toBe(false);
      expect(index.complete).toBe(true);
    } finally {
      other.close();
    }
  });

  it('hears of a note that mentions the agent written by another window', async () => {
    const { db, index } = await setup();
    await index.load();
    const other = await otherWindow(db);
    try {
      const change = told(index);
      await other.messages.put(message({ id: 'note1', conversationId: 'c9', kind: 'note', mentions: ['me'] }));
      await change;
      expect(index.mentioned.has('c9')).toBe(true);
    } finally {
      other.close();
    }
  });

  it('reads again a contact on screen that another window changed', async () => {
    const { db, index } = await setup();
    await db.contacts.put(contact('k1', { name: 'Before' }));
    await index.load();
    await index.wantContacts(['k1']);
    const other = await otherWindow(db);
    try {
      await other.contacts.put(contact('k1', { name: 'After', seq: 2 }));
      await expect.poll(() => index.contact('k1')?.name).toBe('After');
    } finally {
      other.close();
    }
  });

  it('does not read again what its own window wrote', async () => {
    const { db, index } = await setup();
    await index.load();
    const reads: string[] = [];
    const bulkGet = db.conversations.bulkGet.bind(db.conversations);
    db.conversations.bulkGet = (keys: string[]) => {
      reads.push(...keys);
      return bulkGet(keys);
    };
    const change = told(index);
    await db.conversations.put(conversationAt('whatsapp', 3, { id: 'own' }));
    await change;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(index.conversations.has('own')).toBe(true);
    expect(reads).toEqual([]);
  });
});
