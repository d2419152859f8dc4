import type { Conversation } from '@parley/protocol';
import { isQuietTime, type Settings } from '../settings/index.js';

/**
 * When Parley tells the agent something, as a rule with no side effects: the same policy
 * decides for the native notifications inside Electron and for the web ones in a browser.
 *
 * - What: a message in a conversation of mine (`myMessages`), a message in an unassigned
 *   conversation of my teams' queue (`teamQueue`), a note that mentions me (`mentions`), a
 *   conversation given to me (`assignments`).
 * - Quiet: never for the conversation on screen while the window has focus, never during
 *   the do-not-disturb hours (which may span midnight).
 * - Never a flood: what a reconnect brings, or a burst of many at once, is one digest, and
 *   the digests of one absence are merged into one (same tag: it replaces the last).
 */
export type NotificationKind = 'message' | 'queue' | 'mention' | 'assignment';

type Preferences = Settings['notifications'];

/** The tag of the one digest notification: a newer digest replaces it. */
export const DIGEST_TAG = 'parley:summary';

/** A live burst of this many notifications or more is told as one digest. */
export const FLOOD_FROM = 4;

/** A catch-up that found this many messages or more is told as one digest. */
export const DIGEST_FROM = 2;

export type NotifyContext = {
  preferences: Preferences;
  now: Date;
  /** Whether the app's window has focus (the agent is looking at it). */
  focused: boolean;
  /** The conversation on screen, if any. */
  onScreen: string | null;
};

/** Whether the agent asked to hear about this kind. */
export function kindWanted(kind: NotificationKind, preferences: Preferences): boolean {
  switch (kind) {
    case 'message':
      return preferences.myMessages;
    case 'queue':
      return preferences.teamQueue;
    case 'mention':
      return preferences.mentions;
    case 'assignment':
      return preferences.assignments;
  }
}

/** Whether nothing may show now: the do-not-disturb hours. */
export function isQuiet(context: Pick<NotifyContext, 'preferences' | 'now'>): boolean {
  return isQuietTime(context.preferences.doNotDisturb, context.now);
}

/** Whether one notification about `conversationId` shows now. */
export function shouldNotify(kind: NotificationKind, conversationId: string | null, context: NotifyContext): boolean {
  if (!kindWanted(kind, context.preferences) || isQuiet(context)) return false;
  return !(context.focused && conversationId !== null && context.onScreen === conversationId);
}

/** A digest shows only when the agent is not looking at the app, and not in quiet hours. */
export function shouldNotifyDigest(context: NotifyContext): boolean {
  return !context.focused && !isQuiet(context);
}

/** Whether a notification plays its sound. */
export function isSilent(preferences: Preferences): boolean {
  return !preferences.sound;
}

/**
 * What a customer's message in this conversation is to this agent: theirs (`message`), a
 * new conversation (unassigned, never answered) in the queue of one of their teams or of
 * no team (`queue`), or none of their business (someone else's, resolved, or a queued
 * conversation an agent already answered).
 */
export function messageKind(
  conversation: Pick<Conversation, 'status' | 'assigneeId' | 'teamId' | 'firstResponseAt'> | undefined,
  agent: { id: string; teamIds: readonly string[] },
): NotificationKind | null {
  if (conversation === undefined || conversation.status === 'resolved') return null;
  if (conversation.assigneeId === agent.id) return 'message';
  if (conversation.assigneeId !== null || conversation.firstResponseAt !== null) return null;
  return conversation.teamId === null || agent.teamIds.includes(conversation.teamId) ? 'queue' : null;
}

/** What one digest tells, and when it last grew. */
export type Digest = { messageIds: ReadonlySet<string>; conversationIds: ReadonlySet<string>; at: number };

/** A digest takes in what comes within this long of its last news; after that it is closed. */
export const DIGEST_OPEN_MS = 60_000;

export type NotificationPlan<T> = { kind: 'none' } | { kind: 'each'; items: T[] } | { kind: 'digest'; digest: Digest };

type Item = { id: string; conversationId: string };

/**
 * How to tell `items` (what the agent wants to hear of): one by one while they work; one
 * digest for a catch-up after an absence or a burst. A digest still open (`last`, updated
 * less than `DIGEST_OPEN_MS` before `now`) takes in what comes next, each message counted
 * once, so the pages of one reconnect are one digest, not several.
 */
export function planNotifications<T extends Item>(
  during: 'live' | 'catchUp',
  items: readonly T[],
  last: Digest | null,
  now: number,
): NotificationPlan<T> {
  if (items.length === 0) return { kind: 'none' };
  const open = last !== null && now - last.at < DIGEST_OPEN_MS ? last : null;
  const flood = during === 'catchUp' ? items.length >= DIGEST_FROM : items.length >= FLOOD_FROM;
  // A live message while the agent works is told by itself; what another catch-up page
  // brings joins the open digest.
  if (!flood && (during === 'live' || open === null)) return { kind: 'each', items: [...items] };
  return { kind: 'digest', digest: mergeDigest(open, items, now) };
}

/** The digest with `items` added: each message and each conversation counted once. */
export function mergeDigest(open: Digest | null, items: readonly Item[], now: number): Digest {
  const messageIds = new Set(open?.messageIds);
  const conversationIds = new Set(open?.conversationIds);
  for (const item of items) {
    messageIds.add(item.id);
    conversationIds.add(item.conversationId);
  }
  return { messageIds, conversationIds, at: now };
}
