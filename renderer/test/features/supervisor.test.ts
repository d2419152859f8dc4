import { describe, expect, it } from 'vitest';
import type { Team } from '@parley/protocol';
import { clock, loadOf, slaState, teamAgents, waitingQueue } from '../../src/features/supervisor/queue.js';
import { dailySeries, lastDays, type DailyRow } from '../../src/features/supervisor/metrics.js';
import { fromMinutes, ruleKey, toMinutes } from '../../src/features/admin/teamForm.js';
import { screensFor } from '../../src/shell/ScreenTabs.js';
import { agent, conversationAt } from '../fixtures.js';

const MINUTE = 60_000;

function team(id: string, overrides: Partial<Team> = {}): Team {
  return {
    id,
    name: id,
    channelAccountIds: [],
    autoAssign: false,
    offlineGraceMinutes: 10,
    firstResponseTargetSeconds: 300,
    waitingTargetSeconds: 600,
    rules: [],
    seq: 1,
    ...overrides,
  };
}

describe('SLA state', () => {
  it('is within target, close (80 %) or over, and none without a target', () => {
    expect(slaState(0, 600)).toBe('ok');
    expect(slaState(479_999, 600)).toBe('ok');
    expect(slaState(480_000, 600)).toBe('near');
    expect(slaState(599_999, 600)).toBe('near');
    expect(slaState(600_000, 600)).toBe('breached');
    expect(slaState(10 * 600_000, 600)).toBe('breached');
    expect(slaState(10 * 600_000, 0)).toBe('none');
    expect(slaState(10 * 600_000, undefined)).toBe('none');
  });

  it('shows a ticking clock with seconds, and hours only when needed', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(45_000)).toBe('0:45');
    expect(clock(12 * MINUTE + 5000)).toBe('12:05');
    expect(clock(62 * MINUTE + 5000)).toBe('1:02:05');
    expect(clock(-5)).toBe('0:00');
  });
});

describe('the queue', () => {
  const now = 100 * MINUTE;
  const teams = [team('t1'), team('t2', { waitingTargetSeconds: 0 })];

  it('holds open unassigned conversations of the chosen teams, the longest wait first', () => {
    const conversations = [
      conversationAt('whatsapp', now - 2 * MINUTE, { id: 'recent', teamId: 't1', waitingSince: now - 2 * MINUTE }),
      conversationAt('whatsapp', now - 12 * MINUTE, { id: 'oldest', teamId: 't1', waitingSince: now - 12 * MINUTE }),
      conversationAt('messenger', now - 9 * MINUTE, { id: 'near', teamId: 't1', waitingSince: now - 9 * MINUTE }),
      conversationAt('whatsapp', now - 30 * MINUTE, { id: 'taken', teamId: 't1', assigneeId: 'ana' }),
      conversationAt('whatsapp', now - 30 * MINUTE, { id: 'pending', teamId: 't1', status: 'pending' }),
      conversationAt('whatsapp', now - 30 * MINUTE, { id: 'other', teamId: 't2', waitingSince: now - 30 * MINUTE }),
    ];
    const rows = waitingQueue(conversations, teams, new Set(['t1']), now);
    expect(rows.map((row) => row.conversation.id)).toEqual(['oldest', 'near', 'recent']);
    expect(rows.map((row) => row.waiting)).toEqual(['breached', 'near', 'ok']);
    expect(rows[0]?.waitingMs).toBe(12 * MINUTE);

    // No team chosen: every team's, and the team without a target has none.
    const all = waitingQueue(conversations, teams, new Set(), now);
    expect(all.map((row) => row.conversation.id)).toEqual(['other', 'oldest', 'near', 'recent']);
    expect(all[0]?.waiting).toBe('none');
  });

  it('times the first response from the start until someone answers', () => {
    const rows = waitingQueue(
      [
        conversationAt('whatsapp', now - MINUTE, { id: 'new', teamId: 't1', createdAt: now - 6 * MINUTE }),
        conversationAt('whatsapp', now - MINUTE, {
          id: 'answered',
          teamId: 't1',
          createdAt: now - 60 * MINUTE,
          firstResponseAt: now - 50 * MINUTE,
        }),
      ],
      teams,
      new Set(['t1']),
      now,
    );
    const byId = new Map(rows.map((row) => [row.conversation.id, row]));
    expect(byId.get('new')).toMatchObject({ firstResponseMs: 6 * MINUTE, firstResponse: 'breached' });
    expect(byId.get('answered')).toMatchObject({ firstResponseMs: null, firstResponse: 'none' });
  });

  it('breaks ties in waiting time the same way every time', () => {
    const same = now - 5 * MINUTE;
    const rows = waitingQueue(
      [
        conversationAt('whatsapp', same, { id: 'b', teamId: 't1', waitingSince: same, createdAt: 10 }),
        conversationAt('whatsapp', same, { id: 'a', teamId: 't1', waitingSince: same, createdAt: 10 }),
        conversationAt('whatsapp', same, { id: 'c', teamId: 't1', waitingSince: same, createdAt: 5 }),
      ],
      teams,
      new Set(),
      now,
    );
    expect(rows.map((row) => row.conversation.id)).toEqual(['c', 'a', 'b']);
  });
});

