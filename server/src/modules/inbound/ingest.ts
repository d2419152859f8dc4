import { sql, type Selectable } from 'kysely';
import {
  AttachmentSchema,
  LocationSchema,
  MessageDirectionSchema,
  MessageKindSchema,
  ReactionSchema,
  SharedContactSchema,
  type Attachment,
  type MessagePreview,
  type MessageStatus,
  type Reaction,
} from '@parley/protocol';
import { z } from 'zod';
import type { CustomerRef, InboundAttachment, InboundEvent } from '../channels/index.js';
import { touchDuplicatesOf } from '../contacts/index.js';
import { newId } from '../../platform/ids.js';
import { legacyPreview, previewOf } from '../../platform/preview.js';
import type { ChannelAccountRow } from '../channelAccounts/index.js';
import type { Database } from '../../platform/schema.js';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';

/**
 * Applies what the channel parsers made of one webhook POST, in one transaction.
 *
 * The rules, event by event (each is idempotent, so Meta's retries change nothing):
 * - message: deduplicated on (channel, external_id) — checked first, guaranteed by the
 *   `messages_external` unique index. Creates the contact and the conversation on first
 *   contact. Every attachment becomes a `media` row the media service copies. Only a
 *   customer's own message (not an echo, not a system notice) opens the windows, counts as
 *   unread and reopens a resolved conversation.
 * - echo (a message the business sent, seen by Meta): see `attachEcho`.
 * - status (WhatsApp): moves forward only, sent < delivered < read; see `nextStatus`.
 * - watermark (Messenger delivery/read, Instagram seen): moves our outbound messages up to
 *   it forward, by the same rule.
 * - reaction: at most one customer reaction per message, replaced or removed; never a
 *   message, never a window.
 * - edit / delete: update the text and `edited_at` / set `deleted_at`; the row and its raw
 *   payload stay.
 * Events about something we do not have (a status for a message we never sent, a reaction
 * to a message we never stored) are noted and acknowledged, not stored.
 */

export type IngestResult = {
  /** New messages. */
  stored: number;
  /** Existing rows moved forward: statuses, reactions, edits, deletes, echoes matched to our sends. */
  updated: number;
  /** Events already applied (Meta's retries): nothing changed. */
  duplicates: number;
  /** Events about things we do not have, and account errors: acknowledged, not stored. */
  ignored: number;
  /** Why events were ignored, for the log (the first few). */
  notes: string[];
};

const MAX_NOTES = 20;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How far apart an echo and our own pending send may be and still be the same message. */
const ECHO_MATCH_MS = 2 * 60 * 1000;

/** The conversation's columns for its last message: the preview as data, and the deprecated text. */
function previewColumns(preview: MessagePreview): { preview: string; last_message_preview: string } {
  return { preview: JSON.stringify(preview), last_message_preview: legacyPreview(preview) };
}

function storedLocation(column: string | null): { name: string | null; address: string | null } | null {
  return column === null ? null : LocationSchema.parse(JSON.parse(column));
}

type AccountEvent = InboundEvent & { account: ChannelAccountRow };
type Outcome = 'stored' | 'updated' | 'duplicate' | 'ignored';

type Context = {
  trx: Trx;
  changes: ChangeSet;
  now: number;
  note(text: string): void;
};

/**
 * Applies normalized webhook events for known accounts in one transaction: all of them or
 * none, so Meta's retry of a failed request finds nothing half-stored.
 */
