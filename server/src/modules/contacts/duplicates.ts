import type { ChangeSet, Trx } from '../../platform/store.js';

/**
 * Call when `contactId` gets the phone number `phone` (a new contact, or one whose number
 * was learned or changed). Contacts sharing a number are offered to agents as a possible
 * merge (Contact.possibleDuplicates, computed when a contact is read for sync); the other
 * contacts with that number did not change themselves, so without a new seq no client would
 * learn that they now have a duplicate. Stamps every one of them, and `contactId`.
 *
 * Returns the ids of the other contacts with that number.
 */
export async function touchDuplicatesOf(
  trx: Trx,
  changes: ChangeSet,
  contactId: string,
  phone: string | null,
): Promise<string[]> {
  if (phone === null || phone === '') return [];
  const others = await trx
    .selectFrom('contacts')
    .select('id')
    .where('phone', '=', phone)
    .where('merged_into', 'is', null)
    .where('id', '!=', contactId)
    .orderBy('id')
    .execute();
  if (others.length === 0) return [];
  const ids = others.map((other) => other.id);
  for (const id of ids) await stampContact(trx, changes, id);
  if (!changes.touched.has(`contact:${contactId}`)) await stampContact(trx, changes, contactId);
  return ids;
}

/** A new seq for a contact whose data did not change but whose derived fields did. */
export async function stampContact(trx: Trx, changes: ChangeSet, contactId: string): Promise<void> {
  await trx
    .updateTable('contacts')
    .set({ seq: await changes.nextSeq('contact', contactId) })
    .where('id', '=', contactId)
    .execute();
}
