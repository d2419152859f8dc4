import { refusal, type Failure, type RoutingRule, type Team } from '@parley/protocol';
import { newId } from '../../platform/ids.js';
import { teamFromRow } from '../../platform/rows.js';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';
import { conversationMoved, scopesChanged, snapshotScopes } from '../access/index.js';
import { writeSetting } from '../../platform/settings.js';
import { DEFAULT_TEAM_KEY, defaultTeamId, giveInboxToDefaultTeam } from './defaults.js';

/**
 * Teams, their inboxes and their members (admins write; the API checks who calls). Each
 * write stamps what it changed: the team for its settings and inboxes, the agents whose
 * teams changed (Agent.teamIds), and tells the access module whose sight changed.
 */

export type TeamFields = {
  name: string;
  channelAccountIds: string[];
  autoAssign: boolean;
  offlineGraceMinutes: number;
  firstResponseTargetSeconds: number;
  waitingTargetSeconds: number;
  rules: RoutingRule[];
};

type Reader = Store['db'] | Trx;

export async function listTeams(db: Reader, ids?: readonly string[]): Promise<Team[]> {
  if (ids?.length === 0) return [];
  let query = db.selectFrom('teams').selectAll().orderBy('created_at').orderBy('id');
  if (ids !== undefined) query = query.where('id', 'in', ids);
  const [rows, inboxes] = await Promise.all([query.execute(), db.selectFrom('team_inboxes').selectAll().execute()]);
  return rows.map((row) =>
    teamFromRow(
      row,
      inboxes.filter((inbox) => inbox.team_id === row.id).map((inbox) => inbox.channel_account_id),
    ),
  );
}

export async function teamById(db: Reader, id: string): Promise<Team | null> {
  return (await listTeams(db, [id]))[0] ?? null;
}

export async function teamMemberIds(db: Reader, teamId: string): Promise<string[]> {
  const rows = await db.selectFrom('team_members').select('agent_id').where('team_id', '=', teamId).execute();
  return rows.map((row) => row.agent_id).sort();
}

async function stampTeam(trx: Trx, changes: ChangeSet, teamId: string): Promise<void> {
  await trx
    .updateTable('teams')
    .set({ seq: await changes.nextSeq('team', teamId) })
    .where('id', '=', teamId)
    .execute();
}

async function stampAgents(trx: Trx, changes: ChangeSet, agentIds: Iterable<string>): Promise<void> {
  for (const agentId of agentIds) {
    await trx
      .updateTable('agents')
      .set({ seq: await changes.nextSeq('agent', agentId) })
      .where('id', '=', agentId)
      .execute();
  }
}

/** Sets the team's inboxes when the fields name them; a refusal undoes the whole write. */
async function setInboxesIfGiven(
  trx: Trx,
  changes: ChangeSet,
  teamId: string,
  accountIds: readonly string[] | undefined,
): Promise<void> {
  if (accountIds === undefined) return;
  const refused = await setInboxes(trx, changes, teamId, accountIds);
  if (refused !== null) throw new Refused(refused);
}

/** Gives these inboxes to the team (taking them from any other), and takes back those it no longer has. */
async function setInboxes(
  trx: Trx,
  changes: ChangeSet,
  teamId: string,
  accountIds: readonly string[],
): Promise<Failure | null> {
  const wanted = [...new Set(accountIds)];
  if (wanted.length > 0) {
    const known = await trx.selectFrom('channel_accounts').select('id').where('id', 'in', wanted).execute();
    if (known.length !== wanted.length) return refusal('not_found', 'channel_account_missing');
  }
  const current = await trx.selectFrom('team_inboxes').selectAll().execute();
  const touched = new Set<string>();
  for (const row of current) {
    const keep = wanted.includes(row.channel_account_id);
    if (row.team_id === teamId && !keep) {
      await trx.deleteFrom('team_inboxes').where('channel_account_id', '=', row.channel_account_id).execute();
    } else if (row.team_id !== teamId && keep) {
      await trx
        .updateTable('team_inboxes')
        .set({ team_id: teamId })
        .where('channel_account_id', '=', row.channel_account_id)
        .execute();
      touched.add(row.team_id);
    }
  }
  const had = new Set(current.map((row) => row.channel_account_id));
  for (const accountId of wanted) {
    if (!had.has(accountId)) {
      await trx.insertInto('team_inboxes').values({ channel_account_id: accountId, team_id: teamId }).execute();
    }
  }
  for (const other of touched) await stampTeam(trx, changes, other);
  return null;
}

export async function createTeam(
  store: Store,
  fields: Partial<TeamFields> & { name: string },
): Promise<Team | Failure> {
  return store
    .write(async (trx, changes) => {
      const id = newId();
      await trx
        .insertInto('teams')
        .values({
          id,
          name: fields.name.trim(),
          auto_assign: fields.autoAssign === true ? 1 : 0,
          offline_grace_minutes: fields.offlineGraceMinutes ?? 10,
          first_response_target_seconds: fields.firstResponseTargetSeconds ?? 300,
          waiting_target_seconds: fields.waitingTargetSeconds ?? 900,
          rules: JSON.stringify(fields.rules ?? []),
          created_at: Date.now(),
          seq: await changes.nextSeq('team', id),
        })
        .execute();
      await setInboxesIfGiven(trx, changes, id, fields.channelAccountIds);
      return (await teamById(trx, id)) as Team;
    })
    .catch(unlessRefused);
}

