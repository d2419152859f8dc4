import { ReactionSchema, type Reaction } from '@parley/protocol';
import { z } from 'zod';
import { findMessage, type AccountEvent, type Context, type Outcome } from './context.js';

export const ReactionsSchema = z.array(ReactionSchema);

/**
 * One customer reaction per message (a new one replaces it, an unreact removes it); the
 * business's reactions seen through Meta replace the agents' the same way, since a Page or
 * a number has one reaction per message. A reaction older than the one we have is stale
 * (a late retry) and changes nothing.
 */
export async function applyReaction(
  context: Context,
  event: Extract<AccountEvent, { type: 'reaction' }>,
): Promise<Outcome> {
  const { trx, changes } = context;
  const message = await findMessage(trx, event.channel, event.targetExternalId);
  if (message === undefined) {
    context.note(`reaction to an unknown message ${event.targetExternalId}`);
    return 'ignored';
  }
  const reactions = ReactionsSchema.parse(JSON.parse(message.reactions));
  const from: Reaction['from'] = event.fromBusiness ? 'agent' : 'customer';
  const theirs = reactions.filter((reaction) => reaction.from === from);
  if (theirs.some((reaction) => reaction.at > event.at)) return 'duplicate';
  if (event.emoji !== null && theirs.length > 0 && theirs.every((reaction) => reaction.emoji === event.emoji)) {
    return 'duplicate';
  }
  const next = reactions.filter((reaction) => reaction.from !== from);
  if (event.emoji !== null) next.push({ emoji: event.emoji, from, agentId: null, at: event.at });
  if (next.length === reactions.length && event.emoji === null) return 'duplicate';
  await trx
    .updateTable('messages')
    .set({ reactions: JSON.stringify(next), seq: await changes.nextSeq('message', message.id) })
    .where('id', '=', message.id)
    .execute();
  return 'updated';
}
