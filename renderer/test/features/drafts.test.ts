import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { ParleyDb } from '../../src/data/db.js';
import {
  DraftSaver,
  clearDraft,
  type Draft,
  discardDrafts,
  draftSaverFor,
  isEmptyDraft,
  readDraft,
  saveDraft,
} from '../../src/data/drafts.js';

let count = 0;
const opened: ParleyDb[] = [];

function newDb(): ParleyDb {
  count += 1;
  const db = new ParleyDb(`drafts-test-${count}`);
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

describe('drafts', () => {
  it('keeps one draft per conversation, with its mode and mentions, across a reopening', async () => {
    const db = newDb();
    await saveDraft(db, { conversationId: 'c1', text: 'Hello', mode: 'reply', mentions: [] }, 10);
    await saveDraft(db, { conversationId: 'c2', text: '@Ann look', mode: 'note', mentions: ['ann'] }, 20);
    await saveDraft(db, { conversationId: 'c1', text: 'Hello again', mode: 'reply', mentions: [] }, 30);
    db.close();
    const again = new ParleyDb(db.name);
    opened.push(again);
    expect(await readDraft(again, 'c1')).toEqual({
      conversationId: 'c1',
      text: 'Hello again',
      mode: 'reply',
      mentions: [],
      updatedAt: 30,
    });
    expect(await readDraft(again, 'c2')).toMatchObject({ text: '@Ann look', mode: 'note', mentions: ['ann'] });
  });

  it('forgets an emptied reply, but keeps the note mode the agent chose', async () => {
    const db = newDb();
    await saveDraft(db, { conversationId: 'c1', text: 'Hello', mode: 'reply', mentions: [] });
    await saveDraft(db, { conversationId: 'c1', text: '  ', mode: 'reply', mentions: [] });
    expect(await readDraft(db, 'c1')).toBeUndefined();
    await saveDraft(db, { conversationId: 'c1', text: '', mode: 'note', mentions: [] });
    expect(await readDraft(db, 'c1')).toMatchObject({ mode: 'note' });
    await clearDraft(db, 'c1');
    expect(await readDraft(db, 'c1')).toBeUndefined();
    expect(isEmptyDraft({ text: '', mode: 'note' })).toBe(false);
  });

  it('saves only the latest text on flush, and clearing after sending wins over what was pending', async () => {
    const db = newDb();
    // A long pause: only the explicit flush writes, so nothing here depends on time.
    const saver = new DraftSaver(db, 60_000);
    saver.schedule({ conversationId: 'c1', text: 'H', mode: 'reply', mentions: [] });
    saver.schedule({ conversationId: 'c1', text: 'Hello', mode: 'reply', mentions: [] });
    expect(await readDraft(db, 'c1')).toBeUndefined();
    await saver.flush();
    expect(await readDraft(db, 'c1')).toMatchObject({ text: 'Hello' });

    saver.schedule({ conversationId: 'c1', text: 'Hello there', mode: 'reply', mentions: [] });
    await saver.clear('c1');
    await saver.flush();
    expect(await readDraft(db, 'c1')).toBeUndefined();
  });

  it('keeps what was typed in each conversation when the agent moves on before the pause', async () => {
    const db = newDb();
    const saver = new DraftSaver(db, 60_000);
    saver.schedule({ conversationId: 'c1', text: 'Let me check the tracking', mode: 'reply', mentions: [] });
    saver.schedule({ conversationId: 'c2', text: 'Speaks French', mode: 'note', mentions: [] });
    await saver.flush();
    expect(await readDraft(db, 'c1')).toMatchObject({ text: 'Let me check the tracking', mode: 'reply' });
    expect(await readDraft(db, 'c2')).toMatchObject({ text: 'Speaks French', mode: 'note' });
  });

  it('gives a conversation opened again what was typed in it, before or while it is written', async () => {
    const db = newDb();
    await db.open();
    // Every composer of a database shares one saver, so a read follows the writes before it.
    const saver = draftSaverFor(db);
    expect(draftSaverFor(db)).toBe(saver);
    const typed: Draft = { conversationId: 'c1', text: 'Let me check the tracking', mode: 'reply', mentions: [] };

    // Typed, then the conversation closed and opened again before the pause: not written yet.
    saver.schedule(typed);
    expect(await saver.read('c1')).toEqual(typed);

    // Closing flushes; the composer that opens it again reads in the same moment, while the
    // write is still on its way: the stored row alone would still be empty.
    void saver.flush();
    const reading = saver.read('c1');
    const stored = readDraft(db, 'c1');
    expect(await reading).toEqual(typed);
    expect(await stored).toBeUndefined();
    expect(await readDraft(db, 'c1')).toMatchObject({ text: 'Let me check the tracking' });

    // Several edits in flight: the read waits for the last one.
    saver.schedule({ ...typed, text: 'Let me check' });
    void saver.flush();
    saver.schedule({ ...typed, text: 'Let me check the tracking for you', mode: 'note' });
    void saver.flush();
    expect(await saver.read('c1')).toMatchObject({ text: 'Let me check the tracking for you', mode: 'note' });

    // Sent: gone, even with a read right behind the clearing.
    void saver.clear('c1');
    expect(await saver.read('c1')).toBeUndefined();
  });

  describe('closing the window mid-write', () => {
    /** localStorage's synchronous surface, in memory. */
    class MemoryStorage {
      readonly items = new Map<string, string>();
      getItem(key: string): string | null {
        return this.items.get(key) ?? null;
      }
      setItem(key: string, value: string): void {
        this.items.set(key, value);
      }
      removeItem(key: string): void {
        this.items.delete(key);
      }
      /** What the storage held at this moment, as the next window would find it. */
      snapshot(): MemoryStorage {
        const copy = new MemoryStorage();
        for (const [key, value] of this.items) copy.items.set(key, value);
        return copy;
      }
    }
    const quiet = (error: unknown): void => {
      throw error;
    };
    const typed: Draft = {
      conversationId: 'c1',
      text: 'Let me check the tracking for you today',
      mode: 'reply',
      mentions: [],
    };

    it('journals what was typed as the window closes, and the next window writes it when the write was lost', async () => {
      const db = newDb();
      const storage = new MemoryStorage();
      const closing = new DraftSaver(db, 60_000, quiet, storage, () => 100);
      closing.schedule(typed);
      closing.keep();
      // Synchronously, before any IndexedDB write could finish.
      const left = storage.snapshot();
      expect([...left.items.keys()]).toEqual([`parley:drafts-unsaved:${db.name}`]);
      // The page was gone before IndexedDB committed: the stored row is not there.
      await closing.flush();
      await clearDraft(db, 'c1');

      const next = new DraftSaver(db, 60_000, quiet, left, () => 200);
      expect(await next.read('c1')).toEqual(typed);
      expect(await readDraft(db, 'c1')).toMatchObject({ text: typed.text, updatedAt: 100 });
      // Written: the journal is empty again.
      expect(left.items.size).toBe(0);
    });

    it('never lets a journal overwrite a newer stored draft, and journals a forgotten one too', async () => {
      const db = newDb();
      const storage = new MemoryStorage();
      const closing = new DraftSaver(db, 60_000, quiet, storage, () => 100);
      closing.schedule({ conversationId: 'c2', text: 'Speaks French', mode: 'note', mentions: [] });
      await closing.flush();
      // Typed in c1 and sent in c2 just before closing: both journaled, neither written yet.
      closing.schedule(typed);
      void closing.clear('c2');
      closing.keep();
      const left = storage.snapshot();
      const journaled = JSON.parse(left.getItem(`parley:drafts-unsaved:${db.name}`) ?? '[]') as { text: string }[];
      expect(journaled.map((entry) => entry.text).sort()).toEqual(['', typed.text]);
      await closing.flush();
      // Meanwhile another window stored a newer c1, and c2's deletion was lost.
      await saveDraft(db, { ...typed, text: 'Newer text' }, 150);
      await saveDraft(db, { conversationId: 'c2', text: 'Speaks French', mode: 'note', mentions: [] }, 90);

      const next = new DraftSaver(db, 60_000, quiet, left, () => 200);
      expect(await next.read('c1')).toMatchObject({ text: 'Newer text' });
      expect(await next.read('c2')).toBeUndefined();
    });

    it('does not bring back a draft sent after it was journaled, and merges two windows’ journals', async () => {
      const db = newDb();
      const storage = new MemoryStorage();
      const key = `parley:drafts-unsaved:${db.name}`;
      const window = new DraftSaver(db, 60_000, quiet, storage, () => 100);
      // Another window of the same database closes first and journals c2.
      storage.setItem(key, JSON.stringify([{ conversationId: 'c2', text: 'Hi', mode: 'reply', mentions: [], at: 50 }]));
      window.schedule(typed);
      window.keep();
      expect(JSON.parse(storage.getItem(key) ?? '[]')).toEqual([
        { conversationId: 'c2', text: 'Hi', mode: 'reply', mentions: [], at: 50 },
        { ...typed, at: 100 },
      ]);
      // The next window writes both.
      const next = new DraftSaver(db, 60_000, quiet, storage.snapshot(), () => 200);
      expect(await next.read('c1')).toEqual(typed);
      expect(await next.read('c2')).toMatchObject({ text: 'Hi' });
      // The window was not closed after all (the page came back), and the reply was sent.
      await window.clear('c1');
      expect(JSON.parse(storage.getItem(key) ?? '[]')).toEqual([
        { conversationId: 'c2', text: 'Hi', mode: 'reply', mentions: [], at: 50 },
      ]);
    });

    it('forgets everything when the agent signs out', async () => {
      const db = newDb();
      const storage = new MemoryStorage();
      const saver = new DraftSaver(db, 60_000, quiet, storage, () => 100);
      saver.schedule(typed);
      saver.keep();
      saver.schedule({ ...typed, conversationId: 'c2' });
      expect(storage.items.size).toBe(1);
      saver.discard();
      expect(storage.items.size).toBe(0);
      await saver.flush();
      expect(await readDraft(db, 'c2')).toBeUndefined();
    });

    it("journals on the window's close, and stops listening once the agent signs out", async () => {
      const db = newDb();
      const storage = new MemoryStorage();
      // A window: its close events, and its localStorage.
      const listening = new Map<string, number>();
      class FakeWindow extends EventTarget {
        readonly localStorage = storage;
        override addEventListener(type: string, listener: EventListener): void {
          listening.set(type, (listening.get(type) ?? 0) + 1);
          super.addEventListener(type, listener);
        }
        override removeEventListener(type: string, listener: EventListener): void {
          listening.set(type, (listening.get(type) ?? 0) - 1);
          super.removeEventListener(type, listener);
        }
      }
      const fake = new FakeWindow();
      Object.assign(globalThis, { window: fake });
      try {
        const saver = draftSaverFor(db);
        saver.schedule(typed);
        fake.dispatchEvent(new Event('pagehide'));
        expect(storage.items.size).toBe(1);
        await saver.flush();
        expect(listening.get('pagehide')).toBe(1);
        expect(listening.get('beforeunload')).toBe(1);

        discardDrafts(db);
        expect(storage.items.size).toBe(0);
        expect(listening.get('pagehide')).toBe(0);
        expect(listening.get('beforeunload')).toBe(0);
        // A composer still on screen gets the same saver, which keeps nothing any more.
        expect(draftSaverFor(db)).toBe(saver);
        saver.schedule({ ...typed, text: 'Typed after signing out' });
        saver.keep();
        await saver.flush();
        expect(storage.items.size).toBe(0);
        expect(listening.get('pagehide')).toBe(0);
        expect(await saver.read('c1')).toBeUndefined();
        // Signed in again in this window: a new database, with a saver of its own.
        const again = new ParleyDb(db.name);
        opened.push(again);
        expect(draftSaverFor(again)).not.toBe(saver);
        expect(listening.get('pagehide')).toBe(1);
        discardDrafts(again);
      } finally {
        Reflect.deleteProperty(globalThis, 'window');
      }
    });

    it('does not bring back text the agent deleted after another window journaled it', async () => {
      const db = newDb();
      const storage = new MemoryStorage();
      // This window started first, with nothing journaled.
      const window = new DraftSaver(db, 60_000, quiet, storage, () => 100);
      // Then a pop-out of the same cache closed with c1 and c2 not yet written.
      storage.setItem(
        `parley:drafts-unsaved:${db.name}`,
        JSON.stringify([
          { ...typed, at: 50 },
          { conversationId: 'c2', text: 'Hi', mode: 'reply', mentions: [], at: 50 },
        ]),
      );
      // Here the agent empties c1: stored as no row.
      window.schedule({ ...typed, text: '' });
      await window.flush();
      expect(await readDraft(db, 'c1')).toBeUndefined();

      // The next window to start brings back c2, not the text deleted from c1.
      const next = new DraftSaver(db, 60_000, quiet, storage, () => 200);
      expect(await next.read('c1')).toBeUndefined();
      expect(await next.read('c2')).toMatchObject({ text: 'Hi' });
    });

    it('ignores a journal it cannot read', async () => {
      const db = newDb();
      const storage = new MemoryStorage();
      storage.setItem(`parley:drafts-unsaved:${db.name}`, '{not json');
      const saver = new DraftSaver(db, 60_000, quiet, storage);
      expect(await saver.read('c1')).toBeUndefined();
      saver.schedule(typed);
      await saver.flush();
      expect(await saver.read('c1')).toEqual(typed);
    });
  });
});
