/**
 * What a WhatsApp message says, as Parley's content: its text, media, location, contacts,
 * buttons, list and Flow answers, order, reaction. Anything we cannot read becomes
 * `unsupported`, with its raw payload, never lost.
 */
import type { SharedContact } from '@parley/protocol';
import { z } from 'zod';
import { joinLines, messageContent, nonBlank } from './content.js';
import type { InboundAttachment, MessageContent } from './types.js';
import {
  ButtonSchema,
  type ContextSchema,
  InteractiveSchema,
  LocationSchema,
  MediaSchema,
  OrderSchema,
  SharedContactsSchema,
} from './whatsapp-payload.js';

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
export function contentOf(
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
