import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState } from 'react';
import type { ParleyDb } from '../../data/db.js';
import { SearchClient } from './client.js';
import type { SearchGroup } from './searchIndex.js';

type Answer = { query: string; groups: SearchGroup[] };

/**
 * Searches the local cache in a worker. Returns undefined while there is no query or the
 * first answer is pending; while typing, the previous answer stays until the next arrives.
 * Indexing starts when the hook mounts, so the first search rarely waits for it.
 */
export function useSearch(db: ParleyDb, query: string): SearchGroup[] | undefined {
  const [client, setClient] = useState<SearchClient | null>(null);
  const [answer, setAnswer] = useState<Answer | null>(null);
  // Answers during the first indexing cover the newest messages; ask again once all are in.
  const [indexed, setIndexed] = useState(0);
  // Every applied batch moves the cursor, so it tells the worker when to read again.
  const cursor = useLiveQuery(async () => (await db.meta.get('cursor'))?.value ?? 0, [db]);
  const trimmed = query.trim();

  useEffect(() => {
    const created = new SearchClient(db.name, () => setIndexed((count) => count + 1));
    const ready = Promise.resolve().then(() => setClient(created));
    return () => {
      void ready.then(() => setClient(null));
      created.dispose();
    };
  }, [db]);

  useEffect(() => {
    if (cursor !== undefined) client?.changed();
  }, [client, cursor]);

  useEffect(() => {
    if (client === null || trimmed === '') return;
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
