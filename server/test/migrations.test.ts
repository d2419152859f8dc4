import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, test } from 'vitest';
import { openDatabase } from '../src/platform/database.js';
import {
  MESSAGE_COLUMNS,
  contactFromRow,
  conversationFromRow,
  messageFromRow,
  newMessageRow,
} from '../src/platform/rows.js';
import { migrationProvider } from '../src/platform/migrations.js';
import type { Database } from '../src/platform/schema.js';

/** Migrations upgrade a database written by an older server without losing what it stored. */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A database as the server before structured previews left it. */
async function databaseAtFoundation(): Promise<{ dir: string; db: Kysely<Database> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-migrate-'));
  dirs.push(dir);
  const sqlite = new SQLite(path.join(dir, 'parley.sqlite'));
  // The rows below stand alone: their account and contact are beside the point here.
  sqlite.pragma('foreign_keys = OFF');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo('0001_foundation');
  expect(error).toBeUndefined();
  return { dir, db };
}

/** A message row as the foundation stored it: no activity or mentions columns yet. */
function withoutActivity(
  fields: Parameters<typeof newMessageRow>[0],
): Omit<ReturnType<typeof newMessageRow>, 'activity' | 'mentions'> {
  const { activity: _activity, mentions: _mentions, ...row } = newMessageRow(fields);
  return row;
}

function conversation(id: string, words: string): Record<string, unknown> {
  return {
    id,
    channel: 'whatsapp',
    channel_account_id: 'account-1',
    contact_id: `contact-of-${id}`,
    status: 'open',
    assignee_id: null,
    team_id: null,
    labels: '[]',
    last_message_at: 2_000,
    last_message_preview: words,
    last_inbound_at: 2_000,
    window_open_until: null,
    human_agent_until: null,
    unread_count: 1,
    created_at: 1_000,
    seq: 1,
  };
}

describe('0002_structured_preview', () => {
  test("backfills each conversation's preview from its last message and keeps the stored words", async () => {
    const { dir, db } = await databaseAtFoundation();
    await db
      .insertInto('conversations')
      .values([conversation('c-doc', '📄 invoice-42.pdf'), conversation('c-gone', '🚫 Message deleted')] as never)
      .execute();
    const message = (
      id: string,
      conversationId: string,
      at: number,
      fields: object,
    ): Omit<ReturnType<typeof newMessageRow>, 'activity' | 'mentions'> =>
      withoutActivity({
        id,
        conversation_id: conversationId,
        channel: 'whatsapp',
        direction: 'inbound',
        kind: 'text',
        status: 'received',
        created_at: at,
        received_at: at,
        seq: at,
        ...fields,
      });
    await db
      .insertInto('messages' as never)
      .values([
        message('m-1', 'c-doc', 1_000, { text: 'an older message' }),
        message('m-2', 'c-doc', 2_000, {
          kind: 'document',
          attachments: JSON.stringify([{ kind: 'document', fileName: 'invoice-42.pdf', voice: false }]),
        }),
        message('m-3', 'c-gone', 2_000, { text: 'never mind', deleted_at: 2_500 }),
      ])
      .execute();
    await db.destroy();

    const upgraded = await openDatabase(dir);
    try {
      const rows = await upgraded
        .selectFrom('conversations')
        .select(['id', 'preview', 'last_message_preview'])
        .orderBy('id')
        .execute();
      expect(rows.map((row) => ({ ...row, preview: JSON.parse(row.preview ?? 'null') as unknown }))).toEqual([
        {
          id: 'c-doc',
          last_message_preview: '📄 invoice-42.pdf',
          preview: {
            kind: 'document',
            direction: 'inbound',
            text: null,
            name: 'invoice-42.pdf',
            voice: false,
            count: 1,
          },
        },
        {
          id: 'c-gone',
          last_message_preview: '🚫 Message deleted',
          preview: {
            kind: 'text',
            direction: 'inbound',
            text: null,
            name: null,
            voice: false,
            count: 0,
            deleted: true,
          },
        },
      ]);
    } finally {
      await upgraded.destroy();
    }
  });
});

