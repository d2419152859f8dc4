import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AgentSchema, ApiErrorSchema, LoginResponseSchema, SESSION_COOKIE } from '@parley/protocol';
import {
  AGENT,
  connectError,
  connectReady,
  connectSocket,
  disconnected,
  login,
  startTestServer,
  type TestServer,
} from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ email: AGENT.email, name: AGENT.name, role: 'agent', password: AGENT.password });
});

afterEach(async () => {
  await server.cleanup();
});

async function me(headers: Record<string, string>): Promise<Response> {
  return fetch(new URL('/api/auth/me', server.url), { headers });
}

async function logout(headers: Record<string, string>): Promise<Response> {
  return fetch(new URL('/api/auth/logout', server.url), { method: 'POST', headers });
}

async function signedIn(): Promise<{ token: string; cookie: string }> {
  const response = await login(server, { email: AGENT.email, password: AGENT.password });
  expect(response.status).toBe(200);
  const { token } = LoginResponseSchema.parse(await response.json());
  return { token, cookie: `${SESSION_COOKIE}=${token}` };
}

describe('POST /api/auth/login', () => {
  test('good credentials → token, agent and an HttpOnly session cookie', async () => {
    const response = await login(server, { email: AGENT.email, password: AGENT.password });
    expect(response.status).toBe(200);
    const body = LoginResponseSchema.parse(await response.json());
    expect(body.agent).toMatchObject({ email: AGENT.email, name: AGENT.name, role: 'agent' });
    expect(body.token.length).toBeGreaterThanOrEqual(32);

    const cookies = response.headers.getSetCookie();
    const session = cookies.find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
    expect(session).toBeDefined();
    const attributes = (session ?? '').split(';').map((part) => part.trim());
    expect(attributes[0]).toBe(`${SESSION_COOKIE}=${body.token}`);
    expect(attributes.map((a) => a.toLowerCase())).toContain('httponly');
    expect(attributes.map((a) => a.toLowerCase())).toContain('samesite=strict');
    expect(attributes).toContain('Path=/');
  });

  test('the email is matched whatever its case and surrounding spaces', async () => {
    const response = await login(server, { email: `  ${AGENT.email.toUpperCase()} `, password: AGENT.password });
    expect(response.status).toBe(200);
    expect(LoginResponseSchema.parse(await response.json()).agent.email).toBe(AGENT.email);
  });

  test('a wrong password and an unknown email get the same 401, and no cookie', async () => {
    const wrongPassword = await login(server, { email: AGENT.email, password: 'wrong horse battery' });
    const unknownEmail = await login(server, { email: 'nobody@example.com', password: AGENT.password });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.headers.getSetCookie()).toEqual([]);
    const a = ApiErrorSchema.parse(await wrongPassword.json());
    const b = ApiErrorSchema.parse(await unknownEmail.json());
    expect(a).toEqual(b);
    expect(a.code).toBe('unauthorized');
    expect(a.reason).toBe('bad_credentials');
  });

  test.each([
    [{ email: 'not-an-email', password: 'x' }, 'email_invalid', 'email'],
    [{ email: AGENT.email, password: '' }, 'password_missing', 'password'],
  ])('an invalid field %j → 400 with a reason that says what to fix', async (body, reason, field) => {
    const response = await login(server, body);
    expect(response.status).toBe(400);
    const error = ApiErrorSchema.parse(await response.json());
    expect(error.code).toBe('bad_request');
    expect(error).toMatchObject({ reason, params: { field } });
  });

  // The refusal is worded for whoever signs in: it must say which field is missing.
  test.each([
    [{ email: AGENT.email }, 'password_missing', 'password'],
    [{ password: AGENT.password }, 'email_invalid', 'email'],
    [{}, 'email_invalid', 'email'],
  ])('a missing field %j → 400 with a reason that names the field', async (body, reason, field) => {
    const response = await login(server, body);
    expect(response.status).toBe(400);
    const error = ApiErrorSchema.parse(await response.json());
    expect(error.code).toBe('bad_request');
    expect(error).toMatchObject({ reason, params: { field } });
  });

  test('a body that is not JSON → 400 with a reason', async () => {
    const response = await login(server, null, { raw: '{"email": "agent@example.com", ' });
    expect(response.status).toBe(400);
    const error = ApiErrorSchema.parse(await response.json());
    expect(error).toMatchObject({ code: 'bad_request', reason: 'body_not_json' });
  });
});

describe('GET /api/auth/me and POST /api/auth/logout', () => {
  test('me answers the agent for a Bearer token and for the session cookie', async () => {
    const { token, cookie } = await signedIn();
    const byBearer = await me({ authorization: `Bearer ${token}` });
    expect(byBearer.status).toBe(200);
    const agent = AgentSchema.parse(((await byBearer.json()) as { agent: unknown }).agent);
    expect(agent.email).toBe(AGENT.email);

    const byCookie = await me({ cookie });
    expect(byCookie.status).toBe(200);
    expect(AgentSchema.parse(((await byCookie.json()) as { agent: unknown }).agent).id).toBe(agent.id);
  });

  test('me answers 401 without a session or with a made-up one', async () => {
    expect((await me({})).status).toBe(401);
    expect((await me({ authorization: 'Bearer not-a-real-token' })).status).toBe(401);
    expect((await me({ cookie: `${SESSION_COOKIE}=not-a-real-token` })).status).toBe(401);
  });

  test('logout ends the session for HTTP and for new sockets, and clears the cookie', async () => {
    const { token, cookie } = await signedIn();
    const other = await signedIn();
    // Both work before.
    (await connectSocket(server, { token })).disconnect();
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(200);

    const response = await logout({ authorization: `Bearer ${token}` });
    expect(response.status).toBe(204);
    const cleared = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);

    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(401);
    expect((await me({ cookie })).status).toBe(401);
    const refused = await connectError(server, { token });
    expect(refused.data).toEqual({ code: 'unauthorized', reason: 'session_ended' });
    // Only that session ended: another sign-in of the same agent still works.
    expect((await me({ authorization: `Bearer ${other.token}` })).status).toBe(200);
  });

  test('an expired session is refused over HTTP and on the socket', async () => {
    const { token } = await signedIn();
    await server.store.db
      .updateTable('sessions')
      .set({ expires_at: Date.now() - 1000 })
      .execute();
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(401);
    expect((await connectError(server, { token })).data).toEqual({ code: 'unauthorized', reason: 'session_ended' });
  });

  test('logging out ends that session’s open sockets', async () => {
    const { token } = await signedIn();
    const { socket } = await connectReady(server, token);
    const closed = disconnected(socket);
    expect((await logout({ authorization: `Bearer ${token}` })).status).toBe(204);
    // A signed-out session must stop receiving customers' messages at once.
    await closed;
  });

  test('logout with the cookie ends the cookie’s session', async () => {
    const { token, cookie } = await signedIn();
    expect((await logout({ cookie })).status).toBe(204);
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(401);
  });
});