export async function updateTeam(store: Store, id: string, fields: Partial<TeamFields>): Promise<Team | Failure> {
  return store
    .write(async (trx, changes) => {
      const existing = await trx.selectFrom('teams').select('id').where('id', '=', id).executeTakeFirst();
      if (existing === undefined) return refusal('not_found', 'team_missing');
      await trx
        .updateTable('teams')
        .set({
          ...(fields.name === undefined ? {} : { name: fields.name.trim() }),
          ...(fields.autoAssign === undefined ? {} : { auto_assign: fields.autoAssign ? 1 : 0 }),
          ...(fields.offlineGraceMinutes === undefined ? {} : { offline_grace_minutes: fields.offlineGraceMinutes }),
          ...(fields.firstResponseTargetSeconds === undefined
            ? {}
            : { first_response_target_seconds: fields.firstResponseTargetSeconds }),
          ...(fields.waitingTargetSeconds === undefined ? {} : { waiting_target_seconds: fields.waitingTargetSeconds }),
          ...(fields.rules === undefined ? {} : { rules: JSON.stringify(fields.rules) }),
          seq: await changes.nextSeq('team', id),
        })
        .where('id', '=', id)
        .execute();
      await setInboxesIfGiven(trx, changes, id, fields.channelAccountIds);
      return (await teamById(trx, id)) as Team;
    })
    .catch(unlessRefused);
}

/**
 * Deletes a team. Its conversations go to the default team (none if it was the default),
 * its inboxes too, and its members lose it.
 */
export async function deleteTeam(store: Store, id: string): Promise<Failure | null> {
  return store.write(async (trx, changes) => {
    const existing = await trx.selectFrom('teams').select('id').where('id', '=', id).executeTakeFirst();
    if (existing === undefined) return refusal('not_found', 'team_missing');
    const members = await teamMemberIds(trx, id);
    const before = await snapshotScopes(trx, members);
    const fallback = await defaultTeamId(trx);
    const heir = fallback === id ? null : fallback;
    if (heir === null) {
      await trx
        .updateTable('settings')
        .set({ value: JSON.stringify(null) })
        .where('key', '=', DEFAULT_TEAM_KEY)
        .where('value', '=', JSON.stringify(id))
        .execute();
    }
    const conversations = await trx
      .selectFrom('conversations')
      .select(['id', 'assignee_id'])
      .where('team_id', '=', id)
      .execute();
    for (const conversation of conversations) {
      await trx
        .updateTable('conversations')
        .set({ team_id: heir, seq: await changes.nextSeq('conversation', conversation.id) })
        .where('id', '=', conversation.id)
        .execute();
      await conversationMoved(
        trx,
        changes,
        conversation.id,
        { teamId: id, assigneeId: conversation.assignee_id },
        { teamId: heir, assigneeId: conversation.assignee_id },
      );
    }
    const inboxes = await trx
      .selectFrom('team_inboxes')
      .select('channel_account_id')
      .where('team_id', '=', id)
      .execute();
    await trx.deleteFrom('team_inboxes').where('team_id', '=', id).execute();
    await trx.deleteFrom('team_members').where('team_id', '=', id).execute();
    await trx.deleteFrom('teams').where('id', '=', id).execute();
    for (const inbox of inboxes) await giveInboxToDefaultTeam(trx, changes, inbox.channel_account_id);
    await stampAgents(trx, changes, members);
    await scopesChanged(trx, changes, before);
    return null;
  });
}

/** Replaces the team's members. Every id must be a user; the agents whose teams changed are stamped. */
export async function setTeamMembers(
  store: Store,
  teamId: string,
  agentIds: readonly string[],
): Promise<{ team: Team; agentIds: string[] } | Failure> {
  return store.write(async (trx, changes) => {
    const team = await teamById(trx, teamId);
    if (team === null) return refusal('not_found', 'team_missing');
    const wanted = [...new Set(agentIds)];
    if (wanted.length > 0) {
      const known = await trx.selectFrom('agents').select('id').where('id', 'in', wanted).execute();
      if (known.length !== wanted.length) return refusal('not_found', 'user_missing');
    }
    const current = await teamMemberIds(trx, teamId);
    const added = wanted.filter((id) => !current.includes(id));
    const removed = current.filter((id) => !wanted.includes(id));
    if (added.length + removed.length === 0) return { team, agentIds: current };
    const affected = [...added, ...removed];
    const before = await snapshotScopes(trx, affected);
    if (removed.length > 0) {
      await trx.deleteFrom('team_members').where('team_id', '=', teamId).where('agent_id', 'in', removed).execute();
    }
    for (const agentId of added) {
      await trx.insertInto('team_members').values({ team_id: teamId, agent_id: agentId }).execute();
    }
    await stampAgents(trx, changes, affected);
    await scopesChanged(trx, changes, before);
    return { team, agentIds: await teamMemberIds(trx, teamId) };
  });
}

/** The team new users and inboxes join (null: none). */
export async function setDefaultTeam(store: Store, teamId: string | null): Promise<Failure | null> {
  return store.write(async (trx) => {
    if (teamId !== null) {
      const team = await trx.selectFrom('teams').select('id').where('id', '=', teamId).executeTakeFirst();
      if (team === undefined) return refusal('not_found', 'team_missing');
    }
    await writeSetting(trx, DEFAULT_TEAM_KEY, teamId);
    return null;
  });
}

/** A refusal found mid-write: thrown to roll the write back, answered as the refusal. */
class Refused extends Error {
  constructor(readonly failure: Failure) {
    super(failure.reason ?? failure.code);
  }
}

function unlessRefused(error: unknown): Failure {
  if (error instanceof Refused) return error.failure;
  throw error;
}
