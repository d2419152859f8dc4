import type { Agent, Channel, Conversation, ConversationStatus } from '@parley/protocol';
import { waitingStart } from './sla.js';

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

/** Who is looking: the views depend on the agent, their teams and their role. */
export type Viewer = Pick<Agent, 'id' | 'teamIds' | 'role'>;

/** What a view needs beyond the conversation: the conversations whose notes mention the viewer. */
export type ViewContext = { viewer: Viewer; mentioned: ReadonlySet<string> };

/** Whether the viewer's role may open the All view. */
export function seesAll(viewer: Viewer): boolean {
  return viewer.role === 'supervisor' || viewer.role === 'admin';
}

/** The views the viewer is offered, in order: Mine, Unassigned, each team, All, Mentions, Snoozed. */
export function viewsFor(viewer: Viewer, teamIds: readonly string[] = viewer.teamIds): ViewId[] {
  return [
    { kind: 'mine' },
    { kind: 'unassigned' },
    ...teamIds.map((teamId): ViewId => ({ kind: 'team', teamId })),
    ...(seesAll(viewer) ? [{ kind: 'all' } as const] : []),
    { kind: 'mentions' },
    { kind: 'snoozed' },
  ];
}

/**
 * The view a device starts on when nothing was chosen on it yet: everything for those who
 * oversee it; for an agent, their (first) team, so that a new agent sees the work coming in
 * and their colleagues' as well as their own; Mine for an agent in no team.
 */
export function defaultView(viewer: Viewer): ViewId {
  if (seesAll(viewer)) return { kind: 'all' };
  const team = viewer.teamIds[0];
  return team === undefined ? { kind: 'mine' } : { kind: 'team', teamId: team };
}

/** Whether a view may be shown to the viewer (a team they left, All without the role: not). */
export function viewAllowed(view: ViewId, viewer: Viewer): boolean {
  if (view.kind === 'all') return seesAll(viewer);
  if (view.kind === 'team') return viewer.teamIds.includes(view.teamId);
  return true;
}

const UNRESOLVED: readonly ConversationStatus[] = ['open', 'pending'];

/**
 * The statuses a view shows when no status filter is chosen: the work still to do (open
 * and pending) in most views; every status in Mentions (a mention stays worth reading);
 * snoozed ones in Snoozed.
 */
export function defaultStatuses(view: ViewId): readonly ConversationStatus[] {
  if (view.kind === 'snoozed') return ['snoozed'];
  if (view.kind === 'mentions') return [];
  return UNRESOLVED;
}

/** Whether a conversation belongs to a view, before any status or filter. */
export function inView(view: ViewId, conversation: Conversation, context: ViewContext): boolean {
  const { viewer } = context;
  switch (view.kind) {
    case 'mine':
      return conversation.assigneeId === viewer.id;
    case 'unassigned':
      return (
        conversation.assigneeId === null && conversation.teamId !== null && viewer.teamIds.includes(conversation.teamId)
      );
    case 'team':
      return conversation.teamId === view.teamId;
    case 'all':
      return true;
    case 'mentions':
      return context.mentioned.has(conversation.id);
    case 'snoozed':
      return seesAll(viewer) || conversation.assigneeId === viewer.id;
  }
}

/** Whether a conversation is shown in a view with these filters (an empty filter lets everything by). */
export function matches(view: ViewId, filters: ListFilters, conversation: Conversation, context: ViewContext): boolean {
  const statuses = filters.statuses.length > 0 ? filters.statuses : defaultStatuses(view);
  if (statuses.length > 0 && !statuses.includes(conversation.status)) return false;
  if (filters.channels.length > 0 && !filters.channels.includes(conversation.channel)) return false;
  if (filters.inboxIds.length > 0 && !filters.inboxIds.includes(conversation.channelAccountId)) return false;
  if (filters.labels.length > 0 && !conversation.labels.some((label) => filters.labels.includes(label))) return false;
  if (filters.teamIds.length > 0 && (conversation.teamId === null || !filters.teamIds.includes(conversation.teamId))) {
    return false;
  }
  return inView(view, conversation, context);
}

/** How many filters are chosen (for a badge on the filter button). */
export function filterCount(filters: ListFilters): number {
  return (
    filters.statuses.length +
    filters.channels.length +
    filters.inboxIds.length +
    filters.labels.length +
    filters.teamIds.length
  );
}

function byId(a: Conversation, b: Conversation): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The list's order. `lastActivity`: the newest message first. `longestWaiting`: customers
 * waiting for an answer first, the longest wait first; then the others, newest first.
 * Ties fall to the id (ids grow with time: the later one counts as newer), so the order
 * never flickers.
 */
export function compareBy(sort: ListSort): (a: Conversation, b: Conversation) => number {
  if (sort === 'lastActivity') return (a, b) => b.lastMessageAt - a.lastMessageAt || byId(b, a);
  return (a, b) => {
    const aWaits = a.waitingSince !== null;
    const bWaits = b.waitingSince !== null;
    if (aWaits !== bWaits) return aWaits ? -1 : 1;
    if (aWaits) return waitingStart(a) - waitingStart(b) || byId(a, b);
    return b.lastMessageAt - a.lastMessageAt || byId(b, a);
  };
}

/** The conversations a view shows with these filters, in order. */
export function listOf(
  conversations: Iterable<Conversation>,
  view: ViewId,
  filters: ListFilters,
  sort: ListSort,
  context: ViewContext,
): Conversation[] {
  const shown: Conversation[] = [];
  for (const conversation of conversations) if (matches(view, filters, conversation, context)) shown.push(conversation);
  return shown.sort(compareBy(sort));
}

/** Each view's count, with its own default statuses and no filters, by `viewKey`. */
export function countViews(
  conversations: Iterable<Conversation>,
  views: readonly ViewId[],
  context: ViewContext,
): Map<string, number> {
  const counts = new Map<string, number>(views.map((view) => [viewKey(view), 0]));
  for (const conversation of conversations) {
    for (const view of views) {
      if (matches(view, NO_FILTERS, conversation, context)) {
        const key = viewKey(view);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** The view a stored key names, or null for a key this version does not know. */
export function parseViewKey(key: string): ViewId | null {
  if (key.startsWith('team:') && key.length > 5) return { kind: 'team', teamId: key.slice(5) };
  if (key === 'mine' || key === 'unassigned' || key === 'all' || key === 'mentions' || key === 'snoozed') {
    return { kind: key };
  }
  return null;
}
