import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';
import { FAST_TUNING, startFakeGraph, type FakeGraph } from './outbound-support.js';
import { call, key, person, team, thread, type Answer, type Person } from './api-support.js';

/**
 * The /api/v1 document: valid OpenAPI 3.1, and every route it documents answered. The test
 * walks the document, not a list of its own: a route added without a valid request here
 * fails it ("no request for …"), so each route is called at least once, anonymously (401)
 * and with a valid request (an answer the route documents, never a 5xx).
 */

type Operation = {
  operationId?: string;
  summary?: string;
  requestBody?: unknown;
  tags?: string[];
  responses: Record<string, unknown>;
  parameters?: { name: string; in: string; required?: boolean }[];
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

type Context = { server: TestServer; admin: Person; teamId: string; conversationId: string };

/** A valid request for each documented operation, by `METHOD /path` as the document names it. */
const REQUESTS: Record<string, (context: Context) => Promise<Answer>> = {
  'GET /api/v1/me': ({ server, admin }) => call(server, admin.token, 'GET', '/me'),

  'GET /api/v1/conversations': ({ server, admin }) =>
    call(server, admin.token, 'GET', '/conversations?status=open&channel=whatsapp&limit=10'),
  'GET /api/v1/conversations/{id}': ({ server, admin, conversationId }) =>
    call(server, admin.token, 'GET', `/conversations/${conversationId}`),
  'GET /api/v1/conversations/{id}/messages': ({ server, admin, conversationId }) =>
    call(server, admin.token, 'GET', `/conversations/${conversationId}/messages?limit=5`),
  'POST /api/v1/conversations/{id}/messages': ({ server, admin, conversationId }) =>
    call(server, admin.token, 'POST', `/conversations/${conversationId}/messages`, {
      body: { content: { kind: 'text', text: 'Hello from the API' } },
      key: key(),
    }),
  'POST /api/v1/conversations/{id}/notes': ({ server, admin, conversationId }) =>
    call(server, admin.token, 'POST', `/conversations/${conversationId}/notes`, {
      body: { text: 'A note' },
      key: key(),
    }),
  'POST /api/v1/conversations/{id}/assign': ({ server, admin, conversationId }) =>
    call(server, admin.token, 'POST', `/conversations/${conversationId}/assign`, {
      body: { assigneeId: admin.id, note: 'Mine now' },
      key: key(),
    }),
  'POST /api/v1/conversations/{id}/status': ({ server, admin, conversationId }) =>
    call(server, admin.token, 'POST', `/conversations/${conversationId}/status`, {
      body: { status: 'pending' },
      key: key(),
    }),
  'POST /api/v1/conversations/{id}/snooze': ({ server, admin, conversationId }) =>
    call(server, admin.token, 'POST', `/conversations/${conversationId}/snooze`, {
      body: { until: Date.now() + 60 * 60 * 1000 },
      key: key(),
    }),
  'POST /api/v1/conversations/{id}/unread': ({ server, admin, conversationId }) =>
    call(server, admin.token, 'POST', `/conversations/${conversationId}/unread`, { key: key() }),
  'PUT /api/v1/contacts/{id}/note': async ({ server, admin, conversationId }) => {
    const { contact_id: contactId } = await server.store.db
      .selectFrom('conversations')
      .select('contact_id')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    return call(server, admin.token, 'PUT', `/contacts/${contactId}/note`, {
      body: { note: 'Prefers mornings.' },
      key: key(),
    });
  },
  'GET /api/v1/canned-responses': ({ server, admin }) => call(server, admin.token, 'GET', '/canned-responses'),
  'POST /api/v1/canned-responses': ({ server, admin }) =>
    call(server, admin.token, 'POST', '/canned-responses', {
      body: { shortcut: `s${key().slice(2, 10)}`, title: 'Greeting', body: 'Hello {{contact.name}}', shared: true },
      key: key(),
    }),
  'PUT /api/v1/canned-responses/{id}': async ({ server, admin }) => {
    const made = await call<{ cannedResponse: { id: string; shortcut: string } }>(
      server,
      admin.token,
      'POST',
      '/canned-responses',
      { body: { shortcut: `e${key().slice(2, 10)}`, title: 'Old', body: 'Old words', shared: false }, key: key() },
    );
    return call(server, admin.token, 'PUT', `/canned-responses/${made.body.cannedResponse.id}`, {
      body: { shortcut: made.body.cannedResponse.shortcut, title: 'New', body: 'New words' },
      key: key(),
    });
  },
  'DELETE /api/v1/canned-responses/{id}': async ({ server, admin }) => {
    const made = await call<{ cannedResponse: { id: string } }>(server, admin.token, 'POST', '/canned-responses', {
      body: { shortcut: `d${key().slice(2, 10)}`, title: 'Doomed', body: 'Bye', shared: false },
      key: key(),
    });
    return call(server, admin.token, 'DELETE', `/canned-responses/${made.body.cannedResponse.id}`, { key: key() });
  },

  'GET /api/v1/tokens': ({ server, admin }) => call(server, admin.token, 'GET', '/tokens'),
  'POST /api/v1/tokens': ({ server, admin }) =>
    call(server, admin.token, 'POST', '/tokens', { body: { name: 'CRM', role: 'agent' } }),
  'DELETE /api/v1/tokens/{id}': async ({ server, admin }) => {
    const made = await call<{ token: { id: string } }>(server, admin.token, 'POST', '/tokens', {
      body: { name: 'Short-lived', role: 'agent' },
    });
    return call(server, admin.token, 'DELETE', `/tokens/${made.body.token.id}`);
  },

  'GET /api/v1/metrics/daily': ({ server, admin }) =>
    call(server, admin.token, 'GET', '/metrics/daily?from=2026-01-01&to=2026-12-31&tz=Europe/Paris'),
  'GET /api/v1/metrics/daily.csv': ({ server, admin }) =>
    call(server, admin.token, 'GET', '/metrics/daily.csv?from=2026-01-01&to=2026-12-31&by=team,agent'),
  'GET /api/v1/metrics/agents/today': ({ server, admin, teamId }) =>
    call(server, admin.token, 'GET', `/metrics/agents/today?teamId=${teamId}`),

  // The contract's administration routes, called when the document has them.
  'GET /api/v1/users': ({ server, admin }) => call(server, admin.token, 'GET', '/users'),
  'POST /api/v1/users': ({ server, admin }) =>
    call(server, admin.token, 'POST', '/users', {
      body: { email: `new-${key()}@example.com`, name: 'New Person', role: 'agent', capacity: 5 },
    }),
  'PATCH /api/v1/users/{id}': async ({ server, admin }) => {
    const someone = await person(server, { role: 'agent' });
    return call(server, admin.token, 'PATCH', `/users/${someone.id}`, { body: { name: 'Renamed', capacity: 3 } });
  },
  'GET /api/v1/teams': ({ server, admin }) => call(server, admin.token, 'GET', '/teams'),
  'POST /api/v1/teams': ({ server, admin }) =>
    call(server, admin.token, 'POST', '/teams', { body: { name: `Team ${key()}`, autoAssign: false } }),
  'PATCH /api/v1/teams/{id}': ({ server, admin, teamId }) =>
    call(server, admin.token, 'PATCH', `/teams/${teamId}`, { body: { waitingTargetSeconds: 900 } }),
  'DELETE /api/v1/teams/{id}': async ({ server, admin }) =>
    call(server, admin.token, 'DELETE', `/teams/${await team(server, 'Doomed')}`),
  'PUT /api/v1/teams/{id}/members': ({ server, admin, teamId }) =>
    call(server, admin.token, 'PUT', `/teams/${teamId}/members`, { body: { agentIds: [admin.id] } }),
  'PUT /api/v1/settings/default-team': ({ server, admin, teamId }) =>
    call(server, admin.token, 'PUT', '/settings/default-team', { body: { teamId } }),
  'PUT /api/v1/me/presence': ({ server, admin }) =>
    call(server, admin.token, 'PUT', '/me/presence', { body: { presence: 'away' } }),
};

/** Concrete values for a templated path, for the anonymous calls. */
function concrete(path: string): string {
  return path.replace('/api/v1', '').replaceAll(/\{[^}]+\}/g, 'some-id');
}

