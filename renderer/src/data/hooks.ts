import Dexie from 'dexie';
import { useLiveQuery } from 'dexie-react-hooks';
import type { Contact, Conversation, Message } from '@parley/protocol';
import type { ParleyDb } from './db.js';

/** Every view reads through these hooks, never from the network. */

export function useConversations(db: ParleyDb): Conversation[] | undefined {
  return useLiveQuery(() => db.conversations.orderBy('lastMessageAt').reverse().toArray(), [db]);
}

export function useConversation(db: ParleyDb, id: string | null): Conversation | undefined {
  return useLiveQuery(() => (id === null ? undefined : db.conversations.get(id)), [db, id]);
}

export function useContacts(db: ParleyDb): Map<string, Contact> | undefined {
  return useLiveQuery(async () => new Map((await db.contacts.toArray()).map((contact) => [contact.id, contact])), [db]);
}

export function useContact(db: ParleyDb, id: string | undefined): Contact | undefined {
  return useLiveQuery(() => (id === undefined ? undefined : db.contacts.get(id)), [db, id]);
}

export function useMessages(db: ParleyDb, conversationId: string | null): Message[] | undefined {
  return useLiveQuery(
    () =>
      conversationId === null
        ? []
        : db.messages
            .where('[conversationId+createdAt]')
            .between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey])
            .toArray(),
    [db, conversationId],
  );
}

export function useLastSyncedAt(db: ParleyDb): number | undefined {
  return useLiveQuery(async () => (await db.meta.get('lastSyncedAt'))?.value, [db]);
}