describe('load and the agents of a team', () => {
  it('counts open and pending conversations against capacity', () => {
    const conversations = [
      conversationAt('whatsapp', 0, { id: '1', assigneeId: 'ana' }),
      conversationAt('whatsapp', 0, { id: '2', assigneeId: 'ana', status: 'pending' }),
      conversationAt('whatsapp', 0, { id: '3', assigneeId: 'ana', status: 'resolved' }),
      conversationAt('whatsapp', 0, { id: '4', assigneeId: 'ben' }),
    ];
    expect(loadOf('ana', conversations, 5)).toEqual({ open: 2, capacity: 5, share: 0.4, full: false });
    expect(loadOf('ana', conversations, 2)).toMatchObject({ share: 1, full: true });
    expect(loadOf('ana', conversations, 0)).toMatchObject({ share: 1, full: true });
    expect(loadOf('nobody', conversations, 3)).toMatchObject({ open: 0, share: 0, full: false });
  });

  it('lists active people of the chosen teams, Online first, then by name', () => {
    const agents = [
      agent('zoe'),
      agent('ana', { presence: 'away' }),
      agent('bot', { kind: 'integration' }),
      agent('gone', { active: false }),
      agent('elsewhere', { teamIds: ['t2'] }),
      agent('ben', { presence: 'offline' }),
      agent('carla'),
    ];
    expect(teamAgents(agents, new Set(['t1'])).map((a) => a.id)).toEqual(['carla', 'zoe', 'ana', 'ben']);
    expect(teamAgents(agents, new Set()).map((a) => a.id)).toContain('elsewhere');
  });
});

describe('the metrics chart', () => {
  it('lists the last days in local time, oldest first, across a month end', () => {
    expect(lastDays(new Date(2026, 2, 2, 15), 4)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  });

  it('sums conversations by channel once, without the per-agent rows, and fills empty days', () => {
    const rows: DailyRow[] = [
      {
        date: '2026-03-01',
        teamId: 't1',
        agentId: null,
        channel: 'whatsapp',
        conversations: 4,
        firstResponseMedianSeconds: 60,
      },
      {
        date: '2026-03-01',
        teamId: 't2',
        agentId: null,
        channel: 'whatsapp',
        conversations: 1,
        firstResponseMedianSeconds: 360,
      },
      {
        date: '2026-03-01',
        teamId: 't1',
        agentId: 'ana',
        channel: 'whatsapp',
        conversations: 4,
        firstResponseMedianSeconds: 60,
      },
      {
        date: '2026-03-01',
        teamId: 't1',
        agentId: null,
        channel: 'instagram',
        conversations: 2,
        firstResponseMedianSeconds: null,
      },
      {
        date: '2026-02-01',
        teamId: 't1',
        agentId: null,
        channel: 'instagram',
        conversations: 9,
        firstResponseMedianSeconds: 1,
      },
    ];
    const points = dailySeries(rows, ['2026-02-28', '2026-03-01']);
    expect(points[0]).toEqual({
      date: '2026-02-28',
      whatsapp: 0,
      messenger: 0,
      instagram: 0,
      firstResponseMinutes: null,
    });
    // (4 × 60 s + 1 × 360 s) / 5 = 120 s = 2 min.
    expect(points[1]).toEqual({ date: '2026-03-01', whatsapp: 5, messenger: 0, instagram: 2, firstResponseMinutes: 2 });
  });

  it('prefers the workspace-wide rows when the server sends them', () => {
    const rows: DailyRow[] = [
      {
        date: '2026-03-01',
        teamId: null,
        agentId: null,
        channel: 'messenger',
        conversations: 7,
        firstResponseMedianSeconds: 90,
      },
      {
        date: '2026-03-01',
        teamId: 't1',
        agentId: null,
        channel: 'messenger',
        conversations: 7,
        firstResponseMedianSeconds: 90,
      },
    ];
    expect(dailySeries(rows, ['2026-03-01'])[0]).toMatchObject({ messenger: 7, firstResponseMinutes: 1.5 });
  });
});

describe('team targets in the form', () => {
  it('shows seconds as minutes and reads minutes back as whole seconds', () => {
    expect(toMinutes(600)).toBe('10');
    expect(toMinutes(90)).toBe('1.5');
    expect(toMinutes(0)).toBe('');
    expect(fromMinutes('10')).toBe(600);
    expect(fromMinutes('1,5')).toBe(90);
    expect(fromMinutes('')).toBe(0);
    expect(fromMinutes('-3')).toBe(0);
    expect(fromMinutes('99999999')).toBe(7 * 24 * 3600);
  });
});

describe('routing rules in the form', () => {
  it('tells rules apart regardless of a keyword’s case', () => {
    expect(ruleKey({ kind: 'keyword', keyword: 'Refund' })).toBe(ruleKey({ kind: 'keyword', keyword: 'refund' }));
    expect(ruleKey({ kind: 'language', language: 'fr' })).not.toBe(ruleKey({ kind: 'keyword', keyword: 'fr' }));
  });
});

describe('screens by role', () => {
  it('gives the supervisor’s view to supervisors and admins, and the admin screen to admins only', () => {
    expect(screensFor('agent')).toEqual(['inbox']);
    expect(screensFor('supervisor')).toEqual(['inbox', 'supervisor']);
    expect(screensFor('admin')).toEqual(['inbox', 'supervisor', 'admin']);
  });
});
