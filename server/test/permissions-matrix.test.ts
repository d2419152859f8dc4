import { randomUUID } from 'node:crypto';
import type { Mutation, MutationResult } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMutation } from '../src/modules/mutations/index.js';
import { deliver, startTestServer, whatsappText, type TestServer } from './helpers.js';

/**
 * The role table, row by row and action by action, through the one mutation path the socket
 * and the REST API share. Each case gets a conversation of its own, placed as the case says;
 * a refusal must change nothing.
 *
 * People: Ana and Ben are agents of the default team, Sue its supervisor, Zed an agent of
 * another team only, and Ada an admin in no team at all (an admin sees everything).
 */

type Person = 'ana' | 'ben' | 'sue' | 'ada' | 'zed';
type Placement = 'ana' | 'queue' | 'other';
type Action =
  | 'send'
  | 'react'
  | 'markRead'
  | 'note'
  | 'label'
  | 'status'
  | 'take'
  | 'assignBen'
  | 'unassign'
  | 'transfer'
  | 'merge'
  | 'snooze'
  | 'markUnread'
  | 'contactNote'
  | 'cannedShared'
  | 'cannedOwn';
type Outcome =
  | 'ok'
  | 'not_assignee'
  | 'already_taken'
  | 'supervisor_only'
  | 'conversation_missing'
  | 'message_missing'
  | 'contact_missing';

const CODES: Record<Exclude<Outcome, 'ok'>, string> = {
  not_assignee: 'forbidden',
  already_taken: 'conflict',
  supervisor_only: 'forbidden',
  conversation_missing: 'not_found',
  message_missing: 'not_found',
  contact_missing: 'not_found',
};

const ACTIONS: readonly Action[] = [
  'send',
  'react',
  'markRead',
  'note',
  'label',
  'status',
  'take',
  'assignBen',
  'unassign',
  'transfer',
  'merge',
  'snooze',
  'markUnread',
  'contactNote',
  'cannedShared',
  'cannedOwn',
];

/** Kept by supervisors and admins, whatever the conversation; everyone keeps their own. */
const CANNED = { cannedShared: 'supervisor_only', cannedOwn: 'ok' } as const;

/** What each person may do with a conversation assigned to Ana, in the default team. */
const ASSIGNED_TO_ANA: Record<Person, Record<Action, Outcome>> = {
  ana: row('ok', { assignBen: 'supervisor_only', transfer: 'supervisor_only', merge: 'supervisor_only', ...CANNED }),
  ben: row('not_assignee', {
    note: 'ok',
    take: 'already_taken',
    assignBen: 'already_taken',
    transfer: 'supervisor_only',
    merge: 'supervisor_only',
    contactNote: 'ok',
    ...CANNED,
  }),
  sue: row('ok', {}),
  ada: row('ok', {}),
  zed: row('conversation_missing', {
    react: 'message_missing',
    merge: 'supervisor_only',
    contactNote: 'contact_missing',
    ...CANNED,
  }),
};

/** With a conversation waiting in the default team's queue. */
const IN_THE_QUEUE: Record<Person, Record<Action, Outcome>> = {
  ana: row('ok', { assignBen: 'supervisor_only', transfer: 'supervisor_only', merge: 'supervisor_only', ...CANNED }),
  ben: row('ok', { transfer: 'supervisor_only', merge: 'supervisor_only', ...CANNED }),
  sue: row('ok', {}),
  ada: row('ok', {}),
  zed: row('conversation_missing', {
    react: 'message_missing',
    merge: 'supervisor_only',
    contactNote: 'contact_missing',
    ...CANNED,
  }),
};

/** With a conversation of the other team, unassigned. */
const OTHER_TEAM: Record<Person, Record<Action, Outcome>> = {
  ana: row('conversation_missing', {
    react: 'message_missing',
    merge: 'supervisor_only',
    contactNote: 'contact_missing',
    ...CANNED,
  }),
  ben: row('conversation_missing', {
    react: 'message_missing',
    merge: 'supervisor_only',
    contactNote: 'contact_missing',
    ...CANNED,
  }),
  sue: row('conversation_missing', {
    react: 'message_missing',
    merge: 'contact_missing',
    contactNote: 'contact_missing',
    cannedShared: 'ok',
    cannedOwn: 'ok',
  }),
  ada: row('ok', {}),
  // Zed is in that team, but gives a conversation to Ben only as a supervisor would.
  zed: row('ok', { assignBen: 'supervisor_only', transfer: 'supervisor_only', merge: 'supervisor_only', ...CANNED }),
};

function row(all: Outcome, except: Partial<Record<Action, Outcome>>): Record<Action, Outcome> {
  return Object.fromEntries(ACTIONS.map((action) => [action, except[action] ?? all])) as Record<Action, Outcome>;
}

