/** The batch a committed write is published as: its changes, and what the fan-out needs beside them. */
import { sql } from 'kysely';
import type { Change, ChangeEntity } from '@parley/protocol';
import type { Database } from './schema.js';
import { loadChanges, loadContactPlacements, loadGrants, loadPlacements } from './change-loads.js';
import type { AccessChange, ChangeSet } from './change-set.js';
import type { CommittedBatch, Trx, WriteOrigin } from './store.js';

/** A write that lets more conversations than this come into sight sends them through a pull instead. */
export const LIVE_GRANTS_MAX = 20;

/** A node reading more changes than this from other nodes' commits tells its clients to pull instead. */
export const LIVE_READ_MAX = 1_000;

/** The tables of synced entities, each row stamped with the seq of its last change. */
export const SYNCED_TABLES = [
  ['agent', 'agents'],
  ['channelAccount', 'channel_accounts'],
  ['contact', 'contacts'],
  ['conversation', 'conversations'],
  ['message', 'messages'],
  ['template', 'templates'],
  ['team', 'teams'],
  ['cannedResponse', 'canned_responses'],
] as const satisfies readonly (readonly [ChangeEntity, keyof Database])[];

/** The table of each synced entity. */
const TABLE_OF = new Map<ChangeEntity, string>(SYNCED_TABLES);

/** The synced entities by name, as `batchOfRange` reads them back from its query. */
const ENTITY_NAMES = new Map<string, ChangeEntity>(SYNCED_TABLES.map(([entity]) => [entity, entity]));

/** What the fan-out needs beside the changes: placements, and what comes into sight. */
async function assembleBatch(
  trx: Trx,
  loaded: Change[],
  access: AccessChange[],
): Promise<Omit<CommittedBatch, 'after' | 'upTo' | 'origin'>> {
  const [placements, contactPlacements] = await Promise.all([
    loadPlacements(trx, loaded),
    loadContactPlacements(trx, loaded),
  ]);
  const granted = [...new Set(access.filter((change) => change.visible).map((change) => change.conversationId))];
  const grants = granted.length > 0 && granted.length <= LIVE_GRANTS_MAX ? await loadGrants(trx, granted) : new Map();
  return { changes: loaded, access, placements, contactPlacements, grants };
}

/**
 * What the committed writes stamped, as one batch. Their seqs are contiguous: a write
 * rolled back to its savepoint gave its seqs back to the next one. A concurrent group's
 * batch is read with its provisional seqs, and counts from 0 (see `shiftSeqs`).
 */
export async function batchOfWrites(
  trx: Trx,
  stamped: readonly ChangeSet[],
  origins: readonly WriteOrigin[],
): Promise<CommittedBatch | null> {
  let after: number | null = null;
  let count = 0;
  const touched = new Map<string, { entity: ChangeEntity; id: string }>();
  const accessByKey = new Map<string, AccessChange>();
  for (const changes of stamped) {
    if (changes.after !== null && (after === null || changes.after < after)) after = changes.after;
    count += changes.stamped;
    for (const [key, ref] of changes.touched) touched.set(key, ref);
    for (const [key, access] of changes.access) {
      // The latest per user and conversation wins, as within one write.
      accessByKey.delete(key);
      accessByKey.set(key, access);
    }
  }
  const loaded = await loadChanges(trx, [...touched.values()]);
  const access = [...accessByKey.values()];
  if (after === null || (loaded.length === 0 && access.length === 0)) return null;
  // The earliest webhook among them: the fan-out's latency is measured from its arrival.
  let origin: WriteOrigin | undefined;
  for (const candidate of origins) {
    if (origin === undefined || candidate.receivedAt < origin.receivedAt) origin = candidate;
  }
  return {
    after,
    upTo: after + count,
    ...(await assembleBatch(trx, loaded, access)),
    ...(origin === undefined ? {} : { origin }),
  };
}

/**
 * What was committed in (after, upTo], read back as one batch in the snapshot `trx` is:
 * how a node hands its sockets what other nodes wrote. Past LIVE_READ_MAX rows the batch is
 * empty and starts at its end: a client behind it pulls, as after any gap.
 */
export async function batchOfRange(trx: Trx, after: number, upTo: number): Promise<CommittedBatch> {
  // What each seq of the range stamped, in one query: a row of a synced table (each holds
  // the seq of its last change), or a change of sight. A seq is in one row at most, so
  // past LIVE_READ_MAX rows the range is past it too.
  const access = trx
    .selectFrom('access_changes')
    .select([
      sql.lit('access').as('entity'),
      'agent_id as id',
      sql<string | null>`conversation_id`.as('conversation_id'),
      sql<number | null>`visible`.as('visible'),
      'seq',
    ])
    .where('seq', '>', after)
    .where('seq', '<=', upTo);
  const rows = await SYNCED_TABLES.reduce(
    (union, [entity, table]) =>
      union.unionAll(
        trx
          .selectFrom(table)
          .select([
            sql.lit(entity).as('entity'),
            'id',
            sql<string | null>`null`.as('conversation_id'),
            sql<number | null>`null`.as('visible'),
            'seq',
          ])
          .where('seq', '>', after)
          .where('seq', '<=', upTo),
      ),
    access,
  )
    .limit(LIVE_READ_MAX + 1)
    .execute();
  const empty = { access: [], placements: new Map(), contactPlacements: new Map(), grants: new Map() };
  if (rows.length > LIVE_READ_MAX) return { after: upTo, upTo, changes: [], ...empty };
  const refs: { entity: ChangeEntity; id: string }[] = [];
  const changesOfSight: AccessChange[] = [];
  for (const row of rows) {
    const entity = ENTITY_NAMES.get(row.entity);
    if (entity !== undefined) refs.push({ entity, id: row.id });
    else if (row.conversation_id !== null) {
      changesOfSight.push({
        agentId: row.id,
        conversationId: row.conversation_id,
        visible: Number(row.visible) === 1,
        seq: Number(row.seq),
      });
    }
  }
  changesOfSight.sort((a, b) => a.seq - b.seq);
  return { after, upTo, ...(await assembleBatch(trx, await loadChanges(trx, refs), changesOfSight)) };
}

/** The tables holding the rows these writes stamped (a concurrent group's, to restamp). */
export function touchedTables(stamped: readonly ChangeSet[]): Set<string> {
  const tables = new Set<string>();
  for (const changes of stamped) {
    for (const { entity } of changes.touched.values()) tables.add(TABLE_OF.get(entity) ?? entity);
    if (changes.access.size > 0) tables.add('access_changes');
  }
  return tables;
}
