import { z } from 'zod';
import { parseMessagingItem } from './messaging.js';
import { runSteps, type ChannelParser, type ParsedWebhook, type ParseSteps } from './types.js';

// Instagram has its own parser; it is exported from here too, where the routes import it.
export { instagram } from './instagram.js';

const EnvelopeSchema = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().min(1),
      time: z.number().optional(),
      messaging: z.array(z.unknown()).optional(),
      standby: z.array(z.unknown()).optional(),
      changes: z.array(z.unknown()).optional(),
    }),
  ),
});

/**
 * Messenger webhooks (`object: "page"`), CHANNELS.md §2.2: `entry[].messaging[]` for threads
 * our app owns, `entry[].standby[]` for threads another app owns under the handover
 * protocol. Standby messages are recorded like any other, flagged, and never answered
 * automatically.
 */
function* steps(body: unknown): ParseSteps {
  const result: ParsedWebhook = { events: [], skipped: [] };
  const envelope = EnvelopeSchema.parse(body);
  if (envelope.object !== 'page') {
    result.skipped.push({ reason: 'object not handled on this endpoint', detail: envelope.object });
    return result;
  }
  for (const entry of envelope.entry) {
    for (const raw of entry.messaging ?? []) {
      parseMessagingItem('messenger', entry.id, raw, false, result);
      yield;
    }
    for (const raw of entry.standby ?? []) {
      parseMessagingItem('messenger', entry.id, raw, true, result);
      yield;
    }
    // Page feed changes (comments, posts) are not conversations.
    if ((entry.changes?.length ?? 0) > 0) result.skipped.push({ reason: 'page changes not handled' });
  }
  return result;
}

export const messenger: ChannelParser = {
  channel: 'messenger',
  object: 'page',
  steps,
  parse: (body) => runSteps(steps(body)),
};
