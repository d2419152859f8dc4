import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Change, LiveBatch, Mutation, MutationResult, PullPage } from '@parley/protocol';
import { canSee, loadScopes, principalOf, scopesChanged, sees, snapshotScopes } from '../src/modules/access/index.js';
import { pull as pullSync } from '../src/modules/sync/index.js';
import { newId } from '../src/platform/ids.js';
import {
  EVENT_TIMEOUT_MS,
  connectReady,
  deliver,
  pullChanges,
  startTestServer,
  whatsappText,
  type BatchRecorder,
  type ClientSocket,
  type TestServer,
} from './helpers.js';
import { getMedia, makePng, upload } from './media-fixtures.js';

/**
 * Who sees what, on every read path: two teams, A and B. Ana is an agent of A, Ben of B,
 * Sue supervises A, Ada is an admin. Three customers: cA (team A), cB (team B) and cBana
 * (team B, assigned to Ana). So Ana sees cA and cBana; Ben cB and cBana; Sue cA and
 * cBana (assigned to a member of her team); Ada everything.
 */

type Person = { id: string; token: string };
type World = {
  teamA: string;
  teamB: string;
  ana: Person;
  ben: Person;
  sue: Person;
  ada: Person;
  cA: string;
  cB: string;
  cBana: string;
};

const T0 = 1_760_000_000;
let server: TestServer;
let world: World;

async function person(email: string, role: 'agent' | 'supervisor' | 'admin'): Promise<Person> {
  const created = await server.agents.createAgent({
    email,
    name: email.split('@')[0] ?? email,
    role,
    password: 'pw-123456',
  });
  const session = await server.agents.login(email, 'pw-123456');
  if (session === null) throw new Error('login failed');
  return { id: created.id, token: session.token };
}

async function conversationOf(from: string): Promise<string> {
  const row = await server.store.db
    .selectFrom('conversations')
    .innerJoin('contact_identities', 'contact_identities.contact_id', 'conversations.contact_id')
    .select('conversations.id')
    .where('contact_identities.external_id', '=', from)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function setup(): Promise<World> {
  const ana = await person('ana@example.com', 'agent');
  const ben = await person('ben@example.com', 'agent');
  const sue = await person('sue@example.com', 'supervisor');
  const ada = await person('ada@example.com', 'admin');
  for (const [from, name] of [
    ['15550000001', 'Alice'],
    ['15550000002', 'Bob'],
    ['15550000003', 'Carla'],
  ] as const) {
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from, name, id: `wamid.V${from}`, text: `hi from ${name}`, timestampSeconds: T0 }),
    );
  }
  const cA = await conversationOf('15550000001');
  const cB = await conversationOf('15550000002');
  const cBana = await conversationOf('15550000003');
  const teamA = newId();
  const teamB = newId();
  await server.store.write(async (trx, changes) => {
    for (const [id, name] of [
      [teamA, 'A'],
      [teamB, 'B'],
    ] as const) {
      await trx
        .insertInto('teams')
        .values({
          id,
          name,
          auto_assign: 0,
          offline_grace_minutes: 10,
          first_response_target_seconds: 300,
          waiting_target_seconds: 900,
          rules: '[]',
          created_at: Date.now(),
          seq: await changes.nextSeq('team', id),
        })
        .execute();
    }
    // Nobody stays in the default team: each is in their own.
    await trx.deleteFrom('team_members').execute();
    await trx
      .insertInto('team_members')
      .values([
        { team_id: teamA, agent_id: ana.id },
        { team_id: teamA, agent_id: sue.id },
        { team_id: teamB, agent_id: ben.id },
      ])
      .execute();
    for (const [id, team, assignee] of [
      [cA, teamA, null],
      [cB, teamB, null],
      [cBana, teamB, ana.id],
    ] as const) {
      await trx
        .updateTable('conversations')
        .set({ team_id: team, assignee_id: assignee, seq: await changes.nextSeq('conversation', id) })
        .where('id', '=', id)
        .execute();
    }
  });
  return { teamA, teamB, ana, ben, sue, ada, cA, cB, cBana };
}

beforeEach(async () => {
  server = await startTestServer();
  world = await setup();
});

afterEach(async () => {
  await server.cleanup();
});

