import type { Channel } from '@parley/protocol';
import { ChannelSchema } from '@parley/protocol';
import type { Store } from '../../platform/store.js';
import { visibleConversation, type Principal } from '../access/index.js';
import { calendarFor, DAY_MS, medianSeconds, parseDate } from './dates.js';

/**
 * Daily conversation metrics, computed from the conversations themselves:
 *
 * - `conversations`: created that day; `firstResponseMedianSeconds`: the median of
 *   first_response_at - created_at over those of them answered so far;
 * - `resolved`: resolved that day (`resolved_at`, the last resolution);
 *   `resolutionMedianSeconds`: the median of resolved_at - created_at over those.
 *
 * A conversation counts under its current team, assignee and channel. Rows are sparse (a
 * group with nothing created or resolved that day has no row) and cover only what the
 * caller sees: a supervisor their teams' conversations and their agents', an admin all.
 */

export const METRICS_DIMENSIONS = ['team', 'agent', 'channel'] as const;
export type MetricsDimension = (typeof METRICS_DIMENSIONS)[number];

/** The longest range one request may cover, in days. */
export const MAX_METRICS_DAYS = 366;

export type MetricsRow = {
  date: string;
  /** null when not grouped by team, or for conversations of no team. */
  teamId: string | null;
  /** null when not grouped by agent, or for unassigned conversations. */
  agentId: string | null;
  /** null only when not grouped by channel. */
  channel: Channel | null;
  conversations: number;
  resolved: number;
  firstResponseMedianSeconds: number | null;
  resolutionMedianSeconds: number | null;
};

export type DailyQuery = {
  from: string;
  to: string;
  teamId?: string | undefined;
  timeZone?: string | undefined;
  by: readonly MetricsDimension[];
};

export type RangeProblem = { path: 'from' | 'to'; why: 'invalid' | 'reversed' | 'too_long' };

/** The moments a from..to range (both days included) covers, or what is wrong with it. */
export function rangeOf(
  query: Pick<DailyQuery, 'from' | 'to' | 'timeZone'>,
): { start: number; end: number } | RangeProblem {
  const from = parseDate(query.from);
  if (from === null) return { path: 'from', why: 'invalid' };
  const to = parseDate(query.to);
  if (to === null) return { path: 'to', why: 'invalid' };
  if (to < from) return { path: 'to', why: 'reversed' };
  if ((to - from) / DAY_MS + 1 > MAX_METRICS_DAYS) return { path: 'to', why: 'too_long' };
  const calendar = calendarFor(query.timeZone);
  return { start: calendar.startOf(from), end: calendar.startOf(to + DAY_MS) };
}

/**
 * The days of the range and when each starts in the zone, worked out once, so placing a
 * moment in its day is a binary search rather than a time zone lookup per conversation.
 */
function dayFinder(query: Pick<DailyQuery, 'from' | 'to' | 'timeZone'>): (ms: number) => string {
  const calendar = calendarFor(query.timeZone);
  const from = parseDate(query.from) ?? 0;
  const to = parseDate(query.to) ?? 0;
  const days: { date: string; start: number }[] = [];
  for (let day = from; day <= to; day += DAY_MS) {
    days.push({ date: new Date(day).toISOString().slice(0, 10), start: calendar.startOf(day) });
  }
  return (ms) => {
    let low = 0;
    let high = days.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((days[middle]?.start ?? 0) <= ms) low = middle;
      else high = middle - 1;
    }
    return days[low]?.date ?? query.from;
  };
}

type Group = {
  row: MetricsRow;
  firstResponses: number[];
  resolutions: number[];
};

export async function dailyMetrics(store: Store, caller: Principal, query: DailyQuery): Promise<MetricsRow[]> {
  const range = rangeOf(query);
  if ('why' in range) throw new Error(`dailyMetrics called with a bad range: ${range.path} ${range.why}`);
  const { start, end } = range;
  let select = store.db
    .selectFrom('conversations')
    .select([
      'conversations.created_at',
      'conversations.first_response_at',
      'conversations.resolved_at',
      'conversations.assignee_id',
      'conversations.team_id',
      'conversations.channel',
    ])
    .where((eb) =>
      eb.or([
        eb.and([eb('conversations.created_at', '>=', start), eb('conversations.created_at', '<', end)]),
        eb.and([eb('conversations.resolved_at', '>=', start), eb('conversations.resolved_at', '<', end)]),
      ]),
    )
    .where(visibleConversation(caller));
  if (query.teamId !== undefined) select = select.where('conversations.team_id', '=', query.teamId);
  const rows = await select.execute();

  const dateOf = dayFinder(query);
  const byTeam = query.by.includes('team');
  const byAgent = query.by.includes('agent');
  const byChannel = query.by.includes('channel');
  const groups = new Map<string, Group>();
  const groupFor = (date: string, row: (typeof rows)[number]): Group => {
    const teamId = byTeam ? row.team_id : null;
    const agentId = byAgent ? row.assignee_id : null;
    const channel = byChannel ? ChannelSchema.parse(row.channel) : null;
    const key = `${date}\u0000${teamId ?? ''}\u0000${agentId ?? ''}\u0000${channel ?? ''}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        row: {
          date,
          teamId,
          agentId,
          channel,
          conversations: 0,
          resolved: 0,
          firstResponseMedianSeconds: null,
          resolutionMedianSeconds: null,
        },
        firstResponses: [],
        resolutions: [],
      };
      groups.set(key, group);
    }
    return group;
  };

  for (const row of rows) {
    const createdAt = Number(row.created_at);
    if (createdAt >= start && createdAt < end) {
      const group = groupFor(dateOf(createdAt), row);
      group.row.conversations += 1;
      if (row.first_response_at !== null) {
        group.firstResponses.push(Math.max(0, Number(row.first_response_at) - createdAt));
      }
    }
    if (row.resolved_at !== null) {
      const resolvedAt = Number(row.resolved_at);
      if (resolvedAt >= start && resolvedAt < end) {
        const group = groupFor(dateOf(resolvedAt), row);
        group.row.resolved += 1;
        group.resolutions.push(Math.max(0, resolvedAt - createdAt));
      }
    }
  }

  const result = [...groups.values()].map((group) => ({
    ...group.row,
    firstResponseMedianSeconds: medianSeconds(group.firstResponses),
    resolutionMedianSeconds: medianSeconds(group.resolutions),
  }));
  const text = (value: string | null): string => value ?? '';
  return result.sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      text(a.teamId).localeCompare(text(b.teamId)) ||
      text(a.agentId).localeCompare(text(b.agentId)) ||
      text(a.channel).localeCompare(text(b.channel)),
  );
}

/** Names of the teams and agents the rows mention, for a human-readable export. */
export async function namesFor(
  store: Store,
  rows: readonly MetricsRow[],
): Promise<{ teams: Map<string, string>; agents: Map<string, string> }> {
  const teamIds = [...new Set(rows.map((row) => row.teamId).filter((id): id is string => id !== null))];
  const agentIds = [...new Set(rows.map((row) => row.agentId).filter((id): id is string => id !== null))];
  const [teams, agents] = await Promise.all([
    teamIds.length === 0
      ? []
      : store.db.selectFrom('teams').select(['id', 'name']).where('id', 'in', teamIds).execute(),
    agentIds.length === 0
      ? []
      : store.db.selectFrom('agents').select(['id', 'name']).where('id', 'in', agentIds).execute(),
  ]);
  return {
    teams: new Map(teams.map((team) => [team.id, team.name])),
    agents: new Map(agents.map((agent) => [agent.id, agent.name])),
  };
}
