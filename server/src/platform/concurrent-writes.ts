/**
 * Concurrent writes on PostgreSQL (see `Store.write`): the write gate that keeps every
 * other write alone, and the seqs a concurrent group takes only at its end.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Change } from '@parley/protocol';
import type { CommittedBatch, Trx } from './store.js';

/**
 * The write gate (PostgreSQL, a transaction-level advisory lock): a concurrent write holds
 * it shared, any other write exclusively. So a write that is not concurrent still runs
 * alone, as it always has, and concurrent writes run beside each other only.
 */
const WRITE_GATE = 0x5061726c6579;

/** Takes the gate shared: other concurrent writes go on, a write that must run alone waits. */
export async function enterConcurrently(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${sql.lit(WRITE_GATE)})`.execute(trx);
}

/**
 * A condition that takes the gate exclusively, for the statement that locks the counter's
 * row: it is evaluated below the row's lock, so the gate is taken first.
 */
export function gateAlone(): RawBuilder<boolean> {
  return sql<boolean>`pg_advisory_xact_lock(${sql.lit(WRITE_GATE)})::text is not null`;
}

/**
 * Gives a concurrent group its real seqs, in one statement: takes the counter's row (and
 * holds it to COMMIT: no one else takes a seq meanwhile), moves it on by the `count` seqs
 * the group took, and restamps each of the group's rows (in `tables`) from its provisional seq -n to
 * base + n. Returns the base, the counter's value before. Only the group's own rows hold a
 * provisional seq it can see (other writes' are not committed), and none is ever committed.
 */
export async function stampSeqs(trx: Trx, tables: ReadonlySet<string>, count: number): Promise<number> {
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
export function shiftSeqs(batch: CommittedBatch, base: number): CommittedBatch {
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
export function isDeadlock(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '40P01';
}
