import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { engineOf } from './database.js';

/**
 * The few conditions SQLite and PostgreSQL write differently, written once here for both, so
 * the modules stay portable Kysely. Each takes the handle (database or transaction) the
 * query runs on, to know its engine.
 */

// The handles differ only in their table types; the engine is all these read of them.
type Handle = Pick<Kysely<unknown>, 'getExecutor'>;

/** Whether the text in `column` (a qualified column name) contains `needle`, case and all. */
export function textContains(db: Handle, column: string, needle: string): RawBuilder<SqlBool> {
  return engineOf(db) === 'postgres'
    ? sql<SqlBool>`strpos(${sql.ref(column)}, ${needle}) > 0`
    : sql<SqlBool>`instr(${sql.ref(column)}, ${needle}) > 0`;
}

/** Whether the JSON array in `column` (a qualified column name) holds an object whose `key` is `value`. */
export function jsonArrayHas(db: Handle, column: string, key: string, value: string): RawBuilder<SqlBool> {
  return engineOf(db) === 'postgres'
    ? sql<SqlBool>`exists (select 1 from jsonb_array_elements(${sql.ref(column)}::jsonb) as element(value)
                           where element.value ->> ${key} = ${value})`
    : sql<SqlBool>`exists (select 1 from json_each(${sql.ref(column)}) as element
                           where json_extract(element.value, ${`$.${key}`}) = ${value})`;
}
