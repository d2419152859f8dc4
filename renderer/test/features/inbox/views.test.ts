import { describe, expect, it } from 'vitest';
import type { Conversation } from '@parley/protocol';
import {
  NO_FILTERS,
  compareBy,
  countViews,
  defaultView,
  listOf,
  matches,
  parseViewKey,
  viewAllowed,
  viewKey,
  viewsFor,
  type ViewContext,
  type ViewId,
  type Viewer,
} from '../../../src/domain/views.js';
import { frozenChanges } from '../../../src/features/inbox/freeze.js';
import { conversationAt } from '../../fixtures.js';

const agent: Viewer = { id: 'me', role: 'agent', teamIds: ['t1'] };
const supervisor: Viewer = { id: 'boss', role: 'supervisor', teamIds: ['t1'] };

function conversation(id: string, overrides: Partial<Conversation> = {}): Conversation {
  return conversationAt('whatsapp', 1000, { id, ...overrides });
}

function context(viewer: Viewer, mentioned: string[] = []): ViewContext {
  return { viewer, mentioned: new Set(mentioned) };
}

const fixtures: Conversation[] = [
  conversation('mine-open', { assigneeId: 'me', teamId: 't1', lastMessageAt: 50 }),
  conversation('mine-resolved', { assigneeId: 'me', teamId: 't1', status: 'resolved', lastMessageAt: 40 }),
  conversation('mine-snoozed', { assigneeId: 'me', teamId: 't1', status: 'snoozed', lastMessageAt: 30 }),
  conversation('queue-t1', { teamId: 't1', lastMessageAt: 60, channel: 'instagram', labels: ['vip'] }),
  conversation('queue-t2', { teamId: 't2', lastMessageAt: 70 }),
  conversation('queue-none', { teamId: null, lastMessageAt: 80 }),
  conversation('colleague-t1', { assigneeId: 'other', teamId: 't1', status: 'pending', lastMessageAt: 20 }),
  conversation('other-snoozed', { assigneeId: 'other', teamId: 't2', status: 'snoozed', lastMessageAt: 10 }),
];

function ids(view: ViewId, viewer: Viewer, filters = NO_FILTERS, mentioned: string[] = []): string[] {
  return listOf(fixtures, view, filters, 'lastActivity', context(viewer, mentioned)).map((c) => c.id);
}

describe('views', () => {
  it('Mine shows my unresolved, unsnoozed conversations', () => {
    expect(ids({ kind: 'mine' }, agent)).toEqual(['mine-open']);
  });

  it('Unassigned shows the queues of my teams only', () => {
    expect(ids({ kind: 'unassigned' }, agent)).toEqual(['queue-t1']);
  });

  it('a team view shows the whole team, colleagues included', () => {
    expect(ids({ kind: 'team', teamId: 't1' }, agent)).toEqual(['queue-t1', 'mine-open', 'colleague-t1']);
  });

  it('All shows every unresolved conversation', () => {
    expect(ids({ kind: 'all' }, supervisor)).toEqual([
      'queue-none',
      'queue-t2',
      'queue-t1',
      'mine-open',
      'colleague-t1',
    ]);
  });

  it('Mentions shows conversations with a note naming me, whatever their status', () => {
    expect(ids({ kind: 'mentions' }, agent, NO_FILTERS, ['mine-resolved', 'queue-t2'])).toEqual([
      'queue-t2',
      'mine-resolved',
    ]);
  });

  it('Snoozed shows my snoozed conversations to an agent, all of them to a supervisor', () => {
    expect(ids({ kind: 'snoozed' }, agent)).toEqual(['mine-snoozed']);
    expect(ids({ kind: 'snoozed' }, supervisor)).toEqual(['mine-snoozed', 'other-snoozed']);
  });

  it('All is offered to supervisors and admins only, with one view per team', () => {
    expect(viewsFor(agent).map(viewKey)).toEqual(['mine', 'unassigned', 'team:t1', 'mentions', 'snoozed']);
    expect(viewsFor({ ...supervisor, role: 'admin' }).map(viewKey)).toContain('all');
    expect(viewAllowed({ kind: 'all' }, agent)).toBe(false);
    expect(viewAllowed({ kind: 'team', teamId: 't2' }, agent)).toBe(false);
    expect(viewAllowed({ kind: 'team', teamId: 't1' }, agent)).toBe(true);
  });

  it('a new device starts on All for a supervisor, on the team for an agent, on Mine without a team', () => {
    expect(defaultView(supervisor)).toEqual({ kind: 'all' });
    expect(defaultView(agent)).toEqual({ kind: 'team', teamId: 't1' });
    expect(defaultView({ ...agent, teamIds: [] })).toEqual({ kind: 'mine' });
  });

  it('keys name views both ways, and an unknown key is refused', () => {
    for (const view of viewsFor(supervisor)) expect(parseViewKey(viewKey(view))).toEqual(view);
    expect(parseViewKey('everything')).toBeNull();
    expect(parseViewKey('team:')).toBeNull();
  });
});

