import type { z } from 'zod';
import type { Db } from './database.js';
import type { Trx } from './store.js';

/**
 * The settings table: one JSON value per key, in the database every node shares (the
 * default team, the round of auto-assignment, the last timed template sync).
 */

/** The value kept under `key`, or undefined when there is none or it does not read as `schema`. */
export async function readSetting<T>(db: Db | Trx, key: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  if (row === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(row.value);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Keeps `value` under `key`, in the caller's write. */
export async function writeSetting(trx: Trx, key: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  await trx
    .insertInto('settings')
    .values({ key, value: text })
    .onConflict((c) => c.column('key').doUpdateSet({ value: text }))
    .execute();
}
