import type { DBCore, DBCoreMutateRequest, DBCoreMutateResponse } from 'dexie';
import type { ParleyDb } from '../src/data/db.js';

/**
 * Gives `db`'s messages table room for at most `limit` rows: past that, a write fails with
 * the QuotaExceededError a browser gives when the origin is out of space. Returns `db`.
 */
export function withRoomFor(db: ParleyDb, limit: number): ParleyDb {
  db.use({
    stack: 'dbcore',
    name: 'quota',
    create: (down: DBCore): DBCore => ({
      ...down,
      table: (name) => {
        const table = down.table(name);
        if (name !== 'messages') return table;
        return {
          ...table,
          mutate: async (request: DBCoreMutateRequest): Promise<DBCoreMutateResponse> => {
            if (request.type === 'add' || request.type === 'put') {
              const stored = await table.count({
                trans: request.trans,
                query: { index: table.schema.primaryKey, range: { type: 3, lower: undefined, upper: undefined } },
              });
              if (stored + request.values.length > limit) {
                throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
              }
            }
            return table.mutate(request);
          },
        };
      },
    }),
  });
  return db;
}
