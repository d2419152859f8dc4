import type { Channel, MessageError } from '@parley/protocol';
import { describeGraphError, type GraphErrorInfo } from './graph.js';
import { CHANNEL_NAMES } from './policy.js';

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

const WHATSAPP_WORDS: Record<number, string> = {
  131026:
    'WhatsApp could not deliver this message: the number may not use WhatsApp, or the customer has not accepted its latest terms.',
  131048: 'WhatsApp limited this number for spam (low message quality). Tell an admin.',
  131049:
    'WhatsApp held back this marketing message to keep engagement healthy. Try again later, or send something else.',
  131056: 'Too many messages to this customer in a short time: WhatsApp refused to take more for now.',
  130472: "WhatsApp did not deliver this: the customer's number is part of a WhatsApp experiment.",
  131051: 'WhatsApp does not support this type of message.',
  368: 'Meta has temporarily blocked this number for policy violations. Tell an admin.',
  190: "This account's access token is invalid or has expired. An admin must reconnect the account.",
  10: "Parley's access token lacks a permission this account needs. Tell an admin.",
};

const MESSAGING_WORDS: Record<number, string> = {
  551: "This person isn't available right now: they may have blocked the account or turned off messages.",
  2018001: 'Meta found no such customer for this account.',
  190: "This account's access token is invalid or has expired. An admin must reconnect the account.",
  368: 'Meta has blocked this action as abusive or against its policies. Tell an admin.',
  200: "Parley's access token lacks a permission this account needs. Tell an admin.",
  230: "The customer's settings do not allow this message.",
};

/** The message's error for a refusal Parley does not handle specially: the code, and words. */
export function platformMessageError(channel: Channel, info: GraphErrorInfo): MessageError {
  const code =
    info.code === null ? (info.httpStatus === null ? 'network_error' : `http_${info.httpStatus}`) : String(info.code);
  const table = channel === 'whatsapp' ? WHATSAPP_WORDS : MESSAGING_WORDS;
  const known = info.code === null ? undefined : table[info.code];
  if (known !== undefined) return { code, message: known };
  if (info.code === 100 || info.code === 131008) {
    return {
      code,
      message: `${CHANNEL_NAMES[channel]} refused the message as malformed (${info.details ?? info.message}). Tell an admin: this is a bug in Parley.`,
    };
  }
  if (info.code !== null && info.code >= 200 && info.code <= 299) {
    return { code, message: "Parley's access token lacks a permission this account needs. Tell an admin." };
  }
  const detail = info.details === null ? '' : ` ${info.details}`;
  return { code, message: `${CHANNEL_NAMES[channel]} refused the message: ${describeGraphError(info)}.${detail}` };
}

/** After the last allowed try of a retryable failure. */
export function exhaustedMessageError(channel: Channel, info: GraphErrorInfo, attempts: number): MessageError {
  const base = platformMessageError(channel, info);
  if (isPairRateError(channel, info)) return base;
  return {
    code: base.code,
    message: `${CHANNEL_NAMES[channel]} did not take the message after ${attempts} tries (last: ${describeGraphError(info)}). Send it again later.`,
  };
}

/** A send whose outcome cannot be known: it may or may not have reached the customer. */
export function unknownDeliveryError(channel: Channel, why: string): MessageError {
  return {
    code: 'unknown_delivery',
    message: `Parley cannot tell whether ${CHANNEL_NAMES[channel]} delivered this message (${why}). It may or may not have reached the customer: check before sending it again.`,
  };
}
