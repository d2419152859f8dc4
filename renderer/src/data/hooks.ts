import Dexie from 'dexie';
import { useLiveQuery } from 'dexie-react-hooks';
import type { Agent, ChannelAccount, Contact, Conversation, Message, Team, Template } from '@parley/protocol';
import { useState } from 'react';
import type { HistoryRow, OutboxRow, ParleyDb } from './db.js';
import { useTableQuery } from './tableQuery.js';
import { readThreadContact, type ThreadContact } from './threadQuotes.js';

/** Every view reads through these hooks, never from the network. */

export function useConversations(db: ParleyDb): Conversation[] | undefined {
  return useLiveQuery(() => db.conversations.orderBy('lastMessageAt').reverse().toArray(), [db]);
}

export function useConversation(db: ParleyDb, id: string | null): Conversation | undefined {
  return useLiveQuery(() => (id === null ? undefined : db.conversations.get(id)), [db, id]);
}

/** Every cached contact, merged ones included, so a view can resolve `mergedInto` itself. */
export function useContacts(db: ParleyDb): Map<string, Contact> | undefined {
  return useLiveQuery(async () => new Map((await db.contacts.toArray()).map((contact) => [contact.id, contact])), [db]);
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

export function useChannelAccount(db: ParleyDb, id: string | undefined): ChannelAccount | undefined {
  return useLiveQuery(() => (id === undefined ? undefined : db.channelAccounts.get(id)), [db, id]);
}

/** The account's templates, approved or not, sorted by name (a sent template may since have been paused). */
export function useTemplates(db: ParleyDb, channelAccountId: string | undefined): Template[] | undefined {
  return useLiveQuery(
    async () =>
      channelAccountId === undefined
        ? []
        : (await db.templates.where('channelAccountId').equals(channelAccountId).toArray()).sort(
            (a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language),
          ),
    [db, channelAccountId],
  );
}

export function useLastSyncedAt(db: ParleyDb): number | undefined {
  return useLiveQuery(async () => (await db.meta.get('lastSyncedAt'))?.value, [db]);
}

/** The outbox rows of one conversation, in the order they were made. */
export function useOutbox(db: ParleyDb, conversationId: string): OutboxRow[] | undefined {
  return useLiveQuery(
    async () =>
      (await db.outbox.where('conversationId').equals(conversationId).toArray()).sort((a, b) => a.order - b.order),
    [db, conversationId],
  );
}

/** What is known of a conversation's older history (undefined until asked once). */
export function useHistory(db: ParleyDb, conversationId: string): HistoryRow | undefined {
  return useLiveQuery(() => db.history.get(conversationId), [db, conversationId]);
}

/** The last time the quota forced old messages out of the cache, and how many in all. */
export function useEviction(db: ParleyDb): { at: number; count: number } | undefined {
  const evicted = useTableQuery(db, ['meta'], 'evicted', async () => {
    const row = await db.meta.get('evicted');
    return row?.key === 'evicted' ? { at: row.value, count: row.count } : null;
  });
  return evicted ?? undefined;
}

/** Every agent this device knows, by name: whom a conversation can be assigned to. */
export function useAgents(db: ParleyDb): Agent[] | undefined {
  return useTableQuery(db, ['agents'], 'agents', async () =>
    (await db.agents.toArray()).sort((a, b) => a.name.localeCompare(b.name)),
  );
}

/** One agent as the cache knows them (their presence, capacity and teams follow live). */
export function useAgent(db: ParleyDb, id: string): Agent | undefined {
  return useTableQuery(db, ['agents'], id, async () => (await db.agents.get(id)) ?? null) ?? undefined;
}

/** Every team this device knows, by name. */
export function useTeams(db: ParleyDb): Team[] | undefined {
  return useTableQuery(db, ['teams'], 'teams', async () =>
    (await db.teams.toArray()).sort((a, b) => a.name.localeCompare(b.name)),
  );
}

/** Every inbox (channel account) this device knows, by name. */
export function useChannelAccounts(db: ParleyDb): ChannelAccount[] | undefined {
  return useTableQuery(db, ['channelAccounts'], 'channelAccounts', async () =>
    (await db.channelAccounts.toArray()).sort((a, b) => a.name.localeCompare(b.name)),
  );
}

/** Conversations not resolved: the queue and every agent's load are counted from these. */
export function useUnresolvedConversations(db: ParleyDb): Conversation[] | undefined {
  return useLiveQuery(
    () => db.conversations.filter((conversation) => conversation.status !== 'resolved').toArray(),
    [db],
  );
}

/** What an open thread shows around its messages: who, where, the team's names, what waits to be sent. */
export type ThreadSurroundings = {
  contact: ThreadContact;
  agents: Agent[];
  teams: Team[];
  account: ChannelAccount | undefined;
  templates: Template[];
  outbox: OutboxRow[];
  history: HistoryRow | undefined;
};

/**
 * An open thread's surroundings, read in one transaction: they arrive together, so the
 * thread renders once for them rather than once for each. A part that reads the same as
 * before keeps its object, so what shows it does not render again when another part changes.
 */
export function useThreadSurroundings(
  db: ParleyDb,
  conversation: Pick<Conversation, 'id' | 'contactId' | 'channelAccountId'>,
): ThreadSurroundings | undefined {
  const { id, contactId, channelAccountId } = conversation;
  const [last] = useState<{ read: ThreadSurroundings | undefined }>(() => ({ read: undefined }));
  return useLiveQuery(
    () =>
      db
        .transaction(
          'r',
          [db.contacts, db.agents, db.teams, db.channelAccounts, db.templates, db.outbox, db.history],
          async (): Promise<ThreadSurroundings> => {
            const [contact, agents, teams, account, templates, outbox, history] = await Promise.all([
              readThreadContact(db, contactId),
              db.agents.toArray(),
              db.teams.toArray(),
              db.channelAccounts.get(channelAccountId),
              db.templates.where('channelAccountId').equals(channelAccountId).toArray(),
              db.outbox.where('conversationId').equals(id).toArray(),
              db.history.get(id),
            ]);
            return {
              contact,
              agents: agents.sort((a, b) => a.name.localeCompare(b.name)),
              teams: teams.sort((a, b) => a.name.localeCompare(b.name)),
              account,
              templates: templates.sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language)),
              outbox: outbox.sort((a, b) => a.order - b.order),
              history,
            };
          },
        )
        .then((read) => {
          last.read = keepSameParts(last.read, read);
          return last.read;
        }),
    [db, id, contactId, channelAccountId, last],
  );
}

/** The new read, with each part that reads the same as before replaced by the object before. */
function keepSameParts<T extends Record<string, unknown>>(before: T | undefined, after: T): T {
  if (before === undefined) return after;
  let changed = false;
  const kept = { ...after };
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) kept[key] = before[key];
    else changed = true;
  }
  return changed ? kept : before;
}