async function pull(socket: ClientSocket, cursor: number, limit = 500): Promise<PullPage> {
  const reply = await pullChanges(socket, { cursor, limit });
  if (!reply.ok) throw new Error(`pull refused: ${reply.code} ${reply.reason ?? ''}`);
  const { ok: _ok, ...page } = reply;
  return page;
}

/** Pulls every page from `cursor`; returns the changes and the final cursor. */
async function pullAll(
  socket: ClientSocket,
  cursor: number,
  limit = 500,
): Promise<{ changes: Change[]; cursor: number }> {
  const changes: Change[] = [];
  for (;;) {
    const page = await pull(socket, cursor, limit);
    changes.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) return { changes, cursor };
  }
}

function idsOf(changes: readonly Change[], entity: Change['entity']): string[] {
  return [...new Set(changes.filter((change) => change.entity === entity).map((change) => change.data.id))].sort();
}

function conversationsOfMessages(changes: readonly Change[]): string[] {
  return [
    ...new Set(changes.flatMap((change) => (change.entity === 'message' ? [change.data.conversationId] : []))),
  ].sort();
}

async function contactOf(conversationId: string): Promise<string> {
  return (
    await server.store.db
      .selectFrom('conversations')
      .select('contact_id')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow()
  ).contact_id;
}

async function mutate(on: ClientSocket, mutation: Mutation): Promise<MutationResult> {
  return (await on.timeout(EVENT_TIMEOUT_MS).emitWithAck('mutate', mutation)) as MutationResult;
}

const sorted = (ids: string[]): string[] => [...ids].sort();

describe('pull', () => {
  it('sends each role only its conversations, their messages and contacts, and everyone the rest', async () => {
    const { ana, ben, sue, ada, cA, cB, cBana } = world;
    const expected: [Person, string[]][] = [
      [ana, [cA, cBana]],
      [ben, [cB, cBana]],
      [sue, [cA, cBana]],
      [ada, [cA, cB, cBana]],
    ];
    const teams = (await server.store.db.selectFrom('teams').select('id').execute()).map((row) => row.id).sort();
    const agents = (await server.store.db.selectFrom('agents').select('id').execute()).map((row) => row.id).sort();
    for (const [who, conversations] of expected) {
      const { socket } = await connectReady(server, who.token);
      // Small pages: filtering must not break the paging, and the cursor still reaches the
      // head (read after: connecting makes the user Online, a change of its own).
      const { changes, cursor } = await pullAll(socket, 0, 2);
      expect(cursor).toBe(await server.store.head());
      expect(idsOf(changes, 'conversation')).toEqual(sorted(conversations));
      expect(conversationsOfMessages(changes)).toEqual(sorted(conversations));
      expect(idsOf(changes, 'contact')).toEqual(sorted(await Promise.all(conversations.map(contactOf))));
      expect(idsOf(changes, 'team')).toEqual(teams);
      expect(idsOf(changes, 'agent')).toEqual(agents);
      expect(idsOf(changes, 'channelAccount')).toHaveLength(3);
      socket.disconnect();
    }
  });

  it('moves the cursor to the head even when every change after it is out of sight', async () => {
    const { socket } = await connectReady(server, world.ana.token);
    const start = await server.store.head();
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '15550000002', name: 'Bob', id: 'wamid.VB2', text: 'again', timestampSeconds: T0 + 5 }),
    );
    const page = await pull(socket, start, 1);
    expect(page.changes).toEqual([]);
    expect(page.hasMore).toBe(false);
    expect(page.cursor).toBe(await server.store.head());
    expect(page.cursor).toBeGreaterThan(start);
  });

  it('keeps the bootstrap bounds and the rule together', async () => {
    const { socket } = await connectReady(server, world.ben.token);
    const reply = await pullChanges(socket, {
      cursor: 0,
      limit: 500,
      bootstrap: { messagesPerConversation: 1, closedDays: 30 },
    });
    if (!reply.ok) throw new Error('refused');
    expect(idsOf(reply.changes, 'conversation')).toEqual(sorted([world.cB, world.cBana]));
    expect(conversationsOfMessages(reply.changes)).toEqual(sorted([world.cB, world.cBana]));
  });
});

