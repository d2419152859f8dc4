import { z } from 'zod';
import { readSetting } from '../../platform/settings.js';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';

/** Where the default team's id is kept (null: none). */
export const DEFAULT_TEAM_KEY = 'default_team_id';

/**
 * The workspace's default team: new users and new inboxes join it, so a fresh server works
 * before anyone makes teams. An admin may change or clear it (settings.default_team_id).
 */
export async function defaultTeamId(db: Store['db'] | Trx): Promise<string | null> {
  const id = (await readSetting(db, DEFAULT_TEAM_KEY, z.string().nullable())) ?? null;
  if (id === null) return null;
  const team = await db.selectFrom('teams').select('id').where('id', '=', id).executeTakeFirst();
  return team?.id ?? null;
}

/** A new user joins the default team (their agent row is stamped again by the caller's change). */
export async function joinDefaultTeam(trx: Trx, changes: ChangeSet, agentId: string): Promise<void> {
  const teamId = await defaultTeamId(trx);
  if (teamId === null) return;
  await trx
    .insertInto('team_members')
    .values({ team_id: teamId, agent_id: agentId })
    .onConflict((c) => c.doNothing())
    .execute();
  await trx
    .updateTable('agents')
    .set({ seq: await changes.nextSeq('agent', agentId) })
    .where('id', '=', agentId)
    .execute();
}

/** A new inbox nobody answers yet goes to the default team. */
export async function giveInboxToDefaultTeam(trx: Trx, changes: ChangeSet, channelAccountId: string): Promise<void> {
  const teamId = await defaultTeamId(trx);
  if (teamId === null) return;
  const taken = await trx
    .selectFrom('team_inboxes')
    .select('team_id')
    .where('channel_account_id', '=', channelAccountId)
    .executeTakeFirst();
  if (taken !== undefined) return;
  await trx.insertInto('team_inboxes').values({ channel_account_id: channelAccountId, team_id: teamId }).execute();
  await trx
    .updateTable('teams')
    .set({ seq: await changes.nextSeq('team', teamId) })
    .where('id', '=', teamId)
    .execute();
}
