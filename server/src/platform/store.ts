import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Change, ChangeEntity, LiveBatch, Message, PullPage } from '@parley/protocol';
import type { Db } from './database.js';
import {
  MESSAGE_COLUMNS,
  agentFromRow,
  channelAccountFromRow,
  contactFromRow,
  conversationFromRow,
  messageFromRow,
  templateFromRow,
} from './rows.js';
import type { Database } from './schema.js';

export type Trx = Transaction<Database>;

type ChangeListener = (batch: LiveBatch) => void;

/**
 * Everything a write touches, so the changes can be read back in the same transaction
 * and pushed to clients once it has committed.
 */
export class ChangeSet {
  after: number | null = null;
  readonly touched = new Map<string, { entity: ChangeEntity; id: string }>();

  constructor(private readonly trx: Trx) {}

  /** Stamps one change with the next global sequence number. */
  async nextSeq(entity: ChangeEntity, id: string): Promise<number> {
    // The single counter row is also the write lock: writers take their seq in commit
    // order, so a client that has seen seq N has seen every change up to N.
    const row = await this.trx
      .updateTable('seq_counter')
      .set({ value: sql`value + 1` })
      .where('id', '=', 1)
      .returning('value')
      .executeTakeFirstOrThrow();
    const seq = Number(row.value);
    this.after ??= seq - 1;
    this.touched.set(`${entity}:${id}`, { entity, id });
    return seq;
  }
}

export class Store {
  private readonly listeners = new Set<ChangeListener>();

  constructor(readonly db: Db) {}

