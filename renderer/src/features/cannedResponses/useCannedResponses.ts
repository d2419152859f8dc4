import type { CannedResponse } from '@parley/protocol';
import type { ParleyDb } from '../../data/db.js';
import { useTableQuery } from '../../data/tableQuery.js';

/**
 * The canned responses this agent may use, by shortcut: the shared ones and their own,
 * not deleted. A team keeps tens to a few hundred, so they are read whole; undefined
 * until the cache has answered.
 */
export function useCannedResponses(db: ParleyDb, agentId: string): CannedResponse[] | undefined {
  return useTableQuery(db, ['cannedResponses'], agentId, async () =>
    (await db.cannedResponses.toArray())
      .filter((response) => !response.deleted && (response.ownerId === null || response.ownerId === agentId))
      .sort((a, b) => a.shortcut.localeCompare(b.shortcut)),
  );
}
