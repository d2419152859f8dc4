import { randomUUID } from 'node:crypto';
import type { AgentRole } from '@parley/protocol';
import { newId } from '../src/platform/ids.js';
import { login, type TestServer } from './helpers.js';
import { seedThread, type SeededThread } from './outbound-support.js';

/**
 * What the /api/v1 tests share: people with roles and teams written straight into the
 * store (the team routes are not what these tests are about), and a small HTTP client.
 */

export type Person = { id: string; token: string; email: string };

let serial = 0;

/** A person with this role, signed in, in exactly these teams (not the default one). */
export async function person(
  server: TestServer,
  input: { role: AgentRole; name?: string; teamIds?: readonly string[] },
): Promise<Person> {
  serial += 1;
  const email = `${input.role}-${serial}-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery staple';
  const agent = await server.agents.createAgent({
    email,
    name: input.name ?? `${input.role} ${serial}`,
    role: input.role,
    password,
  });
  await setTeams(server, agent.id, input.teamIds ?? []);
  const response = await login(server, { email, password });
  if (response.status !== 200) throw new Error(`Login answered ${response.status}: ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  return { id: agent.id, token, email };
}

export async function setTeams(server: TestServer, agentId: string, teamIds: readonly string[]): Promise<void> {
  await server.store.db.deleteFrom('team_members').where('agent_id', '=', agentId).execute();
  for (const teamId of teamIds) {
    await server.store.db.insertInto('team_members').values({ team_id: teamId, agent_id: agentId }).execute();
  }
}

export async function team(server: TestServer, name: string): Promise<string> {
  const id = newId();
  await server.store.write(async (trx, changes) => {
    await trx
      .insertInto('teams')
      .values({
        id,
        name,
        auto_assign: 0,
        offline_grace_minutes: 10,
        first_response_target_seconds: 300,
        waiting_target_seconds: 600,
        rules: '[]',
        created_at: Date.now(),
        seq: await changes.nextSeq('team', id),
      })
      .execute();
  });
  return id;
}

let customers = 0;

/** A WhatsApp thread (open, window open) in this team, assigned as asked. */
export async function thread(
  server: TestServer,
  input: { teamId: string | null; assigneeId?: string | null; lastMessageAt?: number },
): Promise<SeededThread> {
  customers += 1;
  const seeded = await seedThread(server, {
    channel: 'whatsapp',
    customerId: `1555${String(9_000_000 + customers)}${Math.floor(Math.random() * 10)}`,
    ...(input.lastMessageAt === undefined ? {} : { lastInboundAt: input.lastMessageAt }),
  });
  await server.store.db
    .updateTable('conversations')
    .set({ team_id: input.teamId, assignee_id: input.assigneeId ?? null })
    .where('id', '=', seeded.conversationId)
    .execute();
  return seeded;
}

export type Answer<T = unknown> = { status: number; body: T; headers: Headers; text: string };

/** One /api/v1 request; `path` is after /api/v1. */
export async function call<T = unknown>(
  server: Pick<TestServer, 'url'>,
  token: string | null,
  method: string,
  path: string,
  input: { body?: unknown; key?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...input.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (input.key !== undefined) headers['idempotency-key'] = input.key;
  if (input.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers,
    ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }),
  });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') body = JSON.parse(text);
  return { status: response.status, body: body as T, headers: response.headers, text };
}

export function key(): string {
  return `k-${randomUUID()}`;
}
