import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { ProfileRefresher } from '../src/modules/contacts/profiles.js';
import {
  EVENT_TIMEOUT_MS,
  IG_ACCOUNT_ID,
  PAGE_ID,
  connectReady,
  deliver,
  messagingText,
  postWebhook,
  signIn,
  startTestServer,
  whatsappMessage,
  whatsappValue,
  whatsappWebhook,
  type TestServer,
} from './helpers.js';

const T0 = 1_749_416_383;
const VERSION = 'v21.0';
/** A closed local port: the server's own refresher, when a test drives its own instead. */
const DEAD_GRAPH = { baseUrl: 'http://127.0.0.1:9', version: VERSION };

type Reply = { status: number; body: unknown };
type GraphRequest = { id: string; fields: string | null; authorization: string | undefined; at: number };

/**
 * A stand-in for the Graph user-profile endpoints on 127.0.0.1: answers `GET /v21.0/<id>`
 * from a script of replies per id (the last one repeats), records every request, and can
 * hold its answers back until released.
 */
class GraphFixture {
  readonly requests: GraphRequest[] = [];
  readonly replies = new Map<string, Reply[]>();
  private held: (() => void)[] | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly server = http.createServer((request, response) => this.handle(request, response));

  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const answer of held) answer();
  }

  reply(id: string, ...replies: Reply[]): void {
    this.replies.set(id, replies);
  }

  requestsFor(id: string): GraphRequest[] {
    return this.requests.filter((request) => request.id === id);
  }

  /** Resolves once a request for `id` has arrived (answered or held). */
  async waitForRequest(id: string): Promise<GraphRequest> {
    const deadline = Date.now() + EVENT_TIMEOUT_MS;
    for (;;) {
      const found = this.requestsFor(id)[0];
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no Graph request for ${id} within ${EVENT_TIMEOUT_MS} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.add(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', this.url);
    if (url.pathname.startsWith('/pics/')) {
      response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('not really a png'));
      return;
    }
    const match = new RegExp(`^/${VERSION}/([^/]+)$`).exec(url.pathname);
    const id = decodeURIComponent(match?.[1] ?? '');
    this.requests.push({
      id,
      fields: url.searchParams.get('fields'),
      authorization: request.headers.authorization,
      at: Date.now(),
    });
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
    const script = this.replies.get(id) ?? [];
    const reply =
      (script.length > 1 ? script.shift() : script[0]) ??
      ({
        status: 400,
        body: {
          error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100, error_subcode: 33 },
        },
      } satisfies Reply);
    const answer = (): void => {
      response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    };
    if (this.held === null) answer();
    else this.held.push(answer);
  }
}

const fixtures: GraphFixture[] = [];
const servers: TestServer[] = [];
const refreshers: ProfileRefresher[] = [];

afterEach(async () => {
  for (const refresher of refreshers.splice(0)) await refresher.dispose();
  for (const server of servers.splice(0)) await server.cleanup();
  for (const fixture of fixtures.splice(0)) await fixture.close();
});

async function setUp(graph: 'fixture' | 'dead' = 'fixture'): Promise<{ server: TestServer; graph: GraphFixture }> {
  const fixture = await new GraphFixture().start();
  fixtures.push(fixture);
  const server = await startTestServer({
    graph: graph === 'fixture' ? { baseUrl: fixture.url, version: VERSION } : DEAD_GRAPH,
  });
  servers.push(server);
  return { server, graph: fixture };
}

function fromMessenger(psid: string, mid: string): Record<string, unknown> {
  return messagingText({ object: 'page', accountId: PAGE_ID, senderId: psid, mid, text: 'hi', timestampMs: T0 * 1000 });
}

function fromInstagram(igsid: string, mid: string): Record<string, unknown> {
  return messagingText({
    object: 'instagram',
    accountId: IG_ACCOUNT_ID,
    senderId: igsid,
    mid,
    text: 'hi',
    timestampMs: T0 * 1000,
  });
}

type ContactRow = { id: string; name: string; avatar_media_id: string | null; profile_fetched_at: number | null };

async function contactOf(server: TestServer, externalId: string): Promise<ContactRow> {
  return server.store.db
    .selectFrom('contact_identities')
    .innerJoin('contacts', 'contacts.id', 'contact_identities.contact_id')
    .select(['contacts.id', 'contacts.name', 'contacts.avatar_media_id', 'contacts.profile_fetched_at'])
    .where('contact_identities.external_id', '=', externalId)
    .executeTakeFirstOrThrow();
}