describe('live batches', () => {
  it('reach the user who sees the conversation; the other gets an empty batch and both cursors move', async () => {
    const ana = await connectReady(server, world.ana.token);
    const ben = await connectReady(server, world.ben.token);
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '15550000002', name: 'Bob', id: 'wamid.VB3', text: 'for B', timestampSeconds: T0 + 9 }),
    );
    const head = await server.store.head();
    const reached = (batch: LiveBatch): boolean => batch.upTo === head;
    const [forBen, forAna] = await Promise.all([
      ben.batches.waitFor(reached, 'the webhook'),
      ana.batches.waitFor(reached, 'the webhook'),
    ]);
    expect(forBen.changes.some((change) => change.entity === 'message' && change.data.text === 'for B')).toBe(true);
    expect(idsOf(forBen.changes, 'conversation')).toEqual([world.cB]);
    expect(forAna.changes).toEqual([]);
    expect(forAna.after).toBe(forBen.after);
    expect(forAna.upTo).toBe(forBen.upTo);
  });

  it('carry a contact only to those who see one of its conversations', async () => {
    const ana = await connectReady(server, world.ana.token);
    const ada = await connectReady(server, world.ada.token);
    const contact = await contactOf(world.cB);
    await server.store.write(async (trx, changes) => {
      await trx
        .updateTable('contacts')
        .set({ name: 'Robert', seq: await changes.nextSeq('contact', contact) })
        .where('id', '=', contact)
        .execute();
    });
    const head = await server.store.head();
    const forAda = await ada.batches.waitFor((batch) => batch.upTo === head, 'the rename');
    const forAna = await ana.batches.waitFor((batch) => batch.upTo === head, 'the rename');
    expect(idsOf(forAda.changes, 'contact')).toEqual([contact]);
    expect(forAna.changes).toEqual([]);
  });
});

describe('history, media and mutations', () => {
  it('answers history only for a conversation the user sees', async () => {
    const { socket } = await connectReady(server, world.ana.token);
    const ask = async (conversationId: string): Promise<unknown> =>
      socket
        .timeout(EVENT_TIMEOUT_MS)
        .emitWithAck('history:fetch', { conversationId, before: Date.now() * 2, limit: 10 });
    expect(await ask(world.cB)).toMatchObject({ ok: false, code: 'not_found', reason: 'conversation_missing' });
    const seen = (await ask(world.cA)) as { ok: boolean; messages: unknown[] };
    expect(seen.ok).toBe(true);
    expect(seen.messages).toHaveLength(1);
  });

  it('serves a file to its uploader and to those who see its message, and to nobody else', async () => {
    const bytes = await makePng(20, 20);
    const posted = await upload(server, world.ana.token, {
      bytes,
      fileName: 'card.png',
      mimeType: 'image/png',
      fields: { conversationId: world.cA },
    });
    expect(posted.status).toBe(201);
    const { mediaId } = (await posted.json()) as { mediaId: string };
    // Not yet in any message: only Ana, who uploaded it.
    expect((await getMedia(server, mediaId, { token: world.ana.token })).status).toBe(200);
    expect((await getMedia(server, mediaId, { token: world.sue.token })).status).toBe(404);
    // In a message of cA: Sue (team A) and Ada see it; Ben still does not.
    const attachment = {
      mediaId,
      kind: 'image',
      mimeType: 'image/png',
      fileName: 'card.png',
      size: bytes.length,
      status: 'ready',
      hasThumbnail: true,
      voice: false,
      animated: false,
    };
    await server.store.db
      .updateTable('messages')
      .set({ attachments: JSON.stringify([attachment]) })
      .where('conversation_id', '=', world.cA)
      .execute();
    expect((await getMedia(server, mediaId, { token: world.sue.token })).status).toBe(200);
    expect((await getMedia(server, mediaId, { token: world.ada.token })).status).toBe(200);
    const refused = await getMedia(server, mediaId, { token: world.ben.token });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ code: 'not_found', reason: 'media_missing' });
    expect((await getMedia(server, mediaId, { token: world.ben.token, thumbnail: true })).status).toBe(404);
    // Nor may Ben put a file into a conversation he does not see.
    const intoCA = await upload(server, world.ben.token, {
      bytes,
      fileName: 'x.png',
      mimeType: 'image/png',
      fields: { conversationId: world.cA },
    });
    expect(intoCA.status).toBe(404);
    expect(await intoCA.json()).toMatchObject({ code: 'not_found', reason: 'conversation_missing' });
  });

  it('serves a contact picture to those who see the contact', async () => {
    const bytes = await makePng(20, 20);
    const posted = await upload(server, world.ada.token, {
      bytes,
      fileName: 'face.png',
      mimeType: 'image/png',
      fields: { channel: 'whatsapp' },
    });
    const { mediaId } = (await posted.json()) as { mediaId: string };
    await server.store.db
      .updateTable('contacts')
      .set({ avatar_media_id: mediaId })
      .where('id', '=', await contactOf(world.cB))
      .execute();
    expect((await getMedia(server, mediaId, { token: world.ben.token })).status).toBe(200);
    expect((await getMedia(server, mediaId, { token: world.ana.token })).status).toBe(404);
  });

  it('refuses a mutation on an invisible conversation as not found, and one on a visible but not own as forbidden', async () => {
    const { socket } = await connectReady(server, world.ben.token);
    const before = await server.store.head();
    const note = await mutate(socket, {
      type: 'message.note',
      clientId: randomUUID(),
      conversationId: world.cA,
      text: 'peek',
      mentions: [],
    });
    expect(note).toMatchObject({ ok: false, code: 'not_found', reason: 'conversation_missing' });
    const read = await mutate(socket, {
      type: 'conversation.markRead',
      clientId: randomUUID(),
      conversationId: world.cBana,
    });
    expect(read).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await server.store.head()).toBe(before);
    // A note where he sees it is his to add.
    const seen = await mutate(socket, {
      type: 'message.note',
      clientId: randomUUID(),
      conversationId: world.cBana,
      text: 'fyi',
      mentions: [],
    });
    expect(seen.ok).toBe(true);
  });
});

