import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SESSION_COOKIE, type PullPage } from '@parley/protocol';
import {
  PAGE_ID,
  WA_PHONE_NUMBER_ID,
  connectReady,
  deliver,
  login,
  messagingText,
  pullChanges,
  signIn,
  startTestServer,
  verifyWebhook,
  type TestServer,
} from './helpers.js';

/** Nothing in these tests may reach Meta: profile fetches go to a closed local port. */
const LOCAL_GRAPH = { baseUrl: 'http://127.0.0.1:9', version: 'v21.0' };
const ADMIN_TOKEN = 'admin-automation-token-0123456789';
const ADMIN = { email: 'root@example.com', name: 'Rita Root', password: 'admin password 123' };

const NEW_ACCOUNT = {
  channel: 'messenger',
  externalId: '299990000000123',
  name: 'Acme Outlet',
  accessToken: 'EAAG-outlet-page-token-abcdefgh-7788',
  appSecret: 'outlet-app-secret-0123456789abcdef',
  verifyToken: 'outlet-verify-token-445566',
  humanAgentEnabled: true,
};

/** Every token and secret any test server here holds: none may reach a client in clear. */
const ALL_SECRETS = [
  NEW_ACCOUNT.accessToken,
  NEW_ACCOUNT.appSecret,
  NEW_ACCOUNT.verifyToken,
  'EAAG-rotated-outlet-token-zzzz-9900',
  'test-token-whatsapp',
  'test-token-messenger',
  'test-token-instagram',
  'server-test-app-secret',
  'server-test-verify-token',
  ADMIN_TOKEN,
];

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ adminToken: ADMIN_TOKEN, graph: LOCAL_GRAPH });
});

afterEach(async () => {
  await server.cleanup();
});

async function signInAdmin(): Promise<{ token: string; cookie: string }> {
  await server.agents.createAgent({ ...ADMIN, role: 'admin' });
  const response = await login(server, { email: ADMIN.email, password: ADMIN.password });
  expect(response.status).toBe(200);
  const { token } = (await response.json()) as { token: string };
  return { token, cookie: `${SESSION_COOKIE}=${token}` };
}

type Call = { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; path: string; body?: unknown };

