import type { Store } from '../../platform/store.js';
import type { Principal } from '../access/index.js';
import { calendarFor, DAY_MS, medianSeconds, parseDate } from './dates.js';

/**
 * Each agent's load and pace today, for the supervisor's view: the conversations they hold
 * that are not resolved (open or pending), and the median of first_response_at - created_at
 * over their conversations first answered today. A supervisor sees the people of their
 * teams, an admin everyone; integrations are not people and are left out.
 */
export type AgentToday = { agentId: string; open: number; firstResponseMedianSeconds: number | null };

/**
 * Whether the caller may read this team's metrics: an admin any team that exists, a
 * supervisor only a team they are in.
 */
export async function mayReadTeam(store: Store, caller: Principal, teamId: string): Promise<boolean> {
  if (caller.role === 'admin') {
    return (await store.db.selectFrom('teams').select('id').where('id', '=', teamId).executeTakeFirst()) !== undefined;
  }
  const membership = await store.db
    .selectFrom('team_members')
    .select('team_id')
    .where('team_id', '=', teamId)
    .where('agent_id', '=', caller.id)
    .executeTakeFirst();
  return membership !== undefined;
}

export async function agentsToday(
  store: Store,
  caller: Principal,
  input: { teamId?: string | undefined; timeZone?: string | undefined; now: number },
): Promise<AgentToday[]> {
  const calendar = calendarFor(input.timeZone);
  const today = parseDate(calendar.dateOf(input.now));
  if (today === null) throw new Error('Today is not a date.');
  const start = calendar.startOf(today);
  const end = calendar.startOf(today + DAY_MS);

  let people = store.db
    .selectFrom('agents')
    .select('agents.id')
    .where('agents.kind', '=', 'person')
    .where('agents.active', '=', 1);
  if (input.teamId !== undefined) {
    people = people.where('agents.id', 'in', (eb) =>
      eb
        .selectFrom('team_members')
        .select('team_members.agent_id')
        .where('team_members.team_id', '=', input.teamId ?? ''),
    );
  }
  if (caller.role !== 'admin') {
    people = people.where('agents.id', 'in', (eb) =>
      eb
        .selectFrom('team_members as colleagues')
        .select('colleagues.agent_id')
        .where(
          'colleagues.team_id',
          'in',
          eb.selectFrom('team_members as mine').select('mine.team_id').where('mine.agent_id', '=', caller.id),
        ),
    );
  }
  const agents = await people.orderBy('agents.name').orderBy('agents.id').execute();
  if (agents.length === 0) return [];
  const ids = agents.map((agent) => agent.id);

  const conversations = await store.db
    .selectFrom('conversations')
    .select(['assignee_id', 'status', 'created_at', 'first_response_at'])
    .where('assignee_id', 'in', ids)
    .where((eb) =>
      eb.or([
        eb('status', '<>', 'resolved'),
        eb.and([eb('first_response_at', '>=', start), eb('first_response_at', '<', end)]),
      ]),
    )
    .execute();

  const open = new Map<string, number>();
  const firstResponses = new Map<string, number[]>();
  for (const row of conversations) {
    if (row.assignee_id === null) continue;
    if (row.status !== 'resolved') open.set(row.assignee_id, (open.get(row.assignee_id) ?? 0) + 1);
    if (row.first_response_at !== null) {
      const at = Number(row.first_response_at);
      if (at >= start && at < end) {
        const list = firstResponses.get(row.assignee_id) ?? [];
        list.push(Math.max(0, at - Number(row.created_at)));
        firstResponses.set(row.assignee_id, list);
      }
    }
  }
  return ids.map((agentId) => ({
    agentId,
    open: open.get(agentId) ?? 0,
    firstResponseMedianSeconds: medianSeconds(firstResponses.get(agentId) ?? []),
  }));
}
