import { refusal, type Mutation, type MutationResult } from '@parley/protocol';
import { z } from 'zod';
import { newId } from '../../platform/ids.js';
import { throughGate, type MutationGate } from '../../platform/mutation-gate.js';
import { MESSAGE_COLUMNS, messageFromRow, newMessageRow } from '../../platform/rows.js';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';
import {
  SNOOZE_MAX_MS,
  assignConversation,
  lockWrites,
  setConversationStatus,
  snoozeConversation,
  transferConversation,
} from '../assignment/index.js';

type ConversationMutation = Extract<
  Mutation,
  {
    type:
      | 'message.note'
      | 'conversation.assign'
      | 'conversation.transfer'
      | 'conversation.setStatus'
      | 'conversation.snooze'
      | 'conversation.markUnread'
      | 'conversation.label';
  }
>;

const LabelsSchema = z.array(z.string());

/**
 * Notes, assignment, status, snoozing, unread marks and labels: changes that stay inside Parley. Each runs in one
 * transaction with its mutation record, so a repeated client id changes nothing twice.
 */
export async function runConversationMutation(
  store: Store,
  agentId: string,
  mutation: ConversationMutation,
  gate: MutationGate,
): Promise<MutationResult> {
  return store.write(async (trx, changes) => {
    // The check (who has it now) and the change must see the same row: lock first.
    await lockWrites(trx);
    return throughGate(trx, gate, () => apply(trx, changes, agentId, mutation));
  });
}

async function apply(
  trx: Trx,
  changes: ChangeSet,
  agentId: string,
  mutation: ConversationMutation,
): Promise<MutationResult> {
  const conversation = await trx
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', mutation.conversationId)
    .executeTakeFirst();
  // Who may make the change was checked by the gate (modules/mutations/permissions.ts).
  if (conversation === undefined) return refusal('not_found', 'conversation_missing');

  switch (mutation.type) {
    case 'message.note': {
      const id = newId();
      const now = Date.now();
      // Who may be mentioned was checked with the permission; mentioning oneself tells nobody.
      const mentions = [...new Set(mutation.mentions)].filter((mentioned) => mentioned !== agentId);
      await trx
        .insertInto('messages')
        .values(
          newMessageRow({
            id,
            conversation_id: conversation.id,
            channel: conversation.channel,
            client_id: mutation.clientId,
            direction: 'outbound',
            kind: 'note',
            text: mutation.text,
            author_agent_id: agentId,
            // A note is never sent anywhere: stored is all it will ever be.
            status: 'sent',
            mentions: JSON.stringify(mentions),
            created_at: now,
            received_at: now,
            seq: await changes.nextSeq('message', id),
          }),
        )
        .execute();
      const row = await trx
        .selectFrom('messages')
        .select(MESSAGE_COLUMNS)
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return { ok: true, message: messageFromRow(row) };
    }
    case 'conversation.assign': {
      if (mutation.assigneeId !== null) {
        const assignee = await trx
          .selectFrom('agents')
          .select('id')
          .where('id', '=', mutation.assigneeId)
          .executeTakeFirst();
        if (assignee === undefined) return refusal('not_found', 'agent_missing');
      }
      await assignConversation(trx, changes, conversation, mutation.assigneeId, {
        by: agentId,
        reason: mutation.assigneeId === agentId ? 'take' : 'manual',
        note: mutation.note ?? null,
        now: Date.now(),
      });
      return { ok: true };
    }
    case 'conversation.transfer': {
      await transferConversation(trx, changes, conversation, mutation.teamId, { by: agentId, now: Date.now() });
      return { ok: true };
    }
    case 'conversation.setStatus': {
      // Snoozing needs a time: conversation.snooze carries it.
      if (mutation.status === 'snoozed') return refusal('bad_request', 'snooze_needs_time');
      await setConversationStatus(trx, changes, conversation, mutation.status, { by: agentId, now: Date.now() });
      return { ok: true };
    }
    case 'conversation.snooze': {
      const now = Date.now();
      if (mutation.until <= now) return refusal('bad_request', 'snooze_in_past');
      if (mutation.until > now + SNOOZE_MAX_MS) {
        return refusal('bad_request', 'snooze_too_far', { maxDays: SNOOZE_MAX_MS / 86_400_000 });
      }
      await snoozeConversation(trx, changes, conversation, mutation.until, { by: agentId, now });
      return { ok: true };
    }
    case 'conversation.markUnread': {
      // Unread again for the whole team, as if the customer's last word had just come.
      if (Number(conversation.unread_count) >= 1) return { ok: true };
      await trx
        .updateTable('conversations')
        .set({ unread_count: 1, seq: await changes.nextSeq('conversation', conversation.id) })
        .where('id', '=', conversation.id)
        .execute();
      return { ok: true };
    }
    case 'conversation.label': {
      const labels = LabelsSchema.parse(JSON.parse(conversation.labels));
      const next =
        mutation.action === 'add'
          ? labels.includes(mutation.label)
            ? labels
            : [...labels, mutation.label].sort((a, b) => a.localeCompare(b))
          : labels.filter((label) => label !== mutation.label);
      if (next.length !== labels.length) {
        await trx
          .updateTable('conversations')
          .set({ labels: JSON.stringify(next), seq: await changes.nextSeq('conversation', conversation.id) })
          .where('id', '=', conversation.id)
          .execute();
      }
      return { ok: true };
    }
  }
}