async function call(request: Call, auth: { bearer?: string; cookie?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (auth.bearer !== undefined) headers.authorization = `Bearer ${auth.bearer}`;
  if (auth.cookie !== undefined) headers.cookie = auth.cookie;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(new URL(request.path, server.url), {
    method: request.method,
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
}

type AdminAccount = {
  id: string;
  channel: string;
  externalId: string;
  name: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  humanAgentEnabled: boolean;
  conversations: number;
  seq: number;
};

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
  return JSON.parse(text) as T;
}

async function createAccount(bearer: string, body: unknown = NEW_ACCOUNT): Promise<AdminAccount> {
  const response = await call({ method: 'POST', path: '/api/admin/channels', body }, { bearer });
  return (await json<{ account: AdminAccount }>(response, 201)).account;
}

async function pullAll(socket: Parameters<typeof pullChanges>[0]): Promise<PullPage[]> {
  const pages: PullPage[] = [];
  let cursor = 0;
  for (;;) {
    const reply = await pullChanges(socket, { cursor, limit: 50 });
    if (!reply.ok) throw new Error(`refused: ${reply.code} ${reply.reason ?? ''}`);
    pages.push(reply);
    cursor = reply.cursor;
    if (!reply.hasMore) return pages;
  }
}

describe('admin API authorization', () => {
  const requests: Call[] = [
    { method: 'GET', path: '/api/admin/channels' },
    { method: 'GET', path: '/api/admin/channels/some-id' },
    { method: 'POST', path: '/api/admin/channels', body: NEW_ACCOUNT },
    { method: 'PATCH', path: '/api/admin/channels/some-id', body: { name: 'x' } },
    { method: 'DELETE', path: '/api/admin/channels/some-id' },
  ];

  test('refuses every route without credentials (401), or with a wrong token (401)', async () => {
    const head = await server.store.head();
    for (const request of requests) {
      const anonymous = await call(request);
      expect(anonymous.status, `${request.method} ${request.path}`).toBe(401);
      const body = (await anonymous.json()) as { code: string; reason?: string };
      expect(body).toEqual({ code: 'unauthorized', reason: 'admin_only' });
      const wrong = await call(request, { bearer: `${ADMIN_TOKEN}-not` });
      expect(wrong.status).toBe(401);
    }
    expect(await server.store.head()).toBe(head);
  });

  test('refuses agents and supervisors (403); accepts an admin by bearer token or cookie, and the admin token', async () => {
    const agent = await signIn(server);
    await server.agents.createAgent({
      email: 'sup@example.com',
      name: 'Sam Supervisor',
      role: 'supervisor',
      password: 'supervisor pass',
    });
    const supervisorLogin = await login(server, { email: 'sup@example.com', password: 'supervisor pass' });
    const supervisor = (await supervisorLogin.json()) as { token: string };
    for (const bearer of [agent.token, supervisor.token]) {
      for (const request of requests) {
        const response = await call(request, { bearer });
        expect(response.status, `${request.method} ${request.path}`).toBe(403);
        expect(((await response.json()) as { code: string }).code).toBe('forbidden');
      }
    }
    expect(await server.store.db.selectFrom('channel_accounts').select('id').execute()).toHaveLength(3);

    const admin = await signInAdmin();
    const list = { method: 'GET', path: '/api/admin/channels' } as const;
    expect((await call(list, { bearer: admin.token })).status).toBe(200);
    expect((await call(list, { cookie: admin.cookie })).status).toBe(200);
    expect((await call(list, { bearer: ADMIN_TOKEN })).status).toBe(200);
  });

  test('without PARLEY_ADMIN_TOKEN configured, no bearer token stands in for it', async () => {
    const plain = await startTestServer({ graph: LOCAL_GRAPH });
    try {
      const response = await fetch(new URL('/api/admin/channels', plain.url), {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(response.status).toBe(401);
    } finally {
      await plain.cleanup();
    }
  });
});

describe('admin API: channel accounts', () => {
  test('lists every account with its secrets masked', async () => {
    const response = await call({ method: 'GET', path: '/api/admin/channels' }, { bearer: ADMIN_TOKEN });
    const { channels } = await json<{ channels: AdminAccount[] }>(response, 200);
    expect(channels.map((account) => account.channel).sort()).toEqual(['instagram', 'messenger', 'whatsapp']);
    const whatsapp = channels.find((account) => account.channel === 'whatsapp');
    expect(whatsapp).toMatchObject({
      externalId: WA_PHONE_NUMBER_ID,
      // 'test-token-whatsapp': long enough to show its last four characters.
      accessToken: '…sapp',
      appSecret: '…cret',
      verifyToken: '…oken',
      conversations: 0,
    });
  });

  test('creates an account: 201, masked, stored in clear, usable by the webhooks at once', async () => {
    const account = await createAccount(ADMIN_TOKEN);
    expect(account).toMatchObject({
      channel: 'messenger',
      externalId: NEW_ACCOUNT.externalId,
      name: 'Acme Outlet',
      humanAgentEnabled: true,
      accessToken: '…7788',
      appSecret: '…cdef',
      verifyToken: '…5566',
      conversations: 0,
    });
    const row = await server.store.db
      .selectFrom('channel_accounts')
      .selectAll()
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(row.access_token).toBe(NEW_ACCOUNT.accessToken);
    expect(row.app_secret).toBe(NEW_ACCOUNT.appSecret);

    const handshake = await verifyWebhook(server, 'messenger', {
      'hub.mode': 'subscribe',
      'hub.verify_token': NEW_ACCOUNT.verifyToken,
      'hub.challenge': 'new-account',
    });
    expect(handshake.status).toBe(200);

    const one = await call({ method: 'GET', path: `/api/admin/channels/${account.id}` }, { bearer: ADMIN_TOKEN });
    expect((await json<{ account: AdminAccount }>(one, 200)).account.id).toBe(account.id);
    const none = await call({ method: 'GET', path: '/api/admin/channels/no-such-id' }, { bearer: ADMIN_TOKEN });
    expect(none.status).toBe(404);
  });

  test('refuses an account that exists already (409) and invalid bodies (400), naming the fields', async () => {
    await createAccount(ADMIN_TOKEN);
    const again = await call(
      { method: 'POST', path: '/api/admin/channels', body: { ...NEW_ACCOUNT, name: 'Again' } },
      { bearer: ADMIN_TOKEN },
    );
    const conflict = await json<{ code: string; reason?: string; params?: Record<string, unknown> }>(again, 409);
    expect(conflict.code).toBe('conflict');
    expect(conflict).toMatchObject({
      reason: 'channel_account_exists',
      params: { channel: NEW_ACCOUNT.channel, externalId: NEW_ACCOUNT.externalId },
    });
    expect(typeof conflict.params?.existingId).toBe('string');

    const invalid = await call(
      {
        method: 'POST',
        path: '/api/admin/channels',
        body: {
          channel: 'messenger',
          externalId: '299990000000999',
          appSecret: NEW_ACCOUNT.appSecret,
          verifyToken: 5,
          wabaId: '123',
          surprise: NEW_ACCOUNT.accessToken,
        },
      },
      { bearer: ADMIN_TOKEN },
    );
    const error = await json<{ code: string; reason?: string; problems: string[] }>(invalid, 400);
    expect(error.code).toBe('bad_request');
    expect(error.reason).toBe('channel_account_invalid');
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^accessToken: is missing/),
        expect.stringMatching(/^verifyToken: must be a string/),
        'unknown field "surprise"',
      ]),
    );
    const wrongChannel = await call(
      { method: 'POST', path: '/api/admin/channels', body: { ...NEW_ACCOUNT, externalId: '1', wabaId: '2' } },
      { bearer: ADMIN_TOKEN },
    );
    expect((await json<{ problems: string[] }>(wrongChannel, 400)).problems).toContain(
      'wabaId: only applies to WhatsApp accounts',
    );
    const rows = await server.store.db.selectFrom('channel_accounts').select('id').execute();
    expect(rows).toHaveLength(4);
  });

  test('changes an account: new seq, secrets replaced, identity fixed; the same values again change nothing', async () => {
    const admin = await signInAdmin();
    const account = await createAccount(admin.token);
    const patch = (body: unknown, id = account.id): Promise<Response> =>
      call({ method: 'PATCH', path: `/api/admin/channels/${id}`, body }, { bearer: admin.token });

    const renamed = await json<{ account: AdminAccount }>(
      await patch({ name: 'Acme Outlet Store', accessToken: 'EAAG-rotated-outlet-token-zzzz-9900' }),
      200,
    );
    expect(renamed.account.name).toBe('Acme Outlet Store');
    expect(renamed.account.accessToken).toBe('…9900');
    expect(renamed.account.seq).toBeGreaterThan(account.seq);
    const row = await server.store.db
      .selectFrom('channel_accounts')
      .selectAll()
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(row.access_token).toBe('EAAG-rotated-outlet-token-zzzz-9900');
    expect(row.app_secret).toBe(NEW_ACCOUNT.appSecret);

    const same = await json<{ account: AdminAccount }>(await patch({ name: 'Acme Outlet Store' }), 200);
    expect(same.account.seq).toBe(renamed.account.seq);

    const identity = await json<{ problems: string[] }>(await patch({ externalId: '123' }), 400);
    expect(identity.problems.join('\n')).toContain('externalId: cannot be changed');
    expect((await json<{ problems: string[] }>(await patch({}), 400)).problems.join('\n')).toContain(
      'at least one field',
    );
    expect(await json<object>(await patch({ displayPhoneNumber: '+1 555' }), 400)).toEqual({
      code: 'bad_request',
      reason: 'channel_account_invalid',
      params: { channel: 'messenger', fields: 'displayPhoneNumber' },
    });
    expect((await patch({ name: 'x' }, 'no-such-id')).status).toBe(404);
  });

  test('deletes an account without conversations; refuses, with a reason, one with conversations and keeps it all', async () => {
    const account = await createAccount(ADMIN_TOKEN);
    const gone = await call({ method: 'DELETE', path: `/api/admin/channels/${account.id}` }, { bearer: ADMIN_TOKEN });
    expect(gone.status).toBe(204);
    const left = await server.store.db
      .selectFrom('channel_accounts')
      .select('id')
      .where('id', '=', account.id)
      .execute();
    expect(left).toEqual([]);

    await deliver(
      server,
      'messenger',
      messagingText({
        object: 'page',
        accountId: PAGE_ID,
        senderId: '1254459154682919',
        mid: 'm_KEEP_ME',
        text: 'hello',
        timestampMs: 1_749_416_383_000,
      }),
    );
    const page = await server.store.db
      .selectFrom('channel_accounts')
      .select('id')
      .where('external_id', '=', PAGE_ID)
      .executeTakeFirstOrThrow();
    const refused = await call({ method: 'DELETE', path: `/api/admin/channels/${page.id}` }, { bearer: ADMIN_TOKEN });
    const error = await json<{ code: string; reason?: string; params?: Record<string, unknown> }>(refused, 409);
    expect(error.code).toBe('conflict');
    expect(error).toMatchObject({ reason: 'channel_account_in_use', params: { conversations: 1 } });
    expect(
      await server.store.db.selectFrom('channel_accounts').select('id').where('id', '=', page.id).execute(),
    ).toHaveLength(1);
    expect(await server.store.db.selectFrom('messages').select('id').execute()).toHaveLength(1);

    const listed = await call({ method: 'GET', path: `/api/admin/channels/${page.id}` }, { bearer: ADMIN_TOKEN });
    expect((await json<{ account: AdminAccount }>(listed, 200)).account.conversations).toBe(1);
    expect(
      (await call({ method: 'DELETE', path: '/api/admin/channels/no-such-id' }, { bearer: ADMIN_TOKEN })).status,
    ).toBe(404);
  });
});

