import { type Kysely, type Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // What agents write about a customer, for each other.
    await db.schema
      .alterTable('contacts')
      .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    // While snoozed: when the conversation comes back as open (the sweeper's index).
    await db.schema.alterTable('conversations').addColumn('snoozed_until', 'bigint').execute();
    await db.schema.createIndex('conversations_snoozed').on('conversations').column('snoozed_until').execute();
    // The colleagues a note mentions (agent ids, JSON).
    await db.schema
      .alterTable('messages')
      .addColumn('mentions', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    // Replies kept for reuse: shared (owner_id null) or one agent's own; deleted ones stay
    // as tombstones with a new seq, so that devices drop them.
    await db.schema
      .createTable('canned_responses')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('shortcut', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.references('agents.id').onDelete('cascade'))
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('canned_responses_seq').on('canned_responses').column('seq').execute();
    await db.schema
      .createIndex('canned_responses_shortcut')
      .on('canned_responses')
      .columns(['shortcut', 'owner_id'])
      .execute();
  },
};
