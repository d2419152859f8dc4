/**
 * The one line the inbox shows for a conversation's last message, from the preview the
 * server stores as data (MessagePreviewSchema). In English it reads exactly as the inbox
 * showed the server's `previewOf` line before previews became data.
 */
import type { MessagePreview } from '@parley/protocol';
import { currentLocale, t, type Locale } from './index.js';

/** How long a preview line may be, in UTF-16 code units, as the server cuts it. */
export const PREVIEW_LENGTH = 140;

/** On one line, cut to PREVIEW_LENGTH with an ellipsis. */
export function cutPreview(line: string): string {
  const flat = line.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_LENGTH ? `${flat.slice(0, PREVIEW_LENGTH - 1)}…` : flat;
}

/**
 * A preview as data. `deleted` is not in the protocol yet: a server that marks a deleted
 * last message can send it and the line says so.
 */
export type PreviewLike = MessagePreview & { deleted?: boolean };

/** "📷 Photo", "🎤 Voice message", "📄 invoice.pdf", the text itself… in the agent's language. */
export function previewText(preview: PreviewLike, lang: Locale = currentLocale()): string {
  if (preview.deleted === true) return `🚫 ${t('lastMessage.deleted', {}, lang)}`;
  const text = preview.text === null || preview.text.trim() === '' ? null : preview.text;
  const withText = (icon: string, label: string): string => cutPreview(`${icon} ${text ?? label}`);
  switch (preview.kind) {
    case 'image':
      return withText('📷', t('lastMessage.image', {}, lang));
    case 'video':
      return withText('🎥', t('lastMessage.video', {}, lang));
    case 'audio':
      return preview.voice
        ? `🎤 ${t('lastMessage.voice', {}, lang)}`
        : withText('🎵', t('lastMessage.audio', {}, lang));
    case 'document':
      return withText('📄', preview.name ?? t('lastMessage.document', {}, lang));
    case 'sticker':
      return `💟 ${t('lastMessage.sticker', {}, lang)}`;
    case 'location':
      return cutPreview(`📍 ${preview.name ?? t('lastMessage.location', {}, lang)}`);
    case 'contacts':
      return cutPreview(`👤 ${preview.name || t('lastMessage.contact', {}, lang)}`);
    case 'order':
      return withText('🛒', t('lastMessage.order', {}, lang));
    case 'story_mention':
      return `📸 ${t('lastMessage.story_mention', {}, lang)}`;
    case 'share':
      return withText('🔗', t('lastMessage.share', {}, lang));
    case 'template':
      return text === null ? `📋 ${t('lastMessage.template', {}, lang)}` : cutPreview(text);
    case 'unsupported':
      return text === null ? t('lastMessage.unsupported', {}, lang) : cutPreview(text);
    case 'text':
    case 'interactive':
    case 'system':
    case 'note':
    case 'activity':
      // The server wrote "[note]" here; the inbox has always shown it as the kind's name.
      return text === null ? t(`preview.${preview.kind}`, {}, lang) : cutPreview(text);
  }
}
