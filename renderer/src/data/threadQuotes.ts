import { useLiveQuery } from 'dexie-react-hooks';
import type { Contact, Message } from '@parley/protocol';
import { useMemo } from 'react';
import { mergeCandidates } from '../domain/contacts.js';
import { resolveContactIn } from './contacts.js';
import type { ParleyDb } from './db.js';

/** Cached messages by Parley's id and by the platform's id. */
export type QuotedMessages = { byId: ReadonlyMap<string, Message>; byExternalId: ReadonlyMap<string, Message> };

/**
 * The messages that the window's replies quote, read from the cache one by one (by id or
 * by the platform's id), so a quote shows its original even when that is far above the window.
 */
export function useQuotedMessages(
  db: ParleyDb,
  conversationId: string,
  messages: readonly Message[] | undefined,
): QuotedMessages | undefined {
  const wanted = useMemo(() => {
    const ids = new Set<string>();
    const externalIds = new Set<string>();
    for (const message of messages ?? []) {
      const ref = message.replyTo;
      if (ref === null) continue;
      if (ref.messageId !== null) ids.add(ref.messageId);
      else if (ref.externalId !== null) externalIds.add(ref.externalId);
    }
    return { ids: [...ids].sort(), externalIds: [...externalIds].sort() };
  }, [messages]);
  const key = `${wanted.ids.join(',')}|${wanted.externalIds.join(',')}`;
  return useLiveQuery(
    async () => {
      const byId = new Map<string, Message>();
      const byExternalId = new Map<string, Message>();
      const found = await db.messages.bulkGet(wanted.ids);
      for (const message of found) if (message?.conversationId === conversationId) byId.set(message.id, message);
      const external =
        wanted.externalIds.length === 0
          ? []
          : await db.messages.where('externalId').anyOf(wanted.externalIds).toArray();
      for (const message of external) {
        if (message.conversationId === conversationId && message.externalId !== null)
          byExternalId.set(message.externalId, message);
      }
      return { byId, byExternalId };
    },
    // `key` stands for `wanted`: the same quotes do not read again.
    [db, conversationId, key],
  );
}

/** A conversation's contact (following merges) and the contacts it may be a duplicate of. */
export type ThreadContact = { contact: Contact | undefined; candidates: Contact[] };

/** Reads a conversation's contact and its possible duplicates, one by one (inside a caller's transaction too). */
export async function readThreadContact(db: ParleyDb, contactId: string): Promise<ThreadContact> {
  const contact = await resolveContactIn(db, contactId);
  if (contact === undefined) return { contact, candidates: [] };
  const linked = new Map<string, Contact>();
  for (const id of contact.possibleDuplicates) {
    const candidate = await resolveContactIn(db, id);
    if (candidate !== undefined) linked.set(id, candidate);
    if (candidate !== undefined) linked.set(candidate.id, candidate);
  }
  return { contact, candidates: mergeCandidates(linked, contact) };
}

/** A conversation's contact (following merges) and the contacts it may be a duplicate of, read one by one. */
export function useThreadContact(db: ParleyDb, contactId: string): ThreadContact | undefined {
  return useLiveQuery(() => readThreadContact(db, contactId), [db, contactId]);
}
