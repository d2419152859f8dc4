import { sql, type Transaction } from 'kysely';
import type { Change, ChangeEntity, LiveBatch } from '@parley/protocol';
import type { Db } from './database.js';
import {
  MESSAGE_COLUMNS,
  agentFromRow,
  channelAccountFromRow,
  contactFromRow,
  conversationFromRow,
  messageFromRow,
  teamFromRow,
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
  /** How many seqs this write took: the batch covers (after, after + stamped]. */
  stamped = 0;
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
    this.stamped += 1;
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
        changes.after === null || loaded.length === 0
          ? null
          : { after: changes.after, upTo: changes.after + changes.stamped, changes: loaded };
      return { result, batch };
    });
    if (batch !== null) {
      for (const listener of this.listeners) listener(batch);
    }
    return result;
  }
}

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
    const [rows, memberships] = await Promise.all([
      db.selectFrom('agents').selectAll().where('id', 'in', agentIds).execute(),
      db.selectFrom('team_members').selectAll().where('agent_id', 'in', agentIds).execute(),
    ]);
    for (const row of rows) {
      const teamIds = memberships.filter((member) => member.agent_id === row.id).map((member) => member.team_id);
      changes.push({ entity: 'agent', data: agentFromRow(row, teamIds) });
    }
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
  const teamIds = ids('team');
  if (teamIds.length > 0) {
    const [rows, inboxes] = await Promise.all([
      db.selectFrom('teams').selectAll().where('id', 'in', teamIds).execute(),
      db.selectFrom('team_inboxes').selectAll().where('team_id', 'in', teamIds).execute(),
    ]);
    for (const row of rows) {
      const accounts = inboxes.filter((inbox) => inbox.team_id === row.id).map((inbox) => inbox.channel_account_id);
      changes.push({ entity: 'team', data: teamFromRow(row, accounts) });
    }
  }
  const templateIds = ids('template');
  if (templateIds.length > 0) {
    const rows = await db.selectFrom('templates').selectAll().where('id', 'in', templateIds).execute();
    for (const row of rows) changes.push({ entity: 'template', data: templateFromRow(row) });
  }
  return changes.sort((a, b) => a.data.seq - b.data.seq);
}
