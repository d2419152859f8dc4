import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Database } from '../src/platform/schema.js';
import { MutationSchema, type AgentRole, type Mutation, type MutationResult } from '@parley/protocol';
import {
  EVENT_TIMEOUT_MS,
  connectReady,
  deliver,
  whatsappText,
  type ClientSocket,
  type TestServer,
} from './helpers.js';

/** Shared by the teams, presence, assignment, routing and peers tests. */

export const PASSWORD = 'pw-123456-long';

export type User = { id: string; name: string; token: string };

/** A user of this role, signed in (not connected). */
export async function makeUser(
  server: TestServer,
  name: string,
  role: AgentRole,
  options: { capacity?: number } = {},
): Promise<User> {
  const email = `${name.toLowerCase()}@example.com`;
  const created = await server.agents.createAgent({ email, name, role, password: PASSWORD });
  if (options.capacity !== undefined) {
    await server.store.db
      .updateTable('agents')
      .set({ capacity: options.capacity })
      .where('id', '=', created.id)
      .execute();
  }
  const session = await server.agents.login(email, PASSWORD);
  if (session === null) throw new Error(`${name} could not sign in`);
  return { id: created.id, name, token: session.token };
}

/** Connects the user's socket and waits until the server has them Online. */
export async function goOnline(server: TestServer, user: User): Promise<ClientSocket> {
  const { socket } = await connectReady(server, user.token);
  await until(async () => (await presenceOf(server, user.id)) === 'online', `${user.name} online`);
  return socket;
}

export async function presenceOf(server: TestServer, agentId: string): Promise<string> {
  const row = await server.store.db
    .selectFrom('agents')
    .select('presence')
    .where('id', '=', agentId)
    .executeTakeFirstOrThrow();
  return row.presence;
}

/** Polls until `check` holds (state the server reaches on its own, after an event). */
export async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + EVENT_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function mutate(socket: ClientSocket, mutation: Mutation): Promise<MutationResult> {
  MutationSchema.parse(mutation);
  return (await socket.timeout(EVENT_TIMEOUT_MS).emitWithAck('mutate', mutation)) as MutationResult;
}

export function clientId(): string {
  return randomUUID();
}

let messageNumber = 0;

/** A WhatsApp customer writes; returns their conversation's id. */
export async function customerWrites(server: TestServer, from: string, text: string): Promise<string> {
  messageNumber += 1;
  await deliver(
    server,
    'whatsapp',
    whatsappText({
      from,
      name: `Customer ${from}`,
      id: `wamid.T${messageNumber}.${randomUUID()}`,
      text,
      timestampSeconds: Math.floor(Date.now() / 1000),
    }),
  );
  const row = await server.store.db
    .selectFrom('conversations')
    .innerJoin('contact_identities', 'contact_identities.contact_id', 'conversations.contact_id')
    .select('conversations.id')
    .where('contact_identities.external_id', '=', from)
    .where('conversations.channel', '=', 'whatsapp')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function conversationRow(server: TestServer, id: string): Promise<Selectable<Database['conversations']>> {
  return server.store.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function activities(server: TestServer, conversationId: string): Promise<unknown[]> {
  const rows = await server.store.db
    .selectFrom('messages')
    .select(['activity', 'author_agent_id', 'direction', 'status'])
    .where('conversation_id', '=', conversationId)
    .where('kind', '=', 'activity')
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({
    ...(JSON.parse(row.activity ?? 'null') as object),
    authorAgentId: row.author_agent_id,
    direction: row.direction,
    status: row.status,
  }));
}

/** The WhatsApp inbox of the test server. */
export async function whatsappInbox(server: TestServer): Promise<string> {
  const row = await server.store.db
    .selectFrom('channel_accounts')
    .select('id')
    .where('channel', '=', 'whatsapp')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Calls /api/v1 as this user. */
export async function api(
  server: TestServer,
  user: User | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (user !== null) headers.authorization = `Bearer ${user.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(`/api/v1${path}`, server.url), {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}
