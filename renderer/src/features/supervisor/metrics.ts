import type { Channel } from '@parley/protocol';

/** What the chart needs of a metrics row (platform/api's MetricsRow). */
export type DailyRow = {
  date: string;
  teamId: string | null;
  agentId: string | null;
  channel: Channel;
  conversations: number;
  firstResponseMedianSeconds: number | null;
};

export type DayPoint = {
  date: string;
  whatsapp: number;
  messenger: number;
  instagram: number;
  /** Minutes, or null when no conversation was answered that day. */
  firstResponseMinutes: number | null;
};

/** The `count` days ending with `last`, as YYYY-MM-DD in local time, oldest first. */
export function lastDays(last: Date, count: number): string[] {
  const days: string[] = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    const day = new Date(last.getFullYear(), last.getMonth(), last.getDate() - back);
    days.push(
      `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`,
    );
  }
  return days;
}

/**
 * One point a day, every day present (zero when nothing happened). Rows come broken down by
 * team and agent; the agent's rows would count a conversation again, so only the rows
 * without an agent are summed. A day's median first response is the medians of its rows
 * weighted by their conversations: the server sends medians, not the times they come from.
 */
export function dailySeries(rows: readonly DailyRow[], days: readonly string[]): DayPoint[] {
  const points = new Map<string, DayPoint & { weight: number; weighted: number }>(
    days.map((date) => [
      date,
      { date, whatsapp: 0, messenger: 0, instagram: 0, firstResponseMinutes: null, weight: 0, weighted: 0 },
    ]),
  );
  const teamRows = rows.filter((row) => row.agentId === null);
  const totals = teamRows.filter((row) => row.teamId === null);
  // A workspace-wide row already sums every team's: prefer it when the server sends one.
  const counted = totals.length > 0 ? totals : teamRows;
  for (const row of counted) {
    const point = points.get(row.date);
    if (point === undefined) continue;
    point[row.channel] += row.conversations;
    if (row.firstResponseMedianSeconds !== null && row.conversations > 0) {
      point.weight += row.conversations;
      point.weighted += row.firstResponseMedianSeconds * row.conversations;
    }
  }
  return days.map((date) => {
    const { weight, weighted, ...point } = points.get(date) ?? {
      date,
      whatsapp: 0,
      messenger: 0,
      instagram: 0,
      firstResponseMinutes: null,
      weight: 0,
      weighted: 0,
    };
    return { ...point, firstResponseMinutes: weight === 0 ? null : Math.round((weighted / weight / 60) * 10) / 10 };
  });
}
