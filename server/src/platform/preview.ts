import type { MessageDirection, MessageKind, MessagePreview } from '@parley/protocol';

/**
 * A conversation's last message as the inbox shows it, stored as data: the renderer words
 * it ("📷 Photo", "🎤 Voice message", a file's name…) in the agent's language.
 */

const PREVIEW_LENGTH = 140;

export type PreviewInput = {
  kind: MessageKind;
  direction: MessageDirection;
  text: string | null;
  attachments?: readonly { voice: boolean; fileName: string | null }[];
  location?: { name: string | null; address: string | null } | null;
  sharedContacts?: readonly { name: string }[];
  deleted?: boolean;
};

/** On one line, cut to 140 characters; null when there is no text. */
export function previewText(text: string | null): string | null {
  if (text === null || text.trim() === '') return null;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_LENGTH ? `${flat.slice(0, PREVIEW_LENGTH - 1)}…` : flat;
}

export function previewOf(input: PreviewInput): MessagePreview {
  const attachments = input.attachments ?? [];
  const contacts = input.sharedContacts ?? [];
  const name =
    input.kind === 'document'
      ? (attachments[0]?.fileName ?? null)
      : input.kind === 'location'
        ? (input.location?.name ?? input.location?.address ?? null)
        : input.kind === 'contacts'
          ? contacts[0]?.name || null
          : null;
  return {
    kind: input.kind,
    direction: input.direction,
    text: previewText(input.text),
    name,
    voice: input.kind === 'audio' && attachments[0]?.voice === true,
    count: input.kind === 'contacts' ? contacts.length : attachments.length,
    ...(input.deleted === true ? { deleted: true } : {}),
  };
}

/**
 * What the `last_message_preview` column keeps: the message's text, or '' (no words of ours
 * in any language). Clients read `preview`; the column keeps the lines stored before it.
 */
export function legacyPreview(preview: MessagePreview): string {
  return preview.deleted === true ? '' : (preview.text ?? '');
}

/** A conversation's columns for its last message: the preview as data, and the plain text. */
export function previewColumns(preview: MessagePreview): { preview: string; last_message_preview: string } {
  return { preview: JSON.stringify(preview), last_message_preview: legacyPreview(preview) };
}
