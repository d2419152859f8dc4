import { type Kysely, type Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // Several nodes share the queues: a node claims a job or a copy by writing its id and
    // how long the claim holds; it renews the claim while it works, and a claim left to
    // expire (the node died) lets another node take the work over.
    for (const table of ['outbound_jobs', 'media']) {
      await db.schema.alterTable(table).addColumn('lease_owner', 'text').execute();
      await db.schema.alterTable(table).addColumn('lease_until', 'bigint').execute();
    }
  },
};