describe('admin changes reach clients, without secrets', () => {
  test('a created and a changed account are pushed live and pulled, and no secret is in any payload', async () => {
    const agent = await signIn(server);
    const { socket, batches } = await connectReady(server, agent.token);

    const account = await createAccount(ADMIN_TOKEN);
    await batches.waitFor(
      (batch) => batch.changes.some((c) => c.entity === 'channelAccount' && c.data.id === account.id),
      'the new account',
    );
    const response = await call(
      {
        method: 'PATCH',
        path: `/api/admin/channels/${account.id}`,
        body: { name: 'Renamed', accessToken: 'EAAG-rotated-outlet-token-zzzz-9900', humanAgentEnabled: false },
      },
      { bearer: ADMIN_TOKEN },
    );
    await json(response, 200);
    const changed = await batches.waitFor(
      (batch) =>
        batch.changes.some(
          (c) => c.entity === 'channelAccount' && c.data.id === account.id && c.data.name === 'Renamed',
        ),
      'the renamed account',
    );
    const pushed = changed.changes.find((c) => c.entity === 'channelAccount' && c.data.id === account.id);
    expect(pushed?.data).toEqual({
      id: account.id,
      channel: 'messenger',
      externalId: NEW_ACCOUNT.externalId,
      name: 'Renamed',
      displayPhoneNumber: null,
      humanAgentEnabled: false,
      seq: expect.any(Number) as number,
    });

    const pages = await pullAll(socket);
    const pulled = pages.flatMap((page) => page.changes).filter((c) => c.entity === 'channelAccount');
    expect(pulled.map((c) => c.data.externalId)).toContain(NEW_ACCOUNT.externalId);
    const everything = JSON.stringify({ live: batches.all, pages });
    for (const secret of ALL_SECRETS) expect(everything).not.toContain(secret);
    socket.disconnect();
  });
});
