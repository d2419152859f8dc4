import { sql, type Kysely, type Migration } from 'kysely';
import { newId } from '../ids.js';

export const migration: Migration = {
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
};
