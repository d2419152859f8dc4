import { messagingWindowState, type ChannelAccount, type Conversation, type ErrorCode } from '@parley/protocol';
import { dateTime, duration, t, type Locale } from '../common/i18n/index.js';
import type { OutboxRow } from '../data/db.js';

const HOUR_MS = 60 * 60 * 1000;
const HUMAN_AGENT_SPAN_MS = 7 * 24 * HOUR_MS;

/**
 * What the composer offers for a conversation (CHANNELS.md §4.2):
 * - `free`: anything, until `closesAt`;
 * - `template`: WhatsApp after 24 hours, approved templates only;
 * - `human_agent`: Messenger/Instagram between 24 hours and 7 days, text and media tagged HUMAN_AGENT;
 * - `read_only`: nothing can be sent until the customer writes again.
 */
export type ComposerMode =
  | { kind: 'free'; closesAt: number }
  | { kind: 'template' }
  | { kind: 'human_agent'; until: number }
  | { kind: 'read_only'; reason: 'closed' | 'no_human_agent' };

/** A refusal the server answered with, which outranks the local clock until the customer writes again. */
export type WindowRefusal = Extract<ErrorCode, 'window_closed' | 'human_agent_required'>;

export function isWindowRefusal(code: ErrorCode): code is WindowRefusal {
  return code === 'window_closed' || code === 'human_agent_required';
}

export function composerMode(
  conversation: Pick<Conversation, 'channel' | 'windowOpenUntil' | 'humanAgentUntil' | 'lastInboundAt'>,
  account: Pick<ChannelAccount, 'humanAgentEnabled'> | undefined,
  now: number,
  refusal: WindowRefusal | null = null,
): ComposerMode {
  let state = messagingWindowState(conversation, now);
  if (refusal === 'window_closed') state = 'closed';
  else if (refusal === 'human_agent_required' && state === 'open') state = 'human_agent';

  if (conversation.channel === 'whatsapp') {
    // WhatsApp has no human agent extension: outside the window only templates go out.
    return state === 'open' && conversation.windowOpenUntil !== null
      ? { kind: 'free', closesAt: conversation.windowOpenUntil }
      : { kind: 'template' };
  }
  if (state === 'open' && conversation.windowOpenUntil !== null) {
    return { kind: 'free', closesAt: conversation.windowOpenUntil };
  }
  if (state === 'human_agent') {
    // An account Meta has not approved for HUMAN_AGENT cannot use the 7 days.
    if (account?.humanAgentEnabled !== true) return { kind: 'read_only', reason: 'no_human_agent' };
    const until = conversation.humanAgentUntil ?? (conversation.lastInboundAt ?? now) + HUMAN_AGENT_SPAN_MS;
    return { kind: 'human_agent', until };
  }
  return { kind: 'read_only', reason: 'closed' };
}

export type WindowBanner = { severity: 'info' | 'warning' | 'error'; text: string };

/** The banner above the composer: what the window allows now, in words. */
export function windowBanner(mode: ComposerMode, now: number, lang?: Locale, timeZone?: string): WindowBanner {
  switch (mode.kind) {
    case 'free': {
      const remaining = mode.closesAt - now;
      return {
        severity: remaining < HOUR_MS ? 'warning' : 'info',
        text: t('window.open', { time: duration(remaining, lang) }, lang),
      };
    }
    case 'template':
      return { severity: 'warning', text: t('window.waClosed', {}, lang) };
    case 'human_agent':
      return {
        severity: 'warning',
        text: t('window.humanAgent', { time: dateTime(mode.until, lang, timeZone) }, lang),
      };
    case 'read_only':
      return {
        severity: 'error',
        text: t(mode.reason === 'closed' ? 'window.closed' : 'window.noHumanAgent', {}, lang),
      };
  }
}

/**
 * The window refusal the server gave the latest queued reply, if the customer has not
 * written since (which moves `lastInboundAt` and may reopen the window).
 */
export function windowRefusalOf(outbox: readonly OutboxRow[], lastInboundAt: number | null): WindowRefusal | null {
  for (const row of [...outbox].reverse()) {
    if (row.state !== 'failed' || row.mutation.type !== 'message.send' || row.lastError === null) continue;
    const code = row.lastError.code;
    if (!isWindowRefusal(code)) continue;
    return row.createdAt >= (lastInboundAt ?? 0) ? code : null;
  }
  return null;
}
