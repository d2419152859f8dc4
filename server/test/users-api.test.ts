import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ApiErrorSchema, InviteSchema, LoginResponseSchema, UserSchema, type User } from '@parley/protocol';
import { z } from 'zod';
import { apiTokenHash } from '../src/modules/integrations/tokens.js';
import { newId } from '../src/platform/ids.js';
import { connectReady, login, startTestServer, type ClientSocket, type TestServer } from './helpers.js';
import { testDatabaseUrl } from './support/database.js';

let server: TestServer;
const tokens = { admin: '', supervisor: '', agent: '' };
const ids = { admin: '', supervisor: '', agent: '' };
const PASSWORD = 'correct horse battery';

beforeEach(async () => {
  server = await startTestServer();
  for (const role of ['admin', 'supervisor', 'agent'] as const) {
    const agent = await server.agents.createAgent({
      email: `${role}@example.com`,
      name: `The ${role}`,
      role,
      password: PASSWORD,
    });
    ids[role] = agent.id;
    const session = await server.agents.login(`${role}@example.com`, PASSWORD);
    if (session === null) throw new Error('sign-in failed');
    tokens[role] = session.token;
  }
});

afterEach(async () => {
  await server.cleanup();
});

async function api(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL(`/api/v1${path}`, server.url), {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

const error = (body: unknown) => ApiErrorSchema.parse(body);
const userOf = (body: unknown): User => z.object({ user: UserSchema }).parse(body).user;

async function roleOf(id: string): Promise<string> {
  const row = await server.store.db.selectFrom('agents').select('role').where('id', '=', id).executeTakeFirstOrThrow();
  return row.role;
}

async function userCount(): Promise<number> {
  return (await server.store.db.selectFrom('agents').select('id').execute()).length;
}

async function droppedSoon(socket: ClientSocket): Promise<void> {
  const deadline = Date.now() + 3000;
  while (socket.connected) {
    if (Date.now() > deadline) throw new Error('the socket was still connected');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function acceptInvite(body: unknown): Promise<Response> {
  return fetch(new URL('/api/auth/invite/accept', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('GET /users', () => {
  test('admins and supervisors list every user with when they joined', async () => {
    for (const role of ['admin', 'supervisor'] as const) {
      const answer = await api('GET', '/users', tokens[role]);
      expect(answer.status).toBe(200);
      const users = z.object({ users: z.array(UserSchema) }).parse(answer.body).users;
      expect(users.map((user) => user.email).sort()).toEqual([
        'admin@example.com',
        'agent@example.com',
        'supervisor@example.com',
      ]);
      expect(users.every((user) => user.deactivatedAt === null && user.createdAt > 0)).toBe(true);
    }
  });

  test('an agent is refused, and no token is refused', async () => {
    const agent = await api('GET', '/users', tokens.agent);
    expect(agent.status).toBe(403);
    expect(error(agent.body)).toMatchObject({ code: 'forbidden', reason: 'supervisor_only' });
    expect((await api('GET', '/users', null)).status).toBe(401);
  });
});

describe('POST /users (invite) and accepting the invite', () => {
  test('an admin invites; the invite sets a password once and signs in', async () => {
    const answer = await api('POST', '/users', tokens.admin, {
      email: 'New@Example.com',
      name: 'Nia New',
      role: 'agent',
      capacity: 4,
    });
    expect(answer.status).toBe(201);
    const { user, invite } = z.object({ user: UserSchema, invite: InviteSchema }).parse(answer.body);
    expect(user).toMatchObject({ email: 'new@example.com', name: 'Nia New', role: 'agent', capacity: 4, active: true });
    expect(invite.expiresAt).toBeGreaterThan(Date.now() + 6.9 * 24 * 60 * 60 * 1000);
    // No password works before the invite is accepted.
    expect((await login(server, { email: 'new@example.com', password: invite.token })).status).toBe(401);

    const weak = await acceptInvite({ token: invite.token, password: 'short' });
    expect(weak.status).toBe(400);
    expect(error(await weak.json())).toMatchObject({ reason: 'password_weak', params: { min: 8 } });

    const accepted = await acceptInvite({ token: invite.token, password: 'a long enough password' });
    expect(accepted.status).toBe(200);
    expect(LoginResponseSchema.parse(await accepted.json()).agent.id).toBe(user.id);
    expect((await login(server, { email: 'new@example.com', password: 'a long enough password' })).status).toBe(200);

    const again = await acceptInvite({ token: invite.token, password: 'another password here' });
    expect(again.status).toBe(401);
    expect(error(await again.json()).reason).toBe('refresh_invalid');
  });

  test('an expired or made-up invite is refused', async () => {
    const answer = await api('POST', '/users', tokens.admin, {
      email: 'late@example.com',
      name: 'Late',
      role: 'agent',
    });
    const { invite, user } = z.object({ user: UserSchema, invite: InviteSchema }).parse(answer.body);
    const row = await server.store.db
      .selectFrom('agents')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    await server.store.db
      .updateTable('agents')
      .set({ password_hash: row.password_hash.replace(/\$\d+$/, `$${Date.now() - 1}`) })
      .where('id', '=', user.id)
      .execute();
    expect((await acceptInvite({ token: invite.token, password: 'a long enough password' })).status).toBe(401);
    expect((await acceptInvite({ token: `${user.id}.forged`, password: 'a long enough password' })).status).toBe(401);
    expect((await acceptInvite({ token: 'x', password: 'a long enough password' })).status).toBe(401);
    expect((await acceptInvite({ password: 'a long enough password' })).status).toBe(400);
  });

  test('an email already used → 409 email_taken, nothing created', async () => {
    const before = await userCount();
    const answer = await api('POST', '/users', tokens.admin, {
      email: 'AGENT@example.com',
      name: 'Dup',
      role: 'agent',
    });
    expect(answer.status).toBe(409);
    expect(error(answer.body)).toMatchObject({ code: 'conflict', reason: 'email_taken' });
    expect(await userCount()).toBe(before);
  });

  test.each([
    [{ name: 'No email', role: 'agent' }, 'email'],
    [{ email: 'not-an-email', name: 'X', role: 'agent' }, 'email'],
    [{ email: 'x@example.com', name: '', role: 'agent' }, 'name'],
    [{ email: 'x@example.com', name: 'X', role: 'owner' }, 'role'],
    [{ email: 'x@example.com', name: 'X', role: 'agent', capacity: -1 }, 'capacity'],
    [{ email: 'x@example.com', name: 'X', role: 'agent', password: 'sneaky' }, ''],
  ])('bad input %j → 400 malformed naming %s, nothing created', async (body, path) => {
    const before = await userCount();
    const answer = await api('POST', '/users', tokens.admin, body);
    expect(answer.status).toBe(400);
    expect(error(answer.body)).toMatchObject({ code: 'bad_request', reason: 'malformed' });
    expect(String(error(answer.body).params?.path ?? '')).toContain(path);
    expect(await userCount()).toBe(before);
  });

  test('supervisors and agents cannot invite (not even an admin)', async () => {
    const before = await userCount();
    for (const role of ['supervisor', 'agent'] as const) {
      const answer = await api('POST', '/users', tokens[role], {
        email: `${role}2@example.com`,
        name: 'X',
        role: 'admin',
      });
      expect(answer.status).toBe(403);
      expect(error(answer.body)).toMatchObject({ code: 'forbidden', reason: 'admin_only' });
    }
    expect(await userCount()).toBe(before);
  });
});

describe('PATCH /users/:id', () => {
  test('an admin changes a role, a capacity and a name', async () => {
    const answer = await api('PATCH', `/users/${ids.agent}`, tokens.admin, {
      role: 'supervisor',
      capacity: 7,
      name: 'Renamed',
    });
    expect(answer.status).toBe(200);
    expect(userOf(answer.body)).toMatchObject({ id: ids.agent, role: 'supervisor', capacity: 7, name: 'Renamed' });
  });

  test('nobody raises their own role or changes another user unless admin', async () => {
    for (const role of ['agent', 'supervisor'] as const) {
      const self = await api('PATCH', `/users/${ids[role]}`, tokens[role], { role: 'admin' });
      expect(self.status).toBe(403);
      expect(error(self.body).reason).toBe('admin_only');
      expect(await roleOf(ids[role])).toBe(role);
      const other = await api('PATCH', `/users/${ids.admin}`, tokens[role], { active: false });
      expect(other.status).toBe(403);
    }
    const supervisorOnAgent = await api('PATCH', `/users/${ids.agent}`, tokens.supervisor, { capacity: 99 });
    expect(supervisorOnAgent.status).toBe(403);
    const user = await server.agents.userById(ids.agent);
    expect(user?.capacity).not.toBe(99);
    expect(user?.active).toBe(true);
    expect((await server.agents.userById(ids.admin))?.active).toBe(true);
  });

  test('an admin may not demote or deactivate themselves', async () => {
    for (const patch of [{ role: 'agent' }, { role: 'supervisor' }, { active: false }]) {
      const answer = await api('PATCH', `/users/${ids.admin}`, tokens.admin, patch);
      expect(answer.status).toBe(403);
      expect(error(answer.body)).toMatchObject({ code: 'forbidden', reason: 'own_account' });
    }
    expect(await roleOf(ids.admin)).toBe('admin');
    // Their own name and capacity are theirs to change.
    expect((await api('PATCH', `/users/${ids.admin}`, tokens.admin, { name: 'Ada' })).status).toBe(200);
  });

  test('the last active admin cannot be demoted or deactivated (by an admin API token)', async () => {
    const integration = newId();
    await server.store.db
      .insertInto('agents')
      .values({
        id: integration,
        email: 'crm@integration.local',
        name: 'CRM',
        role: 'admin',
        kind: 'integration',
        presence: 'offline',
        password_hash: '',
        created_at: Date.now(),
        seq: 0,
      })
      .execute();
    const secret = 'pk_test_admin_token_0123456789';
    await server.store.db
      .insertInto('api_tokens')
      .values({
        id: newId(),
        agent_id: integration,
        name: 'CRM',
        token_hash: apiTokenHash(secret),
        created_by: ids.admin,
        created_at: Date.now(),
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    for (const patch of [{ role: 'agent' }, { active: false }]) {
      const answer = await api('PATCH', `/users/${ids.admin}`, secret, patch);
      expect(answer.status).toBe(409);
      expect(error(answer.body)).toMatchObject({ code: 'conflict', reason: 'last_admin' });
    }
    // With a second admin, the first may be demoted.
    expect((await api('PATCH', `/users/${ids.supervisor}`, secret, { role: 'admin' })).status).toBe(200);
    expect((await api('PATCH', `/users/${ids.admin}`, secret, { role: 'agent' })).status).toBe(200);
    expect(await roleOf(ids.admin)).toBe('agent');
  });

  test('deactivating ends the user’s sessions and sockets; reactivating lets them sign in again', async () => {
    const { socket } = await connectReady(server, tokens.agent);
    const answer = await api('PATCH', `/users/${ids.agent}`, tokens.admin, { active: false });
    expect(answer.status).toBe(200);
    const user = userOf(answer.body);
    expect(user.active).toBe(false);
    expect(user.deactivatedAt).not.toBeNull();
    await droppedSoon(socket);
    expect((await api('GET', '/me', tokens.agent)).status).toBe(401);
    const refused = await login(server, { email: 'agent@example.com', password: PASSWORD });
    expect(error(await refused.json()).reason).toBe('account_deactivated');
    const sessions = await server.store.db
      .selectFrom('sessions')
      .select('revoked_at')
      .where('agent_id', '=', ids.agent)
      .execute();
    expect(sessions.every((session) => session.revoked_at !== null)).toBe(true);

    const back = await api('PATCH', `/users/${ids.agent}`, tokens.admin, { active: true });
    expect(userOf(back.body)).toMatchObject({ active: true, deactivatedAt: null });
    expect((await login(server, { email: 'agent@example.com', password: PASSWORD })).status).toBe(200);
  });

  test('a role change ends the user’s sockets so they reconnect under the new role', async () => {
    const { socket } = await connectReady(server, tokens.agent);
    expect((await api('PATCH', `/users/${ids.agent}`, tokens.admin, { role: 'supervisor' })).status).toBe(200);
    await droppedSoon(socket);
    // The session itself lives on.
    expect((await api('GET', '/me', tokens.agent)).status).toBe(200);
  });

  test.each([
    [{ role: 'root' }],
    [{ capacity: 1.5 }],
    [{ active: 'no' }],
    [{ email: 'other@example.com' }],
    [{ name: '' }],
  ])('bad input %j → 400, nothing changed', async (patch) => {
    const before = await server.agents.userById(ids.agent);
    const answer = await api('PATCH', `/users/${ids.agent}`, tokens.admin, patch);
    expect(answer.status).toBe(400);
    expect(error(answer.body).code).toBe('bad_request');
    expect(await server.agents.userById(ids.agent)).toEqual(before);
  });

  test('an unknown user → 404 user_missing', async () => {
    const answer = await api('PATCH', `/users/${newId()}`, tokens.admin, { capacity: 3 });
    expect(answer.status).toBe(404);
    expect(error(answer.body)).toMatchObject({ code: 'not_found', reason: 'user_missing' });
  });
});

describe('create-admin, the first-run command', () => {
  test('creates an admin who can sign in, and refuses an email that exists', async () => {
    const { createAdmin } = await import('../src/create-admin.js');
    const { loadConfig } = await import('../src/config.js');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-create-admin-'));
    vi.stubEnv('PARLEY_ADMIN_PASSWORD', 'a long enough password');
    try {
      // The server's database on the engine under test: the same one startTestServer opens below.
      const config = { ...loadConfig({}), dataDir, databaseUrl: await testDatabaseUrl(dataDir) };
      const message = await createAdmin(['--email', 'Ada@Example.com', '--name', 'Ada Lovelace'], config);
      expect(message).toContain('ada@example.com');
      await expect(createAdmin(['--email', 'ada@example.com', '--name', 'Again'], config)).rejects.toThrow(
        /already exists/,
      );
      await expect(createAdmin(['--email', 'not-an-email', '--name', 'X'], config)).rejects.toThrow(/--email/);
      await expect(createAdmin(['--name', 'X'], config)).rejects.toThrow(/--email is required/);
      vi.stubEnv('PARLEY_ADMIN_PASSWORD', 'short');
      await expect(createAdmin(['--email', 'bo@example.com', '--name', 'Bo'], config)).rejects.toThrow(/8 characters/);

      const started = await startTestServer({ dataDir });
      try {
        const response = await login(started, { email: 'ada@example.com', password: 'a long enough password' });
        expect(response.status).toBe(200);
        expect(LoginResponseSchema.parse(await response.json()).agent).toMatchObject({ role: 'admin', active: true });
        expect(await started.agents.hasAgent('bo@example.com')).toBe(false);
      } finally {
        await started.close();
      }
    } finally {
      vi.unstubAllEnvs();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
