import { AttachmentSchema, MessageDirectionSchema, MessageKindSchema, SharedContactSchema } from '@parley/protocol';
import { z } from 'zod';
import { previewOf } from '../../platform/preview.js';
import {
  findMessage,
  refreshPreview,
  storedLocation,
  type AccountEvent,
  type Context,
  type Outcome,
} from './context.js';

/** A customer editing or deleting a message they sent. */

export async function applyEdit(context: Context, event: Extract<AccountEvent, { type: 'edit' }>): Promise<Outcome> {
  const { trx, changes } = context;
  const message = await findMessage(trx, event.channel, event.targetExternalId);
  if (message === undefined) {
    context.note(`edit of an unknown message ${event.targetExternalId}`);
    return 'ignored';
  }
  // Edits apply in their own order: a retried or older edit never undoes a newer one.
  if (message.edited_at !== null && Number(message.edited_at) >= event.at) return 'duplicate';
  const text = event.content.text ?? message.text;
  await trx
    .updateTable('messages')
    .set({
      text,
      location: event.content.location === null ? message.location : JSON.stringify(event.content.location),
      edited_at: event.at,
      seq: await changes.nextSeq('message', message.id),
    })
    .where('id', '=', message.id)
    .execute();
  if (message.deleted_at === null) {
    const attachments = z.array(AttachmentSchema).parse(JSON.parse(message.attachments));
    await refreshPreview(
      context,
      message,
      previewOf({
        kind: MessageKindSchema.parse(message.kind),
        direction: MessageDirectionSchema.parse(message.direction),
        text,
        attachments,
        location: event.content.location ?? storedLocation(message.location),
        sharedContacts: z.array(SharedContactSchema).parse(JSON.parse(message.shared_contacts)),
      }),
    );
  }
  return 'updated';
}

export async function applyDelete(
  context: Context,
  event: Extract<AccountEvent, { type: 'delete' }>,
): Promise<Outcome> {
  const { trx, changes } = context;
  const message = await findMessage(trx, event.channel, event.targetExternalId);
  if (message === undefined) {
    context.note(`delete of an unknown message ${event.targetExternalId}`);
    return 'ignored';
  }
  if (message.deleted_at !== null) return 'duplicate';
  // The row and its raw payload stay, for the record; clients show it as deleted.
  await trx
    .updateTable('messages')
    .set({ deleted_at: event.at, seq: await changes.nextSeq('message', message.id) })
    .where('id', '=', message.id)
    .execute();
  await refreshPreview(
    context,
    message,
    previewOf({
      kind: MessageKindSchema.parse(message.kind),
      direction: MessageDirectionSchema.parse(message.direction),
      text: null,
      deleted: true,
    }),
  );
  return 'updated';
}
