import type { Message } from '@parley/protocol';

/** A note written this long before the agent opened the app still counts as news. */
export const MENTION_CLOCK_SKEW_MS = 15 * 60 * 1000;

/**
 * The notes among `notes` to announce to `agentId`: notes that mention them, written by
 * someone else (never their own), not deleted, not already announced (`seen`) and not
 * older than `since` (what was there before the app opened is in the Mentions view, not a
 * flood of notifications).
 */
export function mentionsToAnnounce(
  notes: readonly Message[],
  agentId: string,
  seen: ReadonlySet<string>,
  since: number,
): Message[] {
  return notes.filter(
    (note) =>
      note.kind === 'note' &&
      note.mentions.includes(agentId) &&
      note.authorAgentId !== agentId &&
      note.deletedAt === null &&
      !seen.has(note.id) &&
      note.createdAt >= since - MENTION_CLOCK_SKEW_MS,
  );
}

/** A note's text for a notification: one line, cut short. */
export function notePreview(text: string | null, max = 140): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
