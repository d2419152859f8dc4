import { sql } from 'kysely';
import { type Attachment } from '@parley/protocol';
import type { InboundAttachment } from '../channels/index.js';
import { changeStatus, conversationArrived } from '../assignment/index.js';
import { routeTeam } from '../teams/index.js';
import { newId } from '../../platform/ids.js';
import { NeedsExclusive } from '../../platform/change-set.js';
import { findContactId, lookUpMessage, upsertContact, type ContactLookup } from './contacts.js';
import { previewColumns, previewOf } from '../../platform/preview.js';
import {
  ECHO_MATCH_MS,
  DAY_MS,
  findMessage,
  type Context,
  type ConversationRow,
  type MessageEvent,
  type Outcome,
} from './context.js';

/** The conversations `findOrCreateConversation` made in this process (for auto-assignment). */
const created = new WeakSet<ConversationRow>();

/** A customer's (or the business's echoed) message: the contact, the conversation, the row, its media. */

export async function applyMessage(context: Context, event: MessageEvent): Promise<Outcome> {
  const { trx, changes, now } = context;
  let lookup: ContactLookup | undefined;
  if (event.direction === 'outbound') {
    if ((await findMessage(trx, event.channel, event.externalId)) !== undefined) return 'duplicate';
    if (await attachEcho(context, event)) return 'updated';
  } else {
    // The customer's contact and the duplicate check, in one query.
    lookup = await lookUpMessage(trx, event);
    if (lookup.duplicate) return 'duplicate';
    if (changes.concurrent) {
      const locked = await lockConversation(context, event, lookup);
      if (locked === 'duplicate') return 'duplicate';
      lookup = locked;
    }
  }

  const contact = await upsertContact(context, event, lookup);
  const conversation = await findOrCreateConversation(context, event, contact.id, contact.conversation);

  // Only what the customer wrote opens the windows, counts as unread and reopens the
  // thread: not the business's echoes, not WhatsApp's notices about the customer's number.
  const fromCustomer = event.direction === 'inbound' && event.content.kind !== 'system';
  const isLatest = event.sentAt >= Number(conversation.last_message_at);
  const lastInbound = conversation.last_inbound_at === null ? null : Number(conversation.last_inbound_at);
  const opensWindow = fromCustomer && (lastInbound === null || event.sentAt >= lastInbound);
  // Windows run from the platform's timestamp of the customer's message, not our clock.
  const windows = opensWindow
    ? {
        last_inbound_at: event.sentAt,
        window_open_until: event.sentAt + DAY_MS,
        human_agent_until: event.channel === 'whatsapp' ? null : event.sentAt + 7 * DAY_MS,
      }
    : {};
  // A resolved conversation the customer writes in again is open again, with its line.
  const reopened =
    fromCustomer &&
    conversation.status === 'resolved' &&
    (await changeStatus(trx, changes, conversation, 'open', { by: null, now }));
  // A snoozed one comes back as open when the customer writes, before its time.
  const woken =
    fromCustomer &&
    conversation.status === 'snoozed' &&
    (await changeStatus(trx, changes, conversation, 'open', { by: null, now }));
  // The customer waits from the first message after our last word; any word of ours ends it.
  const waiting =
    fromCustomer && conversation.waiting_since === null
      ? { waiting_since: event.sentAt }
      : event.direction === 'outbound' && event.content.kind !== 'system'
        ? { waiting_since: null }
        : {};
  const id = newId();
  const attachments = await createMedia(context, event);
  await trx
    .updateTable('conversations')
    .set({
      status: conversation.status,
      ...waiting,
      last_message_at: Math.max(Number(conversation.last_message_at), event.sentAt),
      ...(isLatest ? previewColumns(previewOf({ ...event.content, direction: event.direction, attachments })) : {}),
      ...windows,
      unread_count: fromCustomer ? sql<number>`unread_count + 1` : sql<number>`unread_count`,
      seq: await changes.nextSeq('conversation', conversation.id),
    })
    .where('id', '=', conversation.id)
    .execute();

  const replyTo =
    event.content.replyTo === null
      ? null
      : {
          externalId: event.content.replyTo.externalId,
          messageId:
            event.content.replyTo.externalId === null
              ? null
              : ((await findMessage(trx, event.channel, event.content.replyTo.externalId))?.id ?? null),
          storyUrl: event.content.replyTo.storyUrl,
        };
  const inserted = await trx
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
      // An echo is a message Meta has sent.
      status: event.direction === 'inbound' ? 'received' : 'sent',
      attachments: JSON.stringify(attachments),
      location: event.content.location === null ? null : JSON.stringify(event.content.location),
      shared_contacts: JSON.stringify(event.content.sharedContacts),
      reply_to: replyTo === null ? null : JSON.stringify(replyTo),
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
      // There is no column for Messenger's standby flag: it is kept with the audit payload.
      raw: JSON.stringify(event.standby ? { standby: true, event: event.raw } : event.raw),
      seq: await changes.nextSeq('message', id),
    })
    // Concurrent, the same message may have been stored since the conversation's lock was
    // taken (see lockConversation): the unique index says so, and the write runs again alone.
    .$if(changes.concurrent, (query) =>
      query.onConflict((conflict) => conflict.columns(['channel', 'external_id']).doNothing()),
    )
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 1) === 0)
    throw new NeedsExclusive('the message was stored meanwhile');
  // A new or reopened conversation is offered to its team's auto-assignment.
  if (created.has(conversation) || reopened || woken) await conversationArrived(trx, changes, conversation.id, now);
  return 'stored';
}

