import { z } from 'zod';
import type { DraftRow, ParleyDb } from './db.js';

/**
 * Drafts: what the agent was writing in a conversation and has not sent, one per
 * conversation, on this device only. Kept across switching conversations, reloads and
 * restarts; cleared once sent.
 */

export type Draft = Omit<DraftRow, 'updatedAt'>;

/** A draft with nothing to keep: no text, and the composer's usual mode. */
export function isEmptyDraft(draft: Pick<Draft, 'text' | 'mode'>): boolean {
  return draft.text.trim() === '' && draft.mode === 'reply';
}

export async function readDraft(db: ParleyDb, conversationId: string): Promise<DraftRow | undefined> {
  return db.drafts.get(conversationId);
}

/** Keeps the draft, or forgets it when there is nothing left in it. */
export async function saveDraft(db: ParleyDb, draft: Draft, now: number = Date.now()): Promise<void> {
  if (isEmptyDraft(draft)) {
    await db.drafts.delete(draft.conversationId);
    return;
  }
  await db.drafts.put({
    conversationId: draft.conversationId,
    text: draft.text,
    mode: draft.mode,
    mentions: [...draft.mentions],
    updatedAt: now,
  });
}

export async function clearDraft(db: ParleyDb, conversationId: string): Promise<void> {
  await db.drafts.delete(conversationId);
}

/** Where a window keeps, synchronously, what it could not finish writing as it closed. */
export type DraftJournalStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** A draft as typed at `at` (ms), with an empty one standing for "forgotten" (sent). */
type Kept = Draft & { at: number };

const KeptSchema = z.object({
  conversationId: z.string(),
  text: z.string(),
  mode: z.enum(['reply', 'note']),
  mentions: z.array(z.string()),
  at: z.number(),
});
const JournalSchema = z.array(KeptSchema);

/**
 * Saves drafts at most once per `delayMs` while the agent types, and at once on `flush`
 * (switching conversation, closing the window). Writes run in order, so an older text never
 * lands after a newer one, and `read` answers only after the writes before it: a composer
 * opening a conversation gets what the one closing it had just typed, written or not.
 * One saver serves a database (`draftSaverFor`), so every composer shares that order.
 *
 * An IndexedDB write started as the window closes or reloads may never finish: the page is
 * gone first. So `keep` (on pagehide and beforeunload) also copies every draft not yet
 * confirmed written into a journal in localStorage, which is written at once; the next saver
 * of that database writes the journal's drafts that are newer than the stored ones, then
 * forgets them.
 */
export class DraftSaver {
  // What was typed and not written yet, by conversation: leaving one never drops another's.
  private readonly pending = new Map<string, Kept>();
  // Typed or forgotten and not yet confirmed in IndexedDB: what `keep` journals.
  private readonly unwritten = new Map<string, Kept>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly journalKey: string;
  // The agent signed out: the database is closed and gone, nothing more is kept.
  private discarded = false;

  constructor(
    private readonly db: ParleyDb,
    private readonly delayMs: number = 400,
    private readonly onError: (error: unknown) => void = (error) => console.error('Parley: draft not saved', error),
    private readonly journal: DraftJournalStorage | null = browserStorage(),
    private readonly now: () => number = Date.now,
  ) {
    this.journalKey = journalKeyOf(db);
    this.recover();
  }

  /** The draft as it is now: saved after a pause in typing. */
  schedule(draft: Draft): void {
    if (this.discarded) return;
    const kept = { ...copy(draft), at: this.now() };
    this.pending.set(draft.conversationId, kept);
    this.unwritten.set(draft.conversationId, kept);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Saves what is pending now; resolves when every write so far has finished. */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const drafts = [...this.pending.values()];
    this.pending.clear();
    for (const draft of drafts) {
      // Emptied: stored as no row at all, which carries no time, so a journal an earlier
      // window left with older text would bring it back. Those entries go now.
      if (isEmptyDraft(draft)) this.forgetJournaled(draft.conversationId, draft.at);
      this.enqueue(draft, () => saveDraft(this.db, draft, draft.at));
    }
    return this.chain;
  }

  /** Drops what is pending for the conversation and forgets its stored draft (it was sent). */
  clear(conversationId: string): Promise<void> {
    if (this.discarded) return this.chain;
    this.pending.delete(conversationId);
    const forgotten: Kept = { conversationId, text: '', mode: 'reply', mentions: [], at: this.now() };
    this.unwritten.set(conversationId, forgotten);
    // A journal left by a window that closed before this one opened is already written; one
    // this window left (and came back from) must not bring the sent text back.
    this.forgetJournaled(conversationId, forgotten.at);
    this.enqueue(forgotten, () => clearDraft(this.db, conversationId));
    return this.chain;
  }

  /**
   * The window is closing or reloading: journals, synchronously, every draft not yet
   * confirmed written, then starts writing them (which may not finish).
   */
  keep(): void {
    if (this.discarded) return;
    const mine = [...this.unwritten.values()];
    if (mine.length > 0) {
      this.rewriteJournal((entries) => {
        const newest = new Map(entries.map((entry) => [entry.conversationId, entry]));
        for (const entry of mine) {
          const other = newest.get(entry.conversationId);
          if (other === undefined || other.at <= entry.at) newest.set(entry.conversationId, entry);
        }
        return [...newest.values()];
      });
    }
    void this.flush();
  }

