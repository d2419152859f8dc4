import type { AttachmentKind, Channel, FailureParams, FailureReason } from '@parley/protocol';

/**
 * What each platform accepts when the business sends a file, from CHANNELS.md §5. Checked
 * on upload and again before a send, so an agent hears why in words before Meta refuses.
 */

const KB = 1024;
const MB = 1024 * 1024;

/** The largest file Parley copies or accepts at all (WhatsApp's own cap for documents and inbound media). */
export const MAX_MEDIA_BYTES = 100 * MB;

export const CHANNEL_NAMES: Record<Channel, string> = {
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
};

type Format = { mimeType: string; label: string };

type KindRule = {
  maxBytes: number;
  /** null: any type of that kind (Messenger publishes no list). */
  formats: readonly Format[] | null;
  /** Animated WhatsApp stickers have their own, larger limit. */
  animatedMaxBytes?: number;
};

/** The limits for one platform; a kind that is absent cannot be sent there at all. */
type ChannelRules = Partial<Record<'image' | 'audio' | 'video' | 'document' | 'sticker', KindRule>>;

const JPEG = { mimeType: 'image/jpeg', label: 'JPEG' };
const PNG = { mimeType: 'image/png', label: 'PNG' };

export const MEDIA_LIMITS: Record<Channel, ChannelRules> = {
  whatsapp: {
    image: { maxBytes: 5 * MB, formats: [JPEG, PNG] },
    video: {
      maxBytes: 16 * MB,
      formats: [
        { mimeType: 'video/mp4', label: 'MP4' },
        { mimeType: 'video/3gpp', label: '3GP' },
      ],
    },
    audio: {
      maxBytes: 16 * MB,
      formats: [
        { mimeType: 'audio/aac', label: 'AAC' },
        { mimeType: 'audio/amr', label: 'AMR' },
        { mimeType: 'audio/mpeg', label: 'MP3' },
        { mimeType: 'audio/mp4', label: 'M4A' },
        { mimeType: 'audio/ogg', label: 'Ogg (Opus)' },
      ],
    },
    document: {
      maxBytes: 100 * MB,
      formats: [
        { mimeType: 'text/plain', label: 'TXT' },
        { mimeType: 'application/pdf', label: 'PDF' },
        { mimeType: 'application/msword', label: 'DOC' },
        { mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', label: 'DOCX' },
        { mimeType: 'application/vnd.ms-excel', label: 'XLS' },
        { mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'XLSX' },
        { mimeType: 'application/vnd.ms-powerpoint', label: 'PPT' },
        { mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', label: 'PPTX' },
      ],
    },
    sticker: { maxBytes: 100 * KB, animatedMaxBytes: 500 * KB, formats: [{ mimeType: 'image/webp', label: 'WebP' }] },
  },
  instagram: {
    image: { maxBytes: 8 * MB, formats: [PNG, JPEG] },
    video: {
      maxBytes: 25 * MB,
      formats: [
        { mimeType: 'video/mp4', label: 'MP4' },
        { mimeType: 'video/ogg', label: 'OGG' },
        { mimeType: 'video/x-msvideo', label: 'AVI' },
        { mimeType: 'video/quicktime', label: 'MOV' },
        { mimeType: 'video/webm', label: 'WebM' },
      ],
    },
    audio: {
      maxBytes: 25 * MB,
      formats: [
        { mimeType: 'audio/aac', label: 'AAC' },
        { mimeType: 'audio/mp4', label: 'M4A/MP4' },
        { mimeType: 'audio/wav', label: 'WAV' },
      ],
    },
    document: { maxBytes: 25 * MB, formats: [{ mimeType: 'application/pdf', label: 'PDF' }] },
  },
  // Meta publishes no format list for Messenger; the sizes are the commonly documented ones [U].
  messenger: {
    image: { maxBytes: 8 * MB, formats: null },
    video: { maxBytes: 25 * MB, formats: null },
    audio: { maxBytes: 25 * MB, formats: null },
    document: { maxBytes: 25 * MB, formats: null },
  },
};

/** Names browsers and phones use for the same format, mapped to the one the rules list. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-mpeg': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
  'audio/aacp': 'audio/aac',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/amr-nb': 'audio/amr',
  'video/3gp': 'video/3gpp',
  'video/avi': 'video/x-msvideo',
  'video/msvideo': 'video/x-msvideo',
  'application/x-pdf': 'application/pdf',
};

/** `type/subtype` in lower case with aliases resolved; parameters (such as codecs) dropped. */
export function baseMimeType(mimeType: string): string {
  const base = (mimeType.split(';')[0] ?? '').trim().toLowerCase();
  return ALIASES[base] ?? base;
}

/** The `codecs` parameter of a MIME type, if any (WhatsApp's voice notes say `codecs=opus`). */
export function mimeCodecs(mimeType: string): string | null {
  const match = /;\s*codecs\s*=\s*"?([^";]+)"?/i.exec(mimeType);
  return match?.[1]?.trim().toLowerCase() ?? null;
}

