import Dexie from 'dexie';
import type { MetaRow, ParleyDb } from './db.js';

/** How much of the cached history one eviction frees: a quarter, and never fewer than this. */
const EVICT_FRACTION = 0.25;
const EVICT_MIN = 200;
const MAX_EVICTIONS = 3;
/** Every conversation keeps at least its newest messages, so no thread is ever emptied. */
const KEEP_PER_CONVERSATION = 20;
/** Evictions closer together than this are told as one. */
const EPISODE_MS = 60 * 60 * 1000;

/** Whether IndexedDB refused a write because the origin is out of storage. */
export function isQuotaError(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause !== null && cause !== undefined && depth < 4; depth += 1) {
    if (cause instanceof Dexie.QuotaExceededError) return true;
    if (typeof cause !== 'object') return false;
    const { name, inner, failures } = cause as { name?: unknown; inner?: unknown; failures?: unknown };
    if (name === 'QuotaExceededError') return true;
    // A bulk write reports each refused row in `failures` (Dexie's BulkError), not `inner`.
    if (Array.isArray(failures) && failures.some((failure) => isQuotaError(failure))) return true;
    cause = inner;
  }
  return false;
}

/**
 * Deletes the oldest cached messages, and forgets what was known of their conversations'
 * older history, so scrolling back asks the server again. What stays of a conversation is
 * always its newest messages, without a hole, since history fills in only before the
 * oldest one cached: at least its newest KEEP_PER_CONVERSATION, and everything from the
 * first message the outbox needs (an optimistic copy, a message a queued change refers
 * to) onwards. Records how many went, for the app to say so. Returns that number.
 */
export async function evictOldestMessages(db: ParleyDb, now: number = Date.now()): Promise<number> {
  // Only deletes in this transaction: Chromium aborts any transaction that writes while the
  // origin is over its quota, but lets one that only deletes through, and frees its room.
  const evicted = await db.transaction('rw', [db.messages, db.outbox, db.history], async () => {
    const total = await db.messages.count();
    const wanted = Math.max(EVICT_MIN, Math.ceil(total * EVICT_FRACTION));
    const pinned = new Set<string>();
    for (const row of await db.outbox.toArray()) {
      const mutation = row.mutation;
      if (mutation.type === 'message.react') pinned.add(mutation.messageId);
      if (mutation.type === 'message.send' && mutation.replyToMessageId !== null) {
        pinned.add(mutation.replyToMessageId);
      }
    }
    const left = new Map<string, number>();
    for (const key of await db.messages.orderBy('[conversationId+createdAt]').keys()) {
      const conversationId: unknown = Array.isArray(key) ? key[0] : undefined;
      if (typeof conversationId === 'string') left.set(conversationId, (left.get(conversationId) ?? 0) + 1);
    }
    // Once a conversation reaches what must stay, everything newer in it stays too.
    const kept = new Set<string>();
    const victims: { id: string; conversationId: string }[] = [];
    await db.messages
      .orderBy('createdAt')
      .until(() => victims.length >= wanted)
      .each((message) => {
        const conversationId = message.conversationId;
        if (kept.has(conversationId)) return;
        const remaining = left.get(conversationId) ?? 0;
        // seq 0 is an optimistic copy: the only copy of what the agent wrote.
        if (message.seq === 0 || pinned.has(message.id) || remaining <= KEEP_PER_CONVERSATION) {
          kept.add(conversationId);
          return;
        }
        left.set(conversationId, remaining - 1);
        victims.push({ id: message.id, conversationId });
      });
    if (victims.length === 0) return 0;
    await db.messages.bulkDelete(victims.map((victim) => victim.id));
    // No row means "there may be more": the thread asks when scrolled to its top.
    await db.history.bulkDelete([...new Set(victims.map((victim) => victim.conversationId))]);
    return victims.length;
  });
  if (evicted === 0) return 0;
  try {
    await db.transaction('rw', db.meta, async () => {
      const previous = await db.meta.get('evicted');
      const recent = previous?.key === 'evicted' && now - previous.value < EPISODE_MS;
      const count = evicted + (recent ? previous.count : 0);
      const mark: MetaRow = { key: 'evicted', value: now, count };
      await db.meta.put(mark);
    });
  } catch (error) {
    // Still no room even for the mark: the room made is what matters; the next eviction says so.
    if (!isQuotaError(error)) throw error;
  }
  return evicted;
}

/**
 * Runs a write; when the browser says the quota is exceeded, evicts the oldest messages and
 * runs it again, a few times at most. The outbox is never evicted, so a reply the agent
 * wrote is written as soon as there is room for it.
 */
export async function withQuotaRecovery<T>(db: ParleyDb, write: () => Promise<T>): Promise<T> {
  for (let evictions = 0; ; evictions += 1) {
    try {
      return await write();
    } catch (error) {
      if (!isQuotaError(error) || evictions >= MAX_EVICTIONS) throw error;
      const freed = await evictOldestMessages(db);
      if (freed === 0) throw error;
    }
  }
}