/** Polls until `check` returns a value, failing after EVENT_TIMEOUT_MS. */
async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + EVENT_TIMEOUT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${EVENT_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function namedAs(server: TestServer, externalId: string, name: string): Promise<ContactRow> {
  return until(`${externalId} named ${name}`, async () => {
    const contact = await contactOf(server, externalId);
    return contact.name === name ? contact : undefined;
  });
}

describe('profile names for Messenger and Instagram customers', () => {
  test('are fetched with the account token, applied, and synced; WhatsApp customers are never looked up', async () => {
    const { server, graph } = await setUp();
    graph.reply('6120000000000101', {
      status: 200,
      body: { first_name: 'Jane', last_name: 'Doe', profile_pic: `${graph.url}/pics/jane.png`, id: '6120000000000101' },
    });
    graph.reply('17841400000000201', {
      status: 200,
      body: { name: 'Ig Person', username: 'ig.person', profile_pic: `${graph.url}/pics/ig.png` },
    });
    graph.reply('17841400000000202', { status: 200, body: { username: 'only.a.handle' } });
    const agent = await signIn(server);
    const { batches } = await connectReady(server, agent.token);

    // A WhatsApp message without a profile name: a stand-in name, and still no Graph call.
    await deliver(
      server,
      'whatsapp',
      whatsappWebhook([
        [
          {
            value: whatsappValue({
              messages: [whatsappMessage({ from: '16505551234', id: 'wamid.NONAME', timestampSeconds: T0, text: 'x' })],
            }),
          },
        ],
      ]),
    );
    await deliver(server, 'messenger', fromMessenger('6120000000000101', 'm_1'));
    await deliver(server, 'instagram', fromInstagram('17841400000000201', 'm_2'));
    await deliver(server, 'instagram', fromInstagram('17841400000000202', 'm_3'));

    const jane = await namedAs(server, '6120000000000101', 'Jane Doe');
    await namedAs(server, '17841400000000201', 'Ig Person');
    await namedAs(server, '17841400000000202', '@only.a.handle');

    const [messengerRequest] = graph.requestsFor('6120000000000101');
    expect(messengerRequest).toMatchObject({
      fields: 'first_name,last_name,profile_pic',
      authorization: 'Bearer test-token-messenger',
    });
    expect(graph.requestsFor('17841400000000201')[0]).toMatchObject({
      fields: 'name,username,profile_pic',
      authorization: 'Bearer test-token-instagram',
    });
    expect(graph.requests.filter((request) => request.id.includes('16505551234'))).toEqual([]);
    expect((await contactOf(server, '16505551234')).name).toBe('+16505551234');

    // The picture went to the media service, which gave the contact its copy's id.
    expect(jane.avatar_media_id).not.toBeNull();
    const media = await server.store.db
      .selectFrom('media')
      .select('source_ref')
      .where('id', '=', jane.avatar_media_id ?? '')
      .executeTakeFirstOrThrow();
    expect(media.source_ref).toBe(`${graph.url}/pics/jane.png`);

    await batches.waitFor(
      (batch) =>
        batch.changes.some((c) => c.entity === 'contact' && c.data.id === jane.id && c.data.name === 'Jane Doe'),
      'the named contact',
    );
  });

  test('are fetched in the background: the webhook is acknowledged while the Graph has not answered', async () => {
    const { server, graph } = await setUp();
    graph.reply('6120000000000101', { status: 200, body: { first_name: 'Jane', last_name: 'Doe' } });
    graph.hold();
    const response = await postWebhook(server, 'messenger', fromMessenger('6120000000000101', 'm_1'));
    expect(response.status).toBe(200);
    await graph.waitForRequest('6120000000000101');
    expect((await contactOf(server, '6120000000000101')).name).toMatch(/^Messenger customer/);
    graph.release();
    await namedAs(server, '6120000000000101', 'Jane Doe');
  });

  test('failures are tolerated: the contact keeps its stand-in name, the others are still named', async () => {
    const { server, graph } = await setUp();
    graph.reply('6120000000000102', {
      status: 500,
      body: { error: { message: 'An unexpected error has occurred.', code: 2 } },
    });
    graph.reply('6120000000000103', {
      status: 400,
      body: {
        error: {
          message: 'No profile available for this user.',
          type: 'OAuthException',
          code: 100,
          error_subcode: 2018218,
        },
      },
    });
    graph.reply('6120000000000104', { status: 200, body: 'not a profile' });
    graph.reply('6120000000000105', { status: 200, body: { first_name: 'Zoe' } });
    for (const [psid, mid] of [
      ['6120000000000102', 'm_2'],
      ['6120000000000103', 'm_3'],
      ['6120000000000104', 'm_4'],
      ['6120000000000105', 'm_5'],
    ] as const) {
      await deliver(server, 'messenger', fromMessenger(psid, mid));
    }
    await namedAs(server, '6120000000000105', 'Zoe');
    await graph.waitForRequest('6120000000000102');
    await graph.waitForRequest('6120000000000103');
    await graph.waitForRequest('6120000000000104');
    await server.profiles.idle();

    for (const psid of ['6120000000000102', '6120000000000103', '6120000000000104']) {
      expect((await contactOf(server, psid)).name).toMatch(/^Messenger customer/);
    }
    // A refusal from the platform is not asked again before the refresh period; an error is retried.
    expect((await contactOf(server, '6120000000000103')).profile_fetched_at).not.toBeNull();
    expect((await contactOf(server, '6120000000000102')).profile_fetched_at).toBeNull();
    const health = await fetch(new URL('/healthz', server.url));
    expect(health.status).toBe(200);
    await deliver(server, 'messenger', fromMessenger('6120000000000102', 'm_6'));
  });

  test('a failed fetch is retried after a back-off, and requests are spaced to the rate limit', async () => {
    const { server, graph } = await setUp('dead');
    graph.reply(
      '6120000000000101',
      { status: 503, body: { error: { message: 'Service temporarily unavailable', code: 2 } } },
      { status: 200, body: { first_name: 'Jane', last_name: 'Doe' } },
    );
    graph.reply('6120000000000102', { status: 200, body: { first_name: 'Bo' } });
    graph.reply('6120000000000103', { status: 200, body: { first_name: 'Cy' } });
    for (const [psid, mid] of [
      ['6120000000000101', 'm_1'],
      ['6120000000000102', 'm_2'],
      ['6120000000000103', 'm_3'],
    ] as const) {
      await deliver(server, 'messenger', fromMessenger(psid, mid));
    }
    const refresher = new ProfileRefresher({
      store: server.store,
      graph: { baseUrl: graph.url, version: VERSION },
      log: server.app.log,
      copyAvatar: null,
      requestsPerSecond: 10,
      retryBaseMs: 100,
      pollIntervalMs: 50,
    });
    refreshers.push(refresher);
    refresher.start();

    await namedAs(server, '6120000000000101', 'Jane Doe');
    await namedAs(server, '6120000000000102', 'Bo');
    await namedAs(server, '6120000000000103', 'Cy');
    const attempts = graph.requestsFor('6120000000000101');
    expect(attempts).toHaveLength(2);
    const [first, second] = attempts;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(95);
    // 10 per second. The times are when the requests arrived, so one held up on its way
    // can land closer to the next: each gap is well above zero, and all of them together
    // take about the spacing each.
    const times = graph.requests.map((request) => request.at);
    for (let i = 1; i < times.length; i += 1) {
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(50);
    }
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual((times.length - 1) * 100 - 40);
  });

  test('a stale profile is fetched again and a changed name replaces the old one', async () => {
    const { server, graph } = await setUp();
    graph.reply('6120000000000101', { status: 200, body: { first_name: 'Jane', last_name: 'Doe' } });
    await deliver(server, 'messenger', fromMessenger('6120000000000101', 'm_1'));
    const jane = await namedAs(server, '6120000000000101', 'Jane Doe');
    await server.profiles.idle();

    graph.reply('6120000000000101', { status: 200, body: { first_name: 'Jane', last_name: 'Smith' } });
    // Fetched eight days ago: due again.
    await server.store.db
      .updateTable('contacts')
      .set({ profile_fetched_at: Date.now() - 8 * 24 * 60 * 60 * 1000 })
      .where('id', '=', jane.id)
      .execute();
    server.profiles.kick();
    await namedAs(server, '6120000000000101', 'Jane Smith');
    expect(graph.requestsFor('6120000000000101')).toHaveLength(2);
  });
});
