import {
  ChannelSchema,
  ReactionSchema,
  refusal,
  type Attachment,
  type AttachmentKind,
  type Channel,
  type Failure,
  type MessageKind,
  type Mutation,
  type MutationResult,
  type Reaction,
} from '@parley/protocol';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { agentReplied, lockWrites } from '../assignment/index.js';
import { MediaRefusedError, type MediaService } from '../media/index.js';
import { newId } from '../../platform/ids.js';
import { previewColumns, previewOf } from '../../platform/preview.js';
import { throughGate, type MutationGate } from '../../platform/mutation-gate.js';
import { messageFromRow, newMessageRow } from '../../platform/rows.js';
import type { Database } from '../../platform/schema.js';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';
import { type JobPayload, type MessagingTypeSchema, type SendContent, type SendJob } from './payloads.js';
import { actionWindowDecision, hasLink, sendWindowDecision, textLimitFailure } from './policy.js';
import {
  SENDABLE_TEMPLATE_STATUS,
  StoredTemplateComponentSchema,
  buildTemplateComponents,
  type BuiltTemplate,
} from './templates.js';

/**
 * The outbound mutations: each decides, in one transaction, whether the change may be
 * made, and if so writes it together with its durable job and its recorded answer. No call
 * to Meta happens here; the worker makes it once the transaction has committed.
 */

export type SendMutation = Extract<Mutation, { type: 'message.send' }>;
export type ReactMutation = Extract<Mutation, { type: 'message.react' }>;
export type MarkReadMutation = Extract<Mutation, { type: 'conversation.markRead' }>;

type ConversationRow = Selectable<Database['conversations']>;
type AccountRow = Selectable<Database['channel_accounts']>;

/** The conversation's columns for its last message: the preview as data, and the deprecated text. */

async function loadThread(
  trx: Trx,
  conversationId: string,
): Promise<{ conversation: ConversationRow; account: AccountRow; channel: Channel } | Failure> {
  const conversation = await trx
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (conversation === undefined) return refusal('not_found', 'conversation_missing');
  const account = await trx
    .selectFrom('channel_accounts')
    .selectAll()
    .where('id', '=', conversation.channel_account_id)
    .executeTakeFirst();
  if (account === undefined) {
    return refusal('not_found', 'channel_account_missing');
  }
  return { conversation, account, channel: ChannelSchema.parse(conversation.channel) };
}

const IDENTITY_KIND: Record<Channel, string> = { whatsapp: 'wa_id', messenger: 'psid', instagram: 'igsid' };

/** The customer's id on this channel: their own, or one of a contact merged into them. */
async function recipientFor(trx: Trx, contactId: string, channel: Channel): Promise<string | null> {
  const row = await trx
    .selectFrom('contact_identities')
    .select('external_id')
    .where('channel', '=', channel)
    .where('kind', '=', IDENTITY_KIND[channel])
    .where((eb) =>
      eb.or([
        eb('contact_id', '=', contactId),
        eb('contact_id', 'in', eb.selectFrom('contacts').select('id').where('merged_into', '=', contactId)),
      ]),
    )
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row?.external_id ?? null;
}

function noRecipient(channel: Channel): Failure {
  return refusal('bad_request', 'no_recipient', { channel });
}

async function insertJob(
  trx: Trx,
  input: { accountId: string; conversationId: string; messageId: string | null; payload: JobPayload; now: number },
): Promise<void> {
  await trx
    .insertInto('outbound_jobs')
    .values({
      // UUIDv7: time-ordered, so ordering by id is the order jobs were made in.
      id: newId(),
      kind: input.payload.kind,
      channel_account_id: input.accountId,
      conversation_id: input.conversationId,
      message_id: input.messageId,
      payload: JSON.stringify(input.payload),
      state: 'queued',
      attempts: 0,
      next_attempt_at: input.now,
      last_error: null,
      created_at: input.now,
      updated_at: input.now,
    })
    .execute();
}

// ---------------------------------------------------------------------------------------
// message.send

/** A file checked for the channel before the transaction (reading it is I/O). */
export type PreparedMedia = {
  mediaId: string;
  kind: AttachmentKind;
  mimeType: string;
  fileName: string | null;
  size: number;
};

