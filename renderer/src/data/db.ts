import Dexie, { type EntityTable, type Transaction } from 'dexie';
import type {
  Agent,
  CannedResponse,
  ChannelAccount,
  Contact,
  Conversation,
  ErrorCode,
  FailureParams,
  FailureReason,
  Message,
  Mutation,
  Team,
  Template,
} from '@parley/protocol';
import { optimisticMessage } from './optimistic.js';

/**
 * Small facts about the cache itself. `bootstrapped`: when the bounded first sync finished
 * (until then every pull asks for its bounds again, so an interrupted one resumes bounded).
 * `resynced`: the schema version whose upgrade emptied the cache to download it again.
 * `evicted`: the last time the quota forced old messages out, and how many went.
 */
export type MetaRow =
  | { key: 'cursor'; value: number }
  | { key: 'lastSyncedAt'; value: number }
  | { key: 'bootstrapped'; value: number }
  | { key: 'resynced'; value: number }
  | { key: 'evicted'; value: number; count: number };

export type OutboxState = 'queued' | 'sending' | 'failed';

/** What to put back when the server refuses a mutation: the fields as they were before it. */
export type OutboxRollback =
  | { kind: 'none' }
  | { kind: 'removeMessage'; messageId: string }
  | { kind: 'message'; messageId: string; seq: number; reactions: Message['reactions'] }
  | {
      kind: 'conversation';
      conversationId: string;
      seq: number;
      fields: Partial<Pick<Conversation, 'unreadCount' | 'assigneeId' | 'status' | 'labels' | 'snoozedUntil'>>;
    }
  | { kind: 'contact'; contactId: string; seq: number; fields: Partial<Pick<Contact, 'note'>> }
  /** `previous` null: the response did not exist before (a new one is taken away). */
  | { kind: 'cannedResponse'; id: string; previous: CannedResponse | null };

/**
 * One mutation the agent made, kept until the server has answered it for good. `lane` is
 * what orders it: the conversation it touches (or the contact, for a merge); one row per
 * lane is in flight at a time, in `order`.
 */
export type OutboxRow = {
  clientId: string;
  lane: string;
  conversationId: string | null;
  order: number;
  createdAt: number;
  mutation: Mutation;
  state: OutboxState;
  attempts: number;
  /** Not before this time (ms): the backoff after an answer that may change on retry. */
  nextAttemptAt: number;
  /**
   * The last refusal, in codes; worded when shown. Rows stored before reasons existed
   * carry the server's words in `message` instead.
   */
  lastError: { code: ErrorCode; reason?: FailureReason; params?: FailureParams; message?: string } | null;
  rollback: OutboxRollback;
};

/**
 * Older history of one conversation: whether `history:fetch` said the server has more than
 * is cached, and whether a view has asked for the next page (the engine answers it).
 */
export type HistoryRow = { conversationId: string; hasMore: boolean; requestedAt: number | null };

/**
 * What the agent was writing in one conversation and has not sent: kept on this device
 * only, across switching conversations and restarts, until it is sent or cleared.
 * `mode`: a reply to the customer or a private note. `mentions`: the colleagues picked
 * with @ in a note draft (agent ids).
 */
export type DraftRow = {
  conversationId: string;
  text: string;
  mode: 'reply' | 'note';
  mentions: string[];
  updatedAt: number;
};

/** The tables that mirror the server: emptied when a schema upgrade cannot migrate them. */
export const SYNCED_TABLES = [
  'conversations',
  'messages',
  'contacts',
  'agents',
  'channelAccounts',
  'templates',
  'teams',
  'cannedResponses',
  'history',
] as const;

/**
 * One step of the local schema. `migrate` rewrites the data in place, inside the upgrade
 * transaction; `resync` is the way out when a change cannot be migrated: the synced
 * tables are emptied and downloaded again, and the outbox (what the agent wrote and
 * nothing else has) is kept. Either way nothing the agent wrote is lost.
 */
export type SchemaVersion = {
  version: number;
  stores: Record<string, string | null>;
  upgrade: { kind: 'none' } | { kind: 'migrate'; run: (tx: Transaction) => Promise<void> } | { kind: 'resync' };
};

/**
 * Every schema this app has shipped, oldest first. Append only: a shipped version is never
 * edited, since devices in the field hold data in its shape.
 */