export async function ingestEvents(store: Store, events: readonly AccountEvent[]): Promise<IngestResult> {
  const result: IngestResult = { stored: 0, updated: 0, duplicates: 0, ignored: 0, notes: [] };
  if (events.length === 0) return result;
  // Meta does not promise delivery order: apply in the platform's time order. The sort is
  // stable, so events with the same time keep the payload's order.
  const ordered = [...events].sort((a, b) => eventTime(a) - eventTime(b));
  return store.write(async (trx, changes) => {
    const notes: string[] = [];
    const context: Context = {
      trx,
      changes,
      now: Date.now(),
      note: (text) => {
        if (notes.length < MAX_NOTES) notes.push(text);
      },
    };
    const counts = { stored: 0, updated: 0, duplicates: 0, ignored: 0 };
    for (const event of ordered) {
      const outcome = await apply(context, event);
      if (outcome === 'duplicate') counts.duplicates += 1;
      else if (outcome === 'stored') counts.stored += 1;
      else if (outcome === 'updated') counts.updated += 1;
      else counts.ignored += 1;
    }
    return { ...counts, notes };
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
      return event.at ?? event.watermark ?? 0;
    case 'account_error':
      return 0;
  }
}

async function apply(context: Context, event: AccountEvent): Promise<Outcome> {
  switch (event.type) {
    case 'message':
      return applyMessage(context, event);
    case 'status':
      return applyStatus(context, event);
    case 'watermark':
      return applyWatermark(context, event);
    case 'reaction':
      return applyReaction(context, event);
    case 'edit':
      return applyEdit(context, event);
    case 'delete':
      return applyDelete(context, event);
    case 'account_error':
      context.note(
        `${event.channel} account ${event.accountExternalId} error ${event.error.code}: ${event.error.message}`,
      );
      return 'ignored';
  }
}

// ---------------------------------------------------------------------------------------
// Messages

type MessageEvent = Extract<AccountEvent, { type: 'message' }>;
type ConversationRow = Selectable<Database['conversations']>;

async function findMessage(
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

async function applyMessage(context: Context, event: MessageEvent): Promise<Outcome> {
  const { trx, changes, now } = context;
  if ((await findMessage(trx, event.channel, event.externalId)) !== undefined) return 'duplicate';
  if (event.direction === 'outbound' && (await attachEcho(context, event))) return 'updated';

  const contactId = await upsertContact(context, event);
  const conversation = await findOrCreateConversation(context, event, contactId);

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
  const id = newId();
  const attachments = await createMedia(context, event);
  await trx
    .updateTable('conversations')
    .set({
      status: fromCustomer && conversation.status === 'resolved' ? 'open' : conversation.status,
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
    .execute();
  return 'stored';
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
async function attachEcho(context: Context, event: MessageEvent): Promise<boolean> {
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

async function findOrCreateConversation(
  context: Context,
  event: MessageEvent,
  contactId: string,
): Promise<ConversationRow> {
  const { trx, changes, now } = context;
  const existing = await trx
    .selectFrom('conversations')
    .selectAll()
    .where('channel_account_id', '=', event.account.id)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  if (existing !== undefined) return existing;
  const id = newId();
  const conversation: ConversationRow = {
    id,
    channel: event.channel,
    channel_account_id: event.account.id,
    contact_id: contactId,
    status: 'open',
    assignee_id: null,
    team_id: null,
    labels: '[]',
    last_message_at: event.sentAt,
    last_message_preview: '',
    preview: null,
    last_inbound_at: null,
    window_open_until: null,
    human_agent_until: null,
    unread_count: 0,
    created_at: now,
    seq: await changes.nextSeq('conversation', id),
  };
  await trx.insertInto('conversations').values(conversation).execute();
  return conversation;
}

/** One `media` row per attachment, `pending` for the media service to copy. */
async function createMedia(context: Context, event: MessageEvent): Promise<Attachment[]> {
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

function attachmentEntry(mediaId: string, attachment: InboundAttachment, status: 'pending' | 'expired'): Attachment {
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

// ---------------------------------------------------------------------------------------
// Contacts

async function findContactId(
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

async function upsertContact(context: Context, event: MessageEvent): Promise<string> {
  const { trx, changes, now } = context;
  const { customer } = event;
  const foundId = await findContactId(trx, event.channel, customer.identities);
  if (foundId !== undefined) {
    const found = await trx
      .selectFrom('contacts')
      .select(['id', 'name', 'phone'])
      .where('id', '=', foundId)
      .executeTakeFirstOrThrow();
    const name = customer.name ?? found.name;
    // A number change replaces the number; otherwise a payload only fills a blank.
    const phone =
      customer.phoneChanged === true && customer.phone !== null ? customer.phone : (found.phone ?? customer.phone);
    const added = await addIdentities(context, event, found.id);
    // A new identity (a BSUID next to a known wa_id, say) is a change clients must see.
    if (name !== found.name || phone !== found.phone || added > 0) {
      await trx
        .updateTable('contacts')
        .set({ name, phone, seq: await changes.nextSeq('contact', found.id) })
        .where('id', '=', found.id)
        .execute();
      // Another contact with this number now has a possible duplicate: tell clients.
      if (phone !== found.phone) await touchDuplicatesOf(trx, changes, found.id, phone);
    }
    return found.id;
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
  await addIdentities(context, event, id);
  await touchDuplicatesOf(trx, changes, id, customer.phone);
  return id;
}

/**
 * Records the identities the payload carries that are not known yet; returns how many.
 * An identity that already belongs to another contact stays there: merging is the agents'
 * call, offered through `possibleDuplicates`.
 */
async function addIdentities(context: Context, event: MessageEvent, contactId: string): Promise<number> {
  let added = 0;
  for (const identity of event.customer.identities) {
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

function fallbackName(event: MessageEvent): string {
  if (event.customer.phone !== null) return `+${event.customer.phone}`;
  const label = event.channel === 'messenger' ? 'Messenger' : event.channel === 'instagram' ? 'Instagram' : 'WhatsApp';
  const id = event.customer.identities[0]?.externalId ?? '';
  return `${label} customer ${id.slice(-4)}`;
}

// ---------------------------------------------------------------------------------------
// Statuses and watermarks

const STATUS_RANK: Partial<Record<MessageStatus, number>> = { pending: 0, sent: 1, delivered: 2, read: 3 };

/**
 * The status a message moves to, or null to leave it: statuses only move forward
 * (sent < delivered < read; `read` may come without `delivered`, and a late `delivered`
 * never undoes `read`). `failed` applies only over pending or sent. A `delivered` or
 * `read` after `failed` wins: the message did reach one of the customer's devices (Meta
 * warns of this on multi-device accounts). Inbound messages have no delivery status.
 */
export function nextStatus(
  current: MessageStatus,
  incoming: 'sent' | 'delivered' | 'read' | 'failed',
): MessageStatus | null {
  if (current === 'received') return null;
  if (incoming === 'failed') return current === 'pending' || current === 'sent' ? 'failed' : null;
  if (current === 'failed') return incoming === 'sent' ? null : incoming;
  const from = STATUS_RANK[current] ?? 0;
  const to = STATUS_RANK[incoming] ?? 0;
  return to > from ? incoming : null;
}

const StatusSchema = z.enum(['received', 'pending', 'sent', 'delivered', 'read', 'failed']);

/** WhatsApp codes that mean "the 24-hour window is closed" (131047; 470 from the On-Prem API). */
const WINDOW_CLOSED_CODES = new Set(['131047', '470']);

async function applyStatus(context: Context, event: Extract<AccountEvent, { type: 'status' }>): Promise<Outcome> {
  const { trx, changes } = context;
  const message = await findMessage(trx, event.channel, event.externalId);
  if (message === undefined) {
    // Typically a send of another tool on the same number, or one we have not recorded.
    context.note(`${event.status} status for an unknown message ${event.externalId}`);
    return 'ignored';
  }
  const next = nextStatus(StatusSchema.parse(message.status), event.status);
  if (next === null) return 'duplicate';
  await trx
    .updateTable('messages')
    .set({
      status: next,
      // The platform's code and words stay with the failed message; a later delivery clears them.
      error: next === 'failed' ? JSON.stringify(event.error) : null,
      seq: await changes.nextSeq('message', message.id),
    })
    .where('id', '=', message.id)
    .execute();
  if (next === 'failed' && event.error !== null && WINDOW_CLOSED_CODES.has(event.error.code)) {
    await closeWindow(context, message.conversation_id, event.at);
  }
  return 'updated';
}

/**
 * WhatsApp refused a send because the customer service window was closed at `at`: trust
 * that over our own reckoning (clocks drift, a message may have been missed), so the
 * composer offers templates. A customer message after `at` has reopened it, so then
 * nothing changes.
 */
async function closeWindow(context: Context, conversationId: string, at: number): Promise<void> {
  const conversation = await context.trx
    .selectFrom('conversations')
    .select(['id', 'last_inbound_at', 'window_open_until'])
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  const lastInbound = conversation.last_inbound_at === null ? null : Number(conversation.last_inbound_at);
  const openUntil = conversation.window_open_until === null ? null : Number(conversation.window_open_until);
  if (openUntil === null || openUntil <= at) return;
  if (lastInbound !== null && lastInbound > at) return;
  await context.trx
    .updateTable('conversations')
    .set({ window_open_until: at, seq: await context.changes.nextSeq('conversation', conversationId) })
    .where('id', '=', conversationId)
    .execute();
}

async function applyWatermark(context: Context, event: Extract<AccountEvent, { type: 'watermark' }>): Promise<Outcome> {
  const { trx, changes } = context;
  const kind = event.channel === 'messenger' ? 'psid' : event.channel === 'instagram' ? 'igsid' : 'wa_id';
  const contactId = await findContactId(trx, event.channel, [{ kind, externalId: event.customerExternalId }]);
  const conversation =
    contactId === undefined
      ? undefined
      : await trx
          .selectFrom('conversations')
          .select('id')
          .where('channel_account_id', '=', event.account.id)
          .where('contact_id', '=', contactId)
          .executeTakeFirst();
  if (conversation === undefined) {
    context.note(`${event.status} watermark for an unknown thread with ${event.customerExternalId}`);
    return 'ignored';
  }
  // Instagram's seen names one message: it and everything we sent before it were seen.
  let watermark = event.watermark;
  if (event.status === 'read' && event.externalIds.length > 0) {
    const seen = await trx
      .selectFrom('messages')
      .select('created_at')
      .where('conversation_id', '=', conversation.id)
      .where('channel', '=', event.channel)
      .where('external_id', 'in', event.externalIds)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (seen !== undefined) watermark = Math.max(watermark ?? 0, Number(seen.created_at));
  }
  const movable: MessageStatus[] = event.status === 'read' ? ['sent', 'delivered'] : ['sent'];
  if (watermark === null && event.externalIds.length === 0) return 'duplicate';
  const candidates = await trx
    .selectFrom('messages')
    .select(['id', 'status'])
    .where('conversation_id', '=', conversation.id)
    .where('direction', '=', 'outbound')
    .where('status', 'in', movable)
    .where((eb) =>
      eb.or([
        ...(watermark === null ? [] : [eb('created_at', '<=', watermark)]),
        ...(event.externalIds.length === 0 ? [] : [eb('external_id', 'in', event.externalIds)]),
      ]),
    )
    .orderBy('created_at')
    .execute();
  for (const message of candidates) {
    await trx
      .updateTable('messages')
      .set({ status: event.status, seq: await changes.nextSeq('message', message.id) })
      .where('id', '=', message.id)
      .execute();
  }
  return candidates.length > 0 ? 'updated' : 'duplicate';
}

// ---------------------------------------------------------------------------------------
// Reactions, edits, deletes

const ReactionsSchema = z.array(ReactionSchema);

/**
 * One customer reaction per message (a new one replaces it, an unreact removes it); the
 * business's reactions seen through Meta replace the agents' the same way, since a Page or
 * a number has one reaction per message. A reaction older than the one we have is stale
 * (a late retry) and changes nothing.
 */
async function applyReaction(context: Context, event: Extract<AccountEvent, { type: 'reaction' }>): Promise<Outcome> {
  const { trx, changes } = context;
  const message = await findMessage(trx, event.channel, event.targetExternalId);
  if (message === undefined) {
    context.note(`reaction to an unknown message ${event.targetExternalId}`);
    return 'ignored';
  }
  const reactions = ReactionsSchema.parse(JSON.parse(message.reactions));
  const from: Reaction['from'] = event.fromBusiness ? 'agent' : 'customer';
  const theirs = reactions.filter((reaction) => reaction.from === from);
  if (theirs.some((reaction) => reaction.at > event.at)) return 'duplicate';
  if (event.emoji !== null && theirs.length > 0 && theirs.every((reaction) => reaction.emoji === event.emoji)) {
    return 'duplicate';
  }
  const next = reactions.filter((reaction) => reaction.from !== from);
  if (event.emoji !== null) next.push({ emoji: event.emoji, from, agentId: null, at: event.at });
  if (next.length === reactions.length && event.emoji === null) return 'duplicate';
  await trx
    .updateTable('messages')
    .set({ reactions: JSON.stringify(next), seq: await changes.nextSeq('message', message.id) })
    .where('id', '=', message.id)
    .execute();
  return 'updated';
}

async function applyEdit(context: Context, event: Extract<AccountEvent, { type: 'edit' }>): Promise<Outcome> {
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

async function applyDelete(context: Context, event: Extract<AccountEvent, { type: 'delete' }>): Promise<Outcome> {
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

/** Sets the conversation's preview when `message` is its latest message. */
async function refreshPreview(
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