export async function prepareMedia(
  media: MediaService,
  mediaId: string,
  channel: Channel,
): Promise<PreparedMedia | Failure> {
  try {
    const file = await media.readForSend(mediaId, channel);
    return { mediaId, kind: file.kind, mimeType: file.mimeType, fileName: file.fileName, size: file.size };
  } catch (error) {
    // The media service says why (size, type, not found); anything else is a file it could not read.
    if (error instanceof MediaRefusedError)
      return refusal('media_invalid', error.refusal.reason, { ...error.refusal.params, channel });
    return refusal('media_invalid', 'media_unreadable', { channel });
  }
}

function messageKindOf(content: SendContent): MessageKind {
  if (content.kind === 'text') return 'text';
  if (content.kind === 'template') return 'template';
  return content.attachmentKind === 'file' ? 'document' : content.attachmentKind;
}

export async function applySend(
  store: Store,
  input: {
    agentId: string;
    mutation: SendMutation;
    /** The file, checked; null for text and templates; a Failure to refuse with. */
    media: PreparedMedia | Failure | null;
    gate: MutationGate;
    now: number;
  },
): Promise<MutationResult> {
  return store.write(async (trx, changes) => {
    // A reply may take an unassigned conversation: serialized with a concurrent take.
    await lockWrites(trx);
    return throughGate(trx, input.gate, () => decideSend(trx, changes, input));
  });
}

