import { z } from 'zod';
import type { Channel } from '@parley/protocol';
import type { ChannelParser, InboundEvent, ParsedWebhook } from './types.js';

const MessagingEventSchema = z.looseObject({
  sender: z.looseObject({ id: z.string().min(1) }),
  recipient: z.looseObject({ id: z.string().min(1) }),
  timestamp: z.number().int().nonnegative(),
  message: z
    .looseObject({
      mid: z.string().min(1),
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
    })
    .optional(),
});

const EnvelopeSchema = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().min(1),
      time: z.number().optional(),
      messaging: z.array(z.unknown()).optional(),
      standby: z.array(z.unknown()).optional(),
    }),
  ),
});

/**
 * Messenger (`object: "page"`) and Instagram (`object: "instagram"`) share one webhook
 * shape: `entry[].messaging[]`, keyed by the Page or Instagram account id.
 */
function messagingParser(channel: Channel, object: string): ChannelParser {
  return {
    channel,
    object,
    parse(body: unknown): ParsedWebhook {
      const result: ParsedWebhook = { events: [], skipped: [] };
      const envelope = EnvelopeSchema.parse(body);
      if (envelope.object !== object) {
        result.skipped.push({ reason: 'object not handled on this endpoint', detail: envelope.object });
        return result;
      }
      for (const entry of envelope.entry) {
        for (const raw of entry.messaging ?? []) {
          const event = MessagingEventSchema.safeParse(raw);
          if (!event.success) {
            result.skipped.push({ reason: 'malformed event', detail: event.error.issues[0]?.message });
            continue;
          }
          const message = event.data.message;
          if (message === undefined) {
            result.skipped.push({ reason: 'event not handled yet', detail: Object.keys(event.data).join(',') });
            continue;
          }
          if (message.is_echo === true) {
            result.skipped.push({ reason: 'echo not handled yet' });
            continue;
          }
          const isText = message.text !== undefined;
          const inbound: InboundEvent = {
            type: 'message',
            channel,
            accountExternalId: entry.id,
            direction: 'inbound',
            customer: {
              identities: [{ kind: channel === 'messenger' ? 'psid' : 'igsid', externalId: event.data.sender.id }],
              name: null,
              phone: null,
            },
            externalId: message.mid,
            sentAt: event.data.timestamp,
            content: {
              kind: isText ? 'text' : 'unsupported',
              text: message.text ?? null,
              attachments: [],
              location: null,
              sharedContacts: [],
              replyTo: null,
              interactive: null,
              forwarded: 'no',
            },
            standby: false,
            raw,
          };
          result.events.push(inbound);
        }
        if ((entry.standby?.length ?? 0) > 0) result.skipped.push({ reason: 'standby not handled yet' });
      }
      return result;
    },
  };
}

export const messenger = messagingParser('messenger', 'page');
export const instagram = messagingParser('instagram', 'instagram');
