import type { ParleyDb } from '../data/db.js';

/**
 * Asks for the next page of older messages of a conversation, for when the agent scrolls
 * to the top of its thread. The sync engine fetches it when online and stores it; once the
 * server said there is nothing older, asking again does nothing.
 */
export async function requestHistory(db: ParleyDb, conversationId: string, now: number = Date.now()): Promise<void> {
  await db.transaction('rw', db.history, async () => {
    const row = await db.history.get(conversationId);
    if (row !== undefined && (!row.hasMore || row.requestedAt !== null)) return;
    await db.history.put({ conversationId, hasMore: row?.hasMore ?? true, requestedAt: now });
  });
}
