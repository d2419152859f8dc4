import { newId } from './ids.js';
import { sql, type Transaction } from 'kysely';
import type { Change, ChangeEntity, Channel, LiveBatch, PullPage } from '@parley/protocol';
import type { Db } from './database.js';
import { agentFromRow, contactFromRow, conversationFromRow, messageFromRow } from './rows.js';
import type { Database } from './schema.js';

export type Trx = Transaction<Database>;

/** One inbound customer message, normalized from any platform's webhook. */
export type InboundMessage = {
  channel: Channel;
  /** The business account the customer wrote to (phone number id, Page id, IG account id). */
  accountId: string;
  /** The customer's id on the platform (wa_id, PSID, IGSID). */
  customerId: string;
  customerName: string | null;
  customerPhone: string | null;
  /** The platform's message id; the deduplication key. */
  externalId: string;
  /** The platform's timestamp, in ms. */
  sentAt: number;
  kind: 'text' | 'unsupported';
  text: string | null;
  /** The platform's own payload for this message, kept for audit. */
  raw: unknown;
};

export type IngestResult = { stored: number; duplicates: number };

type ChangeListener = (batch: LiveBatch) => void;

/**
 * Everything a write touches, so the changes can be read back in the same transaction
 * and pushed to clients once it has committed.
 */
