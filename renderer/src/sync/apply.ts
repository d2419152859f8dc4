import type { EntityTable, IDType } from 'dexie';
import type { Agent, ChannelAccount, Change, Contact, Conversation, Message, Template } from '@parley/protocol';
import type { ParleyDb } from '../data/db.js';

type Versioned = { id: string; seq: number };

type Sorted = {
  agents: Agent[];
  contacts: Contact[];
  conversations: Conversation[];
  messages: Message[];
  channelAccounts: ChannelAccount[];
  templates: Template[];
};

function sortChanges(changes: readonly Change[]): Sorted {
  const sorted: Sorted = {
    agents: [],
    contacts: [],
    conversations: [],
    messages: [],
    channelAccounts: [],
    templates: [],
  };
  for (const change of changes) {
    switch (change.entity) {
      case 'agent':
        sorted.agents.push(change.data);
        break;
      case 'contact':
        sorted.contacts.push(change.data);
        break;
      case 'conversation':
        sorted.conversations.push(change.data);
        break;
      case 'message':
        sorted.messages.push(change.data);
        break;
      case 'channelAccount':
        sorted.channelAccounts.push(change.data);
        break;
      case 'template':
        sorted.templates.push(change.data);
        break;
    }
  }
  return sorted;
}

function entityTables(
  db: ParleyDb,
): [
  ParleyDb['agents'],
  ParleyDb['contacts'],
  ParleyDb['conversations'],
  ParleyDb['messages'],
  ParleyDb['channelAccounts'],
  ParleyDb['templates'],
] {
  return [db.agents, db.contacts, db.conversations, db.messages, db.channelAccounts, db.templates];
}

async function putAll(db: ParleyDb, sorted: Sorted): Promise<void> {
  await Promise.all([
    putNewer(db.agents, sorted.agents),
    putNewer(db.contacts, sorted.contacts),
    putNewer(db.conversations, sorted.conversations),
    putMessages(db, sorted.messages),
    putNewer(db.channelAccounts, sorted.channelAccounts),
    putNewer(db.templates, sorted.templates),
  ]);
}

/**
 * Applies changes and the new cursor in one transaction. Idempotent: a row is replaced
 * only by a version with a higher or equal seq, so replays and out-of-order batches
 * never move data backwards.
 */
export async function applyChanges(db: ParleyDb, changes: readonly Change[], cursor: number): Promise<void> {
  const sorted = sortChanges(changes);
  await db.transaction('rw', [...entityTables(db), db.meta], async () => {
    await putAll(db, sorted);
    const current = (await db.meta.get('cursor'))?.value ?? 0;
    if (cursor > current) await db.meta.put({ key: 'cursor', value: cursor });
    await db.meta.put({ key: 'lastSyncedAt', value: Date.now() });
  });
}

/**
 * Stores entities a request answered with (the message a send created) without moving the
 * cursor: the same versions arrive again through the change feed, and the seq rule keeps
 * whichever is newer.
 */
export async function applyEntities(db: ParleyDb, changes: readonly Change[]): Promise<void> {
  if (changes.length === 0) return;
  const sorted = sortChanges(changes);
  await db.transaction('rw', entityTables(db), async () => {
    await putAll(db, sorted);
  });
}

/**
 * Stores messages by the seq rule, first dropping the optimistic copy of any of them (same
 * clientId, the local id): the server's version replaces it, and the unique clientId index
 * would refuse both. Runs inside the caller's transaction, which must cover `messages`.
 */
export async function putMessages(db: ParleyDb, messages: readonly Message[]): Promise<void> {
  if (messages.length === 0) return;
  const clientIds = messages.flatMap((message) => (message.clientId === null ? [] : [message.clientId]));
  if (clientIds.length > 0) {
    const ids = new Set(messages.map((message) => message.id));
    const optimistic = await db.messages.where('clientId').anyOf(clientIds).toArray();
    const stale = optimistic.filter((message) => !ids.has(message.id)).map((message) => message.id);
    if (stale.length > 0) await db.messages.bulkDelete(stale);
  }
  await putNewer(db.messages, messages);
}

async function putNewer<T extends Versioned>(table: EntityTable<T, 'id'>, rows: readonly T[]): Promise<void> {
  if (rows.length === 0) return;
  // Keep the newest of duplicates within the batch itself.
  const latest = new Map<string, T>();
  for (const row of rows) {
    const seen = latest.get(row.id);
    if (seen === undefined || row.seq >= seen.seq) latest.set(row.id, row);
  }
  const candidates = [...latest.values()];
  const stored = await table.bulkGet(candidates.map((row) => row.id as IDType<T, 'id'>));
  const newer = candidates.filter((row, index) => {
    const existing = stored[index];
    return existing === undefined || row.seq >= existing.seq;
  });
  if (newer.length > 0) await table.bulkPut(newer);
}
