import type { ChangeSet, Trx } from '../../platform/store.js';

/**
 * Telling users what they started or stopped seeing. Every write that changes who sees a
 * conversation calls one of these inside its transaction; each records, for each user
 * whose sight changed, an `access_changes` row stamped with a seq, which the sync sends to
 * that user alone (a `removal`, or the conversation and its recent history).
 */

export type Placement = { teamId: string | null; assigneeId: string | null };

/** A conversation changed team or assignee: `before` and `after` decide who gained or lost it. */
export async function conversationMoved(
  _trx: Trx,
  _changes: ChangeSet,
  _conversationId: string,
  _before: Placement,
  _after: Placement,
): Promise<void> {
  // Filled in with the sync's removals.
}

/**
 * What these users may see changed (team membership, role, deactivation): call with the
 * write applied, and `before` read by `snapshotScopes` ahead of it.
 */
export async function scopesChanged(_trx: Trx, _changes: ChangeSet, _before: ScopeSnapshot): Promise<void> {
  // Filled in with the sync's removals.
}

/** What some users saw before a write that changes their scope. */
export type ScopeSnapshot = { agentIds: readonly string[]; visible: Map<string, Set<string>> };

export function snapshotScopes(_trx: Trx, agentIds: readonly string[]): Promise<ScopeSnapshot> {
  return Promise.resolve({ agentIds, visible: new Map() });
}
