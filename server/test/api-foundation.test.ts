import { afterEach, describe, expect, it } from 'vitest';
import { signIn, startTestServer, type TestServer } from './helpers.js';

/** The /api/v1 scope: who the caller is, refusals in codes, and the OpenAPI document. */

let server: TestServer | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

describe('/api/v1', () => {
  it('answers the caller with a session, refuses without one, and documents itself', async () => {
    server = await startTestServer();
    const { token, agent } = await signIn(server);
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ agent: { id: agent.id, role: 'agent', active: true } });

    const anonymous = await fetch(`${server.url}/api/v1/me`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ code: 'unauthorized', reason: 'session_missing' });
    const unknownToken = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: 'Bearer pk_nope' } });
    expect(await unknownToken.json()).toEqual({ code: 'unauthorized', reason: 'api_token_invalid' });

    const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/api/v1/me');
    // The app's own routes are not part of the integration API.
    expect(Object.keys(document.paths)).not.toContain('/api/auth/login');
  });
});
