import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Transaction } from 'kysely';
import type { Change, ChangeEntity, LiveBatch } from '@parley/protocol';
import { engineOf, type Db, type Engine } from './database.js';
import { AgentCache, loadChanges, loadContactPlacements, loadGrants, loadPlacements } from './change-loads.js';
import type { Database } from './schema.js';
import { ChangeSet, NeedsExclusive, type AccessChange, type SeqClock } from './change-set.js';
import {
  GROUP_BUDGET_MS,
  POSTGRES_GROUP_BUDGET_MS,
  POSTGRES_PARALLEL_GROUPS,
  SQLITE_GROUP_SPACING_MS,
  GroupFailure,
  WriteGroup,
  unwrapFailure,
  type Committed,
  type Outcome,
} from './write-group.js';

export type Trx = Transaction<Database>;

export { ChangeSet, NeedsExclusive, type AccessChange, type SeqClock };

/** Where a conversation sits, which is what decides who sees it. */
export type Placement = { teamId: string | null; assigneeId: string | null };

/**
 * A committed write as the listeners get it: the batch every client could be sent, plus
 * what the fan-out needs to cut it per user without reading the database again: who
 * started or stopped seeing what, where the conversations of its messages and contacts
 * sit, and for each conversation someone started seeing, the changes that bring it whole.
 */
export type CommittedBatch = LiveBatch & {
  access: readonly AccessChange[];
  /** The placement of every conversation the batch's conversations and messages belong to. */
  placements: ReadonlyMap<string, Placement>;
  /** For each contact of the batch, the placements of its conversations (and those merged into it). */
  contactPlacements: ReadonlyMap<string, readonly Placement[]>;
  /** For each conversation granted in this write (when few), its conversation, contact and recent messages. */
  grants: ReadonlyMap<string, readonly Change[]>;
  /** What caused the write, when it came from outside (a webhook), for the fan-out's latency metric. */
  origin?: WriteOrigin;
};

/** A webhook that caused a write: its channel and when it was received (`performance.now()`). */
export type WriteOrigin = { channel: string; receivedAt: number };

type ChangeListener = (batch: CommittedBatch) => void;

/** A write that lets more conversations than this come into sight sends them through a pull instead. */
export const LIVE_GRANTS_MAX = 20;

/** A node reading more changes than this from other nodes' commits tells its clients to pull instead. */
export const LIVE_READ_MAX = 1_000;

/**
 * The write gate (PostgreSQL, a transaction-level advisory lock): a concurrent write holds
 * it shared, any other write exclusively. So a write that is not concurrent still runs
 * alone, as it always has, and concurrent writes run beside each other only.
 */
const WRITE_GATE = 0x5061726c6579;