describe('losing and gaining sight', () => {
  async function removeAnaFromTeamA(): Promise<void> {
    await server.store.write(async (trx, changes) => {
      const before = await snapshotScopes(trx, [world.ana.id]);
      await trx
        .deleteFrom('team_members')
        .where('team_id', '=', world.teamA)
        .where('agent_id', '=', world.ana.id)
        .execute();
      await scopesChanged(trx, changes, before);
    });
  }

  const removals = (changes: readonly Change[]): string[] =>
    changes.flatMap((change) => (change.entity === 'removal' ? [change.data.id] : [])).sort();

  it('an agent moved out of a team gets removals for its conversations, live and in a pull', async () => {
    const ana = await connectReady(server, world.ana.token);
    const sue = await connectReady(server, world.sue.token);
    const ben = await connectReady(server, world.ben.token);
    const { cursor } = await pullAll(ana.socket, 0);
    await removeAnaFromTeamA();
    const head = await server.store.head();
    const done = (recorder: BatchRecorder): Promise<LiveBatch> =>
      recorder.waitFor((batch) => batch.upTo === head, 'the move');
    const [forAna, forSue, forBen] = await Promise.all([done(ana.batches), done(sue.batches), done(ben.batches)]);
    // Ana keeps cBana (assigned to her); Sue no longer supervises Ana, so loses it.
    expect(removals(forAna.changes)).toEqual([world.cA]);
    expect(removals(forSue.changes)).toEqual([world.cBana]);
    // Ben loses nothing; like everyone, he learns Ana's teams changed.
    expect(forBen.changes.map((change) => `${change.entity}:${change.data.id}`)).toEqual([`agent:${world.ana.id}`]);
    const anaNow = forBen.changes[0];
    expect(anaNow?.entity === 'agent' ? anaNow.data.teamIds : null).toEqual([]);
    for (const batch of [forAna, forSue, forBen]) expect(batch.upTo).toBe(head);
    // A client that was away learns the same from a pull.
    const later = await pullAll(ana.socket, cursor);
    expect(removals(later.changes)).toEqual([world.cA]);
    expect(idsOf(later.changes, 'conversation')).toEqual([]);
    expect(later.cursor).toBe(head);
    // And the rule agrees.
    const principal = await principalOf(server.store.db, world.ana.id);
    if (principal === null) throw new Error('no principal');
    expect(await canSee(server.store.db, principal, world.cA)).toBe(false);
    expect(await canSee(server.store.db, principal, world.cBana)).toBe(true);
  });

  it('a transfer removes the conversation from the old team and brings it whole to the new one', async () => {
    const ada = await connectReady(server, world.ada.token);
    const ana = await connectReady(server, world.ana.token);
    const ben = await connectReady(server, world.ben.token);
    const { cursor: anaCursor } = await pullAll(ana.socket, 0);
    const moved = await mutate(ada.socket, {
      type: 'conversation.transfer',
      clientId: randomUUID(),
      conversationId: world.cB,
      teamId: world.teamA,
    });
    expect(moved.ok).toBe(true);
    const head = await server.store.head();
    const [forAna, forBen] = await Promise.all([
      ana.batches.waitFor((batch) => batch.upTo === head, 'the transfer'),
      ben.batches.waitFor((batch) => batch.upTo === head, 'the transfer'),
    ]);
    expect(removals(forBen.changes)).toEqual([world.cB]);
    expect(idsOf(forAna.changes, 'conversation')).toEqual([world.cB]);
    expect(idsOf(forAna.changes, 'contact')).toEqual([await contactOf(world.cB)]);
    expect(conversationsOfMessages(forAna.changes)).toEqual([world.cB]);
    expect(forAna.after).toBe(forBen.after);
    // From a pull, the conversation arrives with its contact and its messages, though they are older than the cursor.
    const later = await pullAll(ana.socket, anaCursor);
    expect(idsOf(later.changes, 'conversation')).toEqual([world.cB]);
    expect(conversationsOfMessages(later.changes)).toEqual([world.cB]);
    expect(idsOf(later.changes, 'contact')).toEqual([await contactOf(world.cB)]);
    expect(removals(later.changes)).toEqual([]);
  });

  it('many conversations coming into sight at once make the client pull them, in pages that stay small', async () => {
    // 21 more customers in team A: more than a live batch carries whole.
    for (let i = 0; i < 21; i += 1) {
      const from = `1555100${String(i).padStart(4, '0')}`;
      await deliver(
        server,
        'whatsapp',
        whatsappText({ from, name: `Many ${i}`, id: `wamid.MANY${i}`, text: `many ${i}`, timestampSeconds: T0 + i }),
      );
      await server.store.db
        .updateTable('conversations')
        .set({ team_id: world.teamA })
        .where('id', '=', await conversationOf(from))
        .execute();
    }
    const ben = await connectReady(server, world.ben.token);
    const { cursor } = await pullAll(ben.socket, 0);
    await server.store.write(async (trx, changes) => {
      const before = await snapshotScopes(trx, [world.ben.id]);
      await trx.insertInto('team_members').values({ team_id: world.teamA, agent_id: world.ben.id }).execute();
      await scopesChanged(trx, changes, before);
    });
    const head = await server.store.head();
    const live = await ben.batches.waitFor((batch) => batch.upTo === head, 'the join');
    // `after` at the head: past Ben's cursor, so his client pulls.
    expect(live.after).toBe(head);
    expect(live.after).toBeGreaterThan(cursor);
    let pages = 0;
    let at = cursor;
    const arrived: Change[] = [];
    for (;;) {
      const page = await pull(ben.socket, at, 100);
      pages += 1;
      arrived.push(...page.changes);
      // A conversation that comes into sight weighs its messages: about two a page of 100.
      expect(idsOf(page.changes, 'conversation').length).toBeLessThanOrEqual(2);
      at = page.cursor;
      if (!page.hasMore) break;
    }
    expect(at).toBe(head);
    expect(pages).toBeGreaterThan(10);
    const teamA = await server.store.db
      .selectFrom('conversations')
      .select('id')
      .where('team_id', '=', world.teamA)
      .execute();
    expect(teamA).toHaveLength(22);
    expect(idsOf(arrived, 'conversation')).toEqual(teamA.map((row) => row.id).sort());
    expect(conversationsOfMessages(arrived)).toEqual(teamA.map((row) => row.id).sort());
    expect(removals(arrived)).toEqual([]);
  });

  it('a deactivated user loses everything; an admin sees everything; a supervisor their agents’ conversations', async () => {
    const scopes = await loadScopes(server.store.db);
    const placement = async (id: string): Promise<{ teamId: string | null; assigneeId: string | null }> => {
      const row = await server.store.db
        .selectFrom('conversations')
        .select(['team_id', 'assignee_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return { teamId: row.team_id, assigneeId: row.assignee_id };
    };
    expect(sees(scopes, world.sue.id, await placement(world.cBana))).toBe(true);
    expect(sees(scopes, world.sue.id, await placement(world.cB))).toBe(false);
    for (const id of [world.cA, world.cB, world.cBana])
      expect(sees(scopes, world.ada.id, await placement(id))).toBe(true);
    const ben = await connectReady(server, world.ben.token);
    const { cursor } = await pullAll(ben.socket, 0);
    await server.store.write(async (trx, changes) => {
      const before = await snapshotScopes(trx, [world.ben.id]);
      await trx
        .updateTable('agents')
        .set({ active: 0, seq: await changes.nextSeq('agent', world.ben.id) })
        .where('id', '=', world.ben.id)
        .execute();
      await scopesChanged(trx, changes, before);
    });
    const head = await server.store.head();
    const batch = await ben.batches.waitFor((b) => b.upTo === head, 'the deactivation');
    expect(removals(batch.changes)).toEqual(sorted([world.cB, world.cBana]));
    expect(batch.changes.filter((change) => change.entity !== 'removal')).toEqual([]);
    // The session guard ends a deactivated account's socket within a second (by design), so
    // its pulls are asked of the sync module itself, as the socket's handler asks them.
    const principal = await principalOf(server.store.db, world.ben.id);
    if (principal === null) throw new Error('no principal for Ben');
    const later = await pullSync(server.store, principal, cursor, 500);
    expect(later.hasMore).toBe(false);
    expect(removals(later.changes)).toEqual(sorted([world.cB, world.cBana]));
    // From scratch, a deactivated account is sent nothing at all, and its cursor still reaches the head.
    const fresh = await pullSync(server.store, principal, 0, 500);
    expect(fresh).toEqual({ changes: [], cursor: head, hasMore: false, head });
  });
});

describe('the SQL rule and the in-memory rule', () => {
  it('agree on generated teams, roles and placements', async () => {
    // A small deterministic generator: the same cases on every run.
    let state = 42;
    const random = (n: number): number => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state % n;
    };
    const agents = (await server.store.db.selectFrom('agents').select('id').execute()).map((row) => row.id);
    const teams = [
      world.teamA,
      world.teamB,
      (await server.store.db.selectFrom('teams').select('id').where('name', '=', 'Everyone').executeTakeFirstOrThrow())
        .id,
    ];
    const conversations = [world.cA, world.cB, world.cBana];
    const roles = ['agent', 'supervisor', 'admin'] as const;
    let compared = 0;
    let seen = 0;
    for (let round = 0; round < 40; round += 1) {
      await server.store.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('team_members').execute();
        for (const agent of agents) {
          await trx
            .updateTable('agents')
            .set({ role: roles[random(3)] ?? 'agent', active: random(5) === 0 ? 0 : 1 })
            .where('id', '=', agent)
            .execute();
          for (const team of teams) {
            if (random(3) === 0)
              await trx.insertInto('team_members').values({ team_id: team, agent_id: agent }).execute();
          }
        }
        for (const conversation of conversations) {
          const team = random(4);
          const assignee = random(agents.length + 2);
          await trx
            .updateTable('conversations')
            .set({ team_id: teams[team] ?? null, assignee_id: agents[assignee] ?? null })
            .where('id', '=', conversation)
            .execute();
        }
      });
      const scopes = await loadScopes(server.store.db);
      const rows = await server.store.db.selectFrom('conversations').select(['id', 'team_id', 'assignee_id']).execute();
      for (const agent of agents) {
        const principal = await principalOf(server.store.db, agent);
        if (principal === null) throw new Error('no principal');
        for (const row of rows) {
          const inSql = await canSee(server.store.db, principal, row.id);
          const inMemory = sees(scopes, agent, { teamId: row.team_id, assigneeId: row.assignee_id });
          expect({ agent, conversation: row.id, round, sees: inMemory }).toEqual({
            agent,
            conversation: row.id,
            round,
            sees: inSql,
          });
          compared += 1;
          if (inSql) seen += 1;
        }
      }
    }
    // The cases cover both answers, in numbers.
    expect(compared).toBe(40 * 4 * 3);
    expect(seen).toBeGreaterThan(compared / 5);
    expect(seen).toBeLessThan(compared);
  });
});