class ChangeSet {
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

const PREVIEW_LENGTH = 140;

export function previewOf(message: Pick<InboundMessage, 'kind' | 'text'>): string {
  if (message.kind === 'text' && message.text !== null) {
    const flat = message.text.replace(/\s+/g, ' ').trim();
    return flat.length > PREVIEW_LENGTH ? `${flat.slice(0, PREVIEW_LENGTH - 1)}…` : flat;
  }
  return '[unsupported message]';
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

  /** Stores inbound messages; one already stored (the same platform id) is skipped. */
  async ingestInbound(messages: readonly InboundMessage[]): Promise<IngestResult> {
    if (messages.length === 0) return { stored: 0, duplicates: 0 };
    // Order by the platform's timestamp: Meta does not promise delivery order.
    const ordered = [...messages].sort((a, b) => a.sentAt - b.sentAt);
    return this.write(async (trx, changes) => {
      let stored = 0;
      let duplicates = 0;
      for (const message of ordered) {
        if (await storeInbound(trx, changes, message)) stored += 1;
        else duplicates += 1;
      }
      return { stored, duplicates };
    });
  }

  /**
   * Every change after `cursor`, oldest first, at most `limit` of them. Read in one
   * transaction so the page is a snapshot: a write landing between two of its queries
   * could otherwise be skipped by the cursor.
   */
  async pull(cursor: number, limit: number): Promise<PullPage> {
    return this.db.transaction().execute(async (trx) => {
      const head = Number(
        (await trx.selectFrom('seq_counter').select('value').where('id', '=', 1).executeTakeFirstOrThrow()).value,
      );
      const take = limit + 1;
      const refs: { entity: ChangeEntity; id: string; seq: number }[] = [];
      for (const [entity, table] of SYNCED_TABLES) {
        const rows = await trx
          .selectFrom(table)
          .select(['id', 'seq'])
          .where('seq', '>', cursor)
          .orderBy('seq')
          .limit(take)
          .execute();
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
}

const SYNCED_TABLES = [
  ['agent', 'agents'],
  ['contact', 'contacts'],
  ['conversation', 'conversations'],
  ['message', 'messages'],
] as const satisfies readonly (readonly [ChangeEntity, keyof Database])[];

async function storeInbound(trx: Trx, changes: ChangeSet, message: InboundMessage): Promise<boolean> {
  const existing = await trx
    .selectFrom('messages')
    .select('id')
    .where('channel', '=', message.channel)
    .where('external_id', '=', message.externalId)
    .executeTakeFirst();
  if (existing !== undefined) return false;

  const now = Date.now();
  const contactId = await upsertContact(trx, changes, message, now);

  let conversation = await trx
    .selectFrom('conversations')
    .selectAll()
    .where('channel', '=', message.channel)
    .where('channel_account_id', '=', message.accountId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  if (conversation === undefined) {
    const id = newId();
    conversation = {
      id,
      channel: message.channel,
      channel_account_id: message.accountId,
      contact_id: contactId,
      status: 'open',
      assignee_id: null,
      team_id: null,
      labels: '[]',
      last_message_at: message.sentAt,
      last_message_preview: previewOf(message),
      last_inbound_at: message.sentAt,
      unread_count: 0,
      created_at: now,
      seq: await changes.nextSeq('conversation', id),
    };
    await trx.insertInto('conversations').values(conversation).execute();
  }

  const isLatest = message.sentAt >= Number(conversation.last_message_at);
  const lastInbound = conversation.last_inbound_at === null ? 0 : Number(conversation.last_inbound_at);
  await trx
    .updateTable('conversations')
    .set({
      // A customer writing again reopens a resolved conversation.
      status: conversation.status === 'resolved' ? 'open' : conversation.status,
      last_message_at: Math.max(Number(conversation.last_message_at), message.sentAt),
      last_message_preview: isLatest ? previewOf(message) : conversation.last_message_preview,
      last_inbound_at: Math.max(lastInbound, message.sentAt),
      unread_count: sql`unread_count + 1`,
      seq: await changes.nextSeq('conversation', conversation.id),
    })
    .where('id', '=', conversation.id)
    .execute();

  const id = newId();
  await trx
    .insertInto('messages')
    .values({
      id,
      conversation_id: conversation.id,
      channel: message.channel,
      client_id: null,
      external_id: message.externalId,
      direction: 'inbound',
      kind: message.kind,
      text: message.text,
      author_agent_id: null,
      status: 'received',
      created_at: message.sentAt,
      received_at: now,
      raw: JSON.stringify(message.raw),
      seq: await changes.nextSeq('message', id),
    })
    .execute();
  return true;
}

async function upsertContact(trx: Trx, changes: ChangeSet, message: InboundMessage, now: number): Promise<string> {
  const identity = await trx
    .selectFrom('contact_identities')
    .innerJoin('contacts', 'contacts.id', 'contact_identities.contact_id')
    .select(['contacts.id', 'contacts.name', 'contacts.phone'])
    .where('contact_identities.channel', '=', message.channel)
    .where('contact_identities.external_id', '=', message.customerId)
    .executeTakeFirst();
  if (identity !== undefined) {
    const name = message.customerName ?? identity.name;
    const phone = identity.phone ?? message.customerPhone;
    if (name !== identity.name || phone !== identity.phone) {
      await trx
        .updateTable('contacts')
        .set({ name, phone, seq: await changes.nextSeq('contact', identity.id) })
        .where('id', '=', identity.id)
        .execute();
    }
    return identity.id;
  }
  const id = newId();
  await trx
    .insertInto('contacts')
    .values({
      id,
      name: message.customerName ?? fallbackName(message),
      avatar_url: null,
      phone: message.customerPhone,
      created_at: now,
      seq: await changes.nextSeq('contact', id),
    })
    .execute();
  await trx
    .insertInto('contact_identities')
    .values({ channel: message.channel, external_id: message.customerId, contact_id: id, created_at: now })
    .execute();
  return id;
}

function fallbackName(message: InboundMessage): string {
  if (message.customerPhone !== null) return `+${message.customerPhone.replace(/^\+/, '')}`;
  const label =
    message.channel === 'messenger' ? 'Messenger' : message.channel === 'instagram' ? 'Instagram' : 'WhatsApp';
  return `${label} customer ${message.customerId.slice(-4)}`;
}

type Reader = Db | Trx;

/** Reads the current state of the referenced entities, as changes in `seq` order. */
async function loadChanges(db: Reader, refs: readonly { entity: ChangeEntity; id: string }[]): Promise<Change[]> {
  const ids = (entity: ChangeEntity): string[] => refs.filter((r) => r.entity === entity).map((r) => r.id);
  const agentIds = ids('agent');
  const contactIds = ids('contact');
  const conversationIds = ids('conversation');
  const messageIds = ids('message');

  const changes: Change[] = [];
  if (agentIds.length > 0) {
    const rows = await db.selectFrom('agents').selectAll().where('id', 'in', agentIds).execute();
    for (const row of rows) changes.push({ entity: 'agent', data: agentFromRow(row) });
  }
  if (contactIds.length > 0) {
    const [rows, identities] = await Promise.all([
      db.selectFrom('contacts').selectAll().where('id', 'in', contactIds).execute(),
      db.selectFrom('contact_identities').selectAll().where('contact_id', 'in', contactIds).execute(),
    ]);
    for (const row of rows) {
      const own = identities.filter((identity) => identity.contact_id === row.id);
      changes.push({ entity: 'contact', data: contactFromRow(row, own) });
    }
  }
  if (conversationIds.length > 0) {
    const rows = await db.selectFrom('conversations').selectAll().where('id', 'in', conversationIds).execute();
    for (const row of rows) changes.push({ entity: 'conversation', data: conversationFromRow(row) });
  }
  if (messageIds.length > 0) {
    const rows = await db
      .selectFrom('messages')
      .select([
        'id',
        'conversation_id',
        'channel',
        'client_id',
        'external_id',
        'direction',
        'kind',
        'text',
        'author_agent_id',
        'status',
        'created_at',
        'received_at',
        'seq',
      ])
      .where('id', 'in', messageIds)
      .execute();
    for (const row of rows) changes.push({ entity: 'message', data: messageFromRow(row) });
  }
  return changes.sort((a, b) => a.data.seq - b.data.seq);
}
