import type { IdentityKind, MessageError, SharedContact } from '@parley/protocol';
import { z } from 'zod';
import { joinLines, messageContent, nonBlank } from './content.js';
import {
  runSteps,
  type ChannelParser,
  type CustomerRef,
  type InboundAttachment,
  type InboundEvent,
  type MessageContent,
  type ParsedWebhook,
} from './types.js';

/**
 * WhatsApp Cloud API webhooks (`object: "whatsapp_business_account"`), CHANNELS.md §2.1.
 * One POST holds entry[] × changes[] × (messages[] | statuses[] | errors[]); every item is
 * parsed on its own, so one malformed item is skipped and the rest are kept.
 *
 * Schemas accept unknown fields: Meta adds fields without notice, and an unknown field must
 * never cost us a customer's message. A message whose type we do not know, or whose typed
 * part is not what we expect, is kept as `unsupported` with its raw payload.
 */

/** WhatsApp times are Unix seconds as a string; a number is accepted too. */
const SecondsSchema = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);
/** Coordinates, quantities and prices: numbers, or numbers written as strings. */
const NumberLikeSchema = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

const ContextSchema = z.looseObject({
  from: z.string().optional(),
  id: z.string().min(1).optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
});

const MessageBaseSchema = z.looseObject({
  id: z.string().min(1),
  /** Absent for users who adopted a username and hide their number (2026). */
  from: z.string().min(1).optional(),
  from_user_id: z.string().min(1).optional(),
  timestamp: SecondsSchema,
  type: z.string().min(1),
  context: ContextSchema.optional(),
});
type MessageBase = z.infer<typeof MessageBaseSchema>;

const MediaSchema = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

const LocationSchema = z.looseObject({
  latitude: NumberLikeSchema,
  longitude: NumberLikeSchema,
  name: z.string().optional(),
  address: z.string().optional(),
  url: z.string().optional(),
});

const SharedContactsSchema = z.array(
  z.looseObject({
    name: z
      .looseObject({
        formatted_name: z.string().optional(),
        first_name: z.string().optional(),
        last_name: z.string().optional(),
      })
      .optional(),
    phones: z
      .array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional(), type: z.string().optional() }))
      .optional(),
    emails: z.array(z.looseObject({ email: z.string().optional() })).optional(),
    org: z.looseObject({ company: z.string().optional() }).optional(),
  }),
);

const InteractiveSchema = z.looseObject({
  type: z.string(),
  button_reply: z.looseObject({ id: z.string().optional(), title: z.string() }).optional(),
  list_reply: z
    .looseObject({ id: z.string().optional(), title: z.string(), description: z.string().optional() })
    .optional(),
  nfm_reply: z
    .looseObject({ name: z.string().optional(), body: z.string().optional(), response_json: z.string().optional() })
    .optional(),
});

const ButtonSchema = z.looseObject({ payload: z.string().optional(), text: z.string() });

const ReactionSchema = z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() });

const OrderSchema = z.looseObject({
  catalog_id: z.string().optional(),
  text: z.string().optional(),
  product_items: z
    .array(
      z.looseObject({
        product_retailer_id: z.string(),
        quantity: NumberLikeSchema.optional(),
        item_price: NumberLikeSchema.optional(),
        currency: z.string().optional(),
      }),
    )
    .optional(),
});

const SystemSchema = z.looseObject({
  body: z.string().optional(),
  type: z.string().optional(),
  /** The new number (`new_wa_id` in older payloads). */
  wa_id: z.string().optional(),
  new_wa_id: z.union([z.string(), z.number()]).optional(),
  /** The new BSUID, and the one it replaces. */
  user_id: z.string().optional(),
  previous_user_id: z.string().optional(),
});

const EditSchema = z.looseObject({
  original_message_id: z.string().min(1),
  message: z.looseObject({ type: z.string().min(1) }),
});

const RevokeSchema = z.looseObject({ original_message_id: z.string().min(1) });

const ErrorSchema = z.looseObject({
  code: z.union([z.number(), z.string()]),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});
type WhatsAppError = z.infer<typeof ErrorSchema>;

const StatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: SecondsSchema,
  recipient_id: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
});

const SenderSchema = z.looseObject({
  wa_id: z.string().min(1).optional(),
  /** The business-scoped user id (BSUID), e.g. `US.13491208655302741918`. */
  user_id: z.string().min(1).optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
});
type Sender = z.infer<typeof SenderSchema>;

const ValueSchema = z.looseObject({
  metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});

const EnvelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).optional(),
    }),
  ),
});

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

function mediaAttachment(
  kind: InboundAttachment['kind'],
  media: z.infer<typeof MediaSchema>,
  fallbackMime: string | null,
): InboundAttachment {
  return {
    kind,
    mimeType: media.mime_type ?? fallbackMime,
    fileName: nonBlank(media.filename),
    voice: media.voice === true,
    animated: media.animated === true,
    source: { kind: 'whatsapp_media_id', id: media.id, sha256: media.sha256 ?? null },
  };
}

const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];
const isMediaType = (type: string): type is MediaType => (MEDIA_TYPES as readonly string[]).includes(type);

/**
 * The content of a message of `type`, read from `parts` (the message object, or the
 * `edit.message` of an edit). Anything we cannot read becomes `unsupported`, never lost.
 */