/** The tables of synced entities, each row stamped with the seq of its last change. */
const SYNCED_TABLES = [
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

/** The synced entities by name, as `readCommitted` reads them back from its query. */
const ENTITY_NAMES = new Map<string, ChangeEntity>(SYNCED_TABLES.map(([entity]) => [entity, entity]));

export class Store {
  /** Agents as last read, for pulls (see AgentCache). */
  readonly agents = new AgentCache();
  private readonly listeners = new Set<ChangeListener>();
  readonly engine: Engine;
  /** This process's writes under way (PostgreSQL): reads asked for after them wait for them. */
  private readonly writing = new Set<Promise<unknown>>();
  private readonly insideWrite = new AsyncLocalStorage<true>();
  /** Grouped writes: those asked for while a group transaction runs go in the next one. */
  private readonly group: WriteGroup<Unit<unknown>>;

  constructor(
    readonly db: Db,
    options: { groupBudgetMs?: number; groupSpacingMs?: number; parallelGroups?: number } = {},
  ) {
    this.engine = engineOf(db);
    const budgetMs = options.groupBudgetMs ?? (this.engine === 'postgres' ? POSTGRES_GROUP_BUDGET_MS : GROUP_BUDGET_MS);
    this.group = new WriteGroup(
      (units) => this.insideWrite.run(true, () => this.transact(units, budgetMs)),
      (batch) => this.publish(batch),
      options.groupSpacingMs ?? (this.engine === 'sqlite' ? SQLITE_GROUP_SPACING_MS : 0),
      // Concurrent writes' transactions run side by side on PostgreSQL (see `write`).
      this.engine === 'postgres'
        ? { max: options.parallelGroups ?? POSTGRES_PARALLEL_GROUPS, eligible: (unit) => unit.concurrent }
        : null,
    );
  }

  /** Subscribes to committed changes; returns the unsubscribe function. */
  onChanges(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The last seq taken. A write under way is waited for, as SQLite's single connection
   * does: on PostgreSQL, this process's writes begun before, and the share lock waits for
   * another node's writer to release the row.
   */
  async head(): Promise<number> {
    await this.afterWritesUnderWay();
    let query = this.db.selectFrom('seq_counter').select('value').where('id', '=', 1);
    // Not from inside a write: that write holds the row, and would wait for itself.
    if (this.engine === 'postgres' && this.insideWrite.getStore() !== true) query = query.forShare();
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.value);
  }

  /**
   * Runs reads as one snapshot: every query in `work` sees the database as of one moment,
   * as a SQLite transaction does. On PostgreSQL that is REPEATABLE READ (READ COMMITTED, its
   * default, takes a new snapshot at each statement). Only reads: a write here would not
   * take the write lock.
   */
  async read<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    if (this.engine === 'sqlite') return this.db.transaction().execute(work);
    // Waits for the writes under way first, as SQLite would, so a read asked for after a
    // write began sees it; the snapshot is taken after.
    await this.head();
    return this.snapshot(work);
  }

  /** Runs reads as one snapshot of what is committed now, without waiting for any write. */
  private async snapshot<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    if (this.engine === 'sqlite') return this.db.transaction().execute(work);
    return this.db.transaction().setIsolationLevel('repeatable read').execute(work);
  }

  /**
   * Runs `work` in one transaction. The changes it stamped are read back inside the same
   * transaction and published after the commit, never before.
   *
   * Writes are serialized, one after the other, whichever engine: SQLite has a single
   * writer already; on PostgreSQL the transaction first locks the seq counter's row and
   * holds it until it commits or rolls back. So what a write reads cannot change under it
   * before it commits, and seqs become visible in the order they were taken: a reader that
   * has seen seq N can never later find a change below N (see docs/architecture.md).
   *
   * With `grouped`, the write joins the others asked for while a grouped transaction was
   * running (group commit): they run one after the other in the next transaction and
   * commit together, one COMMIT (one fsync, one hold of the seq row) for all. Each still
   * resolves only once that transaction has committed, rejects if it failed, and a write
   * that throws is undone alone: the others commit without it (they run again, each in a
   * savepoint, see `transact`, so a grouped write's work must have no effect outside its
   * transaction but its result). What they stamped is published as one batch.
   *
   * With `concurrent` too (grouped writes only; PostgreSQL only, SQLite has one writer),
   * the write may run beside other concurrent writes, of this node or another, and takes
   * the seq row only at its end: it holds the row for a few round trips instead of its
   * whole work, so the nodes' writes no longer take turns for it. Such a write must lock
   * the rows whose state it reads to decide (`select … for update`), since another
   * concurrent write may change them meanwhile, and must call `changes.requireExclusive`
   * before anything it may only do alone: its group then runs again, not concurrent. A
   * write that is not concurrent still runs alone (the write gate, WRITE_GATE).
   */
  async write<T>(
    work: (trx: Trx, changes: ChangeSet) => Promise<T>,
    options: { origin?: WriteOrigin; grouped?: boolean; concurrent?: boolean } = {},
  ): Promise<T> {
    if (options.grouped === true) {
      const joined = this.group.join<T>({ work, origin: options.origin, concurrent: options.concurrent === true });
      if (this.engine === 'sqlite') return joined;
      // Reads asked for from now on wait for it, as for any write under way.
      this.writing.add(joined);
      try {
        return await joined;
      } finally {
        this.writing.delete(joined);
      }
    }
    const unit: Unit<T> = { work, origin: options.origin, concurrent: false };
    let committed: Committed<T>;
    if (this.engine === 'sqlite') committed = await this.transact([unit]).catch(unwrapFailure);
    else {
      const running = this.insideWrite.run(true, () => this.transact([unit]).catch(unwrapFailure));
      this.writing.add(running);
      try {
        committed = await running;
      } finally {
        this.writing.delete(running);
      }
    }
    // Published after the commit, outside the write, so what a listener starts is not part of it.
    this.publish(committed.batch);
    const [outcome] = committed.outcomes;
    // One write without a savepoint: a failure rolls the transaction back and throws above.
    if (outcome === undefined || !outcome.ok) throw new Error('A write ended without its outcome.');
    return outcome.result;
  }

  private publish(batch: CommittedBatch | null): void {
    if (batch === null) return;
    for (const listener of this.listeners) listener(batch);
  }

  /**
   * The last seq committed, as any reader sees it now, without waiting for writes under way
   * (a cheap check of whether other nodes wrote).
   */
  async committedHead(): Promise<number> {
    const row = await this.db.selectFrom('seq_counter').select('value').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(row.value);
  }

  /**
   * What was committed after `after` (up to `until` at most), read back as one batch in one
   * snapshot: how a node hands its sockets what other nodes wrote. Seqs are gap-free in
   * commit order, so every seq up to the snapshot's head is there. Null when nothing was
   * committed past `after`. Past LIVE_READ_MAX rows the batch is empty and starts at its
   * end: a client behind it pulls, as after any gap.
   *
   * It waits for no write, of this node or another: it reads only what was committed, and
   * the head its snapshot sees is one whose every seq is committed in it (the seq row is
   * held to COMMIT, so a snapshot sees a writer's seqs and rows together, or neither). A
   * wait would hold the live feed behind every write queued here, seconds under load.
   */
  async readCommitted(after: number, until: number = Number.POSITIVE_INFINITY): Promise<CommittedBatch | null> {
    return this.snapshot(async (trx) => {
      const head = Number(
        (await trx.selectFrom('seq_counter').select('value').where('id', '=', 1).executeTakeFirstOrThrow()).value,
      );
      const upTo = Math.min(head, until);
      if (upTo <= after) return null;
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
      return { after, upTo, ...(await this.assemble(trx, await loadChanges(trx, refs), changesOfSight)) };
    });
  }

  /** What the fan-out needs beside the changes: placements, and what comes into sight. */
  private async assemble(
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

  /** Resolves once the writes this process had begun have ended (PostgreSQL; SQLite queues by itself). */
  private async afterWritesUnderWay(): Promise<void> {
    if (this.engine === 'sqlite' || this.insideWrite.getStore() === true || this.writing.size === 0) return;
    await Promise.allSettled([...this.writing]);
  }

  /**
   * Runs the writes one after the other in one transaction and reads back what they
   * stamped, as one batch. Once `budgetMs` has passed, the rest are left for the next
   * transaction (the outcomes cover only those that ran).
   *
   * Several: first without a savepoint each (on PostgreSQL a savepoint is a round trip a
   * write, made while the seq row is held and no other node can write). If one of them
   * throws, that transaction is rolled back whole and they all run again, each in a
   * savepoint: the one that throws is undone alone and the others commit. So a grouped
   * write's work may run twice, and must do nothing outside its transaction but return.
   * One: no savepoint, its failure fails the transaction.
   */
  private async transact<T>(units: readonly Unit<T>[], budgetMs = Number.POSITIVE_INFINITY): Promise<Committed<T>> {
    // Concurrent only when every write of the group is.
    if (this.engine === 'postgres' && units.length > 0 && units.every((unit) => unit.concurrent)) {
      try {
        return await this.transactAs(units, budgetMs, true);
      } catch (error) {
        // One of them met something it may only do alone: the group runs again, alone.
        if (!(error instanceof NeedsExclusive)) throw error;
      }
    }
    return this.transactAs(units, budgetMs, false);
  }

  private async transactAs<T>(units: readonly Unit<T>[], budgetMs: number, concurrent: boolean): Promise<Committed<T>> {
    if (units.length > 1) {
      try {
        return await this.attempt(units, budgetMs, false, concurrent);
      } catch (error) {
        if (!(error instanceof WriteThrew)) throw error;
      }
    }
    return this.attempt(units, budgetMs, units.length > 1, concurrent);
  }

  /**
   * One transaction of `transact`. Without `savepoints`, a write of several that throws
   * rolls the transaction back, as a WriteThrew. `concurrent` (PostgreSQL): the writes run
   * beside other concurrent ones, and take their seqs at the end (see `write`).
   */
  private async attempt<T>(
    units: readonly Unit<T>[],
    budgetMs: number,
    savepoints: boolean,
    concurrent: boolean,
  ): Promise<Committed<T>> {
    let ran = 0;
    try {
      return await this.db.transaction().execute(async (trx) => {
        let clock: SeqClock;
        if (concurrent) {
          // The gate, shared: other concurrent writes go on, a write that must run alone waits.
          await sql`select pg_advisory_xact_lock_shared(${sql.lit(WRITE_GATE)})`.execute(trx);
          clock = { value: 0, stored: 0, provisional: true };
        } else {
          // The write lock, taken first: on PostgreSQL the gate, then the counter's row, both
          // held to COMMIT (the gate in the same statement, evaluated below the row's lock);
          // on SQLite the database's write lock (a write as the first statement, so no other
          // process can write between this read and the commit).
          const locked =
            this.engine === 'postgres'
              ? await trx
                  .selectFrom('seq_counter')
                  .select('value')
                  .where('id', '=', 1)
                  .where(sql<boolean>`pg_advisory_xact_lock(${sql.lit(WRITE_GATE)})::text is not null`)
                  .forUpdate()
                  .executeTakeFirstOrThrow()
              : await trx
                  .updateTable('seq_counter')
                  .set({ value: sql<number>`value` })
                  .where('id', '=', 1)
                  .returning('value')
                  .executeTakeFirstOrThrow();
          clock = { value: Number(locked.value), stored: Number(locked.value) };
        }
        const outcomes: Outcome<T>[] = [];
        const stamped: ChangeSet[] = [];
        const origins: WriteOrigin[] = [];
        // The statements that end a write's savepoint wait to go with the next write's, in
        // one round trip on PostgreSQL: every round trip is time the seq row is held and no
        // node writes. (SQLite runs them one by one, in this process: nothing to save there.)
        let owed: string[] = [];
        const settle = async (next: string[]): Promise<void> => {
          const statements = [...owed, ...next];
          owed = [];
          if (this.engine === 'postgres' && statements.length > 0) await sql.raw(statements.join('; ')).execute(trx);
          else for (const statement of statements) await sql.raw(statement).execute(trx);
        };
        const started = performance.now();
        for (const unit of units) {
          if (ran > 0 && performance.now() - started >= budgetMs) break;
          const changes = new ChangeSet(clock);
          if (!savepoints) {
            ran += 1;
            try {
              outcomes.push({ ok: true, result: await unit.work(trx, changes) });
            } catch (error) {
              // Alone, its failure is the transaction's; among others, they run again with savepoints.
              if (concurrent && isDeadlock(error)) throw new NeedsExclusive('a deadlock');
              throw units.length > 1 && !(error instanceof NeedsExclusive) ? new WriteThrew(error) : error;
            }
          } else {
            await settle(['savepoint parley_write']);
            ran += 1;
            const before = clock.value;
            try {
              outcomes.push({ ok: true, result: await unit.work(trx, changes) });
              owed = ['release savepoint parley_write'];
            } catch (error) {
              // The whole group runs again, alone.
              if (error instanceof NeedsExclusive) throw error;
              if (concurrent && isDeadlock(error)) throw new NeedsExclusive('a deadlock');
              // Undone alone, its seqs with it: the next write takes them, so none is lost.
              clock.value = before;
              outcomes.push({ ok: false, error });
              owed = ['rollback to savepoint parley_write', 'release savepoint parley_write'];
              continue;
            }
          }
          stamped.push(changes);
          if (unit.origin !== undefined) origins.push(unit.origin);
        }
        if (concurrent) {
          // Read back first, with provisional seqs, while other writes may still take theirs.
          await settle([]);
          const batch = await this.readBack(trx, stamped, origins);
          if (clock.value === 0) return { outcomes, batch };
          // Every row stamped gets its seq, even if none is sent: no provisional one is committed.
          const base = await stampSeqs(trx, stamped, clock.value);
          return { outcomes, batch: batch === null ? null : shiftSeqs(batch, base) };
        }
        // The seqs taken, written to the counter's row once, with the last savepoint's end.
        await settle(
          clock.value === clock.stored ? [] : [`update seq_counter set value = ${clock.value} where id = 1`],
        );
        return { outcomes, batch: await this.readBack(trx, stamped, origins) };
      });
    } catch (error) {
      if (error instanceof WriteThrew || error instanceof NeedsExclusive) throw error;
      throw new GroupFailure(error, ran);
    }
  }

  /**
   * What the committed writes stamped, as one batch. Their seqs are contiguous: a write
   * rolled back to its savepoint gave its seqs back to the next one. A concurrent group's
   * batch is read with its provisional seqs, and counts from 0 (see `shiftSeqs`).
   */
  private async readBack(
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
      ...(await this.assemble(trx, loaded, access)),
      ...(origin === undefined ? {} : { origin }),
    };
  }
}