  /**
   * This device forgets the agent's data (signing out): nothing pending, nothing journaled,
   * and from now on nothing kept, whatever a composer still on screen asks.
   */
  discard(): void {
    this.discarded = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    this.unwritten.clear();
    this.rewriteJournal(() => []);
  }

  /** The conversation's draft as the agent last left it: pending, or stored once the writes before it are done. */
  async read(conversationId: string): Promise<Draft | undefined> {
    if (this.discarded) return undefined;
    const typed = this.pending.get(conversationId);
    if (typed !== undefined) return copy(typed);
    await this.chain;
    // Typed again while the earlier writes ran: that is newer than anything stored.
    const newer = this.pending.get(conversationId);
    if (newer !== undefined) return copy(newer);
    const row = await readDraft(this.db, conversationId);
    return row === undefined ? undefined : copy(row);
  }

  /** Writes what an earlier window journaled as it closed, where it is newer than what is stored. */
  private recover(): void {
    const entries = this.readJournal();
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (!this.unwritten.has(entry.conversationId)) this.unwritten.set(entry.conversationId, entry);
    }
    this.enqueue(null, async () => {
      for (const entry of entries) {
        const row = await readDraft(this.db, entry.conversationId);
        const newer = row === undefined ? !isEmptyDraft(entry) : row.updatedAt < entry.at;
        if (newer) await saveDraft(this.db, entry, entry.at);
        if (this.unwritten.get(entry.conversationId) === entry) this.unwritten.delete(entry.conversationId);
      }
      // Written: forget those entries, and only those (another window may have added since).
      this.rewriteJournal((now) =>
        now.filter(
          (kept) => !entries.some((done) => done.conversationId === kept.conversationId && done.at === kept.at),
        ),
      );
    });
  }

  private enqueue(kept: Kept | null, write: () => Promise<void>): void {
    this.chain = this.chain
      .then(write)
      .then(() => {
        // Confirmed written, unless the agent changed it again meanwhile.
        if (kept !== null && this.unwritten.get(kept.conversationId) === kept)
          this.unwritten.delete(kept.conversationId);
      })
      .catch(this.onError);
  }

  private readJournal(): Kept[] {
    return this.journal === null ? [] : parseJournal(this.journal.getItem(this.journalKey));
  }

  /** Takes out of the journal what was typed in the conversation up to `at`. */
  private forgetJournaled(conversationId: string, at: number): void {
    this.rewriteJournal((entries) =>
      entries.filter((entry) => entry.conversationId !== conversationId || entry.at > at),
    );
  }

  private rewriteJournal(change: (entries: Kept[]) => Kept[]): void {
    if (this.journal === null) return;
    try {
      const raw = this.journal.getItem(this.journalKey);
      const after = change(parseJournal(raw));
      if (after.length > 0) this.journal.setItem(this.journalKey, JSON.stringify(after));
      else if (raw !== null) this.journal.removeItem(this.journalKey);
    } catch (error) {
      // Storage full or disabled: the IndexedDB write is all there is.
      this.onError(error);
    }
  }
}

function parseJournal(raw: string | null): Kept[] {
  if (raw === null) return [];
  try {
    const parsed = JournalSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    // Unreadable: there is nothing in it to recover.
    return [];
  }
}

function journalKeyOf(db: ParleyDb): string {
  return `parley:drafts-unsaved:${db.name}`;
}

function browserStorage(): DraftJournalStorage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

function copy(draft: Draft): Draft {
  return { conversationId: draft.conversationId, text: draft.text, mode: draft.mode, mentions: [...draft.mentions] };
}

/** Each database's saver, and how to stop it listening for the window closing. */
const savers = new WeakMap<ParleyDb, { saver: DraftSaver; detach: () => void }>();

/** The one saver of this database's drafts. */
export function draftSaverFor(db: ParleyDb): DraftSaver {
  const known = savers.get(db);
  if (known !== undefined) return known.saver;
  const saver = new DraftSaver(db);
  let detach = (): void => undefined;
  // Closing or reloading the window: what was not written yet goes to the journal at once.
  if (typeof window !== 'undefined') {
    const keep = (): void => saver.keep();
    window.addEventListener('pagehide', keep);
    window.addEventListener('beforeunload', keep);
    detach = () => {
      window.removeEventListener('pagehide', keep);
      window.removeEventListener('beforeunload', keep);
    };
  }
  savers.set(db, { saver, detach });
  return saver;
}

/**
 * Signing out, or a deactivated account: the drafts of that database go with it, journal
 * included, and its saver stops listening. It stays this database's saver, silent, for a
 * composer still on screen; signing in again opens a new database, with a saver of its own.
 */
export function discardDrafts(db: ParleyDb): void {
  const known = savers.get(db);
  if (known !== undefined) {
    known.saver.discard();
    known.detach();
    return;
  }
  // No composer opened in this session: only a journal an earlier window left may remain.
  try {
    browserStorage()?.removeItem(journalKeyOf(db));
  } catch {
    // Storage disabled: there is no journal either.
  }
}
