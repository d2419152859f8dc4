import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { ParleyDb } from '../../data/db.js';
import { searchFor } from './client.js';
import type { SearchGroup } from './searchIndex.js';

type Answer = { query: string; groups: SearchGroup[] };

/**
 * Searches the local cache in a worker. Returns undefined while there is no query or the
 * first answer is pending; while typing, the previous answer stays until the next arrives.
 * The index is the cache's one shared search (`searchFor`), built in the background from
 * the moment the cache is open, so it is ready before the first query.
 */
export function useSearch(db: ParleyDb, query: string): SearchGroup[] | undefined {
  const client = searchFor(db.name);
  const [answer, setAnswer] = useState<Answer | null>(null);
  // Answers during the first indexing cover the newest messages; ask again once all are in.
  const subscribe = useCallback((onChange: () => void) => client.onIndexed(onChange), [client]);
  const indexed = useSyncExternalStore(subscribe, () => client.indexed);
  // Every applied batch moves the cursor, so it tells the worker when to read again.
  const cursor = useLiveQuery(async () => (await db.meta.get('cursor'))?.value ?? 0, [db]);
  const trimmed = query.trim();

  useEffect(() => {
    if (cursor !== undefined) client.changed();
  }, [client, cursor]);

  useEffect(() => {
    if (trimmed === '') return;
    let current = true;
    client.search(trimmed).then(
      (groups) => {
        if (current) setAnswer({ query: trimmed, groups });
      },
      () => {
        // A closed worker (sign-out, db switch) has nothing left to say, and a query
        // replaced by a newer keystroke is not answered.
      },
    );
    return () => {
      current = false;
    };
  }, [client, trimmed, cursor, indexed]);

  if (trimmed === '' || answer === null) return undefined;
  return answer.groups;
}
