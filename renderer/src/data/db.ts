import Dexie, { type EntityTable } from 'dexie';
import type {
  Agent,
  ChannelAccount,
  Contact,
  Conversation,
  ErrorCode,
  Message,
  Mutation,
  Template,
} from '@parley/protocol';

export type MetaRow = { key: 'cursor'; value: number } | { key: 'lastSyncedAt'; value: number };

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
      fields: Partial<Pick<Conversation, 'unreadCount' | 'assigneeId' | 'status' | 'labels'>>;
    };

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
  lastError: { code: ErrorCode; message: string } | null;
  rollback: OutboxRollback;
};

/**
 * Older history of one conversation: whether `history:fetch` said the server has more than
 * is cached, and whether a view has asked for the next page (the engine answers it).
 */
export type HistoryRow = { conversationId: string; hasMore: boolean; requestedAt: number | null };

/**
 * The local cache of one signed-in agent on one server. Views read only from here; only
 * the sync engine writes to it. Versions are append-only (version 1 has not shipped yet,
 * which is why it still changes in place).
 */
export class ParleyDb extends Dexie {
  conversations!: EntityTable<Conversation, 'id'>;
  messages!: EntityTable<Message, 'id'>;
  contacts!: EntityTable<Contact, 'id'>;
  agents!: EntityTable<Agent, 'id'>;
  channelAccounts!: EntityTable<ChannelAccount, 'id'>;
  templates!: EntityTable<Template, 'id'>;
  meta!: EntityTable<MetaRow, 'key'>;
  outbox!: EntityTable<OutboxRow, 'clientId'>;
  history!: EntityTable<HistoryRow, 'conversationId'>;

  constructor(name: string) {
    // The outbox holds what the agent wrote and nothing else has: ask Chromium to flush
    // each commit to disk before reporting it, not just to the OS cache.
    super(name, { chromeTransactionDurability: 'strict' });
    this.version(1).stores({
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
    });
  }
}

/** One database per server and agent, so two accounts on one machine never mix. */
export function databaseName(serverUrl: string, agentId: string): string {
  return `parley:${new URL(serverUrl).origin}:${agentId}`;
}

export async function readMeta<K extends MetaRow['key']>(db: ParleyDb, key: K): Promise<number | undefined> {
  const row = await db.meta.get(key);
  return row?.value;
}
