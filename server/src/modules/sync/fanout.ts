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

/**
 * A socket not sent the batches it saw nothing of is sent, this long after the first of
 * them, one empty batch that moves its cursor past them all: a client stays at most this
 * far behind the head, and a reconnection pulls from near it.
 */
export const QUIET_BATCH_EVERY_MS = 1000;

/** What a socket was last sent, and the end of the batches since that it was not sent. */
type Sent = { upTo: number; chain: number; skippedUpTo: number | null; skippedSince: number };

/**
 * What one node last sent each of its sockets. A busy workspace commits many batches a
 * second and most users see nothing of most of them (another team's customers): sending
 * each socket every batch only to move its cursor cost a socket write, and on the client a
 * write to its cache, per batch and per user. So a socket is not sent a batch it sees
 * nothing of, and the next batch it is sent starts where the last one it was sent ended:
 * nothing it sees was committed in between, so its client finds no gap and does not pull.
 * `quiet` then sends, now and then, the empty batch that catches up a socket left behind.
 *
 * That holds only while this node's batches follow on from each other. A batch that does
 * not start where the last one ended (a gap the node itself will fill from the database)
 * starts a new chain, and every socket's next batch starts where it says.
 */
export class LiveSends<Recipient> {
  private readonly sent = new Map<Recipient, Sent>();
  private chain = 0;
  private lastUpTo: number | null = null;

  constructor(
    private readonly quietMs = QUIET_BATCH_EVERY_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Called once for each committed batch, in order, before `cut` for its recipients. */
  begin(committed: { after: number; upTo: number }): void {
    if (this.lastUpTo !== committed.after) this.chain += 1;
    this.lastUpTo = committed.upTo;
  }

  /** What to send this recipient of its cut `batch` of the committed batch: null for nothing. */
  cut(recipient: Recipient, batch: LiveBatch, committedAfter: number): LiveBatch | null {
    const sent = this.sent.get(recipient);
    const followsOn = sent !== undefined && sent.chain === this.chain && batch.after === committedAfter;
    if (followsOn && batch.changes.length === 0) {
      if (sent.skippedUpTo === null) sent.skippedSince = this.clock();
      sent.skippedUpTo = batch.upTo;
      return null;
    }
    this.sent.set(recipient, { upTo: batch.upTo, chain: this.chain, skippedUpTo: null, skippedSince: 0 });
    return followsOn && sent.upTo !== batch.after ? { ...batch, after: sent.upTo } : batch;
  }

  /** The empty batches due to recipients left behind for `quietMs`, to send now. */
  quiet(): [Recipient, LiveBatch][] {
    const now = this.clock();
    const due: [Recipient, LiveBatch][] = [];
    for (const [recipient, sent] of this.sent) {
      if (sent.skippedUpTo === null || now - sent.skippedSince < this.quietMs) continue;
      // A gap since: the next batch sent tells the client where to pull from.
      if (sent.chain !== this.chain) continue;
      due.push([recipient, { after: sent.upTo, upTo: sent.skippedUpTo, changes: [] }]);
      this.sent.set(recipient, { upTo: sent.skippedUpTo, chain: sent.chain, skippedUpTo: null, skippedSince: 0 });
    }
    return due;
  }

  /** The recipient is gone. */
  forget(recipient: Recipient): void {
    this.sent.delete(recipient);
  }
}