function contentOf(
  type: string,
  parts: Record<string, unknown>,
  context: z.infer<typeof ContextSchema> | undefined,
): MessageContent {
  const common: Partial<MessageContent> = {
    replyTo: context?.id === undefined ? null : { externalId: context.id, storyUrl: null },
    forwarded: context?.frequently_forwarded === true ? 'frequently' : context?.forwarded === true ? 'forwarded' : 'no',
  };
  const unsupported = messageContent({ ...common, kind: 'unsupported' });

  if (type === 'text') {
    const text = z.looseObject({ body: z.string() }).safeParse(parts.text);
    return text.success ? messageContent({ ...common, kind: 'text', text: text.data.body }) : unsupported;
  }
  if (isMediaType(type)) {
    const media = MediaSchema.safeParse(parts[type]);
    if (!media.success) return unsupported;
    return messageContent({
      ...common,
      kind: type,
      text: nonBlank(media.data.caption),
      attachments: [mediaAttachment(type, media.data, type === 'sticker' ? 'image/webp' : null)],
    });
  }
  if (type === 'location') {
    const location = LocationSchema.safeParse(parts.location);
    if (!location.success) return unsupported;
    return messageContent({
      ...common,
      kind: 'location',
      location: {
        latitude: location.data.latitude,
        longitude: location.data.longitude,
        name: nonBlank(location.data.name),
        address: nonBlank(location.data.address),
        url: nonBlank(location.data.url),
      },
    });
  }
  if (type === 'contacts') {
    const cards = SharedContactsSchema.safeParse(parts.contacts);
    if (!cards.success) return unsupported;
    return messageContent({ ...common, kind: 'contacts', sharedContacts: cards.data.map(sharedContact) });
  }
  if (type === 'interactive') {
    const interactive = InteractiveSchema.safeParse(parts.interactive);
    return interactive.success ? (interactiveContent(interactive.data, common) ?? unsupported) : unsupported;
  }
  if (type === 'button') {
    const button = ButtonSchema.safeParse(parts.button);
    if (!button.success) return unsupported;
    return messageContent({
      ...common,
      kind: 'interactive',
      text: button.data.text,
      interactive: {
        type: 'template_button',
        id: nonBlank(button.data.payload),
        title: button.data.text,
        description: null,
      },
    });
  }
  if (type === 'order') {
    const order = OrderSchema.safeParse(parts.order);
    return order.success ? messageContent({ ...common, kind: 'order', text: orderText(order.data) }) : unsupported;
  }
  return unsupported;
}

function sharedContact(card: z.infer<typeof SharedContactsSchema>[number]): SharedContact {
  const name =
    nonBlank(card.name?.formatted_name) ??
    joinLines([card.name?.first_name, card.name?.last_name])?.replace('\n', ' ') ??
    '';
  return {
    name,
    phones: (card.phones ?? []).flatMap((phone) => {
      const number = nonBlank(phone.phone) ?? nonBlank(phone.wa_id);
      return number === null ? [] : [{ phone: number, waId: nonBlank(phone.wa_id), type: nonBlank(phone.type) }];
    }),
    emails: (card.emails ?? []).flatMap((email) => {
      const address = nonBlank(email.email);
      return address === null ? [] : [address];
    }),
    organization: nonBlank(card.org?.company),
  };
}

function interactiveContent(
  interactive: z.infer<typeof InteractiveSchema>,
  common: Partial<MessageContent>,
): MessageContent | null {
  if (interactive.type === 'button_reply' && interactive.button_reply !== undefined) {
    const reply = interactive.button_reply;
    return messageContent({
      ...common,
      kind: 'interactive',
      text: reply.title,
      interactive: { type: 'button_reply', id: nonBlank(reply.id), title: reply.title, description: null },
    });
  }
  if (interactive.type === 'list_reply' && interactive.list_reply !== undefined) {
    const reply = interactive.list_reply;
    return messageContent({
      ...common,
      kind: 'interactive',
      text: reply.title,
      interactive: {
        type: 'list_reply',
        id: nonBlank(reply.id),
        title: reply.title,
        description: nonBlank(reply.description),
      },
    });
  }
  if (interactive.type === 'nfm_reply' && interactive.nfm_reply !== undefined) {
    const reply = interactive.nfm_reply;
    const title = nonBlank(reply.body) ?? 'Form submitted';
    return messageContent({
      ...common,
      kind: 'interactive',
      text: joinLines([title, flowAnswers(reply.response_json)]),
      interactive: { type: 'flow_reply', id: nonBlank(reply.name), title, description: null },
    });
  }
  return null;
}

/** A Flow's answers as "field: value" lines, so the agent reads what the customer filled in. */
function flowAnswers(responseJson: string | undefined): string | null {
  if (responseJson === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(responseJson);
  } catch {
    return null;
  }
  const answers = z.record(z.string(), z.unknown()).safeParse(parsed);
  if (!answers.success) return null;
  return joinLines(
    Object.entries(answers.data)
      // The flow token identifies the flow for the business's server, not for the agent.
      .filter(([key]) => key !== 'flow_token')
      .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`),
  );
}

function orderText(order: z.infer<typeof OrderSchema>): string {
  const items = order.product_items ?? [];
  const lines = items.map((item) => {
    const quantity = item.quantity ?? 1;
    const price = item.item_price === undefined ? '' : ` at ${item.item_price.toFixed(2)} ${item.currency ?? ''}`;
    return `${quantity} × ${item.product_retailer_id}${price.trimEnd()}`;
  });
  const currencies = new Set(items.map((item) => item.currency));
  const priced = items.every((item) => item.item_price !== undefined);
  const total =
    items.length > 0 && priced && currencies.size === 1
      ? ` — total ${items.reduce((sum, item) => sum + (item.item_price ?? 0) * (item.quantity ?? 1), 0).toFixed(2)} ${[...currencies][0] ?? ''}`.trimEnd()
      : '';
  const count = items.reduce((sum, item) => sum + (item.quantity ?? 1), 0);
  const head = `Order of ${count} item${count === 1 ? '' : 's'}${total}`;
  return joinLines([head, ...lines, order.text]) ?? head;
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
