import Dexie from 'dexie';
import { useSyncExternalStore } from 'react';
import type { Contact, Conversation, Message } from '@parley/protocol';
import { mark } from '../common/marks.js';
import type { ParleyDb } from './db.js';
import { onListTablesChanged, type TableChange, type WatchedTable } from './listChanges.js';

/**
 * The inbox list's memory of the conversations: every cached conversation once, loaded in
 * pages (the newest first, which paint at once; the rest follows in the background),
 * then kept current by the writes themselves rather than by reading the table again. Views,
 * filters, sorting and counts run over it in memory: 10,000 conversations take milliseconds.
 * Contacts are read only for the rows on screen and those around them, and their changes
 * are told apart (`subscribeContacts`): a name arriving renders its row, not the list.
 */

/** Rows read for the first paint, then per page in the background. */
export const FIRST_PAGE = 60;
export const PAGE = 2000;
/** Contacts read in one request while the list scrolls. */
const CONTACTS_READ = 40;
/** The longest the rest of the list waits for the first rows to be painted. */
const PAINT_WAIT_MS = 1000;
/** The longest anything waits for the first rows, from the index's creation. */
const SETTLE_CAP_MS = 2000;

function isConversation(value: unknown): value is Conversation {
  return typeof value === 'object' && value !== null && typeof (value as Conversation).id === 'string';
}

export class ConversationIndex {
  /** Every cached conversation by id (filled progressively until `complete`). */
  readonly conversations = new Map<string, Conversation>();
  /** The notes that mention the agent: message id → conversation id. */
  private readonly mentionNotes = new Map<string, string>();
  private mentionedCache: Set<string> | null = null;
  /** Contacts read for rows on screen (and the ones they were merged into). */
  private readonly contacts = new Map<string, Contact>();
  private readonly contactsAsked = new Set<string>();
  /** True once every page was read. */
  complete = false;
  /** Bumped when the conversations or mentions change: what lists and counts are computed from. */
  version = 0;
  /** Bumped when a cached contact changes or arrives. */
  contactsVersion = 0;
  private ticks = 0;
  /** Told when contacts arrive or change: only the rows that show them render again, not the list. */
  private readonly contactListeners = new Set<() => void>();
  private contactsNotifyScheduled = false;
  /** Ids written or deleted since the current load began: a page read before must not bring back their old copy. */
  private touched = new Set<string>();
  private generation = 0;
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;
  private readonly unsubscribe: () => void;
  private markPainted: () => void = () => undefined;
  /** Resolves once a list has shown this index's rows (or there were none to show). */
  private readonly painted = new Promise<void>((resolve) => {
    this.markPainted = resolve;
  });
  /** True once the first rows are on screen, there were none, or the wait for them ran out. */
  settled = false;
  private readonly settledListeners = new Set<() => void>();

  constructor(
    private readonly db: ParleyDb,
    private readonly agentId: string,
  ) {
    this.unsubscribe = onListTablesChanged(db, (changes) => this.apply(changes));
    // A first page that never comes (the cache failed) holds nothing back for long either.
    setTimeout(() => this.settle(), SETTLE_CAP_MS);
  }

