import { z } from 'zod';
import { parseMessagingItem } from './messaging.js';
import { runSteps, type ChannelParser, type ParsedWebhook, type ParseSteps } from './types.js';

/**
 * The `changes[].field` values that carry a messaging item in `value`. Instagram delivers
 * messaging events this way from the App Dashboard's Test button and in some
 * Instagram-Login setups (CHANNELS.md §1.4); comments and mentions use other fields.
 */
const MESSAGING_FIELDS = new Set([
  'messages',
  'message_echoes',
  'message_reactions',
  'messaging_seen',
  'messaging_postbacks',
  'message_edit',
  'message_edits',
]);

const EnvelopeSchema = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().min(1),
      time: z.number().optional(),
      messaging: z.array(z.unknown()).optional(),
      standby: z.array(z.unknown()).optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).optional(),
    }),
  ),
});

/**
 * Instagram Direct webhooks (`object: "instagram"`), CHANNELS.md §2.3: the Messenger shape
 * in `entry[].messaging[]`/`standby[]`, and the same items as `changes[].value`.
 */
function* steps(body: unknown): ParseSteps {
  const result: ParsedWebhook = { events: [], skipped: [] };
  const envelope = EnvelopeSchema.parse(body);
  if (envelope.object !== 'instagram') {
    result.skipped.push({ reason: 'object not handled on this endpoint', detail: envelope.object });
    return result;
  }
  for (const entry of envelope.entry) {
    for (const raw of entry.messaging ?? []) {
      parseMessagingItem('instagram', entry.id, raw, false, result);
      yield;
    }
    for (const raw of entry.standby ?? []) {
      parseMessagingItem('instagram', entry.id, raw, true, result);
      yield;
    }
    for (const change of entry.changes ?? []) {
      if (MESSAGING_FIELDS.has(change.field)) parseMessagingItem('instagram', entry.id, change.value, false, result);
      else result.skipped.push({ reason: 'field not handled', detail: change.field });
      yield;
    }
  }
  return result;
}

export const instagram: ChannelParser = {
  channel: 'instagram',
  object: 'instagram',
  steps,
  parse: (body) => runSteps(steps(body)),
};
