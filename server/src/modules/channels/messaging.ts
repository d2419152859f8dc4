import type { Channel, MessageKind } from '@parley/protocol';
import { z } from 'zod';
import { joinLines, messageContent, nonBlank, stableId, toMillis } from './content.js';
import type { CustomerRef, InboundAttachment, InboundEvent, MessageContent, ParsedWebhook } from './types.js';

/**
 * One `messaging[]` (or `standby[]`) item of a Messenger or Instagram webhook, CHANNELS.md
 * §2.2–2.3: `{ sender, recipient, timestamp, <event> }`. Both platforms share the shape;
 * the differences (Instagram's story replies, mentions, unsend, seen by mid) are handled
 * where their fields appear, so each parser reads what its platform sends.
 *
 * Schemas accept unknown fields (Meta adds them without notice); an item that cannot be
 * read is skipped on its own, the rest of the POST is kept.
 */

type MessagingChannel = Exclude<Channel, 'whatsapp'>;

const TimestampSchema = z.union([z.number().nonnegative(), z.string().min(1)]);

export const MessagingItemSchema = z.looseObject({
  sender: z.looseObject({ id: z.string().min(1) }),
  recipient: z.looseObject({ id: z.string().min(1) }),
  timestamp: TimestampSchema,
  message: z.unknown().optional(),
  postback: z.unknown().optional(),
  reaction: z.unknown().optional(),
  delivery: z.unknown().optional(),
  read: z.unknown().optional(),
  message_edit: z.unknown().optional(),
});
type MessagingItem = z.infer<typeof MessagingItemSchema>;

const UrlSchema = z.string().nullish();

const AttachmentSchema = z.looseObject({
  type: z.string().min(1),
  title: z.string().optional(),
  url: UrlSchema,
  payload: z
    .looseObject({
      url: UrlSchema,
      title: z.string().optional(),
      sticker_id: z.union([z.number(), z.string()]).optional(),
      coordinates: z.looseObject({ lat: z.number(), long: z.number() }).optional(),
      text: z.string().optional(),
      elements: z.array(z.looseObject({ title: z.string().optional() })).optional(),
    })
    .nullish(),
});
type Attachment = z.infer<typeof AttachmentSchema>;

const NestedReactionSchema = z.looseObject({
  mid: z.string().min(1).optional(),
  action: z.string().optional(),
  reaction: z.string().optional(),
  emoji: z.string().optional(),
});

const MessageSchema = z.looseObject({
  mid: z.string().min(1),
  text: z.string().optional(),
  is_echo: z.boolean().optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
  quick_reply: z.looseObject({ payload: z.string().optional() }).optional(),
  reply_to: z
    .looseObject({
      mid: z.string().optional(),
      story: z.looseObject({ url: UrlSchema, id: z.string().optional() }).optional(),
    })
    .optional(),
  attachments: z.array(z.unknown()).optional(),
  sticker_id: z.union([z.number(), z.string()]).optional(),
  reaction: NestedReactionSchema.optional(),
});
type Message = z.infer<typeof MessageSchema>;

/** Echoes say so themselves, whatever id the account sends them under. */
const EchoSchema = z.looseObject({ is_echo: z.literal(true) });

const ReactionSchema = NestedReactionSchema.extend({ mid: z.string().min(1) });

const PostbackSchema = z.looseObject({
  mid: z.string().min(1).optional(),
  title: z.string().optional(),
  payload: z.string().optional(),
});

const DeliverySchema = z.looseObject({ mids: z.array(z.string()).optional(), watermark: TimestampSchema.optional() });
const ReadSchema = z.looseObject({ watermark: TimestampSchema.optional(), mid: z.string().min(1).optional() });
const EditSchema = z.looseObject({ mid: z.string().min(1), text: z.string().optional() });

/** Messenger's reaction names, for a reaction that comes without its emoji. */
const REACTION_EMOJI: Record<string, string> = {
  like: '👍',
  dislike: '👎',
  love: '❤️',
  smile: '😆',
  wow: '😮',
  sad: '😢',
  angry: '😠',
};

