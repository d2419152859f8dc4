import type { AssignmentReason, ConversationStatus } from '@parley/protocol';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';
import { changeAssignee, changeStatus, changeTeam, loadConversation, type ConversationRow } from './assign.js';
import { autoAssign, offerQueue } from './auto.js';

/**
 * What the other modules call, inside their own write: each change of assignee, status or
 * team keeps its line in the thread and lets auto-assignment react (a freed place is
 * offered to the queue; a conversation back in the queue is offered to the team).
 */

/** A supervisor's (or the assignee's own) assignment; `reason` 'take' when one takes it for themselves. */
export async function assignConversation(
  trx: Trx,
  changes: ChangeSet,
  conversation: ConversationRow,
  to: string | null,
  how: { by: string | null; reason: AssignmentReason; note?: string | null; now: number },
): Promise<boolean> {
  const from = conversation.assignee_id;
  if (!(await changeAssignee(trx, changes, conversation, to, how))) return false;
  if (to === null) {
    // Back in the queue: offered to the team, not straight back to who gave it up.
    await autoAssign(trx, changes, conversation, how.now, from === null ? new Set() : new Set([from]));
  }
  if (from !== null) await offerQueue(trx, changes, from, how.now, new Set([conversation.id]));
  return true;
}

/** A status change; resolving frees the assignee's place, reopening offers it to the team. */
export async function setConversationStatus(
  trx: Trx,
  changes: ChangeSet,
  conversation: ConversationRow,
  to: ConversationStatus,
  how: { by: string | null; now: number },
): Promise<boolean> {
  const from = conversation.status;
  if (!(await changeStatus(trx, changes, conversation, to, how))) return false;
  if (to === 'resolved' && conversation.assignee_id !== null) {
    await offerQueue(trx, changes, conversation.assignee_id, how.now);
  }
  if (from === 'resolved') await autoAssign(trx, changes, conversation, how.now);
  return true;
}

/** Moved to another team: if nobody has it, the new team's auto-assignment may take it. */
export async function transferConversation(
  trx: Trx,
  changes: ChangeSet,
  conversation: ConversationRow,
  teamId: string | null,
  how: { by: string | null; now: number },
): Promise<boolean> {
  if (!(await changeTeam(trx, changes, conversation, teamId, how))) return false;
  await autoAssign(trx, changes, conversation, how.now);
  return true;
}

/** A new conversation, or one the customer reopened: offered to its team. */
export async function conversationArrived(
  trx: Trx,
  changes: ChangeSet,
  conversationId: string,
  now: number,
): Promise<string | null> {
  const conversation = await loadConversation(trx, conversationId);
  if (conversation === undefined) return null;
  return autoAssign(trx, changes, conversation, now);
}

/**
 * An agent's reply was stored: the first response is stamped, the customer no longer waits,
 * and a person replying to an unassigned conversation takes it (the line says 'take').
 */
export async function agentReplied(
  trx: Trx,
  changes: ChangeSet,
  conversationId: string,
  agentId: string,
  now: number,
): Promise<void> {
  const conversation = await loadConversation(trx, conversationId);
  if (conversation === undefined) return;
  await trx
    .updateTable('conversations')
    .set({
      first_response_at: conversation.first_response_at ?? now,
      waiting_since: null,
      seq: await changes.nextSeq('conversation', conversation.id),
    })
    .where('id', '=', conversation.id)
    .execute();
  if (conversation.assignee_id !== null) return;
  const agent = await trx.selectFrom('agents').select('kind').where('id', '=', agentId).executeTakeFirst();
  if (agent?.kind !== 'person') return;
  await changeAssignee(trx, changes, conversation, agentId, { by: agentId, reason: 'take', now });
}

/** An agent came Online (or is back from Away): the queue of their teams is offered. */
export function agentAvailable(trx: Trx, changes: ChangeSet, agentId: string, now: number): Promise<number> {
  return offerQueue(trx, changes, agentId, now);
}

/** Offers every team's queue once (after a start, or for a test). */
export async function offerAllQueues(store: Store, now: number): Promise<void> {
  await store.write(async (trx, changes) => {
    const online = await trx
      .selectFrom('agents')
      .select('id')
      .where('presence', '=', 'online')
      .where('active', '=', 1)
      .execute();
    for (const agent of online) await offerQueue(trx, changes, agent.id, now);
  });
}
