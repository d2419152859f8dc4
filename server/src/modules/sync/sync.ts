import { sql, type ExpressionBuilder, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Change, ChangeEntity, Message, PullPage } from '@parley/protocol';
import { MESSAGE_COLUMNS, messageFromRow } from '../../platform/rows.js';
import type { Database } from '../../platform/schema.js';
import { GRANT_MESSAGES, loadChanges, loadGrants } from '../../platform/change-loads.js';
import { SYNCED_TABLES } from '../../platform/batches.js';
import type { Store, Trx } from '../../platform/store.js';
import { visibleConversation, type Principal } from '../access/index.js';

/**
 * What a client reads to catch up: the changes after its cursor that its user may see, and
 * history past its cache. Each user is sent only the conversations they see, the messages
 * and contacts of those, the shared canned responses and their own, and everything else
 * (agents, teams, inboxes, templates); plus what they started or stopped seeing since the
 * cursor.
 */

/**
 * A conversation coming into sight brings its contact and recent messages: it weighs this
 * many refs in a page, so a page of many of them stays about as large as any other.
 */
const GRANT_WEIGHT = 1 + GRANT_MESSAGES;

type Ref = { entity: ChangeEntity | 'access'; id: string; seq: number };

/**
 * Every change after `cursor` this principal may see, oldest first, at most `limit` of
 * them. Read in one transaction so the page is a snapshot: a write landing between two of
 * its queries could otherwise be skipped by the cursor. The cursor covers what the user may
 * not see too: a last page moves it to the head, so filtering never leaves a gap behind.
 */
export async function pull(
  store: Store,
  principal: Principal,
  cursor: number,
  limit: number,
  bootstrap?: BootstrapBounds,
): Promise<PullPage> {
  return store.read(async (trx) => {
    const bounds = bootstrap === undefined ? null : boundsFilter(bootstrap);
    const head = Number(
      (await trx.selectFrom('seq_counter').select('value').where('id', '=', 1).executeTakeFirstOrThrow()).value,
    );
    const take = limit + 1;
    const refs: Ref[] = [];
    for (const [entity, table] of SYNCED_TABLES) {
      let query = trx.selectFrom(table).select(['id', 'seq']).where('seq', '>', cursor);
      const bound = bounds?.[table];
      if (bound !== undefined) query = query.where(bound);
      const seen = visibility(principal, table, cursor);
      // The filter names its columns bare, so one builder serves every table.
      if (seen !== undefined) query = query.where((eb) => seen(eb as unknown as ExpressionBuilder<Database, never>));
      const rows = await query.orderBy('seq').limit(take).execute();
      for (const row of rows) refs.push({ entity, id: row.id, seq: Number(row.seq) });
    }
    // A new install has nothing to remove, and gets every conversation it sees anyway.
    if (cursor > 0) {
      const rows = await trx
        .selectFrom('access_changes')
        .select(['conversation_id', 'seq'])
        .where('agent_id', '=', principal.id)
        .where('seq', '>', cursor)
        .orderBy('seq')
        .limit(take)
        .execute();
      for (const row of rows) refs.push({ entity: 'access', id: row.conversation_id, seq: Number(row.seq) });
    }
    refs.sort((a, b) => a.seq - b.seq);
    const page: Ref[] = [];
    let weight = 0;
    for (const ref of refs) {
      const cost = ref.entity === 'access' ? GRANT_WEIGHT : 1;
      if (page.length > 0 && (page.length >= limit || weight + cost > limit)) break;
      page.push(ref);
      weight += cost;
    }
    const hasMore = page.length < refs.length;
    const entities = page.flatMap((ref) =>
      ref.entity === 'access' ? [] : [{ entity: ref.entity, id: ref.id, seq: ref.seq }],
    );
    const changes = await loadChanges(trx, entities, store.agents);
    const access = page.filter((ref) => ref.entity === 'access');
    if (access.length > 0) {
      changes.push(...(await sightChanges(trx, principal, access, bootstrap?.messagesPerConversation)));
    }
    return {
      changes,
      cursor: hasMore ? (page.at(-1)?.seq ?? cursor) : Math.max(cursor, head),
      hasMore,
      head,
    };
  });
}

