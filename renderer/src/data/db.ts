import Dexie, { type EntityTable } from 'dexie';
import type { Agent, ChannelAccount, Contact, Conversation, Message, Template } from '@parley/protocol';

export type MetaRow = { key: 'cursor'; value: number } | { key: 'lastSyncedAt'; value: number };

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

  constructor(name: string) {
    super(name);
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