/**
 * Gives a concurrent group its real seqs, in one statement: takes the counter's row (and
 * holds it to COMMIT: no one else takes a seq meanwhile), moves it on by the `count` seqs
 * the group took, and restamps each of the group's rows from its provisional seq -n to
 * base + n. Returns the base, the counter's value before. Only the group's own rows hold a
 * provisional seq it can see (other writes' are not committed), and none is ever committed.
 */
async function stampSeqs(trx: Trx, stamped: readonly ChangeSet[], count: number): Promise<number> {
  const tables = new Set<string>();
  for (const changes of stamped) {
    for (const { entity } of changes.touched.values()) tables.add(TABLE_OF.get(entity) ?? entity);
    if (changes.access.size > 0) tables.add('access_changes');
  }
  // Data-modifying CTEs all run; each restamp reads the base from the counter's.
  const restamps = [...tables].map(
    (table, index) =>
      `, restamp_${index} as (update ${table} set seq = (select base from counter) - seq where seq < 0)`,
  );
  const { rows } = await sql<{ base: number | string }>`${sql.raw(
    `with counter as (update seq_counter set value = value + ${count} where id = 1 returning value - ${count} as base)` +
      restamps.join(''),
  )} select base from counter`.execute(trx);
  const base = rows[0]?.base;
  if (base === undefined) throw new Error('The seq counter has no row.');
  return Number(base);
}

