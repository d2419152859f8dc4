import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Migrations are append-only: never edit one that has shipped; add the next.
 * They are kept in code (not read from a folder) so the built server carries them.
 */
const migrations: Record<string, Migration> = {
  '0001_foundation': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('seq_counter')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into seq_counter (id, value) values (1, 0)`.execute(db);

      await db.schema
        .createTable('agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('presence', 'text', (c) => c.notNull().defaultTo('offline'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('avatar_url', 'text')
        .addColumn('phone', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('contact_identities')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('contact_identities_pk', ['channel', 'external_id'])
        .execute();
      await db.schema.createIndex('contact_identities_contact').on('contact_identities').column('contact_id').execute();

      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('channel_account_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('assignee_id', 'text', (c) => c.references('agents.id').onDelete('set null'))
        .addColumn('team_id', 'text')
        .addColumn('labels', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('last_message_at', 'bigint', (c) => c.notNull())
        .addColumn('last_message_preview', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('last_inbound_at', 'bigint')
        .addColumn('unread_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();
      // One thread per customer identity and business account: the customer's next
      // message reopens it rather than starting another.
      await db.schema
        .createIndex('conversations_thread')
        .on('conversations')
        .columns(['channel', 'channel_account_id', 'contact_id'])
        .unique()
        .execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.unique())
        .addColumn('external_id', 'text')
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('text', 'text')
        .addColumn('author_agent_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('raw', 'text')
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();
      // Deduplication lives in the database: Meta delivers webhooks at least once.
      await db.schema
        .createIndex('messages_external')
        .on('messages')
        .columns(['channel', 'external_id'])
        .unique()
        .execute();
      await db.schema
        .createIndex('messages_thread')
        .on('messages')
        .columns(['conversation_id', 'created_at'])
        .execute();

      for (const table of ['agents', 'contacts', 'conversations', 'messages']) {
        await db.schema.createIndex(`${table}_seq`).on(table).column('seq').execute();
      }
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
