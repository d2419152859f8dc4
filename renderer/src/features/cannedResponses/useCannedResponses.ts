import type { CannedResponse } from '@parley/protocol';
import { useLiveQuery } from 'dexie-react-hooks';
import type { ParleyDb } from '../../data/db.js';

/**
 * The canned responses this agent may use, by shortcut: the shared ones and their own,
 * not deleted. A team keeps tens to a few hundred, so they are read whole; undefined
 * until the cache has answered.
 */
export function useCannedResponses(db: ParleyDb, agentId: string): CannedResponse[] | undefined {
  return useLiveQuery(
    async () =>
      (await db.cannedResponses.toArray())
        .filter((response) => !response.deleted && (response.ownerId === null || response.ownerId === agentId))
        .sort((a, b) => a.shortcut.localeCompare(b.shortcut)),
    [db, agentId],
  );
}
