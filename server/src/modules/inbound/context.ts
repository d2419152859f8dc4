import { type Selectable } from 'kysely';
import { LocationSchema, type MessagePreview } from '@parley/protocol';
import type { InboundEvent } from '../channels/index.js';
import { previewColumns } from '../../platform/preview.js';
import type { ChannelAccountRow } from '../channelAccounts/index.js';
import type { Database } from '../../platform/schema.js';
import type { ChangeSet, Trx } from '../../platform/store.js';

/** What every kind of inbound event is applied with: the transaction, its changes, and shared look-ups. */

export const MAX_NOTES = 20;
export const DAY_MS = 24 * 60 * 60 * 1000;
/** How far apart an echo and our own pending send may be and still be the same message. */
export const ECHO_MATCH_MS = 2 * 60 * 1000;

export function storedLocation(column: string | null): { name: string | null; address: string | null } | null {
  return column === null ? null : LocationSchema.parse(JSON.parse(column));
}

export type AccountEvent = InboundEvent & { account: ChannelAccountRow };
export type Outcome = 'stored' | 'updated' | 'duplicate' | 'ignored';

export type Context = {
  trx: Trx;
  changes: ChangeSet;
  now: number;
  note(text: string): void;
};

export type MessageEvent = Extract<AccountEvent, { type: 'message' }>;
export type ConversationRow = Selectable<Database['conversations']>;

export async function findMessage(
  trx: Trx,
  channel: string,
  externalId: string,
): Promise<Selectable<Database['messages']> | undefined> {
  return trx
    .selectFrom('messages')
    .selectAll()
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** Sets the conversation's preview when `message` is its latest message. */
export async function refreshPreview(
  context: Context,
  message: Pick<Selectable<Database['messages']>, 'id' | 'conversation_id'>,
  preview: MessagePreview,
): Promise<void> {
  const latest = await context.trx
    .selectFrom('messages')
    .select('id')
    .where('conversation_id', '=', message.conversation_id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (latest?.id !== message.id) return;
  const conversation = await context.trx
    .selectFrom('conversations')
    .select('preview')
    .where('id', '=', message.conversation_id)
    .executeTakeFirstOrThrow();
  const columns = previewColumns(preview);
  if (conversation.preview === columns.preview) return;
  await context.trx
    .updateTable('conversations')
    .set({
      ...columns,
      seq: await context.changes.nextSeq('conversation', message.conversation_id),
    })
    .where('id', '=', message.conversation_id)
    .execute();
}
