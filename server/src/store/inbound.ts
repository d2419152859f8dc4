import { sql } from 'kysely';
import type { InboundEvent, MessageContent } from '../channels/types.js';
import { newId } from './ids.js';
import type { ChannelAccountRow } from './accounts.js';
import type { ChangeSet, Store, Trx } from './store.js';

export type IngestResult = { stored: number; duplicates: number; ignored: number };

const PREVIEW_LENGTH = 140;

export function previewOf(content: Pick<MessageContent, 'kind' | 'text'>): string {
  if (content.text !== null && content.text.trim() !== '') {
    const flat = content.text.replace(/\s+/g, ' ').trim();
    return flat.length > PREVIEW_LENGTH ? `${flat.slice(0, PREVIEW_LENGTH - 1)}…` : flat;
  }
  return `[${content.kind}]`;
}

/**
 * Applies normalized webhook events for known accounts in one transaction: all of them or
 * none, so Meta's retry of a failed request finds nothing half-stored.
 */
export async function ingestEvents(
  store: Store,
  events: readonly (InboundEvent & { account: ChannelAccountRow })[],
): Promise<IngestResult> {
  if (events.length === 0) return { stored: 0, duplicates: 0, ignored: 0 };
  // Meta does not promise delivery order: apply in the platform's time order.
  const ordered = [...events].sort((a, b) => eventTime(a) - eventTime(b));
  return store.write(async (trx, changes) => {
    const result: IngestResult = { stored: 0, duplicates: 0, ignored: 0 };
    for (const event of ordered) {
      if (event.type !== 'message') {
        result.ignored += 1;
        continue;
      }
      if (await storeMessage(trx, changes, event)) result.stored += 1;
      else result.duplicates += 1;
    }
    return result;
  });
}

function eventTime(event: InboundEvent): number {
  switch (event.type) {
    case 'message':
      return event.sentAt;
    case 'status':
    case 'reaction':
    case 'edit':
    case 'delete':
      return event.at;
    case 'watermark':
      return event.watermark ?? 0;
    case 'account_error':
      return 0;
  }
}

type MessageEvent = Extract<InboundEvent, { type: 'message' }> & { account: ChannelAccountRow };

const DAY_MS = 24 * 60 * 60 * 1000;

async function storeMessage(trx: Trx, changes: ChangeSet, event: MessageEvent): Promise<boolean> {
  const existing = await trx
    .selectFrom('messages')
    .select('id')
    .where('channel', '=', event.channel)
    .where('external_id', '=', event.externalId)
    .executeTakeFirst();
  if (existing !== undefined) return false;

  const now = Date.now();
  const contactId = await upsertContact(trx, changes, event, now);
  const inbound = event.direction === 'inbound';

  let conversation = await trx
    .selectFrom('conversations')
    .selectAll()
    .where('channel_account_id', '=', event.account.id)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  if (conversation === undefined) {
    const id = newId();
    conversation = {
      id,
      channel: event.channel,
      channel_account_id: event.account.id,
      contact_id: contactId,
      status: 'open',
      assignee_id: null,
      team_id: null,
      labels: '[]',
      last_message_at: event.sentAt,
      last_message_preview: previewOf(event.content),
      last_inbound_at: null,
      window_open_until: null,
      human_agent_until: null,
      unread_count: 0,
      created_at: now,
      seq: await changes.nextSeq('conversation', id),
    };
    await trx.insertInto('conversations').values(conversation).execute();
  }

  const isLatest = event.sentAt >= Number(conversation.last_message_at);
  const lastInbound = conversation.last_inbound_at === null ? 0 : Number(conversation.last_inbound_at);
  const newLastInbound = inbound ? Math.max(lastInbound, event.sentAt) : conversation.last_inbound_at;
  // Only the customer's own messages open the windows, measured from the platform's time.
  const windows =
    inbound && event.sentAt >= lastInbound
      ? {
          window_open_until: event.sentAt + DAY_MS,
          human_agent_until: event.channel === 'whatsapp' ? null : event.sentAt + 7 * DAY_MS,
        }
      : {};
  await trx
    .updateTable('conversations')
    .set({
      // A customer writing again reopens a resolved conversation.
      status: inbound && conversation.status === 'resolved' ? 'open' : conversation.status,
      last_message_at: Math.max(Number(conversation.last_message_at), event.sentAt),
      last_message_preview: isLatest ? previewOf(event.content) : conversation.last_message_preview,
      last_inbound_at: newLastInbound,
      ...windows,
      unread_count: inbound ? sql`unread_count + 1` : sql`unread_count`,
      seq: await changes.nextSeq('conversation', conversation.id),
    })
    .where('id', '=', conversation.id)
    .execute();

  const id = newId();
  await trx
    .insertInto('messages')
    .values({
      id,
      conversation_id: conversation.id,
      channel: event.channel,
      client_id: null,
      external_id: event.externalId,
      direction: event.direction,
      kind: event.content.kind,
      text: event.content.text,
      author_agent_id: null,
      status: inbound ? 'received' : 'sent',
      attachments: '[]',
      location: event.content.location === null ? null : JSON.stringify(event.content.location),
      shared_contacts: JSON.stringify(event.content.sharedContacts),
      reply_to: null,
      interactive: event.content.interactive === null ? null : JSON.stringify(event.content.interactive),
      reactions: '[]',
      forwarded: event.content.forwarded,
      template: null,
      human_agent_tag: 0,
      error: null,
      edited_at: null,
      deleted_at: null,
      created_at: event.sentAt,
      received_at: now,
      raw: JSON.stringify(event.raw),
      seq: await changes.nextSeq('message', id),
    })
    .execute();
  return true;
}

async function upsertContact(trx: Trx, changes: ChangeSet, event: MessageEvent, now: number): Promise<string> {
  const { customer } = event;
  for (const identity of customer.identities) {
    const found = await trx
      .selectFrom('contact_identities')
      .innerJoin('contacts', 'contacts.id', 'contact_identities.contact_id')
      .select(['contacts.id', 'contacts.name', 'contacts.phone', 'contacts.merged_into'])
      .where('contact_identities.channel', '=', event.channel)
      .where('contact_identities.kind', '=', identity.kind)
      .where('contact_identities.external_id', '=', identity.externalId)
      .executeTakeFirst();
    if (found === undefined) continue;
    const contactId = found.merged_into ?? found.id;
    const name = customer.name ?? found.name;
    const phone = found.phone ?? customer.phone;
    if (name !== found.name || phone !== found.phone) {
      await trx
        .updateTable('contacts')
        .set({ name, phone, seq: await changes.nextSeq('contact', contactId) })
        .where('id', '=', contactId)
        .execute();
    }
    await addIdentities(trx, event, contactId, now);
    return contactId;
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
  await addIdentities(trx, event, id, now);
  return id;
}

/** Records identities the payload carries that the contact does not have yet (a new BSUID, say). */
async function addIdentities(trx: Trx, event: MessageEvent, contactId: string, now: number): Promise<void> {
  for (const identity of event.customer.identities) {
    await trx
      .insertInto('contact_identities')
      .values({
        channel: event.channel,
        kind: identity.kind,
        external_id: identity.externalId,
        contact_id: contactId,
        created_at: now,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
}

function fallbackName(event: MessageEvent): string {
  if (event.customer.phone !== null) return `+${event.customer.phone}`;
  const label = event.channel === 'messenger' ? 'Messenger' : event.channel === 'instagram' ? 'Instagram' : 'WhatsApp';
  const id = event.customer.identities[0]?.externalId ?? '';
  return `${label} customer ${id.slice(-4)}`;
}
