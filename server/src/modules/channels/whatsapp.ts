import type { IdentityKind, MessageError } from '@parley/protocol';
import type { z } from 'zod';
import { joinLines, messageContent, nonBlank } from './content.js';
import { contentOf } from './whatsapp-content.js';
import {
  EditSchema,
  EnvelopeSchema,
  ErrorSchema,
  type MessageBase,
  MessageBaseSchema,
  ReactionSchema,
  RevokeSchema,
  type Sender,
  SenderSchema,
  StatusSchema,
  SystemSchema,
  ValueSchema,
  type WhatsAppError,
} from './whatsapp-payload.js';
import { runSteps, type ChannelParser, type CustomerRef, type InboundEvent, type ParsedWebhook } from './types.js';

/**
 * WhatsApp Cloud API webhooks (`object: "whatsapp_business_account"`), CHANNELS.md §2.1.
 * One POST holds entry[] × changes[] × (messages[] | statuses[] | errors[]); every item is
 * parsed on its own, so one malformed item is skipped and the rest are kept.
 *
 * Schemas accept unknown fields: Meta adds fields without notice, and an unknown field must
 * never cost us a customer's message. A message whose type we do not know, or whose typed
 * part is not what we expect, is kept as `unsupported` with its raw payload.
 */

function* steps(body: unknown): Generator<undefined, ParsedWebhook, undefined> {
  const result: ParsedWebhook = { events: [], skipped: [] };
  const envelope = EnvelopeSchema.parse(body);
  for (const entry of envelope.entry) {
    for (const change of entry.changes ?? []) {
      if (change.field !== 'messages') {
        result.skipped.push({ reason: 'field not handled', detail: change.field });
        continue;
      }
      const value = ValueSchema.safeParse(change.value);
      if (!value.success) {
        result.skipped.push({ reason: 'malformed value', detail: issueOf(value.error) });
        continue;
      }
      yield* parseValue(value.data, result);
    }
  }
  return result;
}

export const whatsapp: ChannelParser = {
  channel: 'whatsapp',
  object: 'whatsapp_business_account',
  steps,
  parse: (body) => runSteps(steps(body)),
};

function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid' : `${issue.path.join('.') || '(top)'}: ${issue.message}`;
}

function* parseValue(value: z.infer<typeof ValueSchema>, result: ParsedWebhook): Generator<undefined, void, undefined> {
  const account = value.metadata.phone_number_id;
  const senders: Sender[] = [];
  for (const raw of value.contacts ?? []) {
    const sender = SenderSchema.safeParse(raw);
    if (sender.success) senders.push(sender.data);
    else result.skipped.push({ reason: 'malformed contact', detail: issueOf(sender.error) });
  }

  for (const raw of value.messages ?? []) {
    const base = MessageBaseSchema.safeParse(raw);
    if (!base.success) {
      result.skipped.push({ reason: 'malformed message', detail: issueOf(base.error) });
      continue;
    }
    const event = messageEvent(base.data, raw, account, senders);
    if ('reason' in event) result.skipped.push(event);
    else result.events.push(event);
    yield;
  }

  for (const raw of value.statuses ?? []) {
    const status = StatusSchema.safeParse(raw);
    if (!status.success) {
      result.skipped.push({ reason: 'malformed status', detail: issueOf(status.error) });
      continue;
    }
    const state = STATUS_STATES[status.data.status];
    if (state === undefined) {
      result.skipped.push({ reason: 'status not handled', detail: status.data.status });
      continue;
    }
    const firstError = status.data.errors?.map((error) => ErrorSchema.safeParse(error)).find((e) => e.success)?.data;
    result.events.push({
      type: 'status',
      channel: 'whatsapp',
      accountExternalId: account,
      externalId: status.data.id,
      status: state,
      at: status.data.timestamp * 1000,
      error: state === 'failed' ? statusError(firstError) : null,
      raw,
    });
    yield;
  }

  for (const raw of value.errors ?? []) {
    const error = ErrorSchema.safeParse(raw);
    if (!error.success) {
      result.skipped.push({ reason: 'malformed account error', detail: issueOf(error.error) });
      continue;
    }
    result.events.push({
      type: 'account_error',
      channel: 'whatsapp',
      accountExternalId: account,
      error: statusError(error.data),
      raw,
    });
  }
}