function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid' : `${issue.path.join('.') || '(top)'}: ${issue.message}`;
}

/** Parses one item into `result`: an event, or a reason it was skipped. */
export function parseMessagingItem(
  channel: MessagingChannel,
  accountId: string,
  raw: unknown,
  standby: boolean,
  result: ParsedWebhook,
): void {
  const item = MessagingItemSchema.safeParse(raw);
  if (!item.success) {
    result.skipped.push({ reason: 'malformed event', detail: issueOf(item.error) });
    return;
  }
  const at = toMillis(item.data.timestamp);
  if (at === null) {
    result.skipped.push({ reason: 'malformed event', detail: `timestamp: ${String(item.data.timestamp)}` });
    return;
  }
  const event = eventOf(channel, accountId, item.data, at, raw, standby);
  if ('reason' in event) result.skipped.push(event);
  else result.events.push(event);
}

type Skip = { reason: string; detail?: string };

function eventOf(
  channel: MessagingChannel,
  accountId: string,
  item: MessagingItem,
  at: number,
  raw: unknown,
  standby: boolean,
): InboundEvent | Skip {
  const base = { channel, accountExternalId: accountId, raw };
  // The business's own messages (echoes) come from the account: the customer is the recipient.
  const fromBusiness = item.sender.id === accountId || EchoSchema.safeParse(item.message).success;
  const customerId = fromBusiness ? item.recipient.id : item.sender.id;
  const customer: CustomerRef = {
    identities: [{ kind: channel === 'messenger' ? 'psid' : 'igsid', externalId: customerId }],
    name: null,
    phone: null,
  };

  if (item.message !== undefined) {
    const parsed = MessageSchema.safeParse(item.message);
    if (!parsed.success) return { reason: 'malformed message', detail: issueOf(parsed.error) };
    const message = parsed.data;
    if (message.is_deleted === true) {
      // Instagram unsend: the message stays (and its raw payload), marked deleted.
      return { ...base, type: 'delete', targetExternalId: message.mid, at };
    }
    if (message.reaction !== undefined) {
      const target = message.reaction.mid ?? message.reply_to?.mid;
      if (target === undefined) return { reason: 'reaction without the message it reacts to', detail: message.mid };
      return reactionEvent(base, customer, target, message.reaction, at, fromBusiness);
    }
    return {
      ...base,
      type: 'message',
      direction: fromBusiness ? 'outbound' : 'inbound',
      customer,
      externalId: message.mid,
      sentAt: at,
      content: messageContentOf(message),
      standby,
    };
  }

  if (item.postback !== undefined) {
    const postback = PostbackSchema.safeParse(item.postback);
    if (!postback.success) return { reason: 'malformed postback', detail: issueOf(postback.error) };
    const title = nonBlank(postback.data.title) ?? nonBlank(postback.data.payload) ?? 'Button tapped';
    return {
      ...base,
      type: 'message',
      direction: 'inbound',
      customer,
      // Older postbacks carry no mid: the same tap retried hashes to the same id.
      externalId:
        postback.data.mid ??
        stableId('postback', customerId, String(item.timestamp), postback.data.payload ?? postback.data.title ?? ''),
      sentAt: at,
      content: messageContent({
        kind: 'interactive',
        text: title,
        interactive: { type: 'postback', id: nonBlank(postback.data.payload), title, description: null },
      }),
      standby,
    };
  }

  if (item.reaction !== undefined) {
    const reaction = ReactionSchema.safeParse(item.reaction);
    if (!reaction.success) return { reason: 'malformed reaction', detail: issueOf(reaction.error) };
    return reactionEvent(base, customer, reaction.data.mid, reaction.data, at, fromBusiness);
  }

  if (item.delivery !== undefined) {
    const delivery = DeliverySchema.safeParse(item.delivery);
    if (!delivery.success) return { reason: 'malformed delivery', detail: issueOf(delivery.error) };
    const watermark = delivery.data.watermark === undefined ? null : toMillis(delivery.data.watermark);
    const mids = delivery.data.mids ?? [];
    if (watermark === null && mids.length === 0) return { reason: 'delivery without watermark or mids' };
    return {
      ...base,
      type: 'watermark',
      customerExternalId: customerId,
      status: 'delivered',
      watermark,
      externalIds: mids,
      at,
    };
  }

  if (item.read !== undefined) {
    const read = ReadSchema.safeParse(item.read);
    if (!read.success) return { reason: 'malformed read', detail: issueOf(read.error) };
    const watermark = read.data.watermark === undefined ? null : toMillis(read.data.watermark);
    const mids = read.data.mid === undefined ? [] : [read.data.mid];
    if (watermark === null && mids.length === 0) return { reason: 'read without watermark or mid' };
    return {
      ...base,
      type: 'watermark',
      customerExternalId: customerId,
      status: 'read',
      watermark,
      externalIds: mids,
      at,
    };
  }

  if (item.message_edit !== undefined) {
    const edit = EditSchema.safeParse(item.message_edit);
    if (!edit.success) return { reason: 'malformed edit', detail: issueOf(edit.error) };
    return {
      ...base,
      type: 'edit',
      targetExternalId: edit.data.mid,
      at,
      content: messageContent({ kind: 'text', text: edit.data.text ?? null }),
    };
  }

  const known = ['sender', 'recipient', 'timestamp'];
  return {
    reason: 'event not handled',
    detail: Object.keys(item)
      .filter((key) => !known.includes(key))
      .join(','),
  };
}

