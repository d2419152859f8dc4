/**
 * The words for what the server refuses and for why a message was not sent. The server
 * answers with a code, a reason and params (protocol/src/errors.ts); the words are made
 * here, in the agent's language, when they are shown.
 */
import {
  ChannelSchema,
  ErrorCodeSchema,
  FailureReasonSchema,
  type Channel,
  type ErrorCode,
  type FailureParams,
  type FailureReason,
} from '@parley/protocol';
import { currentLocale, fileSize, t, tn, type Locale, type MessageKey } from './index.js';

/** A refusal as it arrives: over the socket, in an HTTP error body, or kept in the outbox. */
export type FailureLike = {
  code: string;
  reason?: string | null | undefined;
  params?: FailureParams | null | undefined;
  /** @deprecated Words from servers that predate reasons; used only when nothing else fits. */
  message?: string | null | undefined;
};

/** A message's send error, as stored on the message (MessageErrorSchema). */
export type MessageErrorLike = {
  code: string;
  reason?: string | null | undefined;
  params?: FailureParams | null | undefined;
  message?: string | null | undefined;
};

type Params = FailureParams;

function text(params: Params, name: string): string | null {
  const value = params[name];
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function count(params: Params, name: string): number | null {
  const value = params[name];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function number(value: number, lang: Locale): string {
  return new Intl.NumberFormat(lang).format(value);
}

function channelOf(params: Params): Channel | null {
  const parsed = ChannelSchema.safeParse(params.channel);
  return parsed.success ? parsed.data : null;
}

/** "WhatsApp", "Messenger", "Instagram"; "Meta" when the channel is not said. */
export function channelName(channel: string | null | undefined, lang: Locale = currentLocale()): string {
  const parsed = ChannelSchema.safeParse(channel);
  if (parsed.success) return t(`channel.${parsed.data}`, {}, lang);
  return channel === null || channel === undefined || channel.trim() === ''
    ? t('failure.channel.unknown', {}, lang)
    : channel;
}

const REQUESTS = ['hello', 'mutation', 'pull', 'history', 'upload', 'signIn'] as const;
const SERVER_ERROR_REQUESTS = ['mutation', 'hello', 'history', 'pull'] as const;
const ATTACHMENT_KINDS = ['image', 'audio', 'video', 'document', 'sticker', 'file'] as const;
const TEMPLATE_STATUSES = ['PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'DELETED'] as const;
const HEADER_FORMATS = ['image', 'video', 'document'] as const;

function oneOf<T extends string>(options: readonly T[], value: string | null): T | null {
  return value !== null && (options as readonly string[]).includes(value) ? (value as T) : null;
}

/** The words for a reason, or null when its params are too thin to word it (the code's words are used then). */
function reasonText(reason: FailureReason, params: Params, lang: Locale): string | null {
  const channel = channelName(text(params, 'channel'), lang);
  const say = (key: MessageKey, values: Record<string, string | number> = {}): string => t(key, values, lang);
  switch (reason) {
    case 'conversation_missing':
    case 'channel_account_missing':
    case 'agent_missing':
    case 'account_missing':
    case 'message_missing':
    case 'reply_target_missing':
    case 'template_missing':
    case 'contact_missing':
    case 'supervisor_only':
    case 'hello_required':
    case 'client_id_reused':
    case 'window_template_only':
    case 'human_agent_tag_required':
    case 'media_unreadable':
    case 'reaction_on_failed_message':
    case 'merge_self':
    case 'bad_credentials':
    case 'email_invalid':
    case 'password_missing':
    case 'own_account':
    case 'last_admin':
    case 'team_missing':
    case 'user_missing':
    case 'email_taken':
    case 'account_deactivated':
    case 'refresh_invalid':
    case 'api_token_invalid':
      return say(`failure.${reason}`);
    case 'already_taken': {
      const assigneeName = text(params, 'assigneeName');
      return assigneeName === null
        ? say('failure.already_taken.unnamed')
        : say('failure.already_taken', { assigneeName });
    }
    case 'assignee_unavailable': {
      const name = text(params, 'name');
      return name === null
        ? say('failure.assignee_unavailable.unnamed')
        : say('failure.assignee_unavailable', { name });
    }
    case 'login_throttled': {
      const seconds = count(params, 'retryAfterSeconds');
      if (seconds === null) return say('failure.login_throttled.unnamed');
      // A lockout is minutes long: "15 minutes" reads better than "900 seconds".
      if (seconds >= 120) return tn('failure.login_locked', Math.ceil(seconds / 60), {}, lang);
      return tn('failure.login_throttled', Math.max(1, Math.ceil(seconds)), {}, lang);
    }
    case 'password_weak': {
      const min = count(params, 'min');
      return min === null ? null : say('failure.password_weak', { min });
    }
    case 'not_assignee': {
      const assigneeName = text(params, 'assigneeName');
      return assigneeName === null
        ? say('failure.not_assignee.unnamed')
        : say('failure.not_assignee', { assigneeName });
    }
    case 'malformed': {
      const request = oneOf(REQUESTS, text(params, 'request'));
      return say('failure.malformed', {
        request: say(request === null ? 'failure.request.other' : `failure.request.${request}`),
      });
    }
    case 'window_closed_until_customer_writes': {
      const hours = count(params, 'windowHours');
      const days = count(params, 'days') ?? (hours === null ? null : Math.round(hours / 24));
      return days === null
        ? say('failure.window_closed_until_customer_writes', { channel })
        : tn('failure.window_closed_until_customer_writes.days', days, { channel }, lang);
    }
    case 'human_agent_not_approved':
    case 'reaction_window_closed':
    case 'templates_whatsapp_only':
    case 'channel_account_exists':
    case 'channel_account_invalid':
      return say(`failure.${reason}`, { channel });
    case 'text_too_long':
    case 'text_too_many_bytes': {
      const limit = count(params, 'limit');
      const given = count(params, 'count') ?? count(params, 'bytes');
      if (limit === null || given === null) return null;
      const values = {
        // Only Instagram counts bytes.
        channel:
          reason === 'text_too_many_bytes' && channelOf(params) === null ? channelName('instagram', lang) : channel,
        limit: number(limit, lang),
        count: number(given, lang),
      };
      if (reason === 'text_too_many_bytes') return say('failure.text_too_many_bytes', values);
      return say(params.caption === true ? 'failure.text_too_long.caption' : 'failure.text_too_long', values);
    }
    case 'no_recipient':
      return channelOf(params) === 'whatsapp'
        ? say('failure.no_recipient.whatsapp')
        : say('failure.no_recipient', { channel });
    case 'template_not_sendable': {
      const name = text(params, 'name');
      if (name === null) return null;
      const status = oneOf(TEMPLATE_STATUSES, text(params, 'status')?.toUpperCase() ?? null);
      return say('failure.template_not_sendable', {
        name,
        status: say(status === null ? 'failure.templateStatus.other' : `failure.templateStatus.${status}`),
      });
    }
    case 'template_parameter_count': {
      const expected = count(params, 'expected');
      const given = count(params, 'given');
      if (expected === null || given === null) return null;
      return tn('failure.template_parameter_count', expected, { given: number(given, lang) }, lang);
    }
    case 'template_header_link': {
      const format = oneOf(HEADER_FORMATS, text(params, 'format')?.toLowerCase() ?? null);
      return say(format === null ? 'failure.template_header_link' : `failure.template_header_link.${format}`);
    }
    case 'caption_unsupported': {
      const kind = text(params, 'kind');
      if (kind === 'audio' || kind === 'sticker') return say(`failure.caption_unsupported.${kind}`, { channel });
      return say('failure.caption_unsupported', { channel });
    }
    case 'media_refused':
      return mediaRefusedText(params, channel, lang);
    case 'media_empty':
      return mediaRefusedText({ ...params, problem: 'empty' }, channel, lang);
    case 'media_type_unknown':
      return mediaRefusedText({ ...params, problem: 'type_unknown' }, channel, lang);
    case 'media_kind_unsupported':
      return mediaRefusedText({ ...params, problem: 'kind_unsupported' }, channel, lang);
    case 'media_kind_mismatch':
      return mediaRefusedText({ ...params, problem: 'wrong_kind' }, channel, lang);
    case 'media_format_unsupported':
      return mediaRefusedText({ ...params, problem: 'format' }, channel, lang);
    case 'media_too_large':
      return mediaRefusedText(
        { ...params, problem: 'too_large', limit: params.limit ?? params.maxBytes ?? null },
        channel,
        lang,
      );
    case 'media_codec_unsupported':
      return say('failure.media_codec_unsupported', { channel });
    case 'media_missing':
    case 'media_pending':
    case 'media_expired':
    case 'session_missing':
    case 'session_ended':
    case 'admin_only':
    case 'body_too_large':
    case 'protocol_version_unsupported':
      return reason === 'protocol_version_unsupported' ? null : say(`failure.${reason}`);
    // Requests only other systems make, and reasons of a message's send error
    // (messageErrorText words those): the code's words are enough here.
    case 'media_unavailable':
    case 'media_copy_failed':
    case 'media_stored_copy_missing':
    case 'thumbnail_missing':
    case 'range_unsatisfiable':
    case 'upload_malformed':
    case 'upload_file_missing':
    case 'upload_destination_missing':
    case 'upload_channel_mismatch':
    case 'route_missing':
    case 'body_not_json':
    case 'webhook_empty':
    case 'webhook_signature_mismatch':
    case 'webhook_malformed':
    case 'platform_refused':
    case 'malformed_by_platform':
    case 'permission_missing':
    case 'attempts_exhausted':
    case 'unknown_delivery':
    case 'send_abandoned':
      return null;
    case 'snooze_in_past':
    case 'snooze_needs_time':
    case 'canned_response_missing':
    case 'canned_scope_fixed':
      return say(`failure.${reason}`);
    case 'mention_unavailable': {
      const name = text(params, 'name');
      return name === null ? say('failure.mention_unavailable.unnamed') : say('failure.mention_unavailable', { name });
    }
    case 'snooze_too_far': {
      const maxDays = count(params, 'maxDays');
      return maxDays === null
        ? say('failure.snooze_too_far.unnamed')
        : say('failure.snooze_too_far', { maxDays: number(maxDays, lang) });
    }
    case 'canned_shortcut_taken': {
      const shortcut = text(params, 'shortcut');
      return shortcut === null
        ? say('failure.canned_shortcut_taken.unnamed')
        : say('failure.canned_shortcut_taken', { shortcut });
    }
    case 'merge_source_merged':
    case 'merge_target_merged': {
      const name = text(params, 'name');
      return name === null ? null : say(`failure.${reason}`, { name });
    }
    case 'channel_account_in_use': {
      const name = text(params, 'name');
      const conversations = count(params, 'conversations') ?? count(params, 'count');
      if (name === null || conversations === null) return null;
      return tn('failure.channel_account_in_use', conversations, { name }, lang);
    }
    case 'offline':
    case 'timeout':
      return say(`mutation.${reason}`);
    case 'bad_reply':
      return say('mutation.badReply');
    case 'server_error': {
      const request = oneOf(SERVER_ERROR_REQUESTS, text(params, 'request'));
      return say(request === null ? 'failure.server_error' : `failure.server_error.${request}`);
    }
  }
}

/**
 * Why a file was refused, from params.problem: 'empty', 'type_unknown', 'sticker_unsupported',
 * 'kind_unsupported' (params.kind), 'wrong_kind' (params.kind, params.mimeType), 'format'
 * (params.kind, params.mimeType), 'too_large' (params.kind, params.limit and params.size in bytes).
 */
function mediaRefusedText(params: Params, channel: string, lang: Locale): string {
  const say = (key: MessageKey, values: Record<string, string | number> = {}): string => t(key, values, lang);
  const kind = oneOf(ATTACHMENT_KINDS, text(params, 'kind'));
  const mimeType = text(params, 'mimeType');
  const problem = text(params, 'problem');
  if (problem === 'empty' || problem === 'type_unknown' || problem === 'sticker_unsupported') {
    return say(`failure.media_refused.${problem}`, { channel });
  }
  switch (problem) {
    case 'kind_unsupported':
      if (kind !== null)
        return say('failure.media_refused.kind_unsupported', { channel, kinds: say(`failure.kinds.${kind}`) });
      break;
    case 'wrong_kind':
      if (kind !== null && mimeType !== null) {
        return say('failure.media_refused.wrong_kind', { mimeType, kind: say(`failure.kind.${kind}`) });
      }
      break;
    case 'format':
      if (kind !== null && mimeType !== null) {
        return say('failure.media_refused.format', { channel, mimeType, kinds: say(`failure.kinds.${kind}`) });
      }
      break;
    case 'too_large': {
      const limit = count(params, 'limit');
      const size = count(params, 'size');
      if (kind !== null && limit !== null && size !== null) {
        return say('failure.media_refused.too_large', {
          channel,
          kinds: say(`failure.kinds.${kind}`),
          limit: fileSize(limit, lang),
          size: fileSize(size, lang),
        });
      }
      break;
    }
  }
  return say('failure.media_refused', { channel });
}

function isErrorCode(code: string): code is ErrorCode {
  return ErrorCodeSchema.safeParse(code).success;
}

function isFailureReason(reason: string): reason is FailureReason {
  return FailureReasonSchema.safeParse(reason).success;
}

/**
 * Words for a refusal, in the agent's language: from its reason and params; else from its
 * code; else, for a server that predates codes, its own words; else a generic sentence.
 */
export function failureText(failure: FailureLike, lang: Locale = currentLocale()): string {
  const params = failure.params ?? {};
  if (typeof failure.reason === 'string' && isFailureReason(failure.reason)) {
    const words = reasonText(failure.reason, params, lang);
    if (words !== null) return words;
  }
  if (failure.code === 'protocol_mismatch') {
    const client = count(params, 'client') ?? count(params, 'clientVersion');
    const server = count(params, 'server') ?? count(params, 'serverVersion');
    if (client !== null && server !== null && client !== server) {
      return t(
        client < server ? 'failure.protocol_mismatch.older' : 'failure.protocol_mismatch.newer',
        { client, server },
        lang,
      );
    }
  }
  if (isErrorCode(failure.code)) return t(`failure.code.${failure.code}`, {}, lang);
  if (typeof failure.message === 'string' && failure.message.trim() !== '') return failure.message;
  return t('failure.unknown', {}, lang);
}

/** The WhatsApp refusals and the Messenger/Instagram ones Parley words precisely (CHANNELS.md §3.4). */
const WHATSAPP_CODES = ['131026', '131048', '131049', '131056', '130472', '131051', '368', '190', '10'] as const;
const MESSAGING_CODES = ['551', '2018001', '190', '368', '200', '230'] as const;

function platformRefusedText(error: MessageErrorLike, params: Params, lang: Locale): string {
  const channel = channelOf(params);
  const name = channelName(text(params, 'channel'), lang);
  const code = error.code;
  if (channel === 'whatsapp') {
    const known = oneOf(WHATSAPP_CODES, code);
    if (known !== null) return t(`sendError.whatsapp.${known}`, {}, lang);
  } else if (channel !== null) {
    const known = oneOf(MESSAGING_CODES, code);
    if (known !== null) return t(`sendError.messaging.${known}`, {}, lang);
  }
  if (code === 'network_error') return t('sendError.network', { channel: name }, lang);
  const http = /^http_(\d{3})$/.exec(code);
  if (http?.[1] !== undefined) return t('sendError.http', { channel: name, status: http[1] }, lang);
  const numeric = Number(code);
  if (numeric === 100 || numeric === 131008) return malformedText(params, name, lang);
  if (numeric >= 200 && numeric <= 299) return t('sendError.permission_missing', {}, lang);
  const details = text(params, 'details');
  return details === null
    ? t('sendError.platform_refused', { channel: name, code }, lang)
    : t('sendError.platform_refused.details', { channel: name, code, details }, lang);
}

function malformedText(params: Params, channel: string, lang: Locale): string {
  const details = text(params, 'details');
  return details === null
    ? t('sendError.malformed_by_platform.noDetails', { channel }, lang)
    : t('sendError.malformed_by_platform', { channel, details }, lang);
}

const CAUSES = ['server_stopped', 'timeout', 'network'] as const;
/** The server's names for the same causes. */
const CAUSE_NAMES: Record<string, (typeof CAUSES)[number]> = {
  server_restarted: 'server_stopped',
  connection_lost: 'network',
};

/**
 * Why a message was not sent, in the agent's language. `error.code` is the platform's code
 * for 'platform_refused'. Errors stored before reasons existed keep their stored words.
 */
export function messageErrorText(error: MessageErrorLike, lang: Locale = currentLocale()): string {
  const params = error.params ?? {};
  const channel = channelName(text(params, 'channel'), lang);
  switch (error.reason) {
    case 'platform_refused':
      return platformRefusedText(error, params, lang);
    case 'malformed_by_platform':
      return malformedText(params, channel, lang);
    case 'permission_missing':
      return t('sendError.permission_missing', {}, lang);
    case 'attempts_exhausted': {
      const attempts = count(params, 'attempts');
      if (attempts !== null) return tn('sendError.attempts_exhausted', attempts, { channel }, lang);
      return platformRefusedText(error, params, lang);
    }
    case 'unknown_delivery': {
      const cause = text(params, 'cause');
      if (cause === null) return t('sendError.unknown_delivery.noCause', { channel }, lang);
      const known = oneOf(CAUSES, CAUSE_NAMES[cause] ?? cause);
      return t(
        'sendError.unknown_delivery',
        { channel, cause: known === null ? cause : t(`sendError.cause.${known}`, {}, lang) },
        lang,
      );
    }
    case 'send_abandoned':
      return t('sendError.send_abandoned', { channel }, lang);
  }
  if (typeof error.message === 'string' && error.message.trim() !== '') return error.message;
  if (error.reason === undefined || error.reason === null) return t('message.failedNoReason', {}, lang);
  // A refusal stored on the message (the platform closed the window, a file it would not take).
  if (isFailureReason(error.reason)) {
    const words = reasonText(error.reason, params, lang);
    if (words !== null) return words;
  }
  // A reason this version does not know yet: the platform's words are the best guess.
  return platformRefusedText(error, params, lang);
}