/**
 * In a concurrent write (see `Store.write`), a customer's message to a conversation that
 * exists and stays open or pending: its conversation is locked, and read again, before
 * anything is decided from it, since another concurrent write (the same customer's next
 * message, through another node) may have changed it since the lookup. The duplicate
 * check is made again in the same query; it sees what was committed before the query
 * began (PostgreSQL refreshes only the locked row after a wait), so a copy committed while
 * it waited for the lock is caught at the insert by the unique index, and the group runs
 * again alone. Anything more (a new customer or conversation, a conversation that
 * reopens, and with it the auto-assignment) runs alone.
 */
async function lockConversation(
  context: Context,
  event: MessageEvent,
  lookup: ContactLookup,
): Promise<ContactLookup | 'duplicate'> {
  const found = lookup.found;
  if (found === undefined) throw new NeedsExclusive('a new customer');
  if (found.conversation === null) throw new NeedsExclusive('a new conversation');
  const row = await context.trx
    .selectFrom('conversations')
    .selectAll('conversations')
    .select((eb) =>
      eb
        .selectFrom('messages')
        .select('messages.id')
        .where('messages.channel', '=', event.channel)
        .where('messages.external_id', '=', event.externalId)
        .limit(1)
        .as('stored_message_id'),
    )
    .where('conversations.id', '=', found.conversation.id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const { stored_message_id: storedMessageId, ...conversation } = row;
  if (storedMessageId !== null) return 'duplicate';
  if (conversation.status === 'resolved' || conversation.status === 'snoozed') {
    throw new NeedsExclusive('the conversation reopens');
  }
  return { found: { ...found, conversation }, duplicate: false };
}

/**
 * An echo of a message the business sent. Parley's own sends come back this way too, and
 * must not show twice:
 * - the outbound service stored the send's `message_id` first: the echo is a duplicate
 *   (caught by the external id check before this);
 * - the echo won the race against the send's response: our message is still `pending`
 *   with no external id. The echo's mid is attached to the oldest such message in the
 *   thread with the same kind and text, written within ±2 minutes of the echo, and it
 *   becomes `sent`; the outbound service then finds its row already carrying that mid.
 * Anything else (a reply typed in Meta's own inbox, another tool) is stored as an outbound
 * message of its own.
 */
export async function attachEcho(context: Context, event: MessageEvent): Promise<boolean> {
  const { trx, changes } = context;
  const contactId = await findContactId(trx, event.channel, event.customer.identities);
  if (contactId === undefined) return false;
  let query = trx
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select(['messages.id', 'messages.raw'])
    .where('conversations.channel_account_id', '=', event.account.id)
    .where('conversations.contact_id', '=', contactId)
    .where('messages.direction', '=', 'outbound')
    .where('messages.status', '=', 'pending')
    .where('messages.external_id', 'is', null)
    .where('messages.kind', '=', event.content.kind)
    .where('messages.created_at', '>=', event.sentAt - ECHO_MATCH_MS)
    .where('messages.created_at', '<=', event.sentAt + ECHO_MATCH_MS);
  query =
    event.content.text === null
      ? query.where('messages.text', 'is', null)
      : query.where('messages.text', '=', event.content.text);
  const pending = await query.orderBy('messages.created_at').orderBy('messages.id').executeTakeFirst();
  if (pending === undefined) return false;
  await trx
    .updateTable('messages')
    .set({
      external_id: event.externalId,
      status: 'sent',
      raw: pending.raw ?? JSON.stringify(event.raw),
      seq: await changes.nextSeq('message', pending.id),
    })
    .where('id', '=', pending.id)
    .execute();
  return true;
}

async function inboxTeam(trx: Context['trx'], channelAccountId: string): Promise<string | null> {
  const row = await trx
    .selectFrom('team_inboxes')
    .select('team_id')
    .where('channel_account_id', '=', channelAccountId)
    .executeTakeFirst();
  return row?.team_id ?? null;
}

/**
 * The contact's conversation on this account, created if it has none. `known`: what the
 * contact's lookup already read of it (null: it has none), so it is not read again.
 */
export async function findOrCreateConversation(
  context: Context,
  event: MessageEvent,
  contactId: string,
  known?: ConversationRow | null,
): Promise<ConversationRow> {
  const { trx, changes, now } = context;
  const existing =
    known !== undefined
      ? known
      : await trx
          .selectFrom('conversations')
          .selectAll()
          .where('channel_account_id', '=', event.account.id)
          .where('contact_id', '=', contactId)
          .executeTakeFirst();
  if (existing !== undefined && existing !== null) return existing;
  const id = newId();
  const conversation: ConversationRow = {
    id,
    channel: event.channel,
    channel_account_id: event.account.id,
    contact_id: contactId,
    status: 'open',
    assignee_id: null,
    // A routing rule matching the customer's first message, or else the team of its inbox.
    team_id: await routeTeam(
      trx,
      event.direction === 'inbound' && event.content.kind !== 'system' ? event.content.text : null,
      await inboxTeam(trx, event.account.id),
    ),
    labels: '[]',
    last_message_at: event.sentAt,
    last_message_preview: '',
    preview: null,
    last_inbound_at: null,
    window_open_until: null,
    human_agent_until: null,
    unread_count: 0,
    waiting_since: null,
    first_response_at: null,
    resolved_at: null,
    assigned_at: null,
    snoozed_until: null,
    created_at: now,
    seq: await changes.nextSeq('conversation', id),
  };
  await trx.insertInto('conversations').values(conversation).execute();
  created.add(conversation);
  return conversation;
}

/** One `media` row per attachment, `pending` for the media service to copy. */
export async function createMedia(context: Context, event: MessageEvent): Promise<Attachment[]> {
  const attachments: Attachment[] = [];
  for (const attachment of event.content.attachments) {
    const id = newId();
    const { source } = attachment;
    // A Messenger/Instagram link that is already gone (an expired story) cannot be copied.
    const status = source.kind === 'url' && source.url === null ? 'expired' : 'pending';
    await context.trx
      .insertInto('media')
      .values({
        id,
        channel_account_id: event.account.id,
        kind: attachment.kind,
        status,
        mime_type: attachment.mimeType,
        file_name: attachment.fileName,
        size: null,
        sha256: source.kind === 'whatsapp_media_id' ? source.sha256 : null,
        source_kind: source.kind,
        source_ref: source.kind === 'whatsapp_media_id' ? source.id : source.url,
        storage_key: null,
        thumbnail_key: null,
        error: status === 'expired' ? 'The platform sent no link for this file.' : null,
        attempts: 0,
        created_at: context.now,
        updated_at: context.now,
      })
      .execute();
    attachments.push(attachmentEntry(id, attachment, status));
  }
  return attachments;
}

export function attachmentEntry(
  mediaId: string,
  attachment: InboundAttachment,
  status: 'pending' | 'expired',
): Attachment {
  return {
    mediaId,
    kind: attachment.kind,
    mimeType: attachment.mimeType,
    fileName: attachment.fileName,
    size: null,
    status,
    hasThumbnail: false,
    voice: attachment.voice,
    animated: attachment.animated,
  };
}
