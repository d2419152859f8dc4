import type { ParleyDb } from '../../data/db.js';
import { concernsAgent, planAnnouncement, type Announcement } from '../../domain/announcements.js';
import type { Arrivals } from '../../sync/engine.js';

/** Reads what the plan needs from the cache (the arrivals are stored by now) and plans. */
export async function announcementFor(db: ParleyDb, agentId: string, arrivals: Arrivals): Promise<Announcement> {
  const ids = [...new Set(arrivals.messages.map((message) => message.conversationId))];
  const conversations = new Map(
    (await db.conversations.bulkGet(ids)).flatMap((conversation) =>
      conversation === undefined ? [] : [[conversation.id, conversation] as const],
    ),
  );
  const relevant = arrivals.messages.filter((message) =>
    concernsAgent(conversations.get(message.conversationId), agentId),
  );
  return planAnnouncement(arrivals.during, relevant);
}
