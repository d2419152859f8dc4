import { afterEach, beforeEach } from 'vitest';
import type { Change, Mutation, MutationResult, PullPage } from '@parley/protocol';
import { newId } from '../src/platform/ids.js';
import {
  EVENT_TIMEOUT_MS,
  deliver,
  pullChanges,
  startTestServer,
  whatsappText,
  type ClientSocket,
  type TestServer,
} from './helpers.js';

/**
 * The world of the visibility tests (visibility*.test.ts), made afresh before each test:
 * who sees what, on every read path: two teams, A and B. Ana is an agent of A, Ben of B,
 * Sue supervises A, Ada is an admin. Three customers: cA (team A), cB (team B) and cBana
 * (team B, assigned to Ana). So Ana sees cA and cBana; Ben cB and cBana; Sue cA and
 * cBana (assigned to a member of her team); Ada everything.
 */

export type Person = { id: string; token: string };
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

export const T0 = 1_760_000_000;
export let server: TestServer;
export let world: World;

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

export async function conversationOf(from: string): Promise<string> {
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
  // The deactivation test ends Ben's access with a raw write and then waits for the live
  // batch that takes his conversations away; a sweep of idle sockets landing between the two
  // would end his socket first. Sockets that send a request are still checked at once.
  server = await startTestServer({}, { sessionSweepMs: 60_000 });
  world = await setup();
});

afterEach(async () => {
  await server.cleanup();
});

export async function pull(socket: ClientSocket, cursor: number, limit = 500): Promise<PullPage> {
  const reply = await pullChanges(socket, { cursor, limit });
  if (!reply.ok) throw new Error(`pull refused: ${reply.code} ${reply.reason ?? ''}`);
  const { ok: _ok, ...page } = reply;
  return page;
}

/** Pulls every page from `cursor`; returns the changes and the final cursor. */
export async function pullAll(
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

export function idsOf(changes: readonly Change[], entity: Change['entity']): string[] {
  return [...new Set(changes.filter((change) => change.entity === entity).map((change) => change.data.id))].sort();
}

export function conversationsOfMessages(changes: readonly Change[]): string[] {
  return [
    ...new Set(changes.flatMap((change) => (change.entity === 'message' ? [change.data.conversationId] : []))),
  ].sort();
}

export async function contactOf(conversationId: string): Promise<string> {
  return (
    await server.store.db
      .selectFrom('conversations')
      .select('contact_id')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow()
  ).contact_id;
}

export async function mutate(on: ClientSocket, mutation: Mutation): Promise<MutationResult> {
  return (await on.timeout(EVENT_TIMEOUT_MS).emitWithAck('mutate', mutation)) as MutationResult;
}

export const sorted = (ids: string[]): string[] => [...ids].sort();
