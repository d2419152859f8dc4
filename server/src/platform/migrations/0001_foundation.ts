import { sql, type Kysely, type Migration } from 'kysely';

export const migration: Migration = {
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
      .createTable('channel_accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('display_phone_number', 'text')
      .addColumn('waba_id', 'text')
      .addColumn('access_token', 'text', (c) => c.notNull())
      .addColumn('app_secret', 'text', (c) => c.notNull())
      .addColumn('verify_token', 'text', (c) => c.notNull())
      .addColumn('throughput_per_second', 'integer', (c) => c.notNull().defaultTo(80))
      .addColumn('human_agent_enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('channel_accounts_external', ['channel', 'external_id'])
      .execute();

    await db.schema
      .createTable('contacts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('avatar_media_id', 'text')
      .addColumn('phone', 'text')
      .addColumn('merged_into', 'text')
      .addColumn('profile_fetched_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('contacts_phone').on('contacts').column('phone').execute();

    await db.schema
      .createTable('contact_identities')
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('contact_identities_pk', ['channel', 'kind', 'external_id'])
      .execute();
    await db.schema.createIndex('contact_identities_contact').on('contact_identities').column('contact_id').execute();

    await db.schema
      .createTable('conversations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('channel_account_id', 'text', (c) => c.notNull().references('channel_accounts.id'))
      .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('assignee_id', 'text', (c) => c.references('agents.id').onDelete('set null'))
      .addColumn('team_id', 'text')
      .addColumn('labels', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('last_message_at', 'bigint', (c) => c.notNull())
      .addColumn('last_message_preview', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('last_inbound_at', 'bigint')
      .addColumn('window_open_until', 'bigint')
      .addColumn('human_agent_until', 'bigint')
      .addColumn('unread_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .execute();
    // One thread per customer and business account: the customer's next message
    // reopens it rather than starting another.
    await db.schema
      .createIndex('conversations_thread')
      .on('conversations')
      .columns(['channel_account_id', 'contact_id'])
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
      .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('location', 'text')
      .addColumn('shared_contacts', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('reply_to', 'text')
      .addColumn('interactive', 'text')
      .addColumn('reactions', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('forwarded', 'text', (c) => c.notNull().defaultTo('no'))
      .addColumn('template', 'text')
      .addColumn('human_agent_tag', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error', 'text')
      .addColumn('edited_at', 'bigint')
      .addColumn('deleted_at', 'bigint')
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
    await db.schema.createIndex('messages_thread').on('messages').columns(['conversation_id', 'created_at']).execute();

    await db.schema
      .createTable('media')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('channel_account_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('mime_type', 'text')
      .addColumn('file_name', 'text')
      .addColumn('size', 'bigint')
      .addColumn('sha256', 'text')
      // Where the bytes came from: a WhatsApp media id, a CDN URL, or an agent's upload.
      .addColumn('source_kind', 'text', (c) => c.notNull())
      .addColumn('source_ref', 'text')
      .addColumn('storage_key', 'text')
      .addColumn('thumbnail_key', 'text')
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('media_status').on('media').column('status').execute();

    // Durable work for the Graph API: a row exists before any call is made, so a
    // restart finds it, and its state says whether a call may already have happened.
    await db.schema
      .createTable('outbound_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('channel_account_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text')
      .addColumn('message_id', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('outbound_jobs_due')
      .on('outbound_jobs')
      .columns(['state', 'next_attempt_at'])
      .execute();

    // Every mutation's client id and its answer: a repeated id gets the same answer.
    await db.schema
      .createTable('mutations')
      .addColumn('client_id', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('templates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('channel_account_id', 'text', (c) => c.notNull().references('channel_accounts.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('components', 'text', (c) => c.notNull())
      .addColumn('synced_at', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('templates_name', ['channel_account_id', 'name', 'language'])
      .execute();

    for (const table of ['agents', 'channel_accounts', 'contacts', 'conversations', 'messages', 'templates']) {
      await db.schema.createIndex(`${table}_seq`).on(table).column('seq').execute();
    }
  },
};
