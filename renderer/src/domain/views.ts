import type { Channel, ConversationStatus } from '@parley/protocol';

/**
 * The inbox's views: which conversations the list shows before filters.
 * - `mine`: assigned to me;
 * - `unassigned`: in my teams' queues (no assignee, a team of mine);
 * - `team`: every conversation of one of my teams;
 * - `all`: everything this device holds (supervisors and admins);
 * - `mentions`: conversations with a note that mentions me;
 * - `snoozed`: set aside until later (mine, or all for supervisors and admins).
 */
export type ViewId =
  | { kind: 'mine' }
  | { kind: 'unassigned' }
  | { kind: 'team'; teamId: string }
  | { kind: 'all' }
  | { kind: 'mentions' }
  | { kind: 'snoozed' };

/** Narrows a view; an empty list means "any". */
export type ListFilters = {
  statuses: ConversationStatus[];
  channels: Channel[];
  inboxIds: string[];
  labels: string[];
  teamIds: string[];
};

export const NO_FILTERS: ListFilters = { statuses: [], channels: [], inboxIds: [], labels: [], teamIds: [] };

/** `lastActivity`: newest first. `longestWaiting`: the customer waiting longest first. */
export type ListSort = 'lastActivity' | 'longestWaiting';

/** A stable key for a view (for React keys, storage, URLs). */
export function viewKey(view: ViewId): string {
  return view.kind === 'team' ? `team:${view.teamId}` : view.kind;
}