/** `played` (a voice note listened to) says more than `read`; we show it as read. */
const STATUS_STATES: Record<string, 'sent' | 'delivered' | 'read' | 'failed' | undefined> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read',
  failed: 'failed',
};

type Skip = { reason: string; detail?: string };

function identityOf(id: string): { kind: IdentityKind; externalId: string } {
  // `from` is the phone number (wa_id); should Meta ever put a BSUID there, keep it as one.
  return { kind: /^\d+$/.test(id) ? 'wa_id' : 'bsuid', externalId: id };
}

function phoneOf(waId: string | undefined): string | null {
  // A wa_id is the customer's number in international form, without the '+'.
  return waId !== undefined && /^\d{6,15}$/.test(waId) ? waId : null;
}

function uniqueIdentities(
  identities: readonly { kind: IdentityKind; externalId: string }[],
): { kind: IdentityKind; externalId: string }[] {
  const seen = new Set<string>();
  return identities.filter((identity) => {
    const key = `${identity.kind}:${identity.externalId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The customer of one message: its `contacts[]` entry (matched by wa_id or BSUID, or the
 * only one there is) and its `from`. Never requires a wa_id: a BSUID alone is enough.
 */
function customerOf(message: MessageBase, senders: readonly Sender[]): CustomerRef | null {
  const sender =
    senders.find(
      (candidate) =>
        (message.from !== undefined && (candidate.wa_id === message.from || candidate.user_id === message.from)) ||
        (message.from_user_id !== undefined && candidate.user_id === message.from_user_id),
    ) ??
    // The usual case, one contact for one message; never one that names another number.
    (senders.length === 1 && (message.from === undefined || senders[0]?.wa_id === undefined) ? senders[0] : undefined);
  const identities = uniqueIdentities([
    ...(message.from === undefined ? [] : [identityOf(message.from)]),
    ...(sender?.wa_id === undefined ? [] : [{ kind: 'wa_id' as const, externalId: sender.wa_id }]),
    ...(sender?.user_id === undefined ? [] : [{ kind: 'bsuid' as const, externalId: sender.user_id }]),
    ...(message.from_user_id === undefined ? [] : [{ kind: 'bsuid' as const, externalId: message.from_user_id }]),
  ]);
  if (identities.length === 0) return null;
  const waId = identities.find((identity) => identity.kind === 'wa_id')?.externalId;
  const username = nonBlank(sender?.profile?.username);
  return {
    identities,
    name: nonBlank(sender?.profile?.name) ?? (username === null ? null : `@${username.replace(/^@/, '')}`),
    phone: phoneOf(waId),
  };
}

function messageEvent(
  message: MessageBase,
  raw: unknown,
  account: string,
  senders: readonly Sender[],
): InboundEvent | Skip {
  const at = message.timestamp * 1000;
  const base = { channel: 'whatsapp' as const, accountExternalId: account, raw };

  if (message.type === 'system') return systemEvent(message, raw, account);

  const customer = customerOf(message, senders);
  if (customer === null) return { reason: 'message without any customer id', detail: message.id };

  if (message.type === 'reaction') {
    const reaction = ReactionSchema.safeParse(message.reaction);
    if (!reaction.success) return { reason: 'malformed reaction', detail: message.id };
    return {
      ...base,
      type: 'reaction',
      customer,
      targetExternalId: reaction.data.message_id,
      // An empty or missing emoji is WhatsApp's way of saying the reaction was removed.
      emoji: nonBlank(reaction.data.emoji),
      at,
      fromBusiness: false,
    };
  }
  if (message.type === 'edit') {
    const edit = EditSchema.safeParse(message.edit);
    if (!edit.success) return { reason: 'malformed edit', detail: message.id };
    return {
      ...base,
      type: 'edit',
      targetExternalId: edit.data.original_message_id,
      at,
      content: contentOf(edit.data.message.type, edit.data.message, undefined),
    };
  }
  if (message.type === 'revoke') {
    const revoke = RevokeSchema.safeParse(message.revoke);
    if (!revoke.success) return { reason: 'malformed revoke', detail: message.id };
    return { ...base, type: 'delete', targetExternalId: revoke.data.original_message_id, at };
  }

  return {
    ...base,
    type: 'message',
    direction: 'inbound',
    customer,
    externalId: message.id,
    sentAt: at,
    content: contentOf(message.type, message, message.context),
    standby: false,
  };
}

/**
 * A notice that the customer's number or BSUID changed. It has no `contacts[]` and maybe no
 * `from`: the old ids (from, previous_user_id) find the contact and the new ones are added
 * to it, so the thread carries on under the new number.
 */
function systemEvent(message: MessageBase, raw: unknown, account: string): InboundEvent | Skip {
  const system = SystemSchema.safeParse(message.system);
  if (!system.success) return { reason: 'malformed system message', detail: message.id };
  const newWaId =
    system.data.wa_id ?? (system.data.new_wa_id === undefined ? undefined : String(system.data.new_wa_id));
  const identities = uniqueIdentities([
    ...(message.from === undefined ? [] : [identityOf(message.from)]),
    ...(message.from_user_id === undefined ? [] : [{ kind: 'bsuid' as const, externalId: message.from_user_id }]),
    ...(system.data.previous_user_id === undefined
      ? []
      : [{ kind: 'bsuid' as const, externalId: system.data.previous_user_id }]),
    ...(newWaId === undefined ? [] : [{ kind: 'wa_id' as const, externalId: newWaId }]),
    ...(system.data.user_id === undefined ? [] : [{ kind: 'bsuid' as const, externalId: system.data.user_id }]),
  ]);
  if (identities.length === 0) return { reason: 'system message without any customer id', detail: message.id };
  const changedNumber = system.data.type === 'user_changed_number' && phoneOf(newWaId) !== null;
  const fallback = changedNumber
    ? `The customer changed their phone number to +${newWaId}.`
    : system.data.type === 'user_changed_user_id'
      ? 'The customer’s WhatsApp user id changed.'
      : 'The customer’s WhatsApp identity changed.';
  return {
    type: 'message',
    channel: 'whatsapp',
    accountExternalId: account,
    direction: 'inbound',
    customer: {
      identities,
      name: null,
      phone: changedNumber ? phoneOf(newWaId) : phoneOf(message.from),
      phoneChanged: changedNumber,
    },
    externalId: message.id,
    sentAt: message.timestamp * 1000,
    content: messageContent({ kind: 'system', text: nonBlank(system.data.body) ?? fallback }),
    standby: false,
    raw,
  };
}

/**
 * A failed status's error, as data: WhatsApp's code, and why (CHANNELS.md §3.4). Decisions
 * are made on the numeric code, never on Meta's title; Meta's own title and details are kept
 * verbatim in params.details, for support and for anything the renderer does not know.
 */
const MALFORMED_CODES = new Set(['100', '131008', '131009']);
const PERMISSION_CODES = new Set(['10']);
/** The 24-hour window had closed: WhatsApp takes only a template now. */
const WINDOW_CODES = new Set(['131047', '470']);

export function statusError(error: WhatsAppError | undefined): MessageError {
  if (error === undefined) {
    return { code: 'unknown', reason: 'platform_refused', params: { channel: 'whatsapp', details: null }, message: '' };
  }
  const code = String(error.code);
  const details =
    joinLines([nonBlank(error.title) ?? nonBlank(error.message), error.error_data?.details])?.replace('\n', ': ') ??
    null;
  if (WINDOW_CODES.has(code)) {
    return {
      code,
      reason: 'window_template_only',
      params: { channel: 'whatsapp', byPlatform: true, details },
      message: '',
    };
  }
  const reason = MALFORMED_CODES.has(code)
    ? 'malformed_by_platform'
    : PERMISSION_CODES.has(code)
      ? 'permission_missing'
      : 'platform_refused';
  return { code, reason, params: { channel: 'whatsapp', details }, message: '' };
}
