import { AttachmentKindSchema, ChannelSchema, type AttachmentKind } from '@parley/protocol';
import { z } from 'zod';

/**
 * The durable jobs' payloads (outbound_jobs.payload, parsed with zod whenever read) and the
 * request bodies the Graph API takes for each (CHANNELS.md §3). Bodies are built when the
 * job runs, from what the mutation decided, so a retry sends exactly the same request.
 */

export const MessagingTypeSchema = z.enum(['RESPONSE', 'HUMAN_AGENT']);

export const SendContentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string(), previewUrl: z.boolean() }),
  z.object({
    kind: z.literal('media'),
    mediaId: z.string(),
    attachmentKind: AttachmentKindSchema,
    caption: z.string().nullable(),
    fileName: z.string().nullable(),
    /** The platform's id for the uploaded bytes, kept once uploaded so a retry does not upload again. */
    uploadedId: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('template'),
    name: z.string(),
    language: z.string(),
    components: z.array(z.unknown()),
  }),
]);
export type SendContent = z.infer<typeof SendContentSchema>;

export const SendJobSchema = z.object({
  kind: z.literal('message.send'),
  channel: ChannelSchema,
  /** wa_id, PSID or IGSID. */
  recipient: z.string().min(1),
  messagingType: MessagingTypeSchema,
  /** Our id of the quoted message; its platform id is read when the job runs (it may be ours, sent just before). */
  replyToMessageId: z.string().nullable(),
  content: SendContentSchema,
});
export type SendJob = z.infer<typeof SendJobSchema>;

export const ReactJobSchema = z.object({
  kind: z.literal('message.react'),
  channel: ChannelSchema,
  recipient: z.string().min(1),
  targetMessageId: z.string(),
  /** '' removes the business's reaction. */
  emoji: z.string(),
});
export type ReactJob = z.infer<typeof ReactJobSchema>;

export const ReadJobSchema = z.object({
  kind: z.literal('conversation.markRead'),
  channel: ChannelSchema,
  recipient: z.string().min(1),
  /** WhatsApp marks a message (and all before it) read: the customer's last one. */
  lastInboundExternalId: z.string().nullable(),
});
export type ReadJob = z.infer<typeof ReadJobSchema>;

export const JobPayloadSchema = z.discriminatedUnion('kind', [SendJobSchema, ReactJobSchema, ReadJobSchema]);
export type JobPayload = z.infer<typeof JobPayloadSchema>;
export type JobKind = JobPayload['kind'];

// ---------------------------------------------------------------------------------------
// WhatsApp Cloud API: POST /{phone-number-id}/messages

export type WhatsAppMediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

export function whatsappMediaType(kind: AttachmentKind): WhatsAppMediaType {
  return kind === 'file' ? 'document' : kind;
}

function whatsappEnvelope(to: string): Record<string, unknown> {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to };
}

export function whatsappSendBody(
  job: SendJob,
  quotedExternalId: string | null,
  uploadedMediaId: string | null,
): Record<string, unknown> {
  const body = whatsappEnvelope(job.recipient);
  const content = job.content;
  switch (content.kind) {
    case 'text':
      body.type = 'text';
      body.text = { preview_url: content.previewUrl, body: content.text };
      break;
    case 'media': {
      const type = whatsappMediaType(content.attachmentKind);
      const media: Record<string, unknown> = { id: uploadedMediaId };
      // Audio and stickers take no caption; documents carry their file name.
      if (content.caption !== null && (type === 'image' || type === 'video' || type === 'document')) {
        media.caption = content.caption;
      }
      if (type === 'document' && content.fileName !== null) media.filename = content.fileName;
      body.type = type;
      body[type] = media;
      break;
    }
    case 'template':
      body.type = 'template';
      body.template = {
        name: content.name,
        language: { code: content.language },
        ...(content.components.length > 0 ? { components: content.components } : {}),
      };
      break;
  }
  // Templates show no quoted bubble (CHANNELS.md §3.1), so they are never sent as replies.
  if (quotedExternalId !== null && content.kind !== 'template') body.context = { message_id: quotedExternalId };
  return body;
}

export function whatsappReactionBody(to: string, targetExternalId: string, emoji: string): Record<string, unknown> {
  return { ...whatsappEnvelope(to), type: 'reaction', reaction: { message_id: targetExternalId, emoji } };
}

export function whatsappReadBody(messageExternalId: string, typing: boolean): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: messageExternalId,
    ...(typing ? { typing_indicator: { type: 'text' } } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// Messenger and Instagram: POST /{page-or-ig-id}/messages

export type MessagingAttachmentType = 'image' | 'video' | 'audio' | 'file';

export function messagingAttachmentType(kind: AttachmentKind): MessagingAttachmentType {
  switch (kind) {
    case 'image':
    case 'sticker':
      return 'image';
    case 'video':
      return 'video';
    case 'audio':
      return 'audio';
    case 'document':
    case 'file':
      return 'file';
  }
}

export function messagingSendBody(
  job: SendJob,
  quotedExternalId: string | null,
  attachmentId: string | null,
): Record<string, unknown> {
  const body: Record<string, unknown> = { recipient: { id: job.recipient } };
  if (job.messagingType === 'HUMAN_AGENT') {
    body.messaging_type = 'MESSAGE_TAG';
    body.tag = 'HUMAN_AGENT';
  } else {
    body.messaging_type = 'RESPONSE';
  }
  const content = job.content;
  switch (content.kind) {
    case 'text':
      body.message = { text: content.text };
      break;
    case 'media':
      body.message = {
        attachment: { type: messagingAttachmentType(content.attachmentKind), payload: { attachment_id: attachmentId } },
      };
      break;
    case 'template':
      // Refused when the mutation is made; a job can only hold one by a bug.
      throw new Error('Templates are WhatsApp only.');
  }
  // Messenger's Send API takes `reply_to`; Instagram's documentation does not list it, so it is left out there.
  if (quotedExternalId !== null && job.channel === 'messenger') body.reply_to = { mid: quotedExternalId };
  return body;
}

export type SenderAction = 'mark_seen' | 'typing_on' | 'react' | 'unreact';

export function senderActionBody(
  recipient: string,
  action: SenderAction,
  payload?: Record<string, string>,
): Record<string, unknown> {
  return { recipient: { id: recipient }, sender_action: action, ...(payload === undefined ? {} : { payload }) };
}

export function messagingReactionBody(
  recipient: string,
  targetExternalId: string,
  emoji: string,
): Record<string, unknown> {
  return emoji === ''
    ? senderActionBody(recipient, 'unreact', { message_id: targetExternalId })
    : senderActionBody(recipient, 'react', { message_id: targetExternalId, reaction: emoji });
}
