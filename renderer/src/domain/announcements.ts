import type { Conversation, Message } from '@parley/protocol';

/** How messages came: pushed live, or found by a catch-up pull after an absence. */
export type ArrivalKind = 'live' | 'catchUp';

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
export function planAnnouncement(during: ArrivalKind, messages: readonly Message[]): Announcement {
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
