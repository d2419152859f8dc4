import type { Channel, ConversationStatus } from '@parley/protocol';
import { normalize } from '../../common/commands.js';
import { resolveContactIn } from '../../data/contacts.js';
import type { ParleyDb } from '../../data/db.js';

/** A conversation the palette offers, found by its contact's name. */
export type ConversationHit = {
  conversationId: string;
  contactName: string;
  channel: Channel;
  status: ConversationStatus;
};

/**
 * The conversations of the contacts whose name holds `query`, newest conversation of each
 * contact, at most `limit`. Reads contacts with a cursor that stops at the first `limit * 2`
 * names that match, so a keystroke never loads the whole table; a merged contact counts as
 * the one it was merged into, whose conversations include its own.
 */
export async function findConversations(db: ParleyDb, query: string, limit = 8): Promise<ConversationHit[]> {
  const needle = normalize(query).trim();
  if (needle === '') return [];
  const matches = await db.contacts
    .filter((contact) => normalize(contact.name).includes(needle))
    .limit(limit * 2)
    .toArray();
  const hits: ConversationHit[] = [];
  const seen = new Set<string>();
  for (const match of matches) {
    if (hits.length >= limit) break;
    const contact = match.mergedInto === null ? match : await resolveContactIn(db, match.id);
    if (contact === undefined || seen.has(contact.id)) continue;
    seen.add(contact.id);
    const merged = await db.contacts.where('mergedInto').equals(contact.id).primaryKeys();
    const conversations = await db.conversations
      .where('contactId')
      .anyOf([contact.id, ...merged])
      .toArray();
    const newest = conversations.reduce<(typeof conversations)[number] | undefined>(
      (best, conversation) =>
        best === undefined || conversation.lastMessageAt > best.lastMessageAt ? conversation : best,
      undefined,
    );
    if (newest === undefined) continue;
    hits.push({ conversationId: newest.id, contactName: contact.name, channel: newest.channel, status: newest.status });
  }
  return hits;
}
