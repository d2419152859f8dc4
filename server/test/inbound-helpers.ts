import type { Channel, Contact, Conversation, LiveBatch, Message, MessageStatus } from '@parley/protocol';
import { MESSAGE_COLUMNS, contactFromRow, conversationFromRow, messageFromRow } from '../src/platform/rows.js';
import { newId } from '../src/platform/ids.js';
import {
  WA_BUSINESS_ACCOUNT_ID,
  WA_PHONE_NUMBER_ID,
  batchHasMessage,
  deliver,
  whatsappText,
  type BatchRecorder,
  type TestServer,
} from './helpers.js';

/**
 * What the inbound tests read back: the protocol's own view of the stored rows (parsed by
 * the same functions that build what clients receive), plus the raw payload kept for audit.
 */

export type StoredMessage = Message & { raw: unknown };

export async function storedMessage(server: TestServer, channel: Channel, externalId: string): Promise<StoredMessage> {
  const row = await server.store.db
    .selectFrom('messages')
    .select([...MESSAGE_COLUMNS, 'raw'])
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
  return { ...messageFromRow(row), raw: row.raw === null ? null : (JSON.parse(row.raw) as unknown) };
}

export async function storedMessageById(server: TestServer, id: string): Promise<Message> {
  const row = await server.store.db
    .selectFrom('messages')
    .select(MESSAGE_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return messageFromRow(row);
}

export async function conversationOf(
  server: TestServer,
  message: Pick<Message, 'conversationId'>,
): Promise<Conversation> {
  const row = await server.store.db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', message.conversationId)
    .executeTakeFirstOrThrow();
  return conversationFromRow(row);
}

export async function contactOf(server: TestServer, conversation: Pick<Conversation, 'contactId'>): Promise<Contact> {
  const row = await server.store.db
    .selectFrom('contacts')
    .selectAll()
    .where('id', '=', conversation.contactId)
    .executeTakeFirstOrThrow();
  const identities = await server.store.db
    .selectFrom('contact_identities')
    .selectAll()
    .where('contact_id', '=', row.id)
    .orderBy('created_at')
    .execute();
  return contactFromRow(row, identities);
}

export async function countRows(
  server: TestServer,
  table: 'messages' | 'contacts' | 'conversations' | 'media' | 'contact_identities',
): Promise<number> {
  const row = await server.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function mediaRow(
  server: TestServer,
  mediaId: string,
): Promise<{
  status: string;
  source_kind: string;
  source_ref: string | null;
  kind: string;
  mime_type: string | null;
  file_name: string | null;
  sha256: string | null;
}> {
  return server.store.db
    .selectFrom('media')
    .select(['status', 'source_kind', 'source_ref', 'kind', 'mime_type', 'file_name', 'sha256'])
    .where('id', '=', mediaId)
    .executeTakeFirstOrThrow();
}

export const DAY_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------
// WhatsApp payloads with the 2026 identity fields, which helpers.ts's builders do not model

export type WhatsAppSender = { waId?: string; userId?: string; name?: string; username?: string };

export function whatsappPost(input: {
  contacts?: WhatsAppSender[];
  /** `unknown`: tests also post items that are not objects at all. */
  messages?: unknown[];
  statuses?: Record<string, unknown>[];
  errors?: Record<string, unknown>[];
  phoneNumberId?: string;
}): Record<string, unknown> {
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550783881', phone_number_id: input.phoneNumberId ?? WA_PHONE_NUMBER_ID },
  };
  if (input.contacts !== undefined) {
    value.contacts = input.contacts.map((contact) => ({
      profile: {
        ...(contact.name === undefined ? {} : { name: contact.name }),
        ...(contact.username === undefined ? {} : { username: contact.username }),
      },
      ...(contact.waId === undefined ? {} : { wa_id: contact.waId }),
      ...(contact.userId === undefined ? {} : { user_id: contact.userId }),
    }));
  }
  if (input.messages !== undefined) value.messages = input.messages;
  if (input.statuses !== undefined) value.statuses = input.statuses;
  if (input.errors !== undefined) value.errors = input.errors;
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: WA_BUSINESS_ACCOUNT_ID, changes: [{ field: 'messages', value }] }],
  };
}

