import { type CustomerRef } from '../channels/index.js';
import { touchDuplicatesOf } from '../contacts/index.js';
import { newId } from '../../platform/ids.js';
import type { Trx } from '../../platform/store.js';
import { findMessage, type Context, type ConversationRow, type MessageEvent } from './context.js';
import { sql } from 'kysely';

/** The customer a message comes from: found by any of their identities (through a merge), or created. */

export async function findContactId(
  trx: Trx,
  channel: string,
  identities: CustomerRef['identities'],
): Promise<string | undefined> {
  for (const identity of identities) {
    const found = await trx
      .selectFrom('contact_identities')
      .innerJoin('contacts', 'contacts.id', 'contact_identities.contact_id')
      .select(['contacts.id', 'contacts.merged_into'])
      .where('contact_identities.channel', '=', channel)
      .where('contact_identities.kind', '=', identity.kind)
      .where('contact_identities.external_id', '=', identity.externalId)
      .executeTakeFirst();
    // A merged contact lives on in the one it was merged into.
    if (found !== undefined) return found.merged_into ?? found.id;
  }
  return undefined;
}

type FoundContact = {
  /** The contact, or the one it was merged into: a merged contact lives on there. */
  contact: { id: string; name: string; phone: string | null };
  /** The identity it was found by (known, so not inserted again). */
  by: CustomerRef['identities'][number];
  /** Its conversation on the account asked about (null: none yet). */
  conversation: ConversationRow | null;
};

/** What a message's lookup found: its contact (if known), and whether the message is stored already. */
export type ContactLookup = { found: FoundContact | undefined; duplicate: boolean };

/**
 * The message's contact, as `findContact` finds it, and whether the message itself is
 * stored already (Meta's retry): the duplicate check rides on the contact's query, one
 * round trip fewer a message (on PostgreSQL, made while the seq row is held). When no
 * contact is found it is asked on its own, so a duplicate is caught whatever its contact.
 */
export async function lookUpMessage(trx: Trx, event: MessageEvent): Promise<ContactLookup> {
  const found = await findContact(trx, event.channel, event.customer.identities, event.account.id, event.externalId);
  if (found !== undefined) return { found, duplicate: found.duplicate };
  return { found, duplicate: (await findMessage(trx, event.channel, event.externalId)) !== undefined };
}

/**
 * The contact one of these identities belongs to (the first found, in order), with its
 * conversation on `accountId`: one query for each identity tried. With `externalId`, the
 * same query says whether a message of the channel with that id is stored.
 */
async function findContact(
  trx: Trx,
  channel: string,
  identities: CustomerRef['identities'],
  accountId: string,
  externalId?: string,
): Promise<(FoundContact & { duplicate: boolean }) | undefined> {
  for (const identity of identities) {
    const row = await trx
      .selectFrom('contact_identities')
      .innerJoin('contacts as owner', 'owner.id', 'contact_identities.contact_id')
      .innerJoin('contacts', (join) => join.onRef('contacts.id', '=', sql`coalesce(owner.merged_into, owner.id)`))
      .leftJoin('conversations', (join) =>
        join
          .onRef('conversations.contact_id', '=', 'contacts.id')
          .on('conversations.channel_account_id', '=', accountId),
      )
      .select([
        'contacts.id as found_contact_id',
        'contacts.name as found_contact_name',
        'contacts.phone as found_contact_phone',
      ])
      .select((eb) =>
        (externalId === undefined
          ? sql<string | null>`null`
          : eb
              .selectFrom('messages')
              .select('messages.id')
              .where('messages.channel', '=', channel)
              .where('messages.external_id', '=', externalId)
              .limit(1)
        ).as('found_message_id'),
      )
      .selectAll('conversations')
      .where('contact_identities.channel', '=', channel)
      .where('contact_identities.kind', '=', identity.kind)
      .where('contact_identities.external_id', '=', identity.externalId)
      .executeTakeFirst();
    if (row === undefined) continue;
    const {
      found_contact_id: id,
      found_contact_name: name,
      found_contact_phone: phone,
      found_message_id: messageId,
      ...conversation
    } = row;
    return {
      duplicate: messageId !== null,
      contact: { id, name, phone },
      by: identity,
      // Every column of a conversation, or (none joined) every one null.
      conversation: conversation.id === null ? null : (conversation as ConversationRow),
    };
  }
  return undefined;
}

/**
 * The message's contact, created or brought up to date from the payload, with its
 * conversation on the message's account when the lookup found one (null: it has none;
 * undefined: not read).
 */
export async function upsertContact(
  context: Context,
  event: MessageEvent,
  lookup?: ContactLookup,
): Promise<{ id: string; conversation?: ConversationRow | null }> {
  const { trx, changes, now } = context;
  const { customer } = event;
  const known =
    lookup === undefined ? await findContact(trx, event.channel, customer.identities, event.account.id) : lookup.found;
  if (known !== undefined) {
    const found = known.contact;
    const name = customer.name ?? found.name;
    // A number change replaces the number; otherwise a payload only fills a blank.
    const phone =
      customer.phoneChanged === true && customer.phone !== null ? customer.phone : (found.phone ?? customer.phone);
    const added = await addIdentities(
      context,
      event,
      found.id,
      customer.identities.filter((identity) => identity !== known.by),
    );
    // A new identity (a BSUID next to a known wa_id, say) is a change clients must see.
    if (name !== found.name || phone !== found.phone || added > 0) {
      // The contact was read without a lock: beside other writes, its change could undo
      // theirs (and a new number makes other contacts possible duplicates).
      changes.requireExclusive('the contact changes');
      await trx
        .updateTable('contacts')
        .set({ name, phone, seq: await changes.nextSeq('contact', found.id) })
        .where('id', '=', found.id)
        .execute();
      // Another contact with this number now has a possible duplicate: tell clients.
      if (phone !== found.phone) await touchDuplicatesOf(trx, changes, found.id, phone);
    }
    return { id: found.id, conversation: known.conversation };
  }
  const id = newId();
  await trx
    .insertInto('contacts')
    .values({
      id,
      name: customer.name ?? fallbackName(event),
      avatar_media_id: null,
      phone: customer.phone,
      merged_into: null,
      profile_fetched_at: null,
      created_at: now,
      seq: await changes.nextSeq('contact', id),
    })
    .execute();
  await addIdentities(context, event, id, customer.identities);
  await touchDuplicatesOf(trx, changes, id, customer.phone);
  // A new contact has no conversation yet.
  return { id, conversation: null };
}

/**
 * Records the identities the payload carries that are not known yet; returns how many.
 * An identity that already belongs to another contact stays there: merging is the agents'
 * call, offered through `possibleDuplicates`.
 */
export async function addIdentities(
  context: Context,
  event: MessageEvent,
  contactId: string,
  identities: CustomerRef['identities'],
): Promise<number> {
  let added = 0;
  for (const identity of identities) {
    const result = await context.trx
      .insertInto('contact_identities')
      .values({
        channel: event.channel,
        kind: identity.kind,
        external_id: identity.externalId,
        contact_id: contactId,
        created_at: context.now,
      })
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

export function fallbackName(event: MessageEvent): string {
  if (event.customer.phone !== null) return `+${event.customer.phone}`;
  const label = event.channel === 'messenger' ? 'Messenger' : event.channel === 'instagram' ? 'Instagram' : 'WhatsApp';
  const id = event.customer.identities[0]?.externalId ?? '';
  return `${label} customer ${id.slice(-4)}`;
}