/**
 * What the user's changes of sight bring, decided by what they see now (the rows say when,
 * the rule says what): a conversation out of sight is a removal stamped with the row's seq;
 * one in sight comes whole, with its contact and newest messages.
 */
async function sightChanges(
  trx: Trx,
  principal: Principal,
  access: readonly Ref[],
  messages: number | undefined,
): Promise<Change[]> {
  const ids = access.map((ref) => ref.id);
  const visible = new Set(
    (
      await trx
        .selectFrom('conversations')
        .select('conversations.id')
        .where('conversations.id', 'in', ids)
        .where(visibleConversation(principal))
        .execute()
    ).map((row) => row.id),
  );
  const changes: Change[] = [];
  for (const ref of access) {
    if (!visible.has(ref.id)) changes.push({ entity: 'removal', data: { id: ref.id, seq: ref.seq } });
  }
  const grants = await loadGrants(trx, [...visible], messages ?? GRANT_MESSAGES);
  for (const granted of grants.values()) changes.push(...granted);
  return changes;
}

/** The filter that keeps what this principal sees of a synced table; undefined when they see all of it. */
function visibility(
  principal: Principal,
  table: (typeof SYNCED_TABLES)[number][1],
  cursor: number,
): ((eb: ExpressionBuilder<Database, never>) => Expression<SqlBool>) | undefined {
  // A deactivated account is sent nothing at all.
  if (!principal.active) return () => sql<SqlBool>`1 = 0`;
  // Canned responses: the shared ones, and the user's own; nobody else's, admins included.
  // A new install has nothing to drop, so it is sent no tombstones.
  if (table === 'canned_responses') {
    return (eb) => {
      const mine = eb.or([eb(sql.ref('owner_id'), 'is', null), eb(sql.ref('owner_id'), '=', principal.id)]);
      return cursor === 0 ? eb.and([mine, eb(sql.ref('deleted'), '=', 0)]) : mine;
    };
  }
  if (principal.role === 'admin') return undefined;
  const visibleIds = (eb: ExpressionBuilder<Database, never>) =>
    eb.selectFrom('conversations').select('conversations.id').where(visibleConversation(principal));
  switch (table) {
    case 'conversations':
      return (eb) => eb(sql.ref('id'), 'in', visibleIds(eb));
    case 'messages':
      return (eb) => eb(sql.ref('conversation_id'), 'in', visibleIds(eb));
    case 'contacts':
      // A contact is seen with its conversations; one merged away with the one it went into.
      return (eb) => {
        const contactsSeen = eb
          .selectFrom('conversations')
          .select('conversations.contact_id')
          .where(visibleConversation(principal));
        return eb.or([eb(sql.ref('id'), 'in', contactsSeen), eb(sql.ref('merged_into'), 'in', contactsSeen)]);
      };
    default:
      return undefined;
  }
}

/** Messages of one conversation older than `before`, newest first: history past the cache. */
export async function history(
  store: Store,
  principal: Principal,
  bounds: HistoryBounds,
): Promise<{ ok: true; messages: Message[]; hasMore: boolean } | { ok: false }> {
  const seen = await store.db
    .selectFrom('conversations')
    .select('conversations.id')
    .where('conversations.id', '=', bounds.conversationId)
    .where(visibleConversation(principal))
    .executeTakeFirst();
  if (seen === undefined) return { ok: false };
  const rows = await store.db
    .selectFrom('messages')
    .select(MESSAGE_COLUMNS)
    .where('conversation_id', '=', bounds.conversationId)
    .where('created_at', '<', bounds.before)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(bounds.limit + 1)
    .execute();
  return {
    ok: true,
    messages: rows.slice(0, bounds.limit).map(messageFromRow),
    hasMore: rows.length > bounds.limit,
  };
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