let server: TestServer;
const ids = {} as Record<Person, string>;
let defaultTeam = '';
let otherTeam = '';
let customers = 0;
let canned = 0;

beforeAll(async () => {
  server = await startTestServer();
  for (const [person, role] of [
    ['ana', 'agent'],
    ['ben', 'agent'],
    ['sue', 'supervisor'],
    ['ada', 'admin'],
    ['zed', 'agent'],
  ] as const) {
    ids[person] = (
      await server.agents.createAgent({ email: `${person}@example.com`, name: person, role, password: 'pw-12345678' })
    ).id;
  }
  defaultTeam = (await server.store.db.selectFrom('teams').select('id').executeTakeFirstOrThrow()).id;
  otherTeam = randomUUID();
  await server.store.db
    .insertInto('teams')
    .values({
      id: otherTeam,
      name: 'Other',
      auto_assign: 0,
      offline_grace_minutes: 10,
      first_response_target_seconds: 300,
      waiting_target_seconds: 900,
      rules: '[]',
      created_at: Date.now(),
      seq: 0,
    })
    .execute();
  // Zed only in the other team; Ada in none.
  await server.store.db.deleteFrom('team_members').where('agent_id', 'in', [ids.zed, ids.ada]).execute();
  await server.store.db.insertInto('team_members').values({ team_id: otherTeam, agent_id: ids.zed }).execute();
});

afterAll(async () => {
  await server.cleanup();
});

/** A customer writes now; their conversation is then placed as the case needs. */
async function conversationPlaced(placement: Placement): Promise<{ id: string; contactId: string; messageId: string }> {
  customers += 1;
  const externalId = `wamid.MATRIX${customers}`;
  await deliver(
    server,
    'whatsapp',
    whatsappText({
      from: `4477009${String(customers).padStart(5, '0')}`,
      name: `Customer ${customers}`,
      id: externalId,
      text: 'Hello',
      timestampSeconds: Math.floor(Date.now() / 1000),
    }),
  );
  const message = await server.store.db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select(['messages.id as messageId', 'conversations.id as id', 'conversations.contact_id as contactId'])
    .where('messages.external_id', '=', externalId)
    .executeTakeFirstOrThrow();
  await server.store.db
    .updateTable('conversations')
    .set({
      team_id: placement === 'other' ? otherTeam : defaultTeam,
      assignee_id: placement === 'ana' ? ids.ana : null,
    })
    .where('id', '=', message.id)
    .execute();
  return message;
}

function mutationFor(
  action: Action,
  conversation: { id: string; contactId: string; messageId: string },
  mergeTarget: string,
  transferTo: string,
): Mutation {
  const clientId = randomUUID();
  const conversationId = conversation.id;
  switch (action) {
    case 'send':
      return {
        type: 'message.send',
        clientId,
        conversationId,
        content: { kind: 'text', text: 'On it.' },
        replyToMessageId: null,
        humanAgentTag: false,
      };
    case 'react':
      return { type: 'message.react', clientId, messageId: conversation.messageId, emoji: '👍' };
    case 'markRead':
      return { type: 'conversation.markRead', clientId, conversationId };
    case 'note':
      return { type: 'message.note', clientId, conversationId, text: 'A word for colleagues.', mentions: [] };
    case 'label':
      return { type: 'conversation.label', clientId, conversationId, label: 'vip', action: 'add' };
    case 'status':
      return { type: 'conversation.setStatus', clientId, conversationId, status: 'pending' };
    case 'take':
      return { type: 'conversation.assign', clientId, conversationId, assigneeId: null };
    case 'assignBen':
      return { type: 'conversation.assign', clientId, conversationId, assigneeId: ids.ben };
    case 'unassign':
      return { type: 'conversation.assign', clientId, conversationId, assigneeId: null };
    case 'transfer':
      return { type: 'conversation.transfer', clientId, conversationId, teamId: transferTo };
    case 'merge':
      return { type: 'contact.merge', clientId, sourceContactId: conversation.contactId, targetContactId: mergeTarget };
    case 'snooze':
      return { type: 'conversation.snooze', clientId, conversationId, until: Date.now() + 60 * 60 * 1000 };
    case 'markUnread':
      return { type: 'conversation.markUnread', clientId, conversationId };
    case 'contactNote':
      return { type: 'contact.setNote', clientId, contactId: conversation.contactId, note: 'Prefers mornings.' };
    case 'cannedShared':
    case 'cannedOwn':
      canned += 1;
      return {
        type: 'cannedResponse.save',
        clientId,
        id: randomUUID(),
        shortcut: `matrix${canned}`,
        title: 'Matrix',
        body: 'Hello {{contact.name}}',
        shared: action === 'cannedShared',
      };
  }
}

