import { refusal, type MutationResult } from '@parley/protocol';
import type { ChangeSet, Trx } from '../../platform/store.js';

/**
 * What agents write about a customer for each other: one note per contact, replaced whole.
 * The contact's new seq carries it to everyone who sees one of its conversations.
 */
export async function setContactNote(
  trx: Trx,
  changes: ChangeSet,
  contactId: string,
  note: string,
): Promise<MutationResult> {
  const contact = await trx
    .selectFrom('contacts')
    .select(['id', 'note'])
    .where('id', '=', contactId)
    .executeTakeFirst();
  if (contact === undefined) return refusal('not_found', 'contact_missing');
  if (contact.note === note) return { ok: true };
  await trx
    .updateTable('contacts')
    .set({ note, seq: await changes.nextSeq('contact', contactId) })
    .where('id', '=', contactId)
    .execute();
  return { ok: true };
}
