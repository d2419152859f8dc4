import type { ChangeSet, Trx } from '../../platform/store.js';
import { loadScopes, principalOf, sees, visibleConversation } from './visibility.js';

/**
 * Telling users what they started or stopped seeing. Every write that changes who sees a
 * conversation calls one of these inside its transaction; each records, for each user
 * whose sight changed, an `access_changes` row stamped with a seq, which the sync sends to
 * that user alone (a `removal`, or the conversation and its recent history).
 */

export type Placement = { teamId: string | null; assigneeId: string | null };

/** A conversation changed team or assignee: `before` and `after` decide who gained or lost it. */
export async function conversationMoved(
  trx: Trx,
  changes: ChangeSet,
  conversationId: string,
  before: Placement,
  after: Placement,
): Promise<void> {
  if (before.teamId === after.teamId && before.assigneeId === after.assigneeId) return;
  const scopes = await loadScopes(trx);
  const moved: AccessEntry[] = [];
  for (const agentId of scopes.principals.keys()) {
    const saw = sees(scopes, agentId, before);
    const seesNow = sees(scopes, agentId, after);
    if (saw !== seesNow) moved.push({ agentId, conversationId, visible: seesNow });
  }
  await recordAccess(trx, changes, moved);
}

/**
 * What these users may see changed (team membership, role, deactivation): call with the
 * write applied, and `before` read by `snapshotScopes` ahead of it.
 */
export async function scopesChanged(trx: Trx, changes: ChangeSet, before: ScopeSnapshot): Promise<void> {
  // The users the write is about changed (their teams, role or state are part of what every
  // client holds of them): stamped once here unless the write did, which also tells the
  // live fan-out to read its scopes again.
  for (const agentId of before.agentIds) {
    if (changes.touched.has(`agent:${agentId}`)) continue;
    await trx
      .updateTable('agents')
      .set({ seq: await changes.nextSeq('agent', agentId) })
      .where('id', '=', agentId)
      .execute();
  }
  const moved: AccessEntry[] = [];
  for (const agentId of before.visible.keys()) {
    const saw = before.visible.get(agentId) ?? new Set<string>();
    const now = await visibleIds(trx, agentId);
    for (const id of saw) if (!now.has(id)) moved.push({ agentId, conversationId: id, visible: false });
    for (const id of now) if (!saw.has(id)) moved.push({ agentId, conversationId: id, visible: true });
  }
  await recordAccess(trx, changes, moved);
}

/**
 * What some users saw before a write that changes their scope: `agentIds` are the users
 * the write is about; `visible` also holds every supervisor's, whose view may change too.
 */
export type ScopeSnapshot = { agentIds: readonly string[]; visible: Map<string, Set<string>> };

/**
 * Read before the write. Every active supervisor is taken along: a supervisor sees what
 * their teams' members are assigned, so one person joining or leaving a team changes
 * what the supervisors of that team see too.
 */
export async function snapshotScopes(trx: Trx, agentIds: readonly string[]): Promise<ScopeSnapshot> {
  const supervisors = await trx
    .selectFrom('agents')
    .select('id')
    .where('role', '=', 'supervisor')
    .where('active', '=', 1)
    .execute();
  const visible = new Map<string, Set<string>>();
  for (const agentId of new Set([...agentIds, ...supervisors.map((row) => row.id)])) {
    visible.set(agentId, await visibleIds(trx, agentId));
  }
  return { agentIds: [...new Set(agentIds)], visible };
}

/** The ids of every conversation this user sees now (none for an unknown or deactivated one). */
async function visibleIds(trx: Trx, agentId: string): Promise<Set<string>> {
  const principal = await principalOf(trx, agentId);
  if (principal === null || !principal.active) return new Set();
  const rows = await trx
    .selectFrom('conversations')
    .select('conversations.id')
    .where(visibleConversation(principal))
    .execute();
  return new Set(rows.map((row) => row.id));
}

type AccessEntry = { agentId: string; conversationId: string; visible: boolean };

/** Rows a statement: four parameters each, well under SQLite's limit. */
const INSERT_CHUNK = 500;

/** Stamps these changes of sight and keeps each as the latest for its user and conversation. */
async function recordAccess(trx: Trx, changes: ChangeSet, entries: readonly AccessEntry[]): Promise<void> {
  const stamped = await changes.stampAccess(entries);
  for (let start = 0; start < stamped.length; start += INSERT_CHUNK) {
    await trx
      .insertInto('access_changes')
      .values(
        stamped.slice(start, start + INSERT_CHUNK).map((change) => ({
          agent_id: change.agentId,
          conversation_id: change.conversationId,
          visible: change.visible ? 1 : 0,
          seq: change.seq,
        })),
      )
      .onConflict((conflict) =>
        conflict.columns(['agent_id', 'conversation_id']).doUpdateSet((eb) => ({
          visible: eb.ref('excluded.visible'),
          seq: eb.ref('excluded.seq'),
        })),
      )
      .execute();
  }
}