/** A concurrent group's batch, read back with provisional seqs (counted from 0), moved to start at `base`. */
function shiftSeqs(batch: CommittedBatch, base: number): CommittedBatch {
  const real = (seq: number): number => (seq < 0 ? base - seq : seq);
  const shift = (changes: readonly Change[]): Change[] =>
    changes
      .map((change) =>
        change.data.seq < 0 ? ({ ...change, data: { ...change.data, seq: real(change.data.seq) } } as Change) : change,
      )
      .sort((a, b) => a.data.seq - b.data.seq);
  return {
    ...batch,
    after: base + batch.after,
    upTo: base + batch.upTo,
    changes: shift(batch.changes),
    access: batch.access.map((change) => ({ ...change, seq: real(change.seq) })),
    grants: new Map([...batch.grants].map(([id, changes]) => [id, shift(changes)])),
  };
}

/**
 * PostgreSQL ended the statement to break a deadlock: concurrent writes lock the rows they
 * decide from as they meet them, so two may wait for each other. The loser's group runs
 * again, alone.
 */
function isDeadlock(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '40P01';
}

/** A write of several, run without savepoints, threw: its transaction was rolled back. */
class WriteThrew extends Error {
  override readonly name = 'WriteThrew';
  constructor(override readonly cause: unknown) {
    super('A grouped write threw', { cause });
  }
}

/** A write waiting for, or running in, a transaction. */
type Unit<T> = {
  work: (trx: Trx, changes: ChangeSet) => Promise<T>;
  origin: WriteOrigin | undefined;
  /** It may run beside other concurrent writes (see `Store.write`). */
  concurrent: boolean;
};