function reactionEvent(
  base: { channel: MessagingChannel; accountExternalId: string; raw: unknown },
  customer: CustomerRef,
  target: string,
  reaction: z.infer<typeof NestedReactionSchema>,
  at: number,
  fromBusiness: boolean,
): InboundEvent | Skip {
  // An unreact may omit the emoji: whatever there was is removed.
  const removed = reaction.action === 'unreact';
  const emoji = removed
    ? null
    : (nonBlank(reaction.emoji) ??
      (reaction.reaction === undefined ? null : (REACTION_EMOJI[reaction.reaction] ?? null)));
  if (!removed && emoji === null) return { reason: 'reaction without an emoji', detail: target };
  return { ...base, type: 'reaction', customer, targetExternalId: target, emoji, at, fromBusiness };
}

/** A piece of a message made from one attachment. */
type Piece = { kind: MessageKind; attachment: InboundAttachment | null; text: string | null };

function urlAttachment(kind: InboundAttachment['kind'], url: string | null | undefined): InboundAttachment {
  return {
    kind,
    mimeType: null,
    fileName: null,
    voice: false,
    animated: false,
    // CDN links expire: the media service copies them while they still work.
    source: { kind: 'url', url: nonBlank(url) },
  };
}

/** A link to a web page (a reel or post on instagram.com), as opposed to a CDN file. */
function isWebPage(url: string): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return /(^|\.)(instagram\.com|facebook\.com|fb\.com|fb\.me)$/.test(host);
  } catch {
    return false;
  }
}