  /** Subscribes to committed changes; returns the unsubscribe function. */
  onChanges(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async head(): Promise<number> {
    const row = await this.db.selectFrom('seq_counter').select('value').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(row.value);
  }

  /**
   * Runs `work` in one transaction. The changes it stamped are read back inside the same
   * transaction and published after the commit, never before.
   */
  async write<T>(work: (trx: Trx, changes: ChangeSet) => Promise<T>): Promise<T> {
    const { result, batch } = await this.db.transaction().execute(async (trx) => {
      const changes = new ChangeSet(trx);
      const result = await work(trx, changes);
      const loaded = await loadChanges(trx, [...changes.touched.values()]);
      const batch: LiveBatch | null =
        changes.after === null || loaded.length === 0 ? null : { after: changes.after, changes: loaded };
      return { result, batch };
    });
    if (batch !== null) {
      for (const listener of this.listeners) listener(batch);
    }
    return result;
  }

  /**
   * Every change after `cursor`, oldest first, at most `limit` of them. Read in one
   * transaction so the page is a snapshot: a write landing between two of its queries
   * could otherwise be skipped by the cursor.
   */
  async pull(cursor: number, limit: number, bootstrap?: BootstrapBounds): Promise<PullPage> {
    return this.db.transaction().execute(async (trx) => {
      const bounds = bootstrap === undefined ? null : boundsFilter(bootstrap);
      const head = Number(
        (await trx.selectFrom('seq_counter').select('value').where('id', '=', 1).executeTakeFirstOrThrow()).value,
      );
      const take = limit + 1;
      const refs: { entity: ChangeEntity; id: string; seq: number }[] = [];
      for (const [entity, table] of SYNCED_TABLES) {
        let query = trx.selectFrom(table).select(['id', 'seq']).where('seq', '>', cursor);
        const bound = bounds?.[table];
        if (bound !== undefined) query = query.where(bound);
        const rows = await query.orderBy('seq').limit(take).execute();
        for (const row of rows) refs.push({ entity, id: row.id, seq: Number(row.seq) });
      }
      refs.sort((a, b) => a.seq - b.seq);
      const page = refs.slice(0, limit);
      const changes = await loadChanges(trx, page);
      return {
        changes,
        cursor: page.at(-1)?.seq ?? Math.max(cursor, head),
        hasMore: refs.length > limit,
        head,
      };
    });
  }

  /** Messages of one conversation older than `before`, newest first: history past the cache. */
  async history(bounds: HistoryBounds): Promise<{ messages: Message[]; hasMore: boolean }> {
    const rows = await this.db
      .selectFrom('messages')
      .select(MESSAGE_COLUMNS)
      .where('conversation_id', '=', bounds.conversationId)
      .where('created_at', '<', bounds.before)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(bounds.limit + 1)
      .execute();
    return { messages: rows.slice(0, bounds.limit).map(messageFromRow), hasMore: rows.length > bounds.limit };
  }
}

export type HistoryBounds = { conversationId: string; before: number; limit: number };

export type BootstrapBounds = { messagesPerConversation: number; closedDays: number };

/**
 * A new install's first sync brings what an agent works with: every conversation not
 * resolved, resolved ones from the last `closedDays`, and the last messages of each.
 */
function boundsFilter(bounds: BootstrapBounds): Partial<Record<keyof Database, RawBuilder<boolean>>> {
  const since = Date.now() - bounds.closedDays * 24 * 60 * 60 * 1000;
  const kept = sql<boolean>`(status <> 'resolved' or last_message_at >= ${since})`;
  return {
    conversations: kept,
    messages: sql<boolean>`conversation_id in (select id from conversations where status <> 'resolved' or last_message_at >= ${since})
      and (select count(*) from messages as newer
           where newer.conversation_id = messages.conversation_id and newer.created_at > messages.created_at) < ${bounds.messagesPerConversation}`,
  };
}

const SYNCED_TABLES = [
  ['agent', 'agents'],
  ['channelAccount', 'channel_accounts'],
  ['contact', 'contacts'],
  ['conversation', 'conversations'],
  ['message', 'messages'],
  ['template', 'templates'],
] as const satisfies readonly (readonly [ChangeEntity, keyof Database])[];

type Reader = Db | Trx;

/** Reads the current state of the referenced entities, as changes in `seq` order. */
export async function loadChanges(
  db: Reader,
  refs: readonly { entity: ChangeEntity; id: string }[],
): Promise<Change[]> {
  const ids = (entity: ChangeEntity): string[] => refs.filter((r) => r.entity === entity).map((r) => r.id);
  const changes: Change[] = [];
  const agentIds = ids('agent');
  if (agentIds.length > 0) {
    const rows = await db.selectFrom('agents').selectAll().where('id', 'in', agentIds).execute();
    for (const row of rows) changes.push({ entity: 'agent', data: agentFromRow(row) });
  }
  const accountIds = ids('channelAccount');
  if (accountIds.length > 0) {
    const rows = await db.selectFrom('channel_accounts').selectAll().where('id', 'in', accountIds).execute();
    for (const row of rows) changes.push({ entity: 'channelAccount', data: channelAccountFromRow(row) });
  }
  const contactIds = ids('contact');
  if (contactIds.length > 0) {
    const [rows, identities] = await Promise.all([
      db.selectFrom('contacts').selectAll().where('id', 'in', contactIds).execute(),
      db.selectFrom('contact_identities').selectAll().where('contact_id', 'in', contactIds).execute(),
    ]);
    const phones = [...new Set(rows.map((row) => row.phone).filter((phone): phone is string => phone !== null))];
    // Contacts that share a phone number are probably one person: suggest merging them.
    const samePhone =
      phones.length === 0
        ? []
        : await db
            .selectFrom('contacts')
            .select(['id', 'phone'])
            .where('phone', 'in', phones)
            .where('merged_into', 'is', null)
            .execute();
    for (const row of rows) {
      const own = identities.filter((identity) => identity.contact_id === row.id);
      const duplicates =
        row.phone === null || row.merged_into !== null
          ? []
          : samePhone.filter((other) => other.phone === row.phone && other.id !== row.id).map((other) => other.id);
      changes.push({ entity: 'contact', data: contactFromRow(row, own, duplicates) });
    }
  }
  const conversationIds = ids('conversation');
  if (conversationIds.length > 0) {
    const rows = await db.selectFrom('conversations').selectAll().where('id', 'in', conversationIds).execute();
    for (const row of rows) changes.push({ entity: 'conversation', data: conversationFromRow(row) });
  }
  const messageIds = ids('message');
  if (messageIds.length > 0) {
    const rows = await db.selectFrom('messages').select(MESSAGE_COLUMNS).where('id', 'in', messageIds).execute();
    for (const row of rows) changes.push({ entity: 'message', data: messageFromRow(row) });
  }
  const templateIds = ids('template');
  if (templateIds.length > 0) {
    const rows = await db.selectFrom('templates').selectAll().where('id', 'in', templateIds).execute();
    for (const row of rows) changes.push({ entity: 'template', data: templateFromRow(row) });
  }
  return changes.sort((a, b) => a.data.seq - b.data.seq);
}
