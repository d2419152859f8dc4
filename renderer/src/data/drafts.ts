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
 * Saves a draft at most once per `delayMs` while the agent types, and at once on `flush`
 * (switching conversation, closing the window). Writes run in order, so an older text never
 * lands after a newer one.
 */
export class DraftSaver {
  private pending: Draft | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: ParleyDb,
    private readonly delayMs: number = 400,
    private readonly onError: (error: unknown) => void = (error) => console.error('Parley: draft not saved', error),
  ) {}

  /** The draft as it is now: saved after a pause in typing. */
  schedule(draft: Draft): void {
    this.pending = draft;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Saves what is pending now; resolves when every write so far has finished. */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const draft = this.pending;
    this.pending = null;
    if (draft !== null) this.enqueue(() => saveDraft(this.db, draft));
    return this.chain;
  }

  /** Drops what is pending and forgets the stored draft (it was sent). */
  clear(conversationId: string): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    this.enqueue(() => clearDraft(this.db, conversationId));
    return this.chain;
  }

  private enqueue(write: () => Promise<void>): void {
    this.chain = this.chain.then(write).catch(this.onError);
  }
}
