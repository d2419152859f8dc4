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

/**
 * Saves drafts at most once per `delayMs` while the agent types, and at once on `flush`
 * (switching conversation, closing the window). Writes run in order, so an older text never
 * lands after a newer one, and `read` answers only after the writes before it: a composer
 * opening a conversation gets what the one closing it had just typed, written or not.
 * One saver serves a database (`draftSaverFor`), so every composer shares that order.
 */
export class DraftSaver {
  // What was typed and not written yet, by conversation: leaving one never drops another's.
  private readonly pending = new Map<string, Draft>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: ParleyDb,
    private readonly delayMs: number = 400,
    private readonly onError: (error: unknown) => void = (error) => console.error('Parley: draft not saved', error),
  ) {}

  /** The draft as it is now: saved after a pause in typing. */
  schedule(draft: Draft): void {
    this.pending.set(draft.conversationId, draft);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Saves what is pending now; resolves when every write so far has finished. */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const drafts = [...this.pending.values()];
    this.pending.clear();
    for (const draft of drafts) this.enqueue(() => saveDraft(this.db, draft));
    return this.chain;
  }

  /** Drops what is pending for the conversation and forgets its stored draft (it was sent). */
  clear(conversationId: string): Promise<void> {
    this.pending.delete(conversationId);
    this.enqueue(() => clearDraft(this.db, conversationId));
    return this.chain;
  }

  /** The conversation's draft as the agent last left it: pending, or stored once the writes before it are done. */
  async read(conversationId: string): Promise<Draft | undefined> {
    const typed = this.pending.get(conversationId);
    if (typed !== undefined) return copy(typed);
    await this.chain;
    // Typed again while the earlier writes ran: that is newer than anything stored.
    const newer = this.pending.get(conversationId);
    if (newer !== undefined) return copy(newer);
    const row = await readDraft(this.db, conversationId);
    return row === undefined ? undefined : copy(row);
  }

  private enqueue(write: () => Promise<void>): void {
    this.chain = this.chain.then(write).catch(this.onError);
  }
}

function copy(draft: Draft): Draft {
  return { conversationId: draft.conversationId, text: draft.text, mode: draft.mode, mentions: [...draft.mentions] };
}

const savers = new WeakMap<ParleyDb, DraftSaver>();

/** The one saver of this database's drafts. */
export function draftSaverFor(db: ParleyDb): DraftSaver {
  let saver = savers.get(db);
  if (saver === undefined) {
    saver = new DraftSaver(db);
    savers.set(db, saver);
  }
  return saver;
}
