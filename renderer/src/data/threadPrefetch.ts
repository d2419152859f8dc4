import { useEffect, useState } from 'react';
import type { ParleyDb } from './db.js';
import { readOpening, THREAD_FIRST_PAGE, type ThreadOpening } from './threadWindow.js';

/** How many conversations' first screens are kept in memory: the ones read ahead and the last opened. */
export const KEPT_OPENINGS = 16;

type Kept = { db: ParleyDb; opening: ThreadOpening };

/** The first screens kept, least recently used first (a Map keeps its insertion order). */
const kept = new Map<string, Kept>();
/** The reads under way, so a conversation is not read twice at once. */
const reading = new Map<string, Promise<ThreadOpening | undefined>>();

function keyOf(db: ParleyDb, conversationId: string): string {
  return `${db.name}\u0000${conversationId}`;
}

/**
 * Keeps a conversation's first screen (the conversation, its newest page, its history row),
 * so opening it again renders its messages in the click's own frame. What is kept is only
 * what shows first: the thread's live queries read the cache again once it is mounted.
 */
export function keepOpening(db: ParleyDb, opening: ThreadOpening): ThreadOpening {
  const key = keyOf(db, opening.conversationId);
  kept.delete(key);
  // Only the newest page: a thread scrolled far up does not keep all it showed.
  const messages =
    opening.messages.length > THREAD_FIRST_PAGE ? opening.messages.slice(-THREAD_FIRST_PAGE) : opening.messages;
  const keeping = messages === opening.messages ? opening : { ...opening, messages };
  kept.set(key, { db, opening: keeping });
  while (kept.size > KEPT_OPENINGS) {
    const oldest = kept.keys().next().value;
    if (oldest === undefined) break;
    kept.delete(oldest);
  }
  return keeping;
}

/** The first screen kept for a conversation, if any (and it becomes the most recently used). */
export function keptOpening(db: ParleyDb, conversationId: string): ThreadOpening | undefined {
  const key = keyOf(db, conversationId);
  const entry = kept.get(key);
  if (entry === undefined || entry.db !== db) return undefined;
  kept.delete(key);
  kept.set(key, entry);
  return entry.opening;
}

/**
 * Reads a conversation's first screen ahead of its opening (a row the agent points at,
 * moves to with the keyboard, or sees at the top of the list), in one read transaction by
 * index. A conversation already kept or being read is not read again.
 */
export function readAhead(db: ParleyDb, conversationId: string): Promise<ThreadOpening | undefined> {
  const key = keyOf(db, conversationId);
  const entry = kept.get(key);
  if (entry !== undefined && entry.db === db) return Promise.resolve(entry.opening);
  const under = reading.get(key);
  if (under !== undefined) return under;
  const read = readOpening(db, conversationId).then(
    (opening) => {
      reading.delete(key);
      if (opening.conversation === undefined) return undefined;
      return keepOpening(db, opening);
    },
    () => {
      reading.delete(key);
      return undefined;
    },
  );
  reading.set(key, read);
  return read;
}

/**
 * Reads ahead the first screens of several conversations (the rows in sight), one after
 * the other so the cache answers the thread first, and no more than are kept.
 */
export async function readAheadMany(db: ParleyDb, conversationIds: readonly string[]): Promise<void> {
  for (const id of conversationIds.slice(0, KEPT_OPENINGS)) await readAhead(db, id);
}

/** Forgets every first screen kept (signing out, or a cache rebuilt). */
export function forgetOpenings(): void {
  kept.clear();
  reading.clear();
}

/**
 * The first screen of the conversation chosen. One kept in memory (read ahead, or opened
 * before) shows in the render that chose it; otherwise it is read once, in one transaction,
 * and until then the opening of the conversation chosen before is kept (or undefined).
 */
export function useThreadOpening(db: ParleyDb, conversationId: string | null): ThreadOpening | undefined {
  const [opening, setOpening] = useState<ThreadOpening | undefined>(undefined);
  if (conversationId !== null && opening?.conversationId !== conversationId) {
    const known = peekOpening(db, conversationId);
    // Shown in this very render: React renders again at once with it, before committing.
    if (known !== undefined) setOpening(known);
  }
  useEffect(() => {
    // One kept is already shown (and becomes the most recently used).
    if (conversationId === null || keptOpening(db, conversationId) !== undefined) return;
    let current = true;
    readOpening(db, conversationId).then(
      (read) => {
        if (!current) return;
        setOpening(read.conversation === undefined ? read : keepOpening(db, read));
      },
      () => {
        // The thread reads for itself once mounted: an empty opening lets it.
        if (current)
          setOpening({
            conversationId,
            conversation: undefined,
            contact: undefined,
            account: undefined,
            messages: [],
            history: undefined,
          });
      },
    );
    return () => {
      current = false;
    };
  }, [db, conversationId]);
  return opening;
}

/** The first screen kept for a conversation, without touching the order of use (safe in a render). */
function peekOpening(db: ParleyDb, conversationId: string): ThreadOpening | undefined {
  const entry = kept.get(keyOf(db, conversationId));
  return entry === undefined || entry.db !== db ? undefined : entry.opening;
}
