import { sql, type RawBuilder } from 'kysely';
import type { ChangeEntity, Message, PullPage } from '@parley/protocol';
import { MESSAGE_COLUMNS, messageFromRow } from '../../platform/rows.js';
import type { Database } from '../../platform/schema.js';
import { loadChanges, type Store } from '../../platform/store.js';

/** What a client reads to catch up: the changes after its cursor, and history past its cache. */

/**
 * Every change after `cursor`, oldest first, at most `limit` of them. Read in one
 * transaction so the page is a snapshot: a write landing between two of its queries
 * could otherwise be skipped by the cursor.
 */
export async function pull(
  store: Store,
  cursor: number,
  limit: number,
  bootstrap?: BootstrapBounds,
): Promise<PullPage> {
  return store.db.transaction().execute(async (trx) => {
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
export async function history(store: Store, bounds: HistoryBounds): Promise<{ messages: Message[]; hasMore: boolean }> {
  const rows = await store.db
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
