import type { Agent } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { login, startTestServer, type TestServer } from './helpers.js';
import { call, key, person, setTeams, team, thread } from './api-support.js';

/** /api/v1/tokens: admins make and revoke tokens; each acts as an integration with its role. */

let server: TestServer | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

type Token = {
  id: string;
  name: string;
  role: string;
  agentId: string;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
};

describe('/api/v1/tokens', () => {
  it('creates a token whose secret works once shown, lists it without the secret, and revokes it', async () => {
    server = await startTestServer();
    const admin = await person(server, { role: 'admin' });
    const created = await call<{ token: Token; secret: string }>(server, admin.token, 'POST', '/tokens', {
      body: { name: 'Acme CRM', role: 'admin' },
    });
    expect(created.status).toBe(201);
    const { token, secret } = created.body;
    expect(secret).toMatch(/^pk_[A-Za-z0-9_-]{40,}$/);
    expect(token).toMatchObject({ name: 'Acme CRM', role: 'admin', createdBy: admin.id, revokedAt: null });

    // Only a hash is stored.
    const rows = await server.store.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);

    const me = await call<{ agent: Agent }>(server, secret, 'GET', '/me');
    expect(me.status).toBe(200);
    expect(me.body.agent).toMatchObject({ id: token.agentId, kind: 'integration', role: 'admin', name: 'Acme CRM' });
    const agentRow = await server.store.db
      .selectFrom('agents')
      .select(['email', 'kind'])
      .where('id', '=', token.agentId)
      .executeTakeFirstOrThrow();
    expect(agentRow).toEqual({ email: `token-${token.id}@integrations.invalid`, kind: 'integration' });
    // The integration can never sign in with a password.
    const signIn = await login(server, { email: agentRow.email, password: '' });
    expect(signIn.status).not.toBe(200);

    const list = await call<{ tokens: Token[] }>(server, admin.token, 'GET', '/tokens');
    expect(list.status).toBe(200);
    expect(list.body.tokens).toHaveLength(1);
    expect(list.body.tokens[0]?.id).toBe(token.id);
    expect(list.body.tokens[0]?.lastUsedAt).toEqual(expect.any(Number));
    expect(list.text).not.toContain(secret);

    const revoked = await call(server, admin.token, 'DELETE', `/tokens/${token.id}`);
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    const after = await call(server, secret, 'GET', '/me');
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ code: 'unauthorized', reason: 'api_token_invalid' });
    const listed = await call<{ tokens: Token[] }>(server, admin.token, 'GET', '/tokens');
    expect(listed.body.tokens[0]?.revokedAt).toEqual(expect.any(Number));
    // Revoking again changes nothing; an unknown token is missing.
    expect((await call(server, admin.token, 'DELETE', `/tokens/${token.id}`)).status).toBe(204);
    expect((await call(server, admin.token, 'DELETE', '/tokens/nope')).status).toBe(404);
  });

  it('is for admins only, and refuses malformed input', async () => {
    server = await startTestServer();
    const admin = await person(server, { role: 'admin' });
    const supervisor = await person(server, { role: 'supervisor' });
    const agent = await person(server, { role: 'agent' });
    for (const caller of [supervisor, agent]) {
      const create = await call(server, caller.token, 'POST', '/tokens', { body: { name: 'Mine', role: 'admin' } });
      expect(create.status).toBe(403);
      expect(create.body).toEqual({ code: 'forbidden', reason: 'admin_only' });
      expect((await call(server, caller.token, 'GET', '/tokens')).status).toBe(403);
    }
    const made = await call<{ token: Token }>(server, admin.token, 'POST', '/tokens', {
      body: { name: 'Bot', role: 'agent' },
    });
    expect((await call(server, agent.token, 'DELETE', `/tokens/${made.body.token.id}`)).status).toBe(403);
    // A token cannot make tokens unless its role is admin.
    const agentSecret = (
      await call<{ secret: string }>(server, admin.token, 'POST', '/tokens', { body: { name: 'Bot 2', role: 'agent' } })
    ).body.secret;
    expect((await call(server, agentSecret, 'POST', '/tokens', { body: { name: 'x', role: 'admin' } })).status).toBe(
      403,
    );

    for (const body of [
      { name: '', role: 'agent' },
      { name: 'X', role: 'owner' },
      { name: 'X' },
      { name: 'X', role: 'agent', kind: 'person' },
    ]) {
      const refused = await call(server, admin.token, 'POST', '/tokens', { body });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'bad_request', reason: 'malformed', params: { part: 'body' } });
    }
    expect(await server.store.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(2);
    expect(
      (await server.store.db.selectFrom('agents').select('id').where('kind', '=', 'integration').execute()).length,
    ).toBe(2);
  });

  it('acts with its role: an agent token sees nothing until it joins a team, and cannot assign', async () => {
    server = await startTestServer();
    const admin = await person(server, { role: 'admin' });
    const sales = await team(server, 'Sales');
    const ana = await person(server, { role: 'agent', name: 'Ana', teamIds: [sales] });
    const open = await thread(server, { teamId: sales });
    const made = await call<{ token: Token; secret: string }>(server, admin.token, 'POST', '/tokens', {
      body: { name: 'Bot', role: 'agent' },
    });
    const bot = made.body.secret;

    // In no team, not even the default one every new person joins.
    expect(
      await server.store.db
        .selectFrom('team_members')
        .select('team_id')
        .where('agent_id', '=', made.body.token.agentId)
        .execute(),
    ).toEqual([]);
    const none = await call<{ conversations: unknown[] }>(server, bot, 'GET', '/conversations');
    expect(none.body.conversations).toEqual([]);
    expect((await call(server, bot, 'GET', `/conversations/${open.conversationId}`)).status).toBe(404);

    await setTeams(server, made.body.token.agentId, [sales]);
    const some = await call<{ conversations: { id: string }[] }>(server, bot, 'GET', '/conversations');
    expect(some.body.conversations.map((c) => c.id)).toEqual([open.conversationId]);
    const note = await call(server, bot, 'POST', `/conversations/${open.conversationId}/notes`, {
      body: { text: 'From the CRM: gold customer' },
      key: key(),
    });
    expect(note.status).toBe(201);
    // An agent-role integration may not hand the conversation to someone.
    const assign = await call(server, bot, 'POST', `/conversations/${open.conversationId}/assign`, {
      body: { assigneeId: ana.id },
      key: key(),
    });
    expect(assign.status).toBe(403);
    expect(assign.body).toEqual({ code: 'forbidden', reason: 'supervisor_only' });
    // Metrics are for supervisors.
    expect((await call(server, bot, 'GET', '/metrics/agents/today')).body).toEqual({
      code: 'forbidden',
      reason: 'supervisor_only',
    });
  });
});