describe('0003_teams_and_roles', () => {
  test('puts every existing agent and inbox in one team, so nobody loses sight of anything', async () => {
    const { dir, db } = await databaseAtFoundation();
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo('0002_structured_preview');
    expect(error).toBeUndefined();
    const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    for (const [id, role] of [
      ['ana', 'agent'],
      ['sam', 'supervisor'],
    ] as const) {
      await raw
        .insertInto('agents')
        .values({
          id,
          email: `${id}@example.com`,
          name: id,
          role,
          presence: 'offline',
          password_hash: 'x',
          created_at: 1,
          seq: 1,
        })
        .execute();
    }
    await raw
      .insertInto('channel_accounts')
      .values({
        id: 'account-1',
        channel: 'whatsapp',
        external_id: '1',
        name: 'Support',
        display_phone_number: null,
        waba_id: null,
        access_token: 't',
        app_secret: 's',
        verify_token: 'v',
        throughput_per_second: 80,
        human_agent_enabled: 0,
        created_at: 1,
        seq: 2,
      })
      .execute();
    await raw
      .insertInto('conversations')
      .values({ ...conversation('c-waiting', 'hello'), preview: null })
      .execute();
    await db.destroy();

    const upgraded = await openDatabase(dir);
    try {
      const teams = await upgraded.selectFrom('teams').selectAll().execute();
      expect(teams.map((team) => team.name)).toEqual(['Everyone']);
      const teamId = teams[0]?.id;
      const members = await upgraded
        .selectFrom('team_members')
        .select('agent_id')
        .where('team_id', '=', teamId ?? '')
        .execute();
      expect(members.map((row) => row.agent_id).sort()).toEqual(['ana', 'sam']);
      const inbox = await upgraded.selectFrom('team_inboxes').selectAll().executeTakeFirstOrThrow();
      expect(inbox).toEqual({ channel_account_id: 'account-1', team_id: teamId });
      const conversation = await upgraded
        .selectFrom('conversations')
        .select(['team_id', 'waiting_since', 'first_response_at'])
        .executeTakeFirstOrThrow();
      // The customer wrote last and nobody answered: waiting since they wrote.
      expect(conversation).toEqual({ team_id: teamId, waiting_since: 2_000, first_response_at: null });
      const agents = await upgraded.selectFrom('agents').select(['active', 'capacity', 'kind']).execute();
      expect(agents.map((agent) => [Number(agent.active), Number(agent.capacity), agent.kind])).toEqual([
        [1, 5, 'person'],
        [1, 5, 'person'],
      ]);
    } finally {
      await upgraded.destroy();
    }
  });
});

describe('0004_inbox', () => {
  test('keeps every contact, conversation and message, with an empty note, no snooze and no mentions', async () => {
    const { dir, db } = await databaseAtFoundation();
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo('0003_teams_and_roles');
    expect(error).toBeUndefined();
    const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    await raw
      .insertInto('contacts')
      .values({
        id: 'contact-of-c-1',
        name: 'Oliver',
        avatar_media_id: null,
        phone: '447700900123',
        merged_into: null,
        profile_fetched_at: null,
        created_at: 1_000,
        seq: 3,
      })
      .execute();
    await raw
      .insertInto('conversations')
      .values({ ...conversation('c-1', 'Where is my parcel?'), status: 'pending', preview: null })
      .execute();
    const { mentions: _mentions, ...note } = newMessageRow({
      id: 'm-note',
      conversation_id: 'c-1',
      channel: 'whatsapp',
      direction: 'outbound',
      kind: 'note',
      text: 'Parcel left the warehouse yesterday.',
      author_agent_id: 'ana',
      status: 'sent',
      created_at: 2_500,
      received_at: 2_500,
      seq: 4,
    });
    await raw.insertInto('messages').values(note).execute();
    await db.destroy();

    const upgraded = await openDatabase(dir);
    try {
      const contact = await upgraded.selectFrom('contacts').selectAll().executeTakeFirstOrThrow();
      expect(contactFromRow(contact, [])).toMatchObject({
        id: 'contact-of-c-1',
        name: 'Oliver',
        phone: '447700900123',
        note: '',
        seq: 3,
      });
      const stored = await upgraded.selectFrom('conversations').selectAll().executeTakeFirstOrThrow();
      expect(conversationFromRow(stored)).toMatchObject({
        id: 'c-1',
        status: 'pending',
        unreadCount: 1,
        snoozedUntil: null,
        seq: 1,
      });
      const message = await upgraded.selectFrom('messages').select(MESSAGE_COLUMNS).executeTakeFirstOrThrow();
      expect(messageFromRow(message)).toMatchObject({
        id: 'm-note',
        kind: 'note',
        text: 'Parcel left the warehouse yesterday.',
        authorAgentId: 'ana',
        mentions: [],
        seq: 4,
      });
      expect(await upgraded.selectFrom('canned_responses').selectAll().execute()).toEqual([]);
    } finally {
      await upgraded.destroy();
    }
  });
});
