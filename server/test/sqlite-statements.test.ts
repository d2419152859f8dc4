import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, expect, test } from 'vitest';
import { keepingStatements } from '../src/platform/database.js';

const open: SQLite.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

function memory(): SQLite.Database {
  const db = new SQLite(':memory:');
  open.push(db);
  return db;
}

test('a statement is compiled once and kept, the least recently used one dropped past the limit', () => {
  const kept = keepingStatements(memory(), 2);
  const first = kept.prepare('select 1 as one');
  expect(kept.prepare('select 1 as one')).toBe(first);
  const second = kept.prepare('select 2 as two');
  // Used again: now the most recent, so the third one drops the second.
  expect(kept.prepare('select 1 as one')).toBe(first);
  kept.prepare('select 3 as three');
  expect(kept.prepare('select 1 as one')).toBe(first);
  expect(kept.prepare('select 2 as two')).not.toBe(second);
});

test('kept statements answer as new ones would, a schema change included', async () => {
  const db = new Kysely<{ notes: { id: number; body: string; pinned?: number } }>({
    dialect: new SqliteDialect({ database: keepingStatements(memory()) }),
  });
  try {
    await sql`create table notes (id integer primary key, body text not null)`.execute(db);
    await db.insertInto('notes').values({ id: 1, body: 'first' }).execute();
    await db.insertInto('notes').values({ id: 2, body: 'second' }).execute();
    const read = () => db.selectFrom('notes').selectAll().orderBy('id').execute();
    expect(await read()).toEqual([
      { id: 1, body: 'first' },
      { id: 2, body: 'second' },
    ]);
    await sql`alter table notes add column pinned integer not null default 0`.execute(db);
    expect(await read()).toEqual([
      { id: 1, body: 'first', pinned: 0 },
      { id: 2, body: 'second', pinned: 0 },
    ]);
  } finally {
    await db.destroy();
  }
});
