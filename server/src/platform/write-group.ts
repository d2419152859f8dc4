/**
 * Group commit: grouped writes asked for while a transaction runs wait in a queue, and the
 * next transaction runs them all, one after the other, and commits them together (one
 * COMMIT, one fsync, one hold of PostgreSQL's seq row). The store says how a transaction
 * runs its writes and publishes what committed; this module queues, schedules and answers.
 */
import type { CommittedBatch } from './store.js';

/**
 * A group transaction takes at most this many queued writes, and stops taking more once it
 * has run this long (the event loop waits on SQLite meanwhile): the rest go in the next one.
 */
export const GROUP_MAX_WRITES = 200;
export const GROUP_BUDGET_MS = 8;

/**
 * The budget on PostgreSQL, where the event loop runs on while a transaction waits for its
 * queries. There a webhook's write is a dozen round trips (some 5 ms), and each transaction
 * pays once for the seq row (waiting for the other nodes' transaction to commit), its read
 * back and its COMMIT (together some 15 ms): with 8 ms, a transaction ran one or two writes
 * and two nodes committed about 120 a second between them, all the time of both spent
 * handing the row to and fro. With 50 ms most of the row's time goes to writes, and a write
 * still waits at most about two transactions.
 */
export const POSTGRES_GROUP_BUDGET_MS = 50;

/**
 * On SQLite, a group transaction starts at least this long after the one before it: under
 * a steady stream of webhooks the writes of that time share one transaction, so one COMMIT
 * (its fsync, on the event loop), one read back and one live batch to each agent serve
 * several messages instead of one. Without it, at 200 webhooks a second nearly every
 * webhook had a transaction and a fan-out of its own, and those fixed costs took most of a
 * core. A write that comes after a quiet spell starts at once; under load a write waits
 * at most this long, against the tens of milliseconds the queue behind a busy core costs.
 * (On PostgreSQL a transaction's round trips already give the next group time to fill.)
 */
export const SQLITE_GROUP_SPACING_MS = 10;

/**
 * On PostgreSQL, how many group transactions of concurrent writes (see `Store.write`) a
 * node runs at once. Such a transaction holds the seq row only at its end, so the time it
 * spends is its round trips, one after the other: one transaction at a time, a node stored
 * at most one message every four round trips, whatever the database could do beside.
 */
export const POSTGRES_PARALLEL_GROUPS = 3;

/** Which queued writes may run in a transaction beside others, and how many such transactions at once. */
export type Parallel<U> = { max: number; eligible: (unit: U) => boolean };

export type Outcome<T> = { ok: true; result: T } | { ok: false; error: unknown };
/** A committed transaction: the outcome of each write that ran in it, in order, and its batch. */
export type Committed<T> = { outcomes: Outcome<T>[]; batch: CommittedBatch | null };

/** A transaction that failed as a whole, after running its first `ran` writes. */
export class GroupFailure extends Error {
  override readonly name = 'GroupFailure';
  constructor(
    override readonly cause: unknown,
    readonly ran: number,
  ) {
    super('The write transaction failed', { cause });
  }
}

/** What a failed transaction's write is rejected with: the database's own error. */
export function unwrapFailure(error: unknown): never {
  throw error instanceof GroupFailure ? error.cause : error;
}

type Queued<U> = { unit: U; resolve: (result: unknown) => void; reject: (error: unknown) => void };

export class WriteGroup<U> {
  /** Writes waiting for the next group transaction. */
  private readonly queued: Queued<U>[] = [];
  /** Group transactions under way, and whether one of them has writes that must run alone. */
  private running = 0;
  private runningAlone = false;
  private scheduled = false;
  /** When the last group transaction started (performance.now()). */
  private lastStarted = Number.NEGATIVE_INFINITY;

