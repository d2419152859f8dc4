import type { Activity } from '@parley/protocol';
import { newId } from '../../platform/ids.js';
import { newMessageRow } from '../../platform/rows.js';
import type { ChangeSet, Trx } from '../../platform/store.js';

/**
 * A line in the thread saying what happened to the conversation (who assigned it to whom
 * and why, a status change, a move to another team). It is a message of kind 'activity',
 * kept with the history, but it is not a word to or from the customer: the conversation's
 * preview, last message time and unread count do not move.
 */
export async function insertActivity(
  trx: Trx,
  changes: ChangeSet,
  conversation: { id: string; channel: string },
  activity: Activity,
  now: number,
): Promise<string> {
  const id = newId();
  await trx
    .insertInto('messages')
    .values(
      newMessageRow({
        id,
        conversation_id: conversation.id,
        channel: conversation.channel,
        direction: 'outbound',
        kind: 'activity',
        author_agent_id: activity.byAgentId,
        status: 'sent',
        activity: JSON.stringify(activity),
        created_at: now,
        received_at: now,
        seq: await changes.nextSeq('message', id),
      }),
    )
    .execute();
  return id;
}
