import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  ApiErrorSchema,
  LoginResponseSchema,
  REFRESH_COOKIE,
  SESSION_COOKIE,
  type LoginResponse,
} from '@parley/protocol';
import { tokenHash } from '../src/modules/agents/index.js';
import {
  AGENT,
  connectError,
  connectReady,
  login,
  startTestServer,
  type ClientSocket,
  type TestServer,
} from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ accessTokenMinutes: 15 });
  await server.agents.createAgent({ email: AGENT.email, name: AGENT.name, role: 'agent', password: AGENT.password });
});

afterEach(async () => {
  await server.cleanup();
});

async function signIn(): Promise<{ body: LoginResponse; cookies: string[] }> {
  const response = await login(server, { email: AGENT.email, password: AGENT.password });
  expect(response.status).toBe(200);
  return { body: LoginResponseSchema.parse(await response.json()), cookies: response.headers.getSetCookie() };
}

function me(token: string): Promise<Response> {
  return fetch(new URL('/api/auth/me', server.url), { headers: { authorization: `Bearer ${token}` } });
}

function refresh(body: object | null, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL('/api/auth/refresh', server.url), {
    method: 'POST',
    headers: { ...(body === null ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === null ? {} : { body: JSON.stringify(body) }),
  });
}

/** Waits until the server has dropped the socket, checking every 50 ms (fails after 3 s). */
async function droppedSoon(socket: ClientSocket): Promise<void> {
  const deadline = Date.now() + 3000;
  while (socket.connected) {
    if (Date.now() > deadline) throw new Error('the socket was still connected');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('sign-in tokens', () => {
  test('login answers an access token, a refresh token and when the access token expires', async () => {
    const before = Date.now();
    const { body, cookies } = await signIn();
    expect(body.token).not.toBe(body.refreshToken);
    expect(body.accessExpiresAt).toBeGreaterThanOrEqual(before + 15 * 60 * 1000);
    expect(body.accessExpiresAt).toBeLessThan(before + 16 * 60 * 1000);
    const access = cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    const refreshCookie = cookies.find((c) => c.startsWith(`${REFRESH_COOKIE}=`)) ?? '';
    expect(access).toContain(`${SESSION_COOKIE}=${body.token}`);
    expect(access).toContain('Path=/;');
    expect(refreshCookie).toContain(`${REFRESH_COOKIE}=${body.refreshToken}`);
    expect(refreshCookie).toContain('Path=/api/auth');
    expect(refreshCookie.toLowerCase()).toContain('httponly');
    // Only hashes are stored.
    const rows = await server.store.db.selectFrom('sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(body.token);
    expect(JSON.stringify(rows)).not.toContain(body.refreshToken.split('.')[1]);
  });

  test('refresh rotates both tokens; the old access token stops working', async () => {
    const { body: first } = await signIn();
    const response = await refresh({ refreshToken: first.refreshToken });
    expect(response.status).toBe(200);
    const second = LoginResponseSchema.parse(await response.json());
    expect(second.token).not.toBe(first.token);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.agent.email).toBe(AGENT.email);
    expect((await me(second.token)).status).toBe(200);
    expect((await me(first.token)).status).toBe(401);
    // Still one session: a refresh is not a new sign-in.
    expect(await server.store.db.selectFrom('sessions').select('token_hash').execute()).toHaveLength(1);
  });

  test('the refresh cookie works in place of the body (browsers)', async () => {
    const { body } = await signIn();
    const response = await refresh(null, { cookie: `${REFRESH_COOKIE}=${body.refreshToken}` });
    expect(response.status).toBe(200);
    const next = LoginResponseSchema.parse(await response.json());
    expect(response.headers.getSetCookie().some((c) => c.startsWith(`${REFRESH_COOKIE}=${next.refreshToken}`))).toBe(
      true,
    );
  });

  test('a replaced refresh token presented again revokes the whole session (theft detection)', async () => {
    const { body: first } = await signIn();
    const second = LoginResponseSchema.parse(await (await refresh({ refreshToken: first.refreshToken })).json());
    const { socket } = await connectReady(server, second.token);

    const replay = await refresh({ refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    expect(ApiErrorSchema.parse(await replay.json())).toMatchObject({
      code: 'unauthorized',
      reason: 'refresh_invalid',
    });
    // Whoever held the newer pair is signed out too, and their socket is closed.
    expect((await me(second.token)).status).toBe(401);
    expect((await refresh({ refreshToken: second.refreshToken })).status).toBe(401);
    await droppedSoon(socket);
    const row = await server.store.db.selectFrom('sessions').select('revoked_at').executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
  });

  test.each([
    [{ refreshToken: 'not-a-token' }],
    [{ refreshToken: 'AAAAAAAAAAAAAAAAAAAAAA.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }],
    [{}],
  ])('a refresh with %j → 401 refresh_invalid', async (body) => {
    await signIn();
    const response = await refresh(body);
    expect(response.status).toBe(401);
    expect(ApiErrorSchema.parse(await response.json()).reason).toBe('refresh_invalid');
  });

  test('a malformed refresh body → 400 and nothing changes', async () => {
    const { body } = await signIn();
    const response = await refresh({ refreshToken: 42 });
    expect(response.status).toBe(400);
    expect((await me(body.token)).status).toBe(200);
  });

  test('an expired access token is refused with session_ended, and a refresh brings a working one', async () => {
    const { body } = await signIn();
    await server.store.db
      .updateTable('sessions')
      .set({ expires_at: Date.now() - 1 })
      .execute();
    const refused = await me(body.token);
    expect(refused.status).toBe(401);
    expect(ApiErrorSchema.parse(await refused.json()).reason).toBe('session_ended');
    expect((await connectError(server, { token: body.token })).data).toEqual({
      code: 'unauthorized',
      reason: 'session_ended',
    });
    const next = LoginResponseSchema.parse(await (await refresh({ refreshToken: body.refreshToken })).json());
    expect((await me(next.token)).status).toBe(200);
  });

  test('an expired sign-in refuses the refresh and loses its sockets', async () => {
    const { body } = await signIn();
    const { socket } = await connectReady(server, body.token);
    await server.store.db
      .updateTable('sessions')
      .set({ refresh_expires_at: Date.now() - 1 })
      .execute();
    await droppedSoon(socket);
    expect((await refresh({ refreshToken: body.refreshToken })).status).toBe(401);
    expect((await me(body.token)).status).toBe(401);
  });

  test('logout with the refresh token revokes the session: neither token works after', async () => {
    const { body } = await signIn();
    const response = await fetch(new URL('/api/auth/logout', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: body.refreshToken }),
    });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie().some((c) => c.startsWith(`${REFRESH_COOKIE}=;`))).toBe(true);
    expect((await me(body.token)).status).toBe(401);
    expect((await refresh({ refreshToken: body.refreshToken })).status).toBe(401);
  });
});

describe('sockets follow their session', () => {
  test('a session revoked in the database loses its socket, and other sessions keep theirs', async () => {
    const { body } = await signIn();
    const { body: other } = await signIn();
    const { socket } = await connectReady(server, body.token);
    const { socket: otherSocket } = await connectReady(server, other.token);
    // Revoke the first session only (by its access token's hash).
    await server.store.db
      .updateTable('sessions')
      .set({ revoked_at: Date.now() })
      .where('token_hash', '=', tokenHash(body.token))
      .execute();
    await droppedSoon(socket);
    expect(otherSocket.connected).toBe(true);
    // The other socket still gets answers.
    const reply: unknown = await otherSocket.timeout(3000).emitWithAck('sync:pull', { cursor: 0, limit: 1 });
    expect(reply).toMatchObject({ ok: true });
  });

  test('a deleted session loses its socket', async () => {
    const { body } = await signIn();
    const { socket } = await connectReady(server, body.token);
    await server.store.db.deleteFrom('sessions').execute();
    await droppedSoon(socket);
  });

  test('a deactivated user loses their sockets and their token stops working', async () => {
    const { body } = await signIn();
    const { socket } = await connectReady(server, body.token);
    await server.store.db.updateTable('agents').set({ active: 0 }).where('email', '=', AGENT.email).execute();
    await droppedSoon(socket);
    expect(await server.agents.agentForToken(body.token)).toBeNull();
    expect((await me(body.token)).status).toBe(401);
  });

  test('a request on a socket whose session was revoked is not answered', async () => {
    const { body } = await signIn();
    const { socket } = await connectReady(server, body.token);
    await server.agents.logout({ refresh: body.refreshToken });
    // Past the age of the socket's cached check: whether the request's own check or the
    // sweep finds the session gone first, the request gets no answer.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const answer = socket
      .timeout(3000)
      .emitWithAck('sync:pull', { cursor: 0, limit: 1 })
      .then(
        () => 'answered',
        () => 'not answered',
      );
    await droppedSoon(socket);
    expect(await answer).toBe('not answered');
  });
});
