import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Transaction } from 'kysely';
import type { Change, LiveBatch } from '@parley/protocol';
import { engineOf, type Db, type Engine } from './database.js';
import { AgentCache } from './change-loads.js';
import { batchOfRange, batchOfWrites, touchedTables } from './batches.js';
export { LIVE_GRANTS_MAX, LIVE_READ_MAX } from './batches.js';
import { enterConcurrently, gateAlone, isDeadlock, shiftSeqs, stampSeqs } from './concurrent-writes.js';
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
   * write that is not concurrent still runs alone (the write gate, see concurrent-writes.ts).
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
      return batchOfRange(trx, after, upTo);
    });
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
          await enterConcurrently(trx);
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
                  .where(gateAlone())
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
          const batch = await batchOfWrites(trx, stamped, origins);
          if (clock.value === 0) return { outcomes, batch };
          // Every row stamped gets its seq, even if none is sent: no provisional one is committed.
          const base = await stampSeqs(trx, touchedTables(stamped), clock.value);
          return { outcomes, batch: batch === null ? null : shiftSeqs(batch, base) };
        }
        // The seqs taken, written to the counter's row once, with the last savepoint's end.
        await settle(
          clock.value === clock.stored ? [] : [`update seq_counter set value = ${clock.value} where id = 1`],
        );
        return { outcomes, batch: await batchOfWrites(trx, stamped, origins) };
      });
    } catch (error) {
      if (error instanceof WriteThrew || error instanceof NeedsExclusive) throw error;
      throw new GroupFailure(error, ran);
    }
  }
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