async function decideSend(
  trx: Trx,
  changes: ChangeSet,
  input: { agentId: string; mutation: SendMutation; media: PreparedMedia | Failure | null; now: number },
): Promise<MutationResult> {
  const { mutation, now } = input;
  const thread = await loadThread(trx, mutation.conversationId);
  if ('ok' in thread) return thread;
  const { conversation, account, channel } = thread;
  const content = mutation.content;
  const isTemplate = content.kind === 'template';

  if (isTemplate && channel !== 'whatsapp') {
    return refusal('bad_request', 'templates_whatsapp_only', { channel });
  }
  const humanAgentEnabled = Number(account.human_agent_enabled) === 1;
  const window = sendWindowDecision({
    channel,
    conversation: {
      windowOpenUntil: conversation.window_open_until === null ? null : Number(conversation.window_open_until),
      humanAgentUntil: conversation.human_agent_until === null ? null : Number(conversation.human_agent_until),
    },
    isTemplate,
    humanAgentTag: mutation.humanAgentTag,
    humanAgentEnabled,
    now,
  });
  if (!window.ok) return window;
  const messagingType: z.infer<typeof MessagingTypeSchema> = window.messagingType;

  let jobContent: SendContent;
  let text: string | null;
  let attachments: Attachment[] = [];
  let template: { name: string; language: string; parameters: string[] } | null = null;
  switch (content.kind) {
    case 'text': {
      const tooLong = textLimitFailure(channel, content.text, 'text');
      if (tooLong !== null) return tooLong;
      text = content.text;
      jobContent = { kind: 'text', text: content.text, previewUrl: hasLink(content.text) };
      break;
    }
    case 'media': {
      const media = input.media;
      if (media === null) return refusal('media_invalid', 'media_unreadable', { channel });
      if ('ok' in media) return media;
      const caption = content.caption === null || content.caption.trim() === '' ? null : content.caption;
      if (caption !== null) {
        if (channel !== 'whatsapp') {
          return refusal('bad_request', 'caption_unsupported', { channel, kind: media.kind });
        }
        if (media.kind === 'audio' || media.kind === 'sticker') {
          return refusal('bad_request', 'caption_unsupported', { channel, kind: media.kind });
        }
        const tooLong = textLimitFailure(channel, caption, 'caption');
        if (tooLong !== null) return tooLong;
      }
      const stored = await trx
        .selectFrom('media')
        .select('thumbnail_key')
        .where('id', '=', media.mediaId)
        .executeTakeFirst();
      attachments = [
        {
          mediaId: media.mediaId,
          kind: media.kind,
          mimeType: media.mimeType,
          fileName: media.fileName,
          size: media.size,
          status: 'ready',
          hasThumbnail: stored?.thumbnail_key !== null && stored?.thumbnail_key !== undefined,
          voice: false,
          animated: false,
        },
      ];
      text = caption;
      jobContent = {
        kind: 'media',
        mediaId: media.mediaId,
        attachmentKind: media.kind,
        caption,
        fileName: media.fileName,
        uploadedId: null,
      };
      break;
    }
    case 'template': {
      const row = await trx
        .selectFrom('templates')
        .selectAll()
        .where('id', '=', content.templateId)
        .where('channel_account_id', '=', account.id)
        .executeTakeFirst();
      if (row === undefined) return refusal('not_found', 'template_missing');
      if (row.status !== SENDABLE_TEMPLATE_STATUS) {
        return refusal('bad_request', 'template_not_sendable', { name: row.name, status: row.status });
      }
      const components = z.array(StoredTemplateComponentSchema).parse(JSON.parse(row.components));
      const built: BuiltTemplate | Failure = buildTemplateComponents(components, content.parameters);
      if ('ok' in built) return built;
      text = built.text;
      template = { name: row.name, language: row.language, parameters: [...content.parameters] };
      jobContent = { kind: 'template', name: row.name, language: row.language, components: built.components };
      break;
    }
  }

  const recipient = await recipientFor(trx, conversation.contact_id, channel);
  if (recipient === null) return noRecipient(channel);

  let replyTo: { externalId: string | null; messageId: string; storyUrl: null } | null = null;
  if (mutation.replyToMessageId !== null) {
    const quoted = await trx
      .selectFrom('messages')
      .select(['id', 'external_id'])
      .where('id', '=', mutation.replyToMessageId)
      .where('conversation_id', '=', conversation.id)
      .executeTakeFirst();
    if (quoted === undefined) return refusal('not_found', 'reply_target_missing');
    replyTo = { externalId: quoted.external_id, messageId: quoted.id, storyUrl: null };
  }

  const kind = messageKindOf(jobContent);
  const id = newId();
  const row = newMessageRow({
    id,
    conversation_id: conversation.id,
    channel,
    client_id: mutation.clientId,
    direction: 'outbound',
    kind,
    text,
    author_agent_id: input.agentId,
    status: 'pending',
    attachments: JSON.stringify(attachments),
    reply_to: replyTo === null ? null : JSON.stringify(replyTo),
    template: template === null ? null : JSON.stringify(template),
    human_agent_tag: messagingType === 'HUMAN_AGENT' ? 1 : 0,
    created_at: now,
    received_at: now,
    seq: await changes.nextSeq('message', id),
  });
  await trx.insertInto('messages').values(row).execute();

  const job: SendJob = {
    kind: 'message.send',
    channel,
    recipient,
    messagingType,
    replyToMessageId: replyTo?.messageId ?? null,
    content: jobContent,
  };
  await insertJob(trx, { accountId: account.id, conversationId: conversation.id, messageId: id, payload: job, now });

  await trx
    .updateTable('conversations')
    .set({
      last_message_at: Math.max(Number(conversation.last_message_at), now),
      ...previewColumns(previewOf({ kind, direction: 'outbound', text, attachments })),
      seq: await changes.nextSeq('conversation', conversation.id),
    })
    .where('id', '=', conversation.id)
    .execute();
  // The first response, the end of the customer's wait, and taking it if nobody had it.
  await agentReplied(trx, changes, conversation.id, input.agentId, now);

  return { ok: true, message: messageFromRow(row) };
}

// ---------------------------------------------------------------------------------------
// message.react

export async function applyReact(
  store: Store,
  input: { agentId: string; mutation: ReactMutation; gate: MutationGate; now: number },
): Promise<MutationResult> {
  return store.write(async (trx, changes) => {
    return throughGate(trx, input.gate, () => decideReact(trx, changes, input));
  });
}

