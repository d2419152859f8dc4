import Dexie from 'dexie';
import { useLiveQuery } from 'dexie-react-hooks';
import type { Contact, Conversation } from '@parley/protocol';
import { resolveContactIn } from '../../data/contacts.js';
import type { OutboxRow, ParleyDb } from '../../data/db.js';
import { collectMerged, labelsOf, personConversations } from './panelRules.js';

/** The contact the open conversation belongs to, shown as the contact it was merged into if it was. */
export type PanelContact =
  { kind: 'loading' } | { kind: 'missing' } | { kind: 'ready'; conversation: Conversation; contact: Contact };

export function usePanelContact(db: ParleyDb, conversationId: string): PanelContact {
  const result = useLiveQuery(async (): Promise<PanelContact> => {
    const conversation = await db.conversations.get(conversationId);
    if (conversation === undefined) return { kind: 'missing' };
    const contact = await resolveContactIn(db, conversation.contactId);
    return contact === undefined ? { kind: 'missing' } : { kind: 'ready', conversation, contact };
  }, [db, conversationId]);
  return result ?? { kind: 'loading' };
}

/** The contact ids of one person: the contact and every contact merged into it, read by the `mergedInto` index. */
export function mergedContactIds(db: ParleyDb, contactId: string): Promise<string[]> {
  return collectMerged(contactId, (ids) =>
    db.contacts
      .where('mergedInto')
      .anyOf([...ids])
      .primaryKeys(),
  );
}

export type PersonConversations = {
  /** The newest `limit` of them, newest first. */
  shown: Conversation[];
  total: number;
  /** The labels on any of them. */
  labels: string[];
};

/**
 * The person's conversations on every channel, read by the `contactId` index for the contact
 * and every contact merged into it. Only the newest `limit` are kept.
 */
export async function readPersonConversations(
  db: ParleyDb,
  contactId: string,
  limit: number,
  lang: string,
): Promise<PersonConversations> {
  const ids = await mergedContactIds(db, contactId);
  const rows = await db.conversations.where('contactId').anyOf(ids).toArray();
  const conversations = personConversations(rows, contactId);
  return { shown: conversations.slice(0, limit), total: conversations.length, labels: labelsOf(rows, lang) };
}

/** `readPersonConversations`, live: it follows new conversations, merges and label changes. */
export function usePersonConversations(
  db: ParleyDb,
  contactId: string,
  limit: number,
  lang: string,
): PersonConversations | undefined {
  return useLiveQuery(() => readPersonConversations(db, contactId, limit, lang), [db, contactId, limit, lang]);
}

/** The contact's note changes still in the outbox (on their way, or refused), oldest first. */
export function useNoteOutbox(db: ParleyDb, contactId: string): OutboxRow[] | undefined {
  return useLiveQuery(async () => {
    const lane = `contact:${contactId}`;
    const rows = await db.outbox.where('[lane+order]').between([lane, Dexie.minKey], [lane, Dexie.maxKey]).toArray();
    return rows.filter((row) => row.mutation.type === 'contact.setNote');
  }, [db, contactId]);
}

/** The duplicates the server proposes for this contact, as the contacts they now are, not merged away. */
export function useMergeCandidates(db: ParleyDb, contact: Contact): Contact[] | undefined {
  const key = contact.possibleDuplicates.join('\n');
  return useLiveQuery(async () => {
    const found = new Map<string, Contact>();
    for (const id of key === '' ? [] : key.split('\n')) {
      const candidate = await resolveContactIn(db, id);
      if (candidate !== undefined && candidate.id !== contact.id && candidate.mergedInto === null) {
        found.set(candidate.id, candidate);
      }
    }
    return [...found.values()];
  }, [db, contact.id, key]);
}

/** How many contacts a name search offers at most. */
export const CONTACT_SEARCH_LIMIT = 8;

/**
 * Contacts whose name contains `query` (any case), not merged away and not `exceptId`:
 * a cursor over the contacts that stops at the first CONTACT_SEARCH_LIMIT found.
 */
export function searchContacts(db: ParleyDb, query: string, exceptId: string): Promise<Contact[]> {
  const needle = query.trim().toLocaleLowerCase();
  if (needle === '') return Promise.resolve([]);
  return db.contacts
    .filter(
      (contact) =>
        contact.mergedInto === null && contact.id !== exceptId && contact.name.toLocaleLowerCase().includes(needle),
    )
    .limit(CONTACT_SEARCH_LIMIT)
    .toArray();
}