  /**
   * @param commit runs the writes in one transaction, in order, until its budget is spent:
   *   the outcome of each that ran, or a GroupFailure if the transaction failed as a whole.
   * @param publish hands on what a committed transaction stamped, before its writes are answered.
   * @param spacingMs how long after the start of one transaction the next may start at the
   *   earliest (0: as soon as the loop has read what else arrived).
   * @param parallel the writes that may run in a transaction while others run (only
   *   transactions of such writes run side by side), and how many such transactions at once.
   *   Without it, one transaction at a time.
   */
  constructor(
    private readonly commit: (units: U[]) => Promise<Committed<unknown>>,
    private readonly publish: (batch: CommittedBatch | null) => void,
    private readonly spacingMs = 0,
    private readonly parallel: Parallel<U> | null = null,
  ) {}

  /** Queues a write; the next group transaction starts once the loop has read what else arrived. */
  join<T>(unit: U): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ unit, resolve: resolve as (result: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Whether a transaction may start now: none runs, or only eligible ones, and the next write is eligible too. */
  private mayStart(): boolean {
    if (this.queued.length === 0) return false;
    if (this.running === 0) return true;
    const next = this.queued[0];
    return (
      this.parallel !== null &&
      !this.runningAlone &&
      this.running < this.parallel.max &&
      next !== undefined &&
      this.parallel.eligible(next.unit)
    );
  }

  private schedule(): void {
    if (this.scheduled || !this.mayStart()) return;
    this.scheduled = true;
    const go = (): void => {
      this.scheduled = false;
      void this.run();
    };
    const wait = this.lastStarted + this.spacingMs - performance.now();
    // A full transaction's worth does not wait for the spacing.
    if (wait >= 1 && this.queued.length < GROUP_MAX_WRITES) setTimeout(go, wait);
    // Not a microtask: the requests that came in with this one (and during the last commit)
    // are read and queued first, and ride in the same transaction.
    else setImmediate(go);
  }

  private async run(): Promise<void> {
    if (!this.mayStart()) return;
    // Beside others, only the eligible writes at the head of the queue.
    let count = Math.min(GROUP_MAX_WRITES, this.queued.length);
    if (this.running > 0 && this.parallel !== null) {
      const { eligible } = this.parallel;
      const stop = this.queued.findIndex((queued, index) => index < count && !eligible(queued.unit));
      if (stop !== -1) count = stop;
    }
    const taken = this.queued.splice(0, count);
    const alone = this.parallel === null || !taken.every((queued) => this.parallel?.eligible(queued.unit) === true);
    this.running += 1;
    if (alone) this.runningAlone = true;
    this.lastStarted = performance.now();
    // Another may start beside this one, with what arrives meanwhile.
    this.schedule();
    let committed: Committed<unknown> | null = null;
    let failure: unknown = null;
    try {
      committed = await this.commit(taken.map((queued) => queued.unit));
    } catch (error) {
      failure = error;
    }
    this.running -= 1;
    if (alone) this.runningAlone = false;
    if (committed === null) {
      // The transaction failed as a whole (its COMMIT, or the one write it ran): none of
      // what ran is stored. Those it had not reached yet go first in the next one.
      const ran = failure instanceof GroupFailure ? failure.ran : taken.length;
      const cause = failure instanceof GroupFailure ? failure.cause : failure;
      // Unless it reached none: then no write failed it, the database did (away, refusing
      // connections, or the connection lost before the first write). Tried again at once,
      // it would fail again, in a loop, until the database is back, and every webhook
      // queued here would wait unanswered all that time: they fail now instead, answered
      // 5xx, and Meta retries them.
      const failed = ran > 0 ? ran : taken.length;
      this.queued.unshift(...taken.slice(failed));
      for (const queued of taken.slice(0, failed)) queued.reject(cause);
      this.schedule();
      return;
    }
    const { outcomes, batch } = committed;
    // Those left out by the time budget go first in the next transaction.
    this.queued.unshift(...taken.slice(outcomes.length));
    try {
      this.publish(batch);
    } finally {
      // Even if a listener threw: what committed is answered, and the queue goes on.
      outcomes.forEach((outcome, index) => {
        const queued = taken[index];
        if (queued === undefined) return;
        if (outcome.ok) queued.resolve(outcome.result);
        else queued.reject(outcome.error);
      });
      this.schedule();
    }
  }
}
