import { z } from 'zod';
import type { ChannelParser, InboundEvent, MessageContent, ParsedWebhook } from './types.js';

// Schemas accept unknown fields: Meta adds fields without notice, and an unknown field
// must never cost us a customer's message.
const WhatsAppMessageSchema = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().regex(/^\d+$/),
  type: z.string().min(1),
  text: z.looseObject({ body: z.string() }).optional(),
});

const WhatsAppContactSchema = z.looseObject({
  wa_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional() }).optional(),
});

const WhatsAppValueSchema = z.looseObject({
  metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
  contacts: z.array(WhatsAppContactSchema).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});

const WhatsAppEnvelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).optional(),
    }),
  ),
});

export const whatsapp: ChannelParser = {
  channel: 'whatsapp',
  object: 'whatsapp_business_account',
  parse(body: unknown): ParsedWebhook {
    const result: ParsedWebhook = { events: [], skipped: [] };
    const envelope = WhatsAppEnvelopeSchema.parse(body);
    for (const entry of envelope.entry) {
      for (const change of entry.changes ?? []) {
        if (change.field !== 'messages') {
          result.skipped.push({ reason: 'field not handled', detail: change.field });
          continue;
        }
        const value = WhatsAppValueSchema.safeParse(change.value);
        if (!value.success) {
          result.skipped.push({ reason: 'malformed value', detail: value.error.issues[0]?.message });
          continue;
        }
        const names = new Map<string, string>();
        for (const contact of value.data.contacts ?? []) {
          const name = contact.profile?.name;
          if (contact.wa_id !== undefined && name !== undefined && name.trim() !== '') names.set(contact.wa_id, name);
        }
        for (const raw of value.data.messages ?? []) {
          const message = WhatsAppMessageSchema.safeParse(raw);
          if (!message.success) {
            result.skipped.push({ reason: 'malformed message', detail: message.error.issues[0]?.message });
            continue;
          }
          result.events.push(normalize(message.data, value.data.metadata.phone_number_id, names, raw));
        }
        if ((value.data.statuses?.length ?? 0) > 0) {
          result.skipped.push({ reason: 'statuses not handled yet', detail: `${value.data.statuses?.length}` });
        }
      }
    }
    return result;
  },
};

function normalize(
  message: z.infer<typeof WhatsAppMessageSchema>,
  phoneNumberId: string,
  names: ReadonlyMap<string, string>,
  raw: unknown,
): InboundEvent {
  const isText = message.type === 'text' && message.text !== undefined;
  const content: MessageContent = {
    kind: isText ? 'text' : 'unsupported',
    text: isText ? (message.text?.body ?? null) : null,
    attachments: [],
    location: null,
    sharedContacts: [],
    replyTo: null,
    interactive: null,
    forwarded: 'no',
  };
  return {
    type: 'message',
    channel: 'whatsapp',
    accountExternalId: phoneNumberId,
    direction: 'inbound',
    customer: {
      identities: [{ kind: 'wa_id', externalId: message.from }],
      name: names.get(message.from) ?? null,
      // A wa_id is the customer's phone number in international form, without the '+'.
      phone: /^\d{6,15}$/.test(message.from) ? message.from : null,
    },
    externalId: message.id,
    sentAt: Number(message.timestamp) * 1000,
    content,
    standby: false,
    raw,
  };
}
