import { sql, type Selectable } from 'kysely';
import { ConversationStatusSchema, type AssignmentReason, type ConversationStatus } from '@parley/protocol';
import type { Database } from '../../platform/schema.js';
import type { ChangeSet, Trx } from '../../platform/store.js';
import { conversationMoved } from '../access/index.js';
import { insertActivity } from './activity.js';

export type ConversationRow = Selectable<Database['conversations']>;

/**
 * Takes the store's write lock (the seq counter's row) before anything is read, so a check
 * and the update it allows see the same rows: two agents taking one conversation at once
 * are served one after the other, and the second sees the first one's assignee. SQLite
 * writes are serialized by its single writer already; on PostgreSQL this is the row lock.
 */
export async function lockWrites(trx: Trx): Promise<void> {
  await trx
    .updateTable('seq_counter')
    .set({ value: sql<number>`value` })
    .where('id', '=', 1)
    .execute();
}

export async function loadConversation(trx: Trx, id: string): Promise<ConversationRow | undefined> {
  return trx.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Gives the conversation to `to` (null: back to the queue), with the line that keeps who,
 * when, from, to and why. Returns false when it already had that assignee.
 */
export async function changeAssignee(
  trx: Trx,
  changes: ChangeSet,
  conversation: ConversationRow,
  to: string | null,
  how: { by: string | null; reason: AssignmentReason; note?: string | null; now: number },
): Promise<boolean> {
  const from = conversation.assignee_id;
  if (from === to) return false;
  await trx
    .updateTable('conversations')
    .set({
      assignee_id: to,
      assigned_at: to === null ? null : how.now,
      seq: await changes.nextSeq('conversation', conversation.id),
    })
    .where('id', '=', conversation.id)
    .execute();
  const note = how.note === undefined || how.note === null || how.note.trim() === '' ? null : how.note.trim();
  await insertActivity(
    trx,
    changes,
    conversation,
    { type: 'assignment', byAgentId: how.by, fromAgentId: from, toAgentId: to, reason: how.reason, note },
    how.now,
  );
  await conversationMoved(
    trx,
    changes,
    conversation.id,
    { teamId: conversation.team_id, assigneeId: from },
    { teamId: conversation.team_id, assigneeId: to },
  );
  conversation.assignee_id = to;
  conversation.assigned_at = to === null ? null : how.now;
  return true;
}

/**
 * A new status, with its line; resolving stamps resolved_at, reopening clears it. Snoozed
 * keeps `how.snoozedUntil` (when it comes back); any other status clears that time.
 * Snoozed again while snoozed moves the time alone, without a line.
 */
export async function changeStatus(
  trx: Trx,
  changes: ChangeSet,
  conversation: ConversationRow,
  to: ConversationStatus,
  how: { by: string | null; now: number; snoozedUntil?: number },
): Promise<boolean> {
  const from = ConversationStatusSchema.parse(conversation.status);
  const snoozedUntil = to === 'snoozed' ? (how.snoozedUntil ?? null) : null;
  const sameTime = (conversation.snoozed_until === null ? null : Number(conversation.snoozed_until)) === snoozedUntil;
  if (from === to && sameTime) return false;
  const resolvedAt = to === 'resolved' ? how.now : from === to ? conversation.resolved_at : null;
  await trx
    .updateTable('conversations')
    .set({
      status: to,
      resolved_at: resolvedAt,
      snoozed_until: snoozedUntil,
      seq: await changes.nextSeq('conversation', conversation.id),
    })
    .where('id', '=', conversation.id)
    .execute();
  if (from !== to) {
    await insertActivity(trx, changes, conversation, { type: 'status', byAgentId: how.by, from, to }, how.now);
  }
  conversation.status = to;
  conversation.resolved_at = resolvedAt;
  conversation.snoozed_until = snoozedUntil;
  return true;
}

/** Moves the conversation to another team, with its line; its assignee stays. */
export async function changeTeam(
  trx: Trx,
  changes: ChangeSet,
  conversation: ConversationRow,
  to: string | null,
  how: { by: string | null; now: number },
): Promise<boolean> {
  const from = conversation.team_id;
  if (from === to) return false;
  await trx
    .updateTable('conversations')
    .set({ team_id: to, seq: await changes.nextSeq('conversation', conversation.id) })
    .where('id', '=', conversation.id)
    .execute();
  await insertActivity(
    trx,
    changes,
    conversation,
    { type: 'team', byAgentId: how.by, fromTeamId: from, toTeamId: to },
    how.now,
  );
  await conversationMoved(
    trx,
    changes,
    conversation.id,
    { teamId: from, assigneeId: conversation.assignee_id },
    { teamId: to, assigneeId: conversation.assignee_id },
  );
  conversation.team_id = to;
  return true;
}
