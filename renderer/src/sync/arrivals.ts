import type { Change, LiveBatch, Message } from '@parley/protocol';
import type { SyncLink } from './link.js';

/**
 * How much older than the last sync a message may claim to be and still count as news:
 * platforms stamp messages with their own clocks, and deliver some a little late.
 */
const ARRIVAL_CLOCK_SKEW_MS = 15 * 60 * 1000;

/**
 * The customers' messages among `changes` that are news: not stored here, and either
 * written since this device last synced, or newer than anything it knew of their
 * conversation (a platform may deliver a message hours late, after an outage). An old
 * message that comes again with a new seq (a contact merge, a reaction, one older than
 * what the first sync brought) is not news.
 */
export async function unseen(link: SyncLink, changes: readonly Change[], lastSynced: number): Promise<Message[]> {
  if (link.options.onArrivals === undefined) return [];
  const inbound = changes.flatMap((change) =>
    change.entity === 'message' && change.data.direction === 'inbound' ? [change.data] : [],
  );
  if (inbound.length === 0) return [];
  const db = link.db;
  const conversationIds = [...new Set(inbound.map((message) => message.conversationId))];
  const [stored, conversations] = await Promise.all([
    db.messages.bulkGet(inbound.map((message) => message.id)),
    db.conversations.bulkGet(conversationIds),
  ]);
  const known = new Map<string, number>();
  conversationIds.forEach((id, index) => {
    const conversation = conversations[index];
    if (conversation !== undefined) known.set(id, conversation.lastInboundAt ?? 0);
  });
  const since = lastSynced - ARRIVAL_CLOCK_SKEW_MS;
  return inbound.filter((message, index) => {
    if (stored[index] !== undefined) return false;
    const lastKnown = known.get(message.conversationId);
    return lastKnown === undefined || message.createdAt > lastKnown || message.createdAt >= since;
  });
}

/** One entry per message id, keeping the last version seen (a pull may carry one twice). */
export function dedupe(messages: readonly Message[]): Message[] {
  return [...new Map(messages.map((message) => [message.id, message])).values()];
}

/** The seq a live batch brings the cursor to: what it covers, even past the changes this user was sent. */
export function lastSeq(batch: LiveBatch): number {
  return Math.max(batch.upTo, ...batch.changes.map((change) => change.data.seq));
}