/** One WhatsApp message item: `{ from?, id, timestamp, type, <type>: part, ...extra }`. */
export function waMessage(input: {
  id: string;
  from?: string;
  seconds: number;
  type: string;
  part?: unknown;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    ...(input.from === undefined ? {} : { from: input.from }),
    id: input.id,
    timestamp: String(input.seconds),
    type: input.type,
    ...(input.part === undefined ? {} : { [input.type]: input.part }),
    ...input.extra,
  };
}

export function waStatus(input: {
  id: string;
  status: string;
  seconds: number;
  recipient?: string;
  errors?: Record<string, unknown>[];
}): Record<string, unknown> {
  return {
    id: input.id,
    status: input.status,
    timestamp: String(input.seconds),
    recipient_id: input.recipient ?? '16505551234',
    ...(input.errors === undefined ? {} : { errors: input.errors }),
  };
}

// ---------------------------------------------------------------------------------------
// Outbound messages, as the outbound service records them

/**
 * Opens a WhatsApp thread with a customer text (as a real customer would) and returns its
 * conversation id; outbound messages are then seeded into it.
 */
export async function openWhatsAppThread(
  server: TestServer,
  input: { from?: string; seconds: number; id?: string },
): Promise<string> {
  const from = input.from ?? '16505551234';
  const id = input.id ?? `wamid.OPEN_${from}_${input.seconds}`;
  await deliver(
    server,
    'whatsapp',
    whatsappText({ from, name: 'Sheena', id, text: 'hello', timestampSeconds: input.seconds }),
  );
  const row = await server.store.db
    .selectFrom('messages')
    .select('conversation_id')
    .where('external_id', '=', id)
    .executeTakeFirstOrThrow();
  return row.conversation_id;
}

/**
 * Writes an outbound message the way the outbound service does: through the store, with
 * its own seq, so clients would sync it. Only the fields the inbound rules read are set.
 */
export async function seedOutbound(
  server: TestServer,
  input: {
    conversationId: string;
    channel: Channel;
    externalId: string | null;
    text: string | null;
    kind?: Message['kind'];
    status: MessageStatus;
    createdAt: number;
  },
): Promise<string> {
  return server.store.write(async (trx, changes) => {
    const id = newId();
    await trx
      .insertInto('messages')
      .values({
        id,
        conversation_id: input.conversationId,
        channel: input.channel,
        client_id: `client-${id}`,
        external_id: input.externalId,
        direction: 'outbound',
        kind: input.kind ?? 'text',
        text: input.text,
        author_agent_id: null,
        status: input.status,
        attachments: '[]',
        location: null,
        shared_contacts: '[]',
        reply_to: null,
        interactive: null,
        reactions: '[]',
        forwarded: 'no',
        template: null,
        human_agent_tag: 0,
        error: null,
        edited_at: null,
        deleted_at: null,
        created_at: input.createdAt,
        received_at: input.createdAt,
        raw: null,
        seq: await changes.nextSeq('message', id),
      })
      .execute();
    return id;
  });
}

// ---------------------------------------------------------------------------------------
// Live batches

export function batchTouchesMessage(messageId: string): (batch: LiveBatch) => boolean {
  return (batch) => batch.changes.some((change) => change.entity === 'message' && change.data.id === messageId);
}

/**
 * Delivers a message from another customer and waits for its batch. Batches are published
 * in commit order, so once it has arrived, every batch of an earlier webhook has too: what
 * the recorder holds can then be counted without waiting on a clock.
 */
export async function barrier(server: TestServer, batches: BatchRecorder, id: string): Promise<void> {
  await deliver(
    server,
    'whatsapp',
    whatsappText({ from: '16505559999', name: 'Sentinel', id, text: 'barrier', timestampSeconds: 1_700_000_000 }),
  );
  await batches.waitFor(batchHasMessage(id), `the barrier message ${id}`);
}