/** What a refusal must leave as it was: the conversation, its messages, its contact, its jobs, the canned responses. */
async function stateOf(conversationId: string, contactId: string): Promise<unknown> {
  const [conversation, messages, contact, jobs, canned] = await Promise.all([
    server.store.db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst(),
    server.store.db
      .selectFrom('messages')
      .select(['id', 'seq', 'reactions'])
      .where('conversation_id', '=', conversationId)
      .orderBy('id')
      .execute(),
    server.store.db
      .selectFrom('contacts')
      .select(['id', 'merged_into', 'note', 'seq'])
      .where('id', '=', contactId)
      .execute(),
    server.store.db.selectFrom('outbound_jobs').select('id').where('conversation_id', '=', conversationId).execute(),
    server.store.db.selectFrom('canned_responses').select('id').execute(),
  ]);
  return { conversation, messages, contact, jobs: jobs.length, canned: canned.length };
}

async function run(person: Person, placement: Placement, action: Action): Promise<MutationResult> {
  const conversation = await conversationPlaced(placement);
  // Merging needs a second customer of the same placement to merge into.
  const target = action === 'merge' ? (await conversationPlaced(placement)).contactId : '';
  const mutation = mutationFor(action, conversation, target, placement === 'other' ? defaultTeam : otherTeam);
  // Taking is assigning to oneself.
  if (action === 'take' && mutation.type === 'conversation.assign') mutation.assigneeId = ids[person];
  const before = await stateOf(conversation.id, conversation.contactId);
  const result = await runMutation({ store: server.store, outbound: server.outbound }, ids[person], mutation);
  if (!result.ok) {
    expect(await stateOf(conversation.id, conversation.contactId), 'a refusal changed something').toEqual(before);
  }
  return result;
}

const TABLES: [string, Placement, Record<Person, Record<Action, Outcome>>][] = [
  ['a conversation assigned to Ana', 'ana', ASSIGNED_TO_ANA],
  ['a conversation in the queue', 'queue', IN_THE_QUEUE],
  ['a conversation of another team', 'other', OTHER_TEAM],
];

for (const [title, placement, table] of TABLES) {
  describe(`the role table, with ${title}`, () => {
    for (const person of Object.keys(table) as Person[]) {
      it(`${person}: ${ACTIONS.map((action) => `${action} ${table[person][action]}`).join(', ')}`, async () => {
        for (const action of ACTIONS) {
          const expected = table[person][action];
          const result = await run(person, placement, action);
          if (expected === 'ok') {
            expect(result, `${person} ${action}`).toMatchObject({ ok: true });
          } else {
            expect(result, `${person} ${action}`).toMatchObject({ ok: false, code: CODES[expected], reason: expected });
          }
        }
      });
    }
  });
}

describe('a file sent in a message', () => {
  it('must be one the sender may see: another person’s upload, or a file of an unseen conversation, is missing', async () => {
    const own = await conversationPlaced('queue');
    const now = Date.now();
    const mediaOf = async (id: string, sourceRef: string): Promise<void> => {
      await server.store.db
        .insertInto('media')
        .values({
          id,
          channel_account_id: null,
          kind: 'image',
          status: 'ready',
          mime_type: 'image/jpeg',
          file_name: 'passport.jpg',
          size: 1000,
          sha256: null,
          source_kind: 'upload',
          source_ref: sourceRef,
          storage_key: null,
          thumbnail_key: null,
          error: null,
          attempts: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
    };
    // Zed uploaded it: only Zed (and an admin) may send it on.
    const zedsFile = randomUUID();
    await mediaOf(zedsFile, ids.zed);
    const send = (mediaId: string): Mutation => ({
      type: 'message.send',
      clientId: randomUUID(),
      conversationId: own.id,
      content: { kind: 'media', mediaId, caption: null },
      replyToMessageId: null,
      humanAgentTag: false,
    });
    const before = await stateOf(own.id, own.contactId);
    const refused = await runMutation({ store: server.store, outbound: server.outbound }, ids.ben, send(zedsFile));
    expect(refused).toMatchObject({ ok: false, code: 'not_found', reason: 'media_missing' });
    expect(await stateOf(own.id, own.contactId)).toEqual(before);
    // Ben's own upload passes the permission check (whatever the send itself then says of the file).
    const bensFile = randomUUID();
    await mediaOf(bensFile, ids.ben);
    const allowed = await runMutation({ store: server.store, outbound: server.outbound }, ids.ben, send(bensFile));
    expect(allowed).not.toMatchObject({ reason: 'media_missing' });
  });
});
