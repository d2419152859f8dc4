import { z } from 'zod';
import { readSetting, writeSetting } from '../../platform/settings.js';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';
import { changeAssignee, loadConversation, lockWrites, type ConversationRow } from './assign.js';
import { PeriodicSweeper, type SweeperOptions } from './sweeper.js';

/**
 * Auto-assignment, per team (teams.auto_assign): a new or reopened conversation goes to the
 * Online, active agent (not a supervisor or admin) of its team with the fewest open conversations (open or pending,
 * assigned to them, in any team) strictly under their capacity. Among equally loaded
 * members the pick goes round: the member after the team's last pick, in a fixed order.
 * Nobody with room: the conversation waits in the queue, and is offered again when a
 * member comes Online or frees a place (resolves or gives one back).
 *
 * Presence is read from the agents' rows (modules/presence keeps them current), so the
 * choice is made inside the write that needs it and sees the same rows as its check.
 */

/** What counts as work in hand; a snoozed conversation counts again, and is dealt, once it comes back. */
const OPEN = ['open', 'pending'] as const;

/**
 * The team's last pick, for the round among ties: kept in the settings table, read and
 * written in the write that assigns, so every node goes round the same members.
 */
const lastPickKey = (teamId: string): string => `auto_assign_last_pick:${teamId}`;

const lastPick = (trx: Trx, teamId: string): Promise<string | undefined> =>
  readSetting(trx, lastPickKey(teamId), z.string());

type Candidate = { id: string; load: number };

async function candidates(trx: Trx, teamId: string, exclude: ReadonlySet<string>): Promise<Candidate[]> {
  const rows = await trx
    .selectFrom('team_members')
    .innerJoin('agents', 'agents.id', 'team_members.agent_id')
    .select((eb) => [
      'agents.id as id',
      'agents.capacity as capacity',
      eb
        .selectFrom('conversations')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('conversations.assignee_id', '=', 'agents.id')
        .where('conversations.status', 'in', OPEN)
        .as('load'),
    ])
    .where('team_members.team_id', '=', teamId)
    .where('agents.kind', '=', 'person')
    // Supervisors and admins in a team watch its queue; chats are dealt to its agents.
    .where('agents.role', '=', 'agent')
    .where('agents.active', '=', 1)
    .where('agents.presence', '=', 'online')
    .execute();
  return rows
    .map((row) => ({ id: row.id, load: Number(row.load ?? 0), capacity: Number(row.capacity) }))
    .filter((row) => row.load < row.capacity && !exclude.has(row.id))
    .map(({ id, load }) => ({ id, load }));
}

/** The least loaded; among ties, the first after the team's last pick (ids in order, going round). */
export function pickFairly(pool: readonly Candidate[], lastPick: string | undefined): string | null {
  if (pool.length === 0) return null;
  const least = Math.min(...pool.map((c) => c.load));
  const ties = pool
    .filter((c) => c.load === least)
    .map((c) => c.id)
    .sort();
  if (lastPick === undefined) return ties[0] ?? null;
  return ties.find((id) => id > lastPick) ?? ties[0] ?? null;
}

/**
 * Offers one queued conversation to its team; returns who got it, or null when it stays in
 * the queue (assigned already, resolved, no team, the team assigns by hand, nobody has room).
 */
export async function autoAssign(
  trx: Trx,
  changes: ChangeSet,
  conversation: ConversationRow,
  now: number,
  exclude: ReadonlySet<string> = new Set(),
): Promise<string | null> {
  if (conversation.assignee_id !== null || conversation.status === 'resolved' || conversation.team_id === null) {
    return null;
  }
  const teamId = conversation.team_id;
  const team = await trx.selectFrom('teams').select('auto_assign').where('id', '=', teamId).executeTakeFirst();
  if (team === undefined || Number(team.auto_assign) !== 1) return null;
  const pick = pickFairly(await candidates(trx, teamId, exclude), await lastPick(trx, teamId));
  if (pick === null) return null;
  await writeSetting(trx, lastPickKey(teamId), pick);
  await changeAssignee(trx, changes, conversation, pick, { by: null, reason: 'auto', now });
  return pick;
}

/** How many queued conversations one offer goes through at most (the rest wait for the next). */
const OFFER_BATCH = 100;

/**
 * An agent came Online or has a free place: the oldest waiting queued conversations of
 * their teams are offered again, each to whoever has the most room (usually them), until
 * nobody has room. `skip` stays queued this time (the one they just gave back).
 */
export async function offerQueue(
  trx: Trx,
  changes: ChangeSet,
  agentId: string,
  now: number,
  skip: ReadonlySet<string> = new Set(),
): Promise<number> {
  const queued = await trx
    .selectFrom('conversations')
    .innerJoin('teams', 'teams.id', 'conversations.team_id')
    .selectAll('conversations')
    .where('conversations.assignee_id', 'is', null)
    .where('conversations.status', 'in', OPEN)
    .where('teams.auto_assign', '=', 1)
    .where(
      'conversations.team_id',
      'in',
      trx.selectFrom('team_members').select('team_id').where('agent_id', '=', agentId),
    )
    .orderBy((eb) => eb.fn.coalesce('conversations.waiting_since', 'conversations.last_message_at'))
    .orderBy('conversations.id')
    .limit(OFFER_BATCH)
    .execute();
  let given = 0;
  for (const conversation of queued) {
    if (skip.has(conversation.id)) continue;
    if ((await autoAssign(trx, changes, conversation, now)) === null) {
      // Nobody in this team has room: the rest of this team's queue waits too.
      continue;
    }
    given += 1;
  }
  return given;
}

/**
 * Conversations whose assignee has been Offline longer than their team's grace go back to
 * the queue (the line says 'offline') and are offered again at once.
 */
export async function requeueOffline(store: Store, now: number): Promise<number> {
  return store.write(async (trx, changes) => {
    await lockWrites(trx);
    const stale = await trx
      .selectFrom('conversations')
      .innerJoin('agents', 'agents.id', 'conversations.assignee_id')
      .innerJoin('teams', 'teams.id', 'conversations.team_id')
      .select(['conversations.id as id', 'agents.presence_at as presenceAt', 'teams.offline_grace_minutes as grace'])
      .where('agents.presence', '=', 'offline')
      .where('conversations.status', 'in', OPEN)
      .execute();
    let moved = 0;
    for (const row of stale) {
      const offlineSince = row.presenceAt === null ? 0 : Number(row.presenceAt);
      if (now - offlineSince <= Number(row.grace) * 60_000) continue;
      const conversation = await loadConversation(trx, row.id);
      if (conversation === undefined || conversation.assignee_id === null) continue;
      const gone = conversation.assignee_id;
      await changeAssignee(trx, changes, conversation, null, { by: null, reason: 'offline', now });
      await autoAssign(trx, changes, conversation, now, new Set([gone]));
      moved += 1;
    }
    return moved;
  });
}

/** Runs `requeueOffline` every `intervalMs` (about 15 s) until stopped. */
export class OfflineSweeper extends PeriodicSweeper {
  constructor(store: Store, options: SweeperOptions = {}) {
    super((now) => requeueOffline(store, now), 15_000, options);
  }
}