let server: TestServer;
let fake: FakeGraph;
let document: Document;
let context: Context;

beforeAll(async () => {
  fake = await startFakeGraph();
  server = await startTestServer({ graph: { baseUrl: fake.url, version: 'v21.0' } });
  server.outbound.tune(FAST_TUNING);
  const admin = await person(server, { role: 'admin' });
  const teamId = await team(server, 'Sales');
  const { conversationId } = await thread(server, { teamId });
  context = { server, admin, teamId, conversationId };
  const response = await fetch(`${server.url}/api/v1/openapi.json`);
  expect(response.status).toBe(200);
  document = (await response.json()) as Document;
});

afterAll(async () => {
  await server.cleanup();
  await fake.close();
});

function operations(): { method: string; path: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'put', 'post', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

describe('/api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator does refuse a broken document (a response without its description).
    const broken = structuredClone(document);
    const first = Object.values(Object.values(broken.paths)[0] ?? {})[0];
    if (first === undefined) throw new Error('the document has no operation');
    first.responses['200'] = { content: {} };
    expect((await new Validator().validate(broken as unknown as Record<string, unknown>)).valid).toBe(false);
  });

  it('documents every route with a summary, a tag and its error answers', () => {
    const all = operations();
    expect(all.length).toBeGreaterThan(0);
    for (const { method, path, operation } of all) {
      const id = `${method} ${path}`;
      expect(operation.summary, id).toEqual(expect.any(String));
      expect(operation.tags?.length, id).toBeGreaterThan(0);
      expect(Object.keys(operation.responses), id).toContain('401');
      expect(
        Object.keys(operation.responses).some((status) => status.startsWith('2')),
        id,
      ).toBe(true);
    }
    // Client generators name methods after operationIds: where given, each is unique.
    const operationIds = all.flatMap(({ operation }) =>
      operation.operationId === undefined ? [] : [operation.operationId],
    );
    expect(operationIds.length).toBeGreaterThan(0);
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('refuses every documented route without credentials', async () => {
    for (const { method, path } of operations()) {
      const answer = await call(server, null, method, concrete(path), method === 'GET' ? {} : { body: {} });
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.body, `${method} ${path}`).toEqual({ code: 'unauthorized', reason: 'session_missing' });
    }
  });

  it('refuses a malformed body on every documented route that takes one, changing nothing', async () => {
    const head = async (): Promise<unknown[]> => [
      await server.store.db.selectFrom('seq_counter').select('value').execute(),
      await server.store.db.selectFrom('api_tokens').select('id').execute(),
      await server.store.db.selectFrom('mutations').select('client_id').execute(),
    ];
    const before = await head();
    let withBodies = 0;
    for (const { method, path, operation } of operations()) {
      if (operation.requestBody === undefined) continue;
      withBodies += 1;
      const id = `${method} ${path}`;
      const concretePath = path
        .replace('/api/v1', '')
        .replaceAll('{id}', path.startsWith('/api/v1/conversations') ? context.conversationId : context.teamId);
      for (const body of [['not', 'an', 'object'], 'text', 42]) {
        const answer = await call(server, context.admin.token, method, concretePath, { body, key: key() });
        expect(answer.status, `${id} ${JSON.stringify(body)}: ${answer.text}`).toBe(400);
        expect(answer.body, id).toMatchObject({ code: 'bad_request' });
      }
    }
    expect(withBodies).toBeGreaterThan(0);
    expect(await head()).toEqual(before);
  });

  it('answers a valid request on every documented route', async () => {
    for (const { method, path, operation } of operations()) {
      const id = `${method} ${path}`;
      const request = REQUESTS[id];
      if (request === undefined) throw new Error(`no request for ${id}: add a valid one to REQUESTS in this test`);
      const answer = await request(context);
      expect(answer.status, `${id}: ${answer.text}`).toBeLessThan(500);
      expect(Object.keys(operation.responses), `${id} answered ${answer.status}, which it does not document`).toContain(
        String(answer.status),
      );
    }
  });

  it('documents and succeeds on the conversation, contact, canned response, token and metrics routes', async () => {
    const expected: Record<string, number> = {
      'GET /api/v1/me': 200,
      'GET /api/v1/conversations': 200,
      'GET /api/v1/conversations/{id}': 200,
      'GET /api/v1/conversations/{id}/messages': 200,
      'POST /api/v1/conversations/{id}/messages': 202,
      'POST /api/v1/conversations/{id}/notes': 201,
      'POST /api/v1/conversations/{id}/assign': 200,
      'POST /api/v1/conversations/{id}/status': 200,
      'POST /api/v1/conversations/{id}/snooze': 200,
      'POST /api/v1/conversations/{id}/unread': 200,
      'PUT /api/v1/contacts/{id}/note': 200,
      'GET /api/v1/canned-responses': 200,
      'POST /api/v1/canned-responses': 201,
      'PUT /api/v1/canned-responses/{id}': 200,
      'DELETE /api/v1/canned-responses/{id}': 204,
      'GET /api/v1/tokens': 200,
      'POST /api/v1/tokens': 201,
      'DELETE /api/v1/tokens/{id}': 204,
      'GET /api/v1/metrics/daily': 200,
      'GET /api/v1/metrics/daily.csv': 200,
      'GET /api/v1/metrics/agents/today': 200,
    };
    const documented = operations().map(({ method, path }) => `${method} ${path}`);
    for (const [id, status] of Object.entries(expected)) {
      expect(documented, id).toContain(id);
      const request = REQUESTS[id];
      if (request === undefined) throw new Error(`no request for ${id}`);
      const answer = await request(context);
      expect(answer.status, `${id}: ${answer.text}`).toBe(status);
    }
  });
});