async function decideReact(
  trx: Trx,
  changes: ChangeSet,
  input: { agentId: string; mutation: ReactMutation; now: number },
): Promise<MutationResult> {
  const { mutation, now } = input;
  const message = await trx
    .selectFrom('messages')
    .select(['id', 'conversation_id', 'reactions', 'external_id', 'direction', 'status'])
    .where('id', '=', mutation.messageId)
    .executeTakeFirst();
  if (message === undefined) return refusal('not_found', 'message_missing');
  const thread = await loadThread(trx, message.conversation_id);
  if ('ok' in thread) return thread;
  const { conversation, account, channel } = thread;
  if (message.status === 'failed') {
    return refusal('bad_request', 'reaction_on_failed_message');
  }
  const refused = actionWindowDecision(
    channel,
    {
      windowOpenUntil: conversation.window_open_until === null ? null : Number(conversation.window_open_until),
      humanAgentUntil: conversation.human_agent_until === null ? null : Number(conversation.human_agent_until),
    },
    now,
  );
  if (refused !== null) return refused;
  const recipient = await recipientFor(trx, conversation.contact_id, channel);
  if (recipient === null) return noRecipient(channel);

  // The business has one reaction per message on every platform: the new one replaces it.
  const reactions = z.array(ReactionSchema).parse(JSON.parse(message.reactions));
  const kept = reactions.filter((reaction) => reaction.from !== 'agent');
  const next: Reaction[] =
    mutation.emoji === '' ? kept : [...kept, { emoji: mutation.emoji, from: 'agent', agentId: input.agentId, at: now }];
  await trx
    .updateTable('messages')
    .set({ reactions: JSON.stringify(next), seq: await changes.nextSeq('message', message.id) })
    .where('id', '=', message.id)
    .execute();
  await insertJob(trx, {
    accountId: account.id,
    conversationId: conversation.id,
    messageId: message.id,
    payload: { kind: 'message.react', channel, recipient, targetMessageId: message.id, emoji: mutation.emoji },
    now,
  });
  return { ok: true };
}

// ---------------------------------------------------------------------------------------
// conversation.markRead

export async function applyMarkRead(
  store: Store,
  input: { agentId: string; mutation: MarkReadMutation; gate: MutationGate; now: number },
): Promise<MutationResult> {
  return store.write(async (trx, changes) => {
    return throughGate(trx, input.gate, () => decideMarkRead(trx, changes, input));
  });
}

async function decideMarkRead(
  trx: Trx,
  changes: ChangeSet,
  input: { mutation: MarkReadMutation; now: number },
): Promise<MutationResult> {
  const thread = await loadThread(trx, input.mutation.conversationId);
  if ('ok' in thread) return thread;
  const { conversation, account, channel } = thread;
  // Nothing unread: nothing to change, and nothing to tell Meta.
  if (Number(conversation.unread_count) === 0) return { ok: true };
  await trx
    .updateTable('conversations')
    .set({ unread_count: 0, seq: await changes.nextSeq('conversation', conversation.id) })
    .where('id', '=', conversation.id)
    .execute();
  const recipient = await recipientFor(trx, conversation.contact_id, channel);
  const lastInbound = await trx
    .selectFrom('messages')
    .select('external_id')
    .where('conversation_id', '=', conversation.id)
    .where('direction', '=', 'inbound')
    .where('external_id', 'is not', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const lastInboundExternalId = lastInbound?.external_id ?? null;
  // Read receipts are a courtesy: without an id to mark, the local change is enough.
  if (recipient !== null && (channel !== 'whatsapp' || lastInboundExternalId !== null)) {
    await insertJob(trx, {
      accountId: account.id,
      conversationId: conversation.id,
      messageId: null,
      payload: { kind: 'conversation.markRead', channel, recipient, lastInboundExternalId },
      now: input.now,
    });
  }
  return { ok: true };
}

/** What typing needs to know about a conversation, read outside any write. */
export async function typingTarget(
  store: Store,
  conversationId: string,
): Promise<{
  channel: Channel;
  account: AccountRow;
  recipient: string | null;
  lastInboundExternalId: string | null;
  windowOpenUntil: number | null;
} | null> {
  return store.read(async (trx) => {
    const thread = await loadThread(trx, conversationId);
    if ('ok' in thread) return null;
    const lastInbound = await trx
      .selectFrom('messages')
      .select('external_id')
      .where('conversation_id', '=', conversationId)
      .where('direction', '=', 'inbound')
      .where('external_id', 'is not', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return {
      channel: thread.channel,
      account: thread.account,
      recipient: await recipientFor(trx, thread.conversation.contact_id, thread.channel),
      lastInboundExternalId: lastInbound?.external_id ?? null,
      windowOpenUntil:
        thread.conversation.window_open_until === null ? null : Number(thread.conversation.window_open_until),
    };
  });
}
