import Dexie from 'dexie';
import { useEffect, useRef, useState } from 'react';

/** Dexie's name for a change to a table, or to one of its indexes: `idb://<database>/<table>/…`. */
function tablePrefixes(db: Dexie, tables: readonly string[]): string[] {
  return tables.map((table) => `idb://${db.name}/${table}/`);
}

/** Whether a storage change (its parts, keyed by table and index) touched one of these tables. */
export function touchesTables(parts: Readonly<Record<string, unknown>>, prefixes: readonly string[]): boolean {
  return Object.keys(parts).some((part) => prefixes.some((prefix) => part.startsWith(prefix)));
}

/**
 * Runs `query` until `stop`, and again after each change to one of `tables`, made in this
 * tab or another; changes during a run run it once more after. Results reach `onResult` in
 * order, and none after `stop`.
 */
export function watchTables<T>(
  db: Dexie,
  tables: readonly string[],
  query: () => Promise<T>,
  onResult: (value: T) => void,
): () => void {
  const prefixes = tablePrefixes(db, tables);
  let stopped = false;
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        try {
          const value = await query();
          // Given even when a change came meanwhile (the run after follows it), so that a
          // table changing all the time cannot keep its readers waiting.
          if (!stopped) onResult(value);
        } catch (error) {
          // A database closed under the query (a sign-out, a rebuild): the next screen reads again.
          if (!(error instanceof Dexie.DatabaseClosedError)) console.error(error);
        }
      } while (again && !stopped);
    } finally {
      running = false;
    }
  };
  const listener = (parts: Readonly<Record<string, unknown>>): void => {
    if (!stopped && touchesTables(parts, prefixes)) void run();
  };
  Dexie.on('storagemutated', listener);
  void run();
  return () => {
    stopped = true;
    Dexie.on('storagemutated').unsubscribe(listener);
  };
}

/**
 * A query over small tables a screen watches for the whole session (teams, agents, inboxes,
 * canned responses, a meta key), read again whenever one of its tables changes. `key` names
 * the query and whatever it depends on: a new key reads again, and until it has answered the
 * hook returns undefined.
 *
 * Not Dexie's liveQuery, for these: between two runs a live query keeps every change made
 * anywhere in the database that does not touch what it observes, to match it later. One on a
 * table that rarely changes thus holds the keys of every message written for hours, and the
 * page's memory grows all day. This keeps nothing: it only asks which table changed.
 */
export function useTableQuery<T>(
  db: Dexie,
  tables: readonly string[],
  key: string,
  query: () => Promise<T>,
): T | undefined {
  const [result, setResult] = useState<{ key: string; value: T } | undefined>(undefined);
  // The query of the last render, for the runs after it (declared first, so kept first).
  const latest = useRef(query);
  useEffect(() => {
    latest.current = query;
  });
  const tableList = tables.join(',');
  useEffect(
    () =>
      watchTables(
        db,
        tableList.split(','),
        () => latest.current(),
        (value) => setResult({ key, value }),
      ),
    [db, tableList, key],
  );
  return result?.key === key ? result.value : undefined;
}
