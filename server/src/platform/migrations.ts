import { MessageDirectionSchema, MessageKindSchema } from '@parley/protocol';
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { z } from 'zod';
import { newId } from './ids.js';
import { previewOf } from './preview.js';

/** Lenient readers of stored JSON for backfills: what a preview needs, and nothing is refused. */
const BackfillAttachmentsSchema = z
  .array(z.looseObject({ voice: z.boolean().catch(false), fileName: z.string().nullable().catch(null) }))
  .catch([]);
const BackfillLocationSchema = z
  .looseObject({ name: z.string().nullable().catch(null), address: z.string().nullable().catch(null) })
  .catch({ name: null, address: null });
const BackfillContactsSchema = z.array(z.looseObject({ name: z.string().catch('') })).catch([]);

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
      await db.schema
        .createIndex('messages_thread')
        .on('messages')
        .columns(['conversation_id', 'created_at'])
        .execute();

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
  },
  '0002_structured_preview': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The last message as data (a MessagePreview in JSON), beside the words stored until now.
      await db.schema.alterTable('conversations').addColumn('preview', 'text').execute();
      const rows = await sql<{
        conversation_id: string;
        kind: string;
        direction: string;
        text: string | null;
        attachments: string;
        location: string | null;
        shared_contacts: string;
        deleted_at: number | null;
      }>`select m.conversation_id, m.kind, m.direction, m.text, m.attachments, m.location, m.shared_contacts, m.deleted_at
         from messages m
         where m.id = (select latest.id from messages latest
                       where latest.conversation_id = m.conversation_id
                       order by latest.created_at desc, latest.id desc limit 1)`.execute(db);
      for (const row of rows.rows) {
        const preview = previewOf({
          kind: MessageKindSchema.catch('unsupported').parse(row.kind),
          direction: MessageDirectionSchema.catch('inbound').parse(row.direction),
          // What a deleted message said is not shown.
          text: row.deleted_at === null ? row.text : null,
          attachments: BackfillAttachmentsSchema.parse(JSON.parse(row.attachments)),
          location: row.location === null ? null : BackfillLocationSchema.parse(JSON.parse(row.location)),
          sharedContacts: BackfillContactsSchema.parse(JSON.parse(row.shared_contacts)),
          deleted: row.deleted_at !== null,
        });
        await sql`update conversations set preview = ${JSON.stringify(preview)} where id = ${row.conversation_id}`.execute(
          db,
        );
      }
    },
  },
  '0003_teams_and_roles': {
    async up(db: Kysely<unknown>): Promise<void> {
      // People and integrations; deactivated accounts keep their history; capacity bounds auto-assignment.
      await db.schema
        .alterTable('agents')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('person'))
        .execute();
      await db.schema
        .alterTable('agents')
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema
        .alterTable('agents')
        .addColumn('capacity', 'integer', (c) => c.notNull().defaultTo(5))
        .execute();
      await db.schema.alterTable('agents').addColumn('presence_at', 'bigint').execute();
      await db.schema.alterTable('agents').addColumn('deactivated_at', 'bigint').execute();

      // A session is one sign-in on one device: a short-lived access token (token_hash,
      // expires_at) renewed with a revocable refresh token.
      await db.schema.alterTable('sessions').addColumn('refresh_hash', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('refresh_expires_at', 'bigint').execute();
      await db.schema.alterTable('sessions').addColumn('revoked_at', 'bigint').execute();
      await db.schema.alterTable('sessions').addColumn('last_used_at', 'bigint').execute();
      await db.schema.alterTable('sessions').addColumn('client', 'text').execute();
      await db.schema.createIndex('sessions_refresh').unique().on('sessions').column('refresh_hash').execute();
      await db.schema.createIndex('sessions_agent').on('sessions').column('agent_id').execute();

      // Failed sign-ins by account and by address, kept in the store so a restart forgets nothing.
      await db.schema
        .createTable('login_attempts')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint')
        .execute();

      await db.schema
        .createTable('teams')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('auto_assign', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('offline_grace_minutes', 'integer', (c) => c.notNull().defaultTo(10))
        .addColumn('first_response_target_seconds', 'integer', (c) => c.notNull().defaultTo(300))
        .addColumn('waiting_target_seconds', 'integer', (c) => c.notNull().defaultTo(900))
        .addColumn('rules', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('teams_seq').on('teams').column('seq').execute();
      await db.schema
        .createTable('team_members')
        .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'agent_id'])
        .execute();
      await db.schema.createIndex('team_members_agent').on('team_members').column('agent_id').execute();
      // An inbox (a channel account) is answered by one team.
      await db.schema
        .createTable('team_inboxes')
        .addColumn('channel_account_id', 'text', (c) => c.primaryKey().references('channel_accounts.id'))
        .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
        .execute();

      // The service clock of a conversation: since when the customer waits for an answer
      // (null when the last word is ours), the first reply, the last resolution and assignment.
      await db.schema.alterTable('conversations').addColumn('waiting_since', 'bigint').execute();
      await db.schema.alterTable('conversations').addColumn('first_response_at', 'bigint').execute();
      await db.schema.alterTable('conversations').addColumn('resolved_at', 'bigint').execute();
      await db.schema.alterTable('conversations').addColumn('assigned_at', 'bigint').execute();
      await db.schema.createIndex('conversations_team').on('conversations').columns(['team_id', 'status']).execute();
      await db.schema
        .createIndex('conversations_assignee')
        .on('conversations')
        .columns(['assignee_id', 'status'])
        .execute();
      await sql`update conversations set waiting_since = last_inbound_at
                where last_inbound_at is not null and status <> 'resolved'
                  and not exists (select 1 from messages m where m.conversation_id = conversations.id
                                  and m.direction = 'outbound' and m.created_at > conversations.last_inbound_at)`.execute(
        db,
      );
      await sql`update conversations set first_response_at = (select min(m.created_at) from messages m
                where m.conversation_id = conversations.id and m.direction = 'outbound')`.execute(db);

      // Assignment and status changes are kept as lines in the thread (kind 'activity').
      await db.schema.alterTable('messages').addColumn('activity', 'text').execute();

      // What each user stopped (visible = 0) or started (1) seeing, stamped with a seq, so
      // the sync tells that user alone and their cache drops or fetches the conversation.
      await db.schema
        .createTable('access_changes')
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('visible', 'integer', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('access_changes_pk', ['agent_id', 'conversation_id'])
        .execute();
      await db.schema.createIndex('access_changes_seq').on('access_changes').columns(['agent_id', 'seq']).execute();

      // Tokens other systems use with the REST API; each acts as an integration agent with a role.
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();

      // Workspace settings, one JSON value a key.
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      // Every workspace starts with one team that new users and new inboxes join, so a
      // server upgraded from before teams shows everyone what they saw, and a new one works
      // before anyone thinks of teams. Admins split it up when they need to.
      const teamId = newId();
      const now = Date.now();
      await sql`update seq_counter set value = value + 1 where id = 1`.execute(db);
      await sql`insert into teams (id, name, auto_assign, offline_grace_minutes, first_response_target_seconds,
                                   waiting_target_seconds, rules, created_at, seq)
                values (${teamId}, 'Everyone', 0, 10, 300, 900, '[]', ${now}, (select value from seq_counter where id = 1))`.execute(
        db,
      );
      await sql`insert into team_members (team_id, agent_id) select ${teamId}, id from agents`.execute(db);
      await sql`insert into team_inboxes (channel_account_id, team_id) select id, ${teamId} from channel_accounts`.execute(
        db,
      );
      await sql`update conversations set team_id = ${teamId} where team_id is null`.execute(db);
      await sql`insert into settings (key, value) values ('default_team_id', ${JSON.stringify(teamId)})`.execute(db);
    },
  },
  '0004_inbox': {
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
  },
  '0005_leases': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Several nodes share the queues: a node claims a job or a copy by writing its id and
      // how long the claim holds; it renews the claim while it works, and a claim left to
      // expire (the node died) lets another node take the work over.
      for (const table of ['outbound_jobs', 'media']) {
        await db.schema.alterTable(table).addColumn('lease_owner', 'text').execute();
        await db.schema.alterTable(table).addColumn('lease_until', 'bigint').execute();
      }
    },
  },
  '0006_access_changes_by_seq': {
    async up(db: Kysely<unknown>): Promise<void> {
      // A node reads what the others committed by a range of seqs, changes of sight
      // included; their only index led with the user, so that read scanned the whole table
      // (one row a user and conversation: 22 ms at 200,000 rows on PostgreSQL, 0.07 ms with this).
      await db.schema.createIndex('access_changes_by_seq').on('access_changes').column('seq').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
