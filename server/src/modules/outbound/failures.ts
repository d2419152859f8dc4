import type { Channel, MessageError } from '@parley/protocol';
import type { GraphErrorInfo } from './graph.js';

/**
 * What Meta's refusals mean for the agent (CHANNELS.md §3.4), decided on the numeric code
 * and subcode, never on Meta's message text.
 */

/** WhatsApp 131047 (and legacy 470), Messenger/Instagram (#10) 2018278: the window has closed. */
export function isWindowError(channel: Channel, info: GraphErrorInfo): boolean {
  if (channel === 'whatsapp') return info.code === 131047 || info.code === 470;
  return info.subcode === 2018278 || (info.code === 10 && info.subcode === null);
}

/** WhatsApp 131056: too many messages to this one customer; slow down for them only. */
export function isPairRateError(channel: Channel, info: GraphErrorInfo): boolean {
  return channel === 'whatsapp' && info.code === 131056;
}

/** How many tries a retryable failure gets; Messenger's "unexpected error" (2) only one more. */
export function attemptLimit(channel: Channel, info: GraphErrorInfo, defaultLimit: number): number {
  if (channel !== 'whatsapp' && info.code === 2) return Math.min(2, defaultLimit);
  // Pair-rate refusals are pacing, not failure: they may take many rounds in a burst.
  if (isPairRateError(channel, info)) return Math.max(defaultLimit, 20);
  return defaultLimit;
}

/**
 * Why a message failed, stored as `{ code, reason, params, message: '' }`: the renderer words
 * it (MessageErrorSchema lists the reasons). Decided on Meta's numeric code, never its text.
 */
export type UnknownDeliveryCause = 'connection_lost' | 'server_restarted' | 'timeout';

function platformCode(info: GraphErrorInfo): string {
  return info.code === null
    ? info.httpStatus === null
      ? 'network_error'
      : `http_${info.httpStatus}`
    : String(info.code);
}

/** Meta's codes for a token that lacks a permission: WhatsApp (#10), and the (#200–299) range. */
function isPermissionError(channel: Channel, info: GraphErrorInfo): boolean {
  if (info.code === null) return false;
  if (channel === 'whatsapp' && info.code === 10) return true;
  return info.code >= 200 && info.code <= 299;
}

/** The message's error for a refusal Parley does not handle specially: the platform's code, and why. */
export function platformMessageError(channel: Channel, info: GraphErrorInfo): MessageError {
  const code = platformCode(info);
  if (info.code === 100 || info.code === 131008) {
    return {
      code,
      reason: 'malformed_by_platform',
      params: { channel, subcode: info.subcode, details: info.details },
      message: '',
    };
  }
  if (isPermissionError(channel, info)) {
    return { code, reason: 'permission_missing', params: { channel }, message: '' };
  }
  return { code, reason: 'platform_refused', params: { channel, subcode: info.subcode }, message: '' };
}

/** After the last allowed try of a retryable failure. */
export function exhaustedMessageError(channel: Channel, info: GraphErrorInfo, attempts: number): MessageError {
  const base = platformMessageError(channel, info);
  if (isPairRateError(channel, info)) return base;
  return {
    code: base.code,
    reason: 'attempts_exhausted',
    params: { channel, attempts, lastCode: base.code },
    message: '',
  };
}

/** A send whose outcome cannot be known: it may or may not have reached the customer. */
export function unknownDeliveryError(channel: Channel, cause: UnknownDeliveryCause): MessageError {
  return { code: 'unknown_delivery', reason: 'unknown_delivery', params: { channel, cause }, message: '' };
}
