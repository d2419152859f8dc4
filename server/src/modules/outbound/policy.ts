import { refusal, messagingWindowState, type Channel, type Conversation, type Failure } from '@parley/protocol';

/**
 * What the server refuses before any call to Meta: the messaging windows (CHANNELS.md §4)
 * and the text limits (§3). Pure functions, so the same rules are easy to test and read.
 */

export const CHANNEL_NAMES: Record<Channel, string> = {
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
};

/** How a Messenger or Instagram message goes out: inside the window, or tagged HUMAN_AGENT. */
export type MessagingType = 'RESPONSE' | 'HUMAN_AGENT';

export type WindowDecision = { ok: true; messagingType: MessagingType } | Failure;

/**
 * Whether a message may be sent now. WhatsApp outside 24 hours takes templates only;
 * Messenger and Instagram between 24 hours and 7 days take HUMAN_AGENT-tagged replies, if
 * Meta approved the account for them; after that, nothing.
 */
export function sendWindowDecision(input: {
  channel: Channel;
  conversation: Pick<Conversation, 'windowOpenUntil' | 'humanAgentUntil'>;
  isTemplate: boolean;
  humanAgentTag: boolean;
  humanAgentEnabled: boolean;
  now: number;
}): WindowDecision {
  const state = messagingWindowState(input.conversation, input.now);
  if (input.channel === 'whatsapp') {
    if (state === 'open' || input.isTemplate) return { ok: true, messagingType: 'RESPONSE' };
    return refusal('window_closed', 'window_template_only', { channel: input.channel, windowHours: 24 });
  }
  // The tag is only needed (and only used) once the standard window has closed.
  if (state === 'open') return { ok: true, messagingType: 'RESPONSE' };
  if (state === 'human_agent') {
    if (!input.humanAgentEnabled) {
      return refusal('human_agent_required', 'human_agent_not_approved', { channel: input.channel, windowHours: 24 });
    }
    if (!input.humanAgentTag) {
      return refusal('human_agent_required', 'human_agent_tag_required', {
        channel: input.channel,
        windowHours: 24,
        humanAgentDays: 7,
      });
    }
    return { ok: true, messagingType: 'HUMAN_AGENT' };
  }
  return refusal('window_closed', 'window_closed_until_customer_writes', {
    channel: input.channel,
    // How long ago the customer last wrote, at least: 7 days with the human agent tag, 24 hours without.
    windowHours: input.humanAgentEnabled ? 7 * 24 : 24,
  });
}

/** Reactions and other non-message actions: only inside the standard window. */
export function actionWindowDecision(
  channel: Channel,
  conversation: Pick<Conversation, 'windowOpenUntil' | 'humanAgentUntil'>,
  now: number,
): Failure | null {
  if (messagingWindowState(conversation, now) === 'open') return null;
  return refusal('window_closed', 'reaction_window_closed', { channel, windowHours: 24 });
}

/** CHANNELS.md §3: WhatsApp 4096 characters; Instagram 1000 bytes; Messenger 2000 characters [R]. */
export const TEXT_LIMITS = {
  whatsappChars: 4096,
  whatsappCaptionChars: 1024,
  messengerChars: 2000,
  instagramBytes: 1000,
} as const;

/** Counts what the platforms count: characters as code points (an emoji is one), not UTF-16 units. */
function characters(text: string): number {
  return [...text].length;
}

export function textLimitFailure(channel: Channel, text: string, what: 'text' | 'caption'): Failure | null {
  if (channel === 'instagram') {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= TEXT_LIMITS.instagramBytes) return null;
    return refusal('too_large', 'text_too_many_bytes', { channel, limit: TEXT_LIMITS.instagramBytes, bytes });
  }
  const limit =
    channel === 'whatsapp'
      ? what === 'caption'
        ? TEXT_LIMITS.whatsappCaptionChars
        : TEXT_LIMITS.whatsappChars
      : TEXT_LIMITS.messengerChars;
  const count = characters(text);
  if (count <= limit) return null;
  return refusal('too_large', 'text_too_long', { channel, limit, count, caption: what === 'caption' });
}

/** WhatsApp shows a link preview only when asked to. */
export function hasLink(text: string): boolean {
  return /\bhttps?:\/\/\S+/i.test(text);
}