export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  {
    version: 1,
    stores: {
      // Indexes follow the views' queries: the inbox sorts by lastMessageAt within a status,
      // a thread reads its messages in time order, a quote finds its message by platform id.
      conversations: 'id, lastMessageAt, [status+lastMessageAt], assigneeId, contactId',
      messages: 'id, [conversationId+createdAt], &clientId, externalId',
      contacts: 'id, mergedInto',
      agents: 'id',
      channelAccounts: 'id, channel',
      templates: 'id, channelAccountId',
      meta: 'key',
      outbox: 'clientId, order, [lane+order], conversationId, state',
      history: 'conversationId',
    },
    upgrade: { kind: 'none' },
  },
  {
    // Messages by age, so that running out of quota evicts the oldest first. A cache made
    // by version 1 with a cursor finished its first sync (version 1 kept no such mark).
    version: 2,
    stores: { messages: 'id, [conversationId+createdAt], &clientId, externalId, createdAt' },
    upgrade: {
      kind: 'migrate',
      run: async (tx: Transaction): Promise<void> => {
        const meta = tx.table<MetaRow, string>('meta');
        const cursor = await meta.get('cursor');
        if (cursor !== undefined && cursor.value > 0) await meta.put({ key: 'bootstrapped', value: Date.now() });
      },
    },
  },
  {
    // Conversations carry their last message's preview as data (`preview`), worded in the
    // agent's language. Those cached before have none and only the server has it: download
    // them again. The indexes are unchanged.
    version: 3,
    stores: {},
    upgrade: { kind: 'resync' },
  },
  {
    // Teams, and conversations by team and by waiting time for the supervisor's queue.
    // What a user may see now depends on their teams and role, and a cache made before
    // may hold conversations they no longer see: download it again.
    version: 4,
    stores: {
      teams: 'id',
      conversations: 'id, lastMessageAt, [status+lastMessageAt], assigneeId, contactId, teamId',
    },
    upgrade: { kind: 'resync' },
  },
  {
    // The agent's inbox: conversations by team, assignee and status in time order, and by
    // waiting time, so each view reads its first rows by index; notes by the colleagues
    // they mention (the Mentions view); canned responses; drafts (this device's own, never
    // synced, kept across resyncs). Conversations gained `snoozedUntil`, messages
    // `mentions` and contacts `note`, which only the server has: download them again.
    version: 5,
    stores: {
      conversations:
        'id, lastMessageAt, [status+lastMessageAt], assigneeId, contactId, teamId, waitingSince, [assigneeId+lastMessageAt], [teamId+lastMessageAt]',
      messages: 'id, [conversationId+createdAt], &clientId, externalId, createdAt, *mentions',
      cannedResponses: 'id, shortcut, ownerId',
      drafts: 'conversationId, updatedAt',
    },
    upgrade: { kind: 'resync' },
  },
];

/**
 * The local cache of one signed-in agent on one server. Views read only from here; only
 * the sync engine writes to it.
 */
export class ParleyDb extends Dexie {
  conversations!: EntityTable<Conversation, 'id'>;
  messages!: EntityTable<Message, 'id'>;
  contacts!: EntityTable<Contact, 'id'>;
  agents!: EntityTable<Agent, 'id'>;
  channelAccounts!: EntityTable<ChannelAccount, 'id'>;
  templates!: EntityTable<Template, 'id'>;
  teams!: EntityTable<Team, 'id'>;
  cannedResponses!: EntityTable<CannedResponse, 'id'>;
  drafts!: EntityTable<DraftRow, 'conversationId'>;
  meta!: EntityTable<MetaRow, 'key'>;
  outbox!: EntityTable<OutboxRow, 'clientId'>;
  history!: EntityTable<HistoryRow, 'conversationId'>;

  /** `versions` is for tests of future upgrades; the app always uses SCHEMA_VERSIONS. */
  constructor(name: string, versions: readonly SchemaVersion[] = SCHEMA_VERSIONS) {
    // The outbox holds what the agent wrote and nothing else has: ask Chromium to flush
    // each commit to disk before reporting it, not just to the OS cache.
    super(name, { chromeTransactionDurability: 'strict' });
    for (const step of versions) {
      const version = this.version(step.version).stores(step.stores);
      const upgrade = step.upgrade;
      if (upgrade.kind === 'migrate') version.upgrade((tx) => upgrade.run(tx));
      if (upgrade.kind === 'resync') version.upgrade((tx) => resyncInUpgrade(tx, step.version));
    }
  }
}

/** Empties the synced tables and the cursor, keeps the outbox, and leaves a mark to say so. */
async function resyncInUpgrade(tx: Transaction, version: number): Promise<void> {
  // Only the tables this version has: a later one may add more.
  const present = tx.idbtrans.db.objectStoreNames;
  for (const table of SYNCED_TABLES) if (present.contains(table)) await tx.table(table).clear();
  const meta = tx.table<MetaRow, string>('meta');
  await meta.bulkDelete(['cursor', 'bootstrapped', 'lastSyncedAt']);
  await meta.put({ key: 'resynced', value: version });
  // The optimistic copies of queued messages were in `messages`: put them back.
  const outbox = await tx.table<OutboxRow, string>('outbox').toArray();
  const messages = outbox.flatMap((row) => optimisticCopy(row));
  if (messages.length > 0) await tx.table<Message, string>('messages').bulkPut(messages);
}

/** The optimistic message of a queued send or note, rebuilt from its outbox row. */
export function optimisticCopy(row: OutboxRow): Message[] {
  // A refused row already had its optimistic message taken away; the thread shows the row.
  if (row.state === 'failed') return [];
  const message = optimisticMessage(row.mutation, null, row.createdAt);
  return message === null ? [] : [message];
}

/** One database per server and agent, so two accounts on one machine never mix. */
export function databaseName(serverUrl: string, agentId: string): string {
  return `parley:${new URL(serverUrl).origin}:${agentId}`;
}

export async function readMeta<K extends MetaRow['key']>(db: ParleyDb, key: K): Promise<number | undefined> {
  const row = await db.meta.get(key);
  return row?.value;
}

/** Several meta values in one read; a key not stored is absent from the result. */
export async function readMetas<K extends MetaRow['key']>(
  db: ParleyDb,
  keys: readonly K[],
): Promise<Partial<Record<K, number>>> {
  const rows = await db.meta.bulkGet([...keys]);
  const values: Partial<Record<K, number>> = {};
  keys.forEach((key, index) => {
    const row = rows[index];
    if (row !== undefined) values[key] = row.value;
  });
  return values;
}