function pieceOf(attachment: Attachment): Piece {
  const payload = attachment.payload ?? undefined;
  const url = nonBlank(payload?.url ?? attachment.url);
  const title = nonBlank(payload?.title ?? attachment.title);
  switch (attachment.type) {
    case 'image':
      // A thumbs-up (and any sticker) arrives as an image with a sticker_id.
      return payload?.sticker_id === undefined
        ? { kind: 'image', attachment: urlAttachment('image', url), text: null }
        : { kind: 'sticker', attachment: urlAttachment('sticker', url), text: null };
    case 'sticker':
      return { kind: 'sticker', attachment: urlAttachment('sticker', url), text: null };
    case 'video':
    case 'audio':
      return { kind: attachment.type, attachment: urlAttachment(attachment.type, url), text: null };
    case 'file':
      return { kind: 'document', attachment: urlAttachment('file', url), text: null };
    case 'story_mention':
      // The story's picture or clip; kept as an image, the media service reads its real type.
      return { kind: 'story_mention', attachment: urlAttachment('image', url), text: null };
    case 'share':
    case 'post':
    case 'ig_post':
    case 'reel':
    case 'ig_reel': {
      // A web link stays a link; a CDN file is copied before it expires.
      if (url !== null && isWebPage(url)) return { kind: 'share', attachment: null, text: joinLines([title, url]) };
      const kind = attachment.type === 'reel' || attachment.type === 'ig_reel' ? 'video' : 'image';
      return { kind: 'share', attachment: url === null ? null : urlAttachment(kind, url), text: title };
    }
    case 'fallback':
      // A link the customer shared that Messenger could not render.
      return { kind: 'share', attachment: null, text: joinLines([title, url]) };
    case 'location': {
      return { kind: 'location', attachment: null, text: title };
    }
    case 'like_heart':
      return { kind: 'text', attachment: null, text: '❤️' };
    case 'template':
      // Echoes of the business's structured messages: show their words.
      return {
        kind: 'template',
        attachment: null,
        text: nonBlank(payload?.text) ?? nonBlank(payload?.elements?.[0]?.title) ?? title,
      };
    default:
      return { kind: 'unsupported', attachment: null, text: title };
  }
}

function messageContentOf(message: Message): MessageContent {
  const replyTo =
    message.reply_to?.story !== undefined
      ? { externalId: null, storyUrl: nonBlank(message.reply_to.story.url) }
      : nonBlank(message.reply_to?.mid) !== null
        ? { externalId: nonBlank(message.reply_to?.mid), storyUrl: null }
        : null;

  if (message.is_unsupported === true) {
    return messageContent({ kind: 'unsupported', text: nonBlank(message.text), replyTo });
  }

  const pieces: Piece[] = [];
  const locations: MessageContent['location'][] = [];
  for (const raw of message.attachments ?? []) {
    const attachment = AttachmentSchema.safeParse(raw);
    if (!attachment.success) {
      pieces.push({ kind: 'unsupported', attachment: null, text: null });
      continue;
    }
    pieces.push(pieceOf(attachment.data));
    const coordinates = attachment.data.payload?.coordinates;
    if (coordinates !== undefined) {
      locations.push({
        latitude: coordinates.lat,
        longitude: coordinates.long,
        name: nonBlank(attachment.data.payload?.title ?? attachment.data.title),
        address: null,
        url: nonBlank(attachment.data.payload?.url ?? attachment.data.url),
      });
    }
  }
  if (pieces.length === 0 && message.sticker_id !== undefined) {
    pieces.push({ kind: 'sticker', attachment: null, text: null });
  }
  const attachments = pieces.flatMap((piece) => (piece.attachment === null ? [] : [piece.attachment]));
  // A story reply shows the story: its CDN link expires within a day, so it is copied too.
  const story = message.reply_to?.story;
  if (story !== undefined) attachments.push(urlAttachment('image', story.url));

  const text = joinLines([message.text, ...pieces.map((piece) => piece.text)]);
  if (message.quick_reply !== undefined) {
    const title = nonBlank(message.text) ?? nonBlank(message.quick_reply.payload) ?? 'Quick reply';
    return messageContent({
      kind: 'interactive',
      text: nonBlank(message.text) ?? title,
      attachments,
      replyTo,
      interactive: { type: 'quick_reply', id: nonBlank(message.quick_reply.payload), title, description: null },
    });
  }
  const first = pieces[0];
  const kind: MessageKind =
    first !== undefined ? first.kind : text !== null ? 'text' : story !== undefined ? 'image' : 'unsupported';
  return messageContent({ kind, text, attachments, replyTo, location: locations[0] ?? null });
}
