import type { Change, LiveBatch } from '@parley/protocol';
import type { AccessChange, CommittedBatch } from '../../platform/store.js';
import { sees, type Scopes } from '../access/index.js';

/**
 * Cutting one committed batch for one user, in memory: the fan-out of live batches calls
 * this once per connected user, so it reads nothing from the database. What it decides
 * is the rule `visibleConversation` decides for pulls (tested against each other).
 */

export type UserBatch = {
  batch: LiveBatch;
  /**
   * Equal for users sent the same thing, so the batch is serialized once for all of them:
   * the changes kept, by position, or the user's own id when their sight changed.
   */
  key: string;
};

export function batchFor(scopes: Scopes, agentId: string, committed: CommittedBatch): UserBatch {
  const kept: Change[] = [];
  const positions: number[] = [];
  committed.changes.forEach((change, index) => {
    if (visibleChange(scopes, agentId, committed, change)) {
      kept.push(change);
      positions.push(index);
    }
  });
  const own = accessOf(committed).get(agentId) ?? [];
  if (own.length === 0) {
    return {
      batch: { after: committed.after, upTo: committed.upTo, changes: kept },
      key: positions.join(','),
    };
  }
  let complete = true;
  const granted: Change[] = [];
  const removed: Change[] = [];
  for (const access of own) {
    if (!access.visible) {
      removed.push({ entity: 'removal', data: { id: access.conversationId, seq: access.seq } });
      continue;
    }
    const changes = committed.grants.get(access.conversationId);
    if (changes === undefined) complete = false;
    else granted.push(...changes);
  }
  // More came into sight than a batch carries: `after` at the end makes the client pull it.
  const after = complete ? committed.after : committed.upTo;
  // Removals last: the client applies them after everything else in the batch.
  return {
    batch: { after, upTo: committed.upTo, changes: [...kept, ...granted, ...removed] },
    key: `agent:${agentId}`,
  };
}

/** The batch's changes of sight by user, grouped once however many users it is cut for. */
const accessByAgent = new WeakMap<CommittedBatch, Map<string, AccessChange[]>>();

function accessOf(committed: CommittedBatch): Map<string, AccessChange[]> {
  let grouped = accessByAgent.get(committed);
  if (grouped === undefined) {
    grouped = new Map();
    for (const access of committed.access) {
      const list = grouped.get(access.agentId) ?? [];
      list.push(access);
      grouped.set(access.agentId, list);
    }
    accessByAgent.set(committed, grouped);
  }
  return grouped;
}

function visibleChange(scopes: Scopes, agentId: string, committed: CommittedBatch, change: Change): boolean {
  switch (change.entity) {
    case 'agent':
    case 'channelAccount':
    case 'template':
    case 'team':
      return scopes.principals.get(agentId)?.active === true;
    case 'conversation':
      return sees(scopes, agentId, { teamId: change.data.teamId, assigneeId: change.data.assigneeId });
    case 'message': {
      const placement = committed.placements.get(change.data.conversationId);
      return placement !== undefined && sees(scopes, agentId, placement);
    }
    case 'contact':
      return (committed.contactPlacements.get(change.data.id) ?? []).some((placement) =>
        sees(scopes, agentId, placement),
      );
    case 'cannedResponse':
      // Shared ones reach every active user; a personal one its owner alone, admins included.
      return (
        scopes.principals.get(agentId)?.active === true &&
        (change.data.ownerId === null || change.data.ownerId === agentId)
      );
    case 'removal':
      return false;
  }
}

/**
 * Whether a batch may change who sees what, so the in-memory scopes must be read again:
 * a change of sight, a team changed, or an agent whose role, state or teams differ from
 * what the scopes hold (a change of presence alone, the common case, does not count).
 */
export function changesScopes(committed: CommittedBatch, scopes: Scopes): boolean {
  if (committed.access.length > 0) return true;
  return committed.changes.some((change) => {
    if (change.entity === 'team') return true;
    if (change.entity !== 'agent') return false;
    const agent = change.data;
    const known = scopes.principals.get(agent.id);
    if (
      known === undefined ||
      known.role !== agent.role ||
      known.active !== agent.active ||
      known.kind !== agent.kind
    ) {
      return true;
    }
    const teams = scopes.teamsOf.get(agent.id) ?? new Set<string>();
    return teams.size !== agent.teamIds.length || agent.teamIds.some((team) => !teams.has(team));
  });
}