/** The attachment kind a file of this type is sent as, when the agent does not say. */
export function attachmentKindFor(mimeType: string): AttachmentKind {
  const base = baseMimeType(mimeType);
  if (base.startsWith('image/')) return 'image';
  if (base.startsWith('audio/')) return 'audio';
  if (base.startsWith('video/')) return 'video';
  return 'document';
}

export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${trimDecimal(bytes / MB)} MB`;
  if (bytes >= KB) return `${trimDecimal(bytes / KB)} KB`;
  return `${bytes} bytes`;
}

function trimDecimal(value: number): string {
  // One decimal, so "5.2 MB" is never shown as "5 MB" when the limit is 5 MB.
  const rounded = Math.ceil(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

export type MediaToCheck = {
  kind: AttachmentKind;
  mimeType: string | null;
  size: number;
  /** An animated sticker (WhatsApp allows 500 KB instead of 100 KB). */
  animated?: boolean;
};

/** Why a file is refused, as a reason and the values to word it with (names, limits, sizes). */
export type MediaRefusal = { reason: FailureReason; params: FailureParams };

/**
 * Whether `channel` accepts this file: null when it does, otherwise why not, naming the
 * limit. Reasons: 'media_kind_unsupported' (params.channel, params.kind),
 * 'media_empty', 'media_type_unknown' (params.channel), 'media_kind_mismatch'
 * (params.mimeType, params.kind), 'media_format_unsupported' (params.channel, params.kind,
 * params.mimeType, params.formats: the accepted labels joined by ', '),
 * 'media_codec_unsupported' (params.channel, params.codecs), 'media_too_large'
 * (params.channel, params.kind, params.maxBytes, params.size, params.animated).
 */
export function checkMediaForChannel(channel: Channel, media: MediaToCheck): MediaRefusal | null {
  const category = media.kind === 'file' ? 'document' : media.kind;
  const rule = MEDIA_LIMITS[channel][category];
  if (rule === undefined) return { reason: 'media_kind_unsupported', params: { channel, kind: category } };
  if (media.size <= 0) return { reason: 'media_empty', params: {} };
  if (media.mimeType === null || media.mimeType.trim() === '') {
    return { reason: 'media_type_unknown', params: { channel } };
  }
  const base = baseMimeType(media.mimeType);
  const family = category === 'document' ? null : category === 'sticker' ? 'image' : category;
  if (family !== null && !base.startsWith(`${family}/`)) {
    return { reason: 'media_kind_mismatch', params: { mimeType: base, kind: category } };
  }
  if (rule.formats !== null) {
    const allowed = rule.formats.some((format) => format.mimeType === base);
    if (!allowed) {
      return {
        reason: 'media_format_unsupported',
        params: { channel, kind: category, mimeType: base, formats: rule.formats.map((f) => f.label).join(', ') },
      };
    }
    if (channel === 'whatsapp' && base === 'audio/ogg') {
      const codecs = mimeCodecs(media.mimeType);
      if (codecs !== null && codecs !== 'opus') {
        return { reason: 'media_codec_unsupported', params: { channel, codecs } };
      }
    }
  }
  const animated = media.animated === true && rule.animatedMaxBytes !== undefined;
  const maxBytes = animated ? (rule.animatedMaxBytes ?? rule.maxBytes) : rule.maxBytes;
  if (media.size > maxBytes) {
    return { reason: 'media_too_large', params: { channel, kind: category, maxBytes, size: media.size, animated } };
  }
  return null;
}
