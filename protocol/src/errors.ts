import { z } from 'zod';

export const ErrorCodeSchema = z.enum([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'protocol_mismatch',
  'handshake_required',
  'internal',
  /** The messaging window is closed: on WhatsApp, send a template instead. */
  'window_closed',
  /** Messenger/Instagram past 24 hours: reply with the HUMAN_AGENT tag, if the account may. */
  'human_agent_required',
  /** The file is too large or of a type the platform does not accept. */
  'media_invalid',
  /** Another mutation already used this client id for something else. */
  'conflict',
  /** The platform refused the message for good (its code is in the message's error). */
  'send_failed',
  'too_large',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/**
 * Why, more precisely than the code: the renderer words a failure from its reason and
 * params (the server sends no words a user reads). Integrators switch on `code`; `reason`
 * only ever refines it. A reason this client does not know yet is read as no reason.
 */
export const FailureReasonSchema = z.enum([
  // Things that are not there (any more).
  'conversation_missing',
  'channel_account_missing',
  'agent_missing',
  'account_missing',
  'message_missing',
  'reply_target_missing',
  'template_missing',
  'contact_missing',
  // Permission.
  'not_assignee',
  'supervisor_only',
  /** Someone else took the conversation first; params.assigneeName says who. */
  'already_taken',
  /** The one to assign cannot take it: deactivated, or not in a team that sees it (params.name). */
  'assignee_unavailable',
  /** An admin's own account: they may not demote or deactivate themselves. */
  'own_account',
  /** The workspace would be left without an active admin. */
  'last_admin',
  'team_missing',
  'user_missing',
  'email_taken',
  // Malformed requests; params.request names which ('hello', 'mutation', 'pull', 'history', …), params.path the field.
  'malformed',
  'hello_required',
  'protocol_version_unsupported',
  'client_id_reused',
  // Messaging windows and platform rules.
  'window_template_only',
  'window_closed_until_customer_writes',
  'human_agent_not_approved',
  'human_agent_tag_required',
  'reaction_window_closed',
  'text_too_long',
  'text_too_many_bytes',
  'no_recipient',
  'templates_whatsapp_only',
  'template_not_sendable',
  'template_parameter_count',
  'template_header_link',
  'caption_unsupported',
  'media_refused',
  'media_unreadable',
  // Files (uploads and sends); params name the channel, kind, type and limits.
  'media_missing',
  'media_pending',
  'media_unavailable',
  'media_empty',
  'media_type_unknown',
  'media_kind_unsupported',
  'media_kind_mismatch',
  'media_format_unsupported',
  'media_codec_unsupported',
  'media_too_large',
  'upload_malformed',
  'upload_file_missing',
  'upload_destination_missing',
  'upload_channel_mismatch',
  'media_expired',
  'media_copy_failed',
  'media_stored_copy_missing',
  'thumbnail_missing',
  'range_unsatisfiable',
  'reaction_on_failed_message',
  // The inbox: mentions, snoozing, canned responses.
  /** A note mentions someone who cannot read it: not an active person who sees the conversation (params.agentId, params.name). */
  'mention_unavailable',
  /** A snooze ends in the past (or now). */
  'snooze_in_past',
  /** A snooze ends too far ahead (params.maxDays). */
  'snooze_too_far',
  /** Setting the status to snoozed without a time: snooze it instead. */
  'snooze_needs_time',
  /** No such canned response, or one the user does not see. */
  'canned_response_missing',
  /** A shortcut already used by a canned response the user sees (params.shortcut). */
  'canned_shortcut_taken',
  /** A canned response stays shared or personal: its scope cannot change (params.shared, what it is). */
  'canned_scope_fixed',
  // Contacts.
  'merge_self',
  'merge_source_merged',
  'merge_target_merged',
  // Channel accounts (admin API).
  'channel_account_exists',
  'channel_account_invalid',
  'channel_account_in_use',
  // HTTP requests: no such route, a body that is not JSON or too large, a webhook refused.
  'route_missing',
  'body_not_json',
  'body_too_large',
  'webhook_empty',
  'webhook_signature_mismatch',
  'webhook_malformed',
  // Sign-in and sessions.
  'bad_credentials',
  'session_missing',
  'session_ended',
  'admin_only',
  'email_invalid',
  'password_missing',
  /** Too many failed sign-ins: params.retryAfterSeconds until the next try is heard. */
  'login_throttled',
  'account_deactivated',
  /** The long-lived sign-in token is unknown, expired or revoked: sign in again. */
  'refresh_invalid',
  /** An API token that is unknown or revoked. */
  'api_token_invalid',
  /** A password too short to keep (params.min). */
  'password_weak',
  // A message that failed after it was accepted (MessageError.reason; see MessageErrorSchema).
  'platform_refused',
  'malformed_by_platform',
  'permission_missing',
  'attempts_exhausted',
  'unknown_delivery',
  'send_abandoned',
  // The server failed; the request may be tried again.
  'server_error',
  // The app gave up on a request itself: not connected, no answer in time, an answer it could not read.
  'offline',
  'timeout',
  'bad_reply',
]);
export type FailureReason = z.infer<typeof FailureReasonSchema>;

/** Values the words of a failure are built from: names, counts, limits, channels. */
export const FailureParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type FailureParams = z.infer<typeof FailureParamsSchema>;

export type Failure = {
  ok: false;
  code: ErrorCode;
  reason?: FailureReason;
  params?: FailureParams;
};
/** What every request over the socket answers: a result, never a thrown string. */
export type Result<T extends object = Record<never, never>> = ({ ok: true } & T) | Failure;

/** A failure in codes: the code, the precise reason and the values the renderer words it with. */
export function refusal(code: ErrorCode, reason?: FailureReason, params?: FailureParams): Failure {
  return {
    ok: false,
    code,
    ...(reason === undefined ? {} : { reason }),
    ...(params === undefined ? {} : { params }),
  };
}

export const FailureSchema = z.object({
  ok: z.literal(false),
  code: ErrorCodeSchema,
  reason: FailureReasonSchema.optional().catch(undefined),
  params: FailureParamsSchema.optional(),
});

/** The `data` of a socket.io connection error raised by the server's auth middleware. */
export const ConnectErrorDataSchema = z.object({
  code: ErrorCodeSchema,
  reason: FailureReasonSchema.optional().catch(undefined),
  params: FailureParamsSchema.optional(),
});