  /** Starts (or restarts) reading every conversation, newest first. Resolves when all are read. */
  async load(): Promise<void> {
    this.generation += 1;
    const generation = this.generation;
    this.touched = new Set();
    this.complete = false;
    const table = this.db.conversations;
    const [first, mine, notes] = await Promise.all([
      table.orderBy('lastMessageAt').reverse().limit(FIRST_PAGE).toArray(),
      table
        .where('[assigneeId+lastMessageAt]')
        .between([this.agentId, Dexie.minKey], [this.agentId, Dexie.maxKey])
        .reverse()
        .limit(FIRST_PAGE)
        .toArray(),
      this.db.messages.where('mentions').equals(this.agentId).toArray(),
    ]);
    if (generation !== this.generation) return;
    for (const note of notes) this.mentionNotes.set(note.id, note.conversationId);
    this.mentionedCache = null;
    const seen = new Set<string>();
    this.take(first, seen);
    this.take(mine, seen);
    mark('list:first-page');
    this.changed(true);
    // An empty cache has no rows to paint: what waits for them need not.
    if (first.length === 0 && mine.length === 0) this.settle();
    // At start, the rest waits until the list has painted the first rows (or a moment has
    // passed): reading and sorting 10,000 rows on the main thread would only delay them.
    if (generation === 1) {
      await Promise.race([this.painted, new Promise((resolve) => setTimeout(resolve, PAINT_WAIT_MS))]);
      this.settle();
      if (generation !== this.generation) return;
    }
    // The rest in pages by id: a key range read whole (getAll) is far cheaper than walking
    // an index with a cursor, and the first page already holds what the first paint needs.
    let after: string | null = null;
    for (;;) {
      const range = after === null ? table.toCollection() : table.where(':id').above(after);
      const page: Conversation[] = await range.limit(PAGE).toArray();
      if (generation !== this.generation) return;
      this.take(page, seen);
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) break;
      after = last.id;
      this.changed(false);
    }
    // Read again over what was kept (another window rewrote the table): what is gone goes.
    for (const id of this.conversations.keys()) {
      if (!seen.has(id) && !this.touched.has(id)) this.conversations.delete(id);
    }
    this.complete = true;
    mark('list:complete');
    this.changed(true);
  }

  private take(rows: readonly Conversation[], seen: Set<string>): void {
    for (const row of rows) {
      seen.add(row.id);
      if (!this.touched.has(row.id)) this.conversations.set(row.id, row);
    }
  }

  /** Tells the index its first rows are on screen: what is left to read can be read now. */
  rowsPainted(): void {
    if (!this.settled) mark('list:painted');
    this.settle();
  }

  private settle(): void {
    this.markPainted();
    if (this.settled) return;
    this.settled = true;
    for (const listener of [...this.settledListeners]) listener();
  }

  /**
   * Resolves once the first rows are on screen (or there are none, or the wait for them ran
   * out): what the first frame does not show (the sync engine, the thread, the search
   * worker) starts then, instead of competing with the rows for the main thread.
   */
  whenSettled(): Promise<void> {
    return this.painted;
  }

  /** Listens for `settled` turning true. */
  subscribeSettled = (listener: () => void): (() => void) => {
    this.settledListeners.add(listener);
    return () => this.settledListeners.delete(listener);
  };

  getSettled = (): boolean => this.settled;

  /** The conversations with a note that mentions the agent. */
  get mentioned(): ReadonlySet<string> {
    this.mentionedCache ??= new Set(this.mentionNotes.values());
    return this.mentionedCache;
  }

  /** A cached contact by id (undefined until read: ask with `wantContacts`). */
  contact(id: string): Contact | undefined {
    return this.contacts.get(id);
  }

  /** Reads the contacts not cached yet among `ids`, following merges; resolves when they are in. */
  async wantContacts(ids: Iterable<string>): Promise<void> {
    let missing = [...new Set(ids)].filter((id) => !this.contactsAsked.has(id));
    if (missing.length === 0) return;
    for (const id of missing) this.contactsAsked.add(id);
    for (let hop = 0; missing.length > 0 && hop < 8; hop += 1) {
      const next: string[] = [];
      // A few at a time, each read answered in a task of its own: a read of hundreds of
      // contacts at once would hold the main thread for a frame or more while the list scrolls.
      for (let from = 0; from < missing.length; from += CONTACTS_READ) {
        const batch = missing.slice(from, from + CONTACTS_READ);
        const rows = await this.db.contacts.bulkGet(batch);
        batch.forEach((id, index) => {
          const contact = rows[index];
          if (contact === undefined) return;
          this.contacts.set(id, contact);
          if (contact.mergedInto !== null && !this.contactsAsked.has(contact.mergedInto)) {
            this.contactsAsked.add(contact.mergedInto);
            next.push(contact.mergedInto);
          }
        });
        // The rows of this batch show their names now, not once every batch is read.
        this.contactsChanged();
      }
      missing = next;
    }
  }

  /** The contacts cached so far, for `resolveContact`. */
  get contactMap(): ReadonlyMap<string, Contact> {
    return this.contacts;
  }

  private apply(changes: readonly TableChange[]): void {
    for (const change of changes) if (change.kind === 'elsewhere') this.readAgain(change.table, change.keys);
    let reload = false;
    let changed = false;
    let contactsChanged = false;
    for (const change of changes) {
      if (change.table === 'conversations') {
        if (change.kind === 'reset') reload = true;
        else if (change.kind === 'elsewhere') continue;
        else if (change.kind === 'put') {
          for (const value of change.values) {
            if (!isConversation(value)) continue;
            this.touched.add(value.id);
            this.conversations.set(value.id, value);
            changed = true;
          }
        } else {
          for (const key of change.keys) {
            if (typeof key !== 'string') continue;
            this.touched.add(key);
            changed = this.conversations.delete(key) || changed;
          }
        }
      } else if (change.table === 'messages') {
        if (change.kind === 'reset') {
          this.mentionNotes.clear();
          reload = true;
        } else if (change.kind === 'elsewhere') continue;
        else if (change.kind === 'put') {
          for (const value of change.values) {
            const message = value as Partial<Message>;
            if (typeof message.id !== 'string' || typeof message.conversationId !== 'string') continue;
            const mentions = message.mentions ?? [];
            if (mentions.includes(this.agentId)) {
              if (!this.mentionNotes.has(message.id)) changed = true;
              this.mentionNotes.set(message.id, message.conversationId);
            } else if (this.mentionNotes.delete(message.id)) changed = true;
          }
        } else {
          for (const key of change.keys) if (typeof key === 'string' && this.mentionNotes.delete(key)) changed = true;
        }
        if (changed) this.mentionedCache = null;
      } else {
        if (change.kind === 'reset') {
          this.contacts.clear();
          this.contactsAsked.clear();
          contactsChanged = true;
        } else if (change.kind === 'elsewhere') continue;
        else if (change.kind === 'put') {
          for (const value of change.values) {
            const contact = value as Contact;
            if (typeof contact.id === 'string' && this.contactsAsked.has(contact.id)) {
              this.contacts.set(contact.id, contact);
              if (contact.mergedInto !== null && !this.contactsAsked.has(contact.mergedInto)) {
                void this.wantContacts([contact.mergedInto]);
              }
              contactsChanged = true;
            }
          }
        } else {
          for (const key of change.keys) {
            if (typeof key === 'string' && this.contactsAsked.delete(key)) {
              this.contacts.delete(key);
              contactsChanged = true;
            }
          }
        }
      }
    }
    if (reload) {
      this.conversations.clear();
      this.mentionNotes.clear();
      this.mentionedCache = null;
      this.changed(true);
      void this.load();
      return;
    }
    if (changed) this.changed(false);
    if (contactsChanged) this.contactsChanged();
  }

  /** How long a burst of another window's bulk writes is let settle before the list reads everything again. */
  private static readonly RELOAD_SETTLE_MS = 250;
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;

  /** Reads again what another window wrote: the rows it names, or everything after a bulk write. */
  private readAgain(table: WatchedTable, keys: readonly string[] | 'all'): void {
    const failed = (): void => {
      // The database closed meanwhile (signed out, upgraded): whoever opens it next reads it anew.
    };
    if (table === 'conversations') {
      if (keys === 'all') {
        if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => {
          this.reloadTimer = null;
          void this.load().catch(failed);
        }, ConversationIndex.RELOAD_SETTLE_MS);
        return;
      }
      void this.db.conversations.bulkGet([...keys]).then((rows) => {
        keys.forEach((id, index) => {
          const row = rows[index];
          this.touched.add(id);
          if (row === undefined) this.conversations.delete(id);
          else this.conversations.set(id, row);
        });
        this.changed(false);
      }, failed);
    } else if (table === 'messages') {
      if (keys !== 'all' && !keys.includes(this.agentId)) return;
      void this.db.messages
        .where('mentions')
        .equals(this.agentId)
        .toArray()
        .then((notes) => {
          this.mentionNotes.clear();
          for (const note of notes) this.mentionNotes.set(note.id, note.conversationId);
          this.mentionedCache = null;
          this.changed(false);
        }, failed);
    } else {
      const stale = keys === 'all' ? [...this.contactsAsked] : keys.filter((id) => this.contactsAsked.has(id));
      for (const id of stale) this.contactsAsked.delete(id);
      if (stale.length > 0) void this.wantContacts(stale).catch(failed);
    }
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getTicks = (): number => this.ticks;

  /** Listens for contacts read or changed (not for conversations: see `subscribe`). */
  subscribeContacts = (listener: () => void): (() => void) => {
    this.contactListeners.add(listener);
    return () => this.contactListeners.delete(listener);
  };

  private contactsChanged(): void {
    this.contactsVersion += 1;
    if (this.contactsNotifyScheduled) return;
    this.contactsNotifyScheduled = true;
    // Once per burst of reads, in the same task: rows show their names in the frame they arrive.
    queueMicrotask(() => {
      this.contactsNotifyScheduled = false;
      for (const listener of [...this.contactListeners]) listener();
    });
  }

  /** Tells the views; at once for a first paint, else once per burst of writes. */
  private changed(now: boolean): void {
    this.version += 1;
    if (now) {
      this.ticks += 1;
      this.notify();
      return;
    }
    this.schedule();
  }

  private schedule(): void {
    this.ticks += 1;
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setTimeout(() => this.notify(), 30);
  }

  private notify(): void {
    this.notifyScheduled = false;
    for (const listener of [...this.listeners]) listener();
  }

  /** Stops following the database. */
  close(): void {
    this.generation += 1;
    if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
    this.unsubscribe();
  }
}

const indexes = new WeakMap<ParleyDb, ConversationIndex>();

/** The one index of a database (the agent is the same for a database's whole life). */
export function conversationIndex(db: ParleyDb, agentId: string): ConversationIndex {
  let index = indexes.get(db);
  if (index === undefined) {
    index = new ConversationIndex(db, agentId);
    indexes.set(db, index);
    void index.load();
  }
  return index;
}

/** Whether the list's first rows are on screen yet (see `whenSettled`). */
export function useRowsSettled(db: ParleyDb, agentId: string): boolean {
  const index = conversationIndex(db, agentId);
  return useSyncExternalStore(index.subscribeSettled, index.getSettled);
}

/**
 * The index and its version: the component renders again on every change of the
 * conversations (contacts arriving do not: rows follow them with `subscribeContacts`).
 */
export function useConversationIndex(db: ParleyDb, agentId: string): { index: ConversationIndex; version: number } {
  const index = conversationIndex(db, agentId);
  useSyncExternalStore(index.subscribe, index.getTicks);
  return { index, version: index.version };
}
