import { type Attachment, type Conversation, type Location, type Message, type MessageKind } from '@parley/protocol';
import { t, type Locale, type MessageKey } from '../common/i18n/index.js';
import { previewText } from '../common/i18n/previews.js';

/** The tick under an outgoing message; customers' messages have none. */
export type StatusTick = 'none' | 'queued' | 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** A pending message is 'queued' while offline (it waits in the outbox), 'pending' (sending) online. */
export function statusTick(message: Pick<Message, 'direction' | 'status'>, online = true): StatusTick {
  if (message.direction === 'inbound') return 'none';
  switch (message.status) {
    case 'pending':
      return online ? 'pending' : 'queued';
    case 'sent':
    case 'delivered':
    case 'read':
    case 'failed':
      return message.status;
    case 'received':
      return 'none';
  }
}

function kindLabel(kind: MessageKind, lang?: Locale): string {
  return t(`preview.${kind}` satisfies MessageKey, {}, lang);
}

function attachmentLabel(attachment: Attachment | undefined, kind: MessageKind, lang?: Locale): string {
  if (attachment?.voice === true) return t('preview.voice', {}, lang);
  if (kind === 'document' && attachment?.fileName !== null && attachment?.fileName !== undefined) {
    return `📄 ${attachment.fileName}`;
  }
  return kindLabel(kind, lang);
}

/** One line saying what a message is: for a quote, a notification or a list. */
export function messagePreview(message: Message, lang?: Locale): string {
  if (message.deletedAt !== null) return t('message.deleted', {}, lang);
  const text = message.text?.replace(/\s+/g, ' ').trim() ?? '';
  switch (message.kind) {
    case 'text':
    case 'system':
    case 'note':
    case 'activity':
      return text === '' ? kindLabel(message.kind, lang) : text;
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const label = attachmentLabel(message.attachments[0], message.kind, lang);
      return text === '' ? label : `${label} · ${text}`;
    }
    case 'location': {
      const name = message.location?.name ?? message.location?.address ?? null;
      return name === null ? kindLabel('location', lang) : `📍 ${name}`;
    }
    case 'contacts': {
      const names = message.sharedContacts.map((contact) => contact.name).filter((name) => name !== '');
      return names.length === 0 ? kindLabel('contacts', lang) : `👤 ${names.join(', ')}`;
    }
    case 'interactive':
      return message.interactive?.title ?? (text === '' ? kindLabel('interactive', lang) : text);
    case 'template':
      return text !== '' ? text : message.template === null ? kindLabel('template', lang) : message.template.name;
    case 'story_mention':
    case 'share':
    case 'order':
      return text === '' ? kindLabel(message.kind, lang) : `${kindLabel(message.kind, lang)} · ${text}`;
    case 'unsupported':
      return kindLabel('unsupported', lang);
  }
}

/** A conversation's last message in one line, in the agent's language, from the preview data the server stores. */
export function lastMessageText(conversation: Pick<Conversation, 'preview'>, lang?: Locale): string {
  return conversation.preview === null ? '' : previewText(conversation.preview, lang);
}

/** A link that opens the place on OpenStreetMap, in the system browser. */
export function mapUrl(location: Pick<Location, 'latitude' | 'longitude'>): string {
  const lat = location.latitude.toFixed(6);
  const lon = location.longitude.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
}

/** Text is split into links by a generic helper; kept here for the views that read it from messages. */
export { linkify, type TextPart } from '../common/linkify.js';

/** Reactions grouped by emoji, in the order they were first given. */
export type ReactionGroup = { emoji: string; count: number; mine: boolean };

export function groupReactions(reactions: Message['reactions']): ReactionGroup[] {
  const groups = new Map<string, ReactionGroup>();
  for (const reaction of [...reactions].sort((a, b) => a.at - b.at)) {
    const group = groups.get(reaction.emoji) ?? { emoji: reaction.emoji, count: 0, mine: false };
    group.count += 1;
    // The business has one reaction per message, whichever agent gave it.
    if (reaction.from === 'agent') group.mine = true;
    groups.set(reaction.emoji, group);
  }
  return [...groups.values()];
}

/** The business's current reaction on a message, if any. */
export function ownReaction(reactions: Message['reactions']): string | null {
  const mine = reactions.filter((reaction) => reaction.from === 'agent').sort((a, b) => b.at - a.at);
  return mine[0]?.emoji ?? null;
}
