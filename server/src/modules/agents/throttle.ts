import type { Store } from '../../platform/store.js';

/**
 * Failed sign-ins, counted per account (the email, whether or not it exists) and per
 * address (the client's IP), in `login_attempts`. After `backoffAfter` failures each next
 * try waits twice as long as the one before (1 s, 2 s, 4 s … up to `maxBackoffSeconds`);
 * after `lockAfter` the key is locked for `lockMinutes`. An address gets more room than an
 * account, since many people may sign in from behind one.
 */
export type ThrottlePolicy = {
  backoffAfter: number;
  lockAfter: number;
  lockMinutes: number;
  maxBackoffSeconds: number;
};

export const ACCOUNT_POLICY: ThrottlePolicy = {
  backoffAfter: 5,
  lockAfter: 10,
  lockMinutes: 15,
  maxBackoffSeconds: 60,
};
export const ADDRESS_POLICY: ThrottlePolicy = {
  backoffAfter: 20,
  lockAfter: 50,
  lockMinutes: 15,
  maxBackoffSeconds: 60,
};

/** Failures older than this, with no lock, are forgotten. */
const FORGET_AFTER_MS = 15 * 60 * 1000;

export function accountKey(email: string): string {
  return `account:${email.trim().toLowerCase()}`;
}

export function addressKey(address: string): string {
  return `address:${address}`;
}

type AttemptRow = { key: string; failures: number; last_failure_at: number; locked_until: number | null };

/** Milliseconds until this key may try again (0: now). */
export function waitOf(row: AttemptRow | undefined, policy: ThrottlePolicy, now: number): number {
  if (row === undefined) return 0;
  const lockedUntil = row.locked_until === null ? 0 : Number(row.locked_until);
  if (lockedUntil > now) return lockedUntil - now;
  const failures = Number(row.failures);
  if (failures < policy.backoffAfter) return 0;
  const seconds = Math.min(2 ** (failures - policy.backoffAfter), policy.maxBackoffSeconds);
  return Math.max(0, Number(row.last_failure_at) + seconds * 1000 - now);
}

export type Keyed = { key: string; policy: ThrottlePolicy };

/**
 * Decides whether a sign-in may be tried now and, if so, counts it as a failure at once (in
 * one transaction, so a burst of parallel tries cannot all slip through before the first
 * is counted). A success then forgets the account's count with `clearAttempt`.
 * Answers the seconds to wait, or 0 when the try is allowed.
 */
export async function admitAttempt(store: Store, keys: readonly Keyed[], now = Date.now()): Promise<number> {
  return store.write(async (trx) => {
    const rows = await trx
      .selectFrom('login_attempts')
      .selectAll()
      .where(
        'key',
        'in',
        keys.map((k) => k.key),
      )
      .execute();
    const byKey = new Map(rows.map((row) => [row.key, row]));
    let wait = 0;
    for (const { key, policy } of keys) {
      let row = byKey.get(key);
      if (row !== undefined && isStale(row, now)) row = undefined;
      wait = Math.max(wait, waitOf(row, policy, now));
    }
    if (wait > 0) return Math.ceil(wait / 1000);
    for (const { key, policy } of keys) {
      const row = byKey.get(key);
      const failures = row === undefined || isStale(row, now) ? 1 : Number(row.failures) + 1;
      const lockedUntil = failures >= policy.lockAfter ? now + policy.lockMinutes * 60 * 1000 : null;
      await trx
        .insertInto('login_attempts')
        .values({ key, failures, last_failure_at: now, locked_until: lockedUntil })
        .onConflict((c) => c.column('key').doUpdateSet({ failures, last_failure_at: now, locked_until: lockedUntil }))
        .execute();
    }
    return 0;
  });
}

function isStale(row: AttemptRow, now: number): boolean {
  const lockedUntil = row.locked_until === null ? 0 : Number(row.locked_until);
  return lockedUntil <= now && Number(row.last_failure_at) + FORGET_AFTER_MS <= now;
}

/** A correct password: the account's count starts again; the address's try is taken back. */
export async function clearAttempt(store: Store, account: string, address: string): Promise<void> {
  await store.write(async (trx) => {
    await trx.deleteFrom('login_attempts').where('key', '=', account).execute();
    const row = await trx.selectFrom('login_attempts').select('failures').where('key', '=', address).executeTakeFirst();
    if (row === undefined) return;
    if (Number(row.failures) <= 1) await trx.deleteFrom('login_attempts').where('key', '=', address).execute();
    else
      await trx
        .updateTable('login_attempts')
        // Only an admitted try got here, so a lock on the address is the one this try set.
        .set({ failures: Number(row.failures) - 1, locked_until: null })
        .where('key', '=', address)
        .execute();
  });
}
