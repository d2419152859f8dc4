import { failure, messagingWindowState, type Channel, type Conversation, type Failure } from '@parley/protocol';

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
    return failure(
      'window_closed',
      'More than 24 hours have passed since the customer last wrote: WhatsApp only takes an approved template now. The window reopens when the customer replies.',
    );
  }
  const platform = CHANNEL_NAMES[input.channel];
  // The tag is only needed (and only used) once the standard window has closed.
  if (state === 'open') return { ok: true, messagingType: 'RESPONSE' };
  if (state === 'human_agent') {
    if (!input.humanAgentEnabled) {
      return failure(
        'human_agent_required',
        `More than 24 hours have passed since the customer last wrote. ${platform} only takes replies tagged "human agent" now, and Meta has not approved this account for them.`,
      );
    }
    if (!input.humanAgentTag) {
      return failure(
        'human_agent_required',
        `More than 24 hours have passed since the customer last wrote: reply as a human agent (up to 7 days after their last message).`,
      );
    }
    return { ok: true, messagingType: 'HUMAN_AGENT' };
  }
  return failure(
    'window_closed',
    `The customer last wrote more than ${input.humanAgentEnabled ? '7 days' : '24 hours'} ago: ${platform} takes no message until they write again.`,
  );
}

/** Reactions and other non-message actions: only inside the standard window. */
export function actionWindowDecision(
  channel: Channel,
  conversation: Pick<Conversation, 'windowOpenUntil' | 'humanAgentUntil'>,
  now: number,
): Failure | null {
  if (messagingWindowState(conversation, now) === 'open') return null;
  return failure(
    'window_closed',
    `${CHANNEL_NAMES[channel]} takes reactions only within 24 hours of the customer's last message.`,
  );
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
    return failure(
      'too_large',
      `Instagram takes at most ${TEXT_LIMITS.instagramBytes} bytes of text (an emoji counts as 4, an accented letter as 2); this message has ${bytes}. Shorten it or split it in two.`,
    );
  }
  const limit =
    channel === 'whatsapp'
      ? what === 'caption'
        ? TEXT_LIMITS.whatsappCaptionChars
        : TEXT_LIMITS.whatsappChars
      : TEXT_LIMITS.messengerChars;
  const count = characters(text);
  if (count <= limit) return null;
  return failure(
    'too_large',
    `${CHANNEL_NAMES[channel]} takes at most ${limit} characters${what === 'caption' ? ' in a caption' : ''}; this message has ${count}. Shorten it or split it in two.`,
  );
}

/** WhatsApp shows a link preview only when asked to. */
export function hasLink(text: string): boolean {
  return /\bhttps?:\/\/\S+/i.test(text);
}