describe('filters', () => {
  it('a chosen status replaces the view’s default statuses', () => {
    expect(ids({ kind: 'mine' }, agent, { ...NO_FILTERS, statuses: ['resolved'] })).toEqual(['mine-resolved']);
    expect(ids({ kind: 'mine' }, agent, { ...NO_FILTERS, statuses: ['open', 'snoozed'] })).toEqual([
      'mine-open',
      'mine-snoozed',
    ]);
  });

  it('channel, inbox, label and team narrow the view', () => {
    const all: ViewId = { kind: 'all' };
    expect(ids(all, supervisor, { ...NO_FILTERS, channels: ['instagram'] })).toEqual(['queue-t1']);
    expect(ids(all, supervisor, { ...NO_FILTERS, labels: ['vip', 'other'] })).toEqual(['queue-t1']);
    expect(ids(all, supervisor, { ...NO_FILTERS, teamIds: ['t2'] })).toEqual(['queue-t2']);
    expect(ids(all, supervisor, { ...NO_FILTERS, inboxIds: ['nowhere'] })).toEqual([]);
    expect(ids(all, supervisor, { ...NO_FILTERS, inboxIds: ['a1'], teamIds: ['t1'] })).toEqual([
      'queue-t1',
      'mine-open',
      'colleague-t1',
    ]);
  });

  it('filters compose with the view, not replace it', () => {
    const c = conversation('x', { assigneeId: 'other', teamId: 't1', channel: 'instagram' });
    expect(matches({ kind: 'mine' }, { ...NO_FILTERS, channels: ['instagram'] }, c, context(agent))).toBe(false);
  });
});

describe('sort', () => {
  it('last activity puts the newest first, ties by the later id', () => {
    const a = conversation('a', { lastMessageAt: 5 });
    const b = conversation('b', { lastMessageAt: 5 });
    const c = conversation('c', { lastMessageAt: 9 });
    expect([a, b, c].sort(compareBy('lastActivity')).map((x) => x.id)).toEqual(['c', 'b', 'a']);
  });

  it('longest waiting puts waiting customers first, the longest wait first, then the rest newest first', () => {
    const waitingLong = conversation('long', { waitingSince: 100, lastMessageAt: 500 });
    const waitingShort = conversation('short', { waitingSince: 300, lastMessageAt: 900 });
    const answeredOld = conversation('old', { waitingSince: null, lastMessageAt: 200 });
    const answeredNew = conversation('new', { waitingSince: null, lastMessageAt: 800 });
    expect(
      [answeredOld, waitingShort, answeredNew, waitingLong].sort(compareBy('longestWaiting')).map((x) => x.id),
    ).toEqual(['long', 'short', 'new', 'old']);
  });
});

describe('counts', () => {
  it('counts each view with its own default statuses, ignoring the filters on screen', () => {
    const counts = countViews(fixtures, viewsFor(supervisor), context(supervisor, ['queue-t2']));
    expect(Object.fromEntries(counts)).toEqual({
      mine: 0,
      unassigned: 1,
      'team:t1': 3,
      all: 5,
      mentions: 1,
      snoozed: 2,
    });
    const mine = countViews(fixtures, viewsFor(agent), context({ ...agent }));
    expect(mine.get('mine')).toBe(1);
    expect(mine.get('snoozed')).toBe(1);
  });
});

describe('a held order', () => {
  const a = conversation('a', { lastMessageAt: 3 });
  const b = conversation('b', { lastMessageAt: 2 });
  const c = conversation('c', { lastMessageAt: 1 });

  it('keeps the rows where they were, and counts what waits', () => {
    const newcomer = conversation('n', { lastMessageAt: 9 });
    const movedC = { ...c, lastMessageAt: 10 };
    const result = frozenChanges([a, b, c], [movedC, newcomer, a, b], () => true);
    expect(result.shown).toEqual(['a', 'b', 'c']);
    expect(result.pending).toBe(2);
  });

  it('does not count a change in place, nor rows shifted by another row', () => {
    const readB = { ...b, unreadCount: 0 };
    expect(frozenChanges([a, b, c], [a, readB, c], () => true)).toEqual({ shown: ['a', 'b', 'c'], pending: 0 });
    const newcomer = conversation('n', { lastMessageAt: 9 });
    expect(frozenChanges([a, b, c], [newcomer, a, b, c], () => true).pending).toBe(1);
  });

  it('keeps a row that left the view until the update is shown, drops one deleted from the device', () => {
    expect(frozenChanges([a, b, c], [a, c], () => true)).toEqual({ shown: ['a', 'b', 'c'], pending: 1 });
    expect(frozenChanges([a, b, c], [a, c], (id) => id !== 'b')).toEqual({ shown: ['a', 'c'], pending: 0 });
  });
});
