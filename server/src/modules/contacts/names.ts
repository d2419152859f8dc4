import type { Channel } from '@parley/protocol';

const CHANNEL_LABELS: Record<Channel, string> = {
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
};

/**
 * The name a contact gets when the platform gave none: `+<phone>`, or `Messenger customer
 * 1234`. store/inbound.ts writes the same shape; the profile refresher and merges replace
 * such names with a real one whenever they learn it.
 */
export function placeholderContactName(channel: Channel, phone: string | null, externalId: string): string {
  if (phone !== null) return `+${phone}`;
  return `${CHANNEL_LABELS[channel]} customer ${externalId.slice(-4)}`;
}

/** Whether a contact's name is only a stand-in (see placeholderContactName), or blank. */
export function isPlaceholderName(name: string): boolean {
  const trimmed = name.trim();
  return trimmed === '' || /^\+\d+$/.test(trimmed) || /^(WhatsApp|Messenger|Instagram) customer \S{0,4}$/.test(trimmed);
}
