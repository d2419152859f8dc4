import type { Conversation, Message } from '@parley/protocol';
import type { ParleyDb } from '../data/db.js';
import type { Arrivals } from '../sync/engine.js';

/** A catch-up that found this many messages or more is told as one summary. */
export const SUMMARY_FROM = 2;

export type Announcement =
  | { kind: 'none' }
  /** One notification a message: a customer wrote while the agent was here. */
  | { kind: 'each'; messages: Message[] }
  /** One line for everything an absence brought ("14 new messages in 6 conversations"). */
  | { kind: 'summary'; messages: number; conversations: number };

/**
 * What concerns this agent: messages in conversations assigned to them or waiting in the
 * unassigned queue. Someone else's conversation is theirs to be told about.
 */
export function concernsAgent(conversation: Conversation | undefined, agentId: string): boolean {
  if (conversation === undefined || conversation.status === 'resolved') return false;
  return conversation.assigneeId === null || conversation.assigneeId === agentId;
}

/**
 * How to tell the agent about `messages` (already filtered to what concerns them): a
 * catch-up after an absence gives one summary instead of a flood; live messages are told
 * one by one.
 */
export function planAnnouncement(during: Arrivals['during'], messages: readonly Message[]): Announcement {
  if (messages.length === 0) return { kind: 'none' };
  if (during === 'catchUp' && messages.length >= SUMMARY_FROM) {
    return {
      kind: 'summary',
      messages: messages.length,
      conversations: new Set(messages.map((message) => message.conversationId)).size,
    };
  }
  return { kind: 'each', messages: [...messages] };
}

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
