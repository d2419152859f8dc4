import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { deleteChannelAccount } from '../src/modules/channelAccounts/admin.js';
import { upsertChannelAccount } from '../src/modules/channelAccounts/records.js';
import {
  APP_SECRET,
  IG_ACCOUNT_ID,
  PAGE_ID,
  VERIFY_TOKEN,
  WA_PHONE_NUMBER_ID,
  deliver,
  messageCount,
  messagesByExternalId,
  messagingText,
  postWebhook,
  sha1Signature,
  snapshot,
  startTestServer,
  verifyWebhook,
  whatsappMessage,
  whatsappText,
  whatsappValue,
  whatsappWebhook,
  type ChannelName,
  type TestServer,
} from './helpers.js';

const CHANNELS: readonly ChannelName[] = ['whatsapp', 'messenger', 'instagram'];
const T0 = 1_749_416_383;
/** Nothing in these tests may reach Meta: profile fetches go to a closed local port. */
const LOCAL_GRAPH = { baseUrl: 'http://127.0.0.1:9', version: 'v21.0' };

let server: TestServer;
const extraServers: TestServer[] = [];

beforeEach(async () => {
  server = await startTestServer({ graph: LOCAL_GRAPH });
});

afterEach(async () => {
  await server.cleanup();
  for (const extra of extraServers.splice(0)) await extra.cleanup();
});

async function startExtra(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const extra = await startTestServer({ graph: LOCAL_GRAPH, ...overrides });
  extraServers.push(extra);
  return extra;
}

/** Leaves a test server with accounts on `keep` only (none of them has a conversation yet). */
async function keepAccountsOf(target: TestServer, keep: readonly ChannelName[]): Promise<void> {
  const rows = await target.store.db.selectFrom('channel_accounts').select(['id', 'channel']).execute();
  for (const row of rows) {
    if (keep.includes(row.channel as ChannelName)) continue;
    const result = await deleteChannelAccount(target.store, row.id);
    expect(result.ok).toBe(true);
  }
}

/** The digest alone, computed here so the test states what Meta sends. */
function sha256Hex(raw: string): string {
  return createHmac('sha256', APP_SECRET).update(raw).digest('hex');
}

async function errorBody(
  response: Response,
): Promise<{ code: string; reason?: string; params?: Record<string, unknown> }> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { code?: unknown; message?: unknown };
  // Codes, not words: the body never carries a message.
  expect(typeof body.code).toBe('string');
  expect(body.message).toBeUndefined();
  return body as { code: string; reason?: string; params?: Record<string, unknown> };
}

function sampleText(id = 'wamid.SAMPLE1', text = 'Does it come in another color?'): Record<string, unknown> {
  return whatsappText({ from: '16505551234', name: 'Sheena Nelson', id, text, timestampSeconds: T0 });
}

describe('webhook verification handshake (GET)', () => {
  describe.each(CHANNELS)('%s', (channel) => {
    test('echoes the exact challenge as text/plain when the mode and token match', async () => {
      const challenge = '1158201444-Zx_y.z~9';
      const response = await verifyWebhook(server, channel, {
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': challenge,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe(challenge);
    });

    test('refuses a wrong verify token with 403', async () => {
      const response = await verifyWebhook(server, channel, {
        'hub.mode': 'subscribe',
        'hub.verify_token': `${VERIFY_TOKEN}-wrong`,
        'hub.challenge': '12345',
      });
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain('12345');
    });

    test('refuses a mode other than subscribe with 403', async () => {
      const response = await verifyWebhook(server, channel, {
        'hub.mode': 'unsubscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': '12345',
      });
      expect(response.status).toBe(403);
    });

    test('refuses a missing challenge, mode or token with 403', async () => {
      const noChallenge = await verifyWebhook(server, channel, {
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
      });
      expect(noChallenge.status).toBe(403);
      const noMode = await verifyWebhook(server, channel, { 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1' });
      expect(noMode.status).toBe(403);
      const noToken = await verifyWebhook(server, channel, { 'hub.mode': 'subscribe', 'hub.challenge': '1' });
      expect(noToken.status).toBe(403);
      const nothing = await verifyWebhook(server, channel, {});
      expect(nothing.status).toBe(403);
    });
  });

  test('answers 503 naming META_VERIFY_TOKEN only on a channel with no account and no global token', async () => {
    const unconfigured = await startExtra({ meta: { appSecret: APP_SECRET, verifyToken: undefined } });
    await keepAccountsOf(unconfigured, ['whatsapp']);
    for (const channel of ['messenger', 'instagram'] as const) {
      const response = await verifyWebhook(unconfigured, channel, {
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': '12345',
      });
      expect(response.status).toBe(503);
      const body = await errorBody(response);
      expect(body.code).toBe('not_configured');
      expect(body.params).toEqual({ channel, variable: 'META_VERIFY_TOKEN' });
    }
    // The WhatsApp account's own verify token is enough without the global one.
    const whatsapp = await verifyWebhook(unconfigured, 'whatsapp', {
      'hub.mode': 'subscribe',
      'hub.verify_token': VERIFY_TOKEN,
      'hub.challenge': '12345',
    });
    expect(whatsapp.status).toBe(200);
    expect(await whatsapp.text()).toBe('12345');
  });
});

describe('webhook signature (X-Hub-Signature-256)', () => {
  test('a correctly signed body is acknowledged with 200 and stored', async () => {
    const response = await postWebhook(server, 'whatsapp', sampleText());
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('EVENT_RECEIVED');
    expect(await messageCount(server)).toBe(1);
  });

  const refusals: { name: string; send: (raw: string) => Promise<Response> }[] = [
    {
      name: 'a signature made with another secret',
      send: (raw) => postWebhook(server, 'whatsapp', raw, { secret: `${APP_SECRET}-other` }),
    },
    { name: 'no signature header', send: (raw) => postWebhook(server, 'whatsapp', raw, { signature: null }) },
    {
      name: 'only the legacy sha1= form',
      send: (raw) => postWebhook(server, 'whatsapp', raw, { signature: sha1Signature(raw) }),
    },
    {
      name: 'only the legacy X-Hub-Signature header',
      send: (raw) =>
        postWebhook(server, 'whatsapp', raw, { signature: null, headers: { 'x-hub-signature': sha1Signature(raw) } }),
    },
    {
      name: 'a sha256= prefix with garbage',
      send: (raw) => postWebhook(server, 'whatsapp', raw, { signature: 'sha256=not-hex-at-all' }),
    },
    {
      name: 'a bare hex digest without the sha256= prefix',
      send: (raw) => postWebhook(server, 'whatsapp', raw, { signature: sha256Hex(raw) }),
    },
    {
      name: 'a body changed after it was signed',
      send: (raw) =>
        postWebhook(server, 'whatsapp', raw.replace('another color', 'a free refund'), { signedBody: raw }),
    },
  ];

  test.each(refusals)('$name → 401 and nothing stored', async ({ send }) => {
    const before = await snapshot(server);
    const response = await send(JSON.stringify(sampleText()));
    expect(response.status).toBe(401);
    const body = await errorBody(response);
    expect(body.code).toBe('unauthorized');
    expect(await snapshot(server)).toEqual(before);
  });

  test('verifies the raw bytes of an escaped-unicode body and stores the decoded text', async () => {
    // Meta escapes non-ASCII as \uXXXX (lowercase hex), emoji as surrogate pairs.
    const raw =
      '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages",' +
      '"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881",' +
      '"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Ren\\u00e9e"},"wa_id":"33612345678"}],' +
      '"messages":[{"from":"33612345678","id":"wamid.UNICODE1","timestamp":"1749416383","type":"text",' +
      '"text":{"body":"Caf\\u00e9 ferm\\u00e9 ? \\ud83d\\ude00"}}]}}]}]}';
    expect(raw).not.toBe(JSON.stringify(JSON.parse(raw)));
    const response = await postWebhook(server, 'whatsapp', raw);
    expect(response.status).toBe(200);
    const message = await server.store.db
      .selectFrom('messages')
      .select(['text', 'conversation_id'])
      .where('external_id', '=', 'wamid.UNICODE1')
      .executeTakeFirstOrThrow();
    expect(message.text).toBe('Café fermé ? 😀');
    const contact = await server.store.db
      .selectFrom('contacts')
      .innerJoin('conversations', 'conversations.contact_id', 'contacts.id')
      .select('contacts.name')
      .where('conversations.id', '=', message.conversation_id)
      .executeTakeFirstOrThrow();
    expect(contact.name).toBe('Renée');
  });

  test('also verifies a body sent with raw UTF-8 text', async () => {
    const response = await postWebhook(server, 'whatsapp', sampleText('wamid.UTF8', 'Ça marche 👍 merci'));
    expect(response.status).toBe(200);
    const message = await server.store.db
      .selectFrom('messages')
      .select('text')
      .where('external_id', '=', 'wamid.UTF8')
      .executeTakeFirstOrThrow();
    expect(message.text).toBe('Ça marche 👍 merci');
  });

  test('answers 503 naming META_APP_SECRET only on a channel with no account and no global secret', async () => {
    const unconfigured = await startExtra({ meta: { appSecret: undefined, verifyToken: VERIFY_TOKEN } });
    await keepAccountsOf(unconfigured, ['whatsapp']);
    for (const channel of ['messenger', 'instagram'] as const) {
      const response = await postWebhook(unconfigured, channel, sampleText());
      expect(response.status).toBe(503);
      const body = await errorBody(response);
      expect(body.code).toBe('not_configured');
      expect(body.params).toMatchObject({ variable: 'META_APP_SECRET' });
    }
    expect(await messageCount(unconfigured)).toBe(0);
    // The WhatsApp account's own app secret verifies its webhooks without the global one.
    await deliver(unconfigured, 'whatsapp', sampleText());
    expect(await messageCount(unconfigured)).toBe(1);
  });
});

describe('webhook bodies that are not what they should be', () => {
  test('malformed JSON → 400 with a JSON {code, reason}', async () => {
    const before = await snapshot(server);
    const response = await postWebhook(server, 'whatsapp', '{"object":"whatsapp_business_account","entry":[');
    expect(response.status).toBe(400);
    const body = await errorBody(response);
    expect(body.code).toBe('bad_request');
    expect(body.reason).toBe('body_not_json');
    expect(await snapshot(server)).toEqual(before);
  });

  test.each([
    ['whatsapp', { object: 'whatsapp_business_account', entry: { id: 'x' } }],
    ['messenger', { object: 'page', entry: 'not a list' }],
    ['instagram', { object: 'instagram', entry: null }],
    ['whatsapp', { object: 'whatsapp_business_account' }],
    ['whatsapp', ['a', 'list']],
    ['messenger', 42],
  ] as const)('wrong shape on %s (%j) → 400, nothing stored', async (channel, body) => {
    const before = await snapshot(server);
    const response = await postWebhook(server, channel, JSON.stringify(body));
    expect(response.status).toBe(400);
    const error = await errorBody(response);
    expect(error.code).toBe('bad_request');
    expect(error.reason).toBe('webhook_malformed');
    expect(await snapshot(server)).toEqual(before);
  });

  test('a body over the webhook body limit → 413, nothing stored', async () => {
    const small = await startExtra({ webhookBodyLimit: 2048 });
    const big = whatsappText({
      from: '16505551234',
      name: 'Sheena Nelson',
      id: 'wamid.BIG',
      text: 'x'.repeat(4096),
      timestampSeconds: T0,
    });
    const response = await postWebhook(small, 'whatsapp', big);
    expect(response.status).toBe(413);
    expect(await messageCount(small)).toBe(0);
    // The same server still takes a body under the limit.
    await deliver(small, 'whatsapp', sampleText('wamid.SMALL', 'short'));
    expect(await messageCount(small)).toBe(1);
  });

  test('a limit above the general 64 KiB API limit lets a large webhook through', async () => {
    const large = whatsappText({
      from: '16505551234',
      name: 'Sheena Nelson',
      id: 'wamid.LARGE',
      text: 'y'.repeat(100 * 1024),
      timestampSeconds: T0,
    });
    const response = await postWebhook(server, 'whatsapp', large);
    expect(response.status).toBe(200);
    expect(await messageCount(server)).toBe(1);
  });

  test('an empty body → 400', async () => {
    const before = await snapshot(server);
    const response = await postWebhook(server, 'whatsapp', '');
    expect(response.status).toBe(400);
    const body = await errorBody(response);
    expect(body.code).toBe('bad_request');
    expect(body.reason).toBe('webhook_empty');
    expect(await snapshot(server)).toEqual(before);
  });

  test.each([
    ['messenger', () => sampleText('wamid.WRONG_ENDPOINT')],
    ['instagram', () => sampleText('wamid.WRONG_ENDPOINT')],
    [
      'whatsapp',
      () =>
        messagingText({
          object: 'page',
          accountId: PAGE_ID,
          senderId: '1254459154682919',
          mid: 'm_WRONG',
          text: 'hi',
          timestampMs: T0 * 1000,
        }),
    ],
    [
      'messenger',
      () =>
        messagingText({
          object: 'instagram',
          accountId: PAGE_ID,
          senderId: '1254459154682919',
          mid: 'm_WRONG',
          text: 'hi',
          timestampMs: T0 * 1000,
        }),
    ],
  ] as const)('another channel’s object posted to /webhooks/%s → 200, nothing stored', async (channel, body) => {
    const before = await snapshot(server);
    const response = await postWebhook(server, channel, body());
    expect(response.status).toBe(200);
    expect(await snapshot(server)).toEqual(before);
  });

  test('a change whose field is not "messages" → 200, nothing stored', async () => {
    const before = await snapshot(server);
    const body = whatsappWebhook([
      [
        {
          field: 'message_template_status_update',
          value: { event: 'APPROVED', message_template_id: 1, message_template_name: 'order_update' },
        },
        {
          // Even a messages-shaped value is not read under another field.
          field: 'account_update',
          value: whatsappValue({
            contacts: [{ waId: '16505551234', name: 'Sheena' }],
            messages: [whatsappMessage({ from: '16505551234', id: 'wamid.FIELD', timestampSeconds: T0, text: 'x' })],
          }),
        },
      ],
    ]);
    const response = await postWebhook(server, 'whatsapp', body);
    expect(response.status).toBe(200);
    expect(await snapshot(server)).toEqual(before);
  });

  test('a WhatsApp statuses-only payload → 200, nothing stored', async () => {
    const before = await snapshot(server);
    const body = whatsappWebhook([
      [
        {
          value: whatsappValue({
            statuses: [
              {
                id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTND',
                status: 'failed',
                timestamp: String(T0),
                recipient_id: '16505551234',
                errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message' }],
              },
              { id: 'wamid.OTHER', status: 'read', timestamp: String(T0 + 1), recipient_id: '16505551234' },
            ],
          }),
        },
      ],
    ]);
    const response = await postWebhook(server, 'whatsapp', body);
    expect(response.status).toBe(200);
    expect(await snapshot(server)).toEqual(before);
  });

  test('the server keeps serving after a run of bad requests', async () => {
    const raw = JSON.stringify(sampleText('wamid.AFTER'));
    const bad: Promise<Response>[] = [
      postWebhook(server, 'whatsapp', '{not json'),
      postWebhook(server, 'whatsapp', ''),
      postWebhook(server, 'whatsapp', { object: 'whatsapp_business_account', entry: 1 }),
      postWebhook(server, 'whatsapp', raw, { signature: null }),
      postWebhook(server, 'whatsapp', raw, { signature: 'sha256=' + '0'.repeat(64) }),
      postWebhook(server, 'messenger', '\u0000\u0001binary'),
      postWebhook(server, 'instagram', 'null'),
    ];
    const statuses = (await Promise.all(bad)).map((response) => response.status);
    expect(statuses).toEqual([400, 400, 400, 401, 401, 400, 400]);
    expect(await messageCount(server)).toBe(0);

    const health = await fetch(new URL('/healthz', server.url));
    expect(health.status).toBe(200);
    const response = await postWebhook(server, 'whatsapp', raw);
    expect(response.status).toBe(200);
    expect(await messageCount(server)).toBe(1);
  });
});

describe('per-account routing: several Meta apps post to the same URLs', () => {
  /** Two more apps besides the test server's own: each signs with its own App Secret. */
  const APP_B = { secret: 'app-b-secret-0123456789abcdef', verify: 'app-b-verify-token', phone: '201000000000001' };
  const APP_C = {
    secret: 'app-c-secret-fedcba9876543210',
    verify: 'app-c-verify-token',
    phone: '301000000000001',
    page: '301000000000002',
  };

  beforeEach(async () => {
    for (const [app, externalId, channel] of [
      [APP_B, APP_B.phone, 'whatsapp'],
      [APP_C, APP_C.phone, 'whatsapp'],
      [APP_C, APP_C.page, 'messenger'],
    ] as const) {
      await upsertChannelAccount(server.store, {
        channel,
        externalId,
        name: `${channel} ${externalId}`,
        accessToken: `token-${externalId}`,
        appSecret: app.secret,
        verifyToken: app.verify,
      });
    }
  });

  function textTo(phoneNumberId: string, id: string): Record<string, unknown> {
    return whatsappText({
      from: '16505551234',
      name: 'Sheena Nelson',
      id,
      text: 'hi',
      timestampSeconds: T0,
      phoneNumberId,
    });
  }

  async function accountOfMessage(externalId: string): Promise<string> {
    const row = await server.store.db
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .innerJoin('channel_accounts', 'channel_accounts.id', 'conversations.channel_account_id')
      .select('channel_accounts.external_id')
      .where('messages.external_id', '=', externalId)
      .executeTakeFirstOrThrow();
    return row.external_id;
  }

  test("each app's webhook is verified with its own secret and stored under its own account", async () => {
    for (const [app, phone] of [
      [APP_B, APP_B.phone],
      [APP_C, APP_C.phone],
      [{ secret: APP_SECRET }, WA_PHONE_NUMBER_ID],
    ] as const) {
      const response = await postWebhook(server, 'whatsapp', textTo(phone, `wamid.${phone}`), { secret: app.secret });
      expect(response.status).toBe(200);
      expect(await accountOfMessage(`wamid.${phone}`)).toBe(phone);
    }
  });

  test("an event for another app's account is acknowledged and dropped, also under the global secret", async () => {
    const before = await snapshot(server);
    // Correctly signed by app C, but about app B's number: C's secret does not vouch for it.
    const crossed = await postWebhook(server, 'whatsapp', textTo(APP_B.phone, 'wamid.CROSSED'), {
      secret: APP_C.secret,
    });
    expect(crossed.status).toBe(200);
    expect(await crossed.text()).toBe('EVENT_RECEIVED');
    const global = await postWebhook(server, 'whatsapp', textTo(APP_B.phone, 'wamid.GLOBAL'), { secret: APP_SECRET });
    expect(global.status).toBe(200);
    expect(await snapshot(server)).toEqual(before);
  });

  test('in one body, only the events of the accounts the signing app owns are stored', async () => {
    const body = whatsappWebhook([
      [
        {
          value: whatsappValue({
            phoneNumberId: APP_B.phone,
            contacts: [{ waId: '111', name: 'B customer' }],
            messages: [whatsappMessage({ from: '111', id: 'wamid.MIX_B', timestampSeconds: T0, text: 'b' })],
          }),
        },
      ],
      [
        {
          value: whatsappValue({
            phoneNumberId: APP_C.phone,
            contacts: [{ waId: '222', name: 'C customer' }],
            messages: [whatsappMessage({ from: '222', id: 'wamid.MIX_C', timestampSeconds: T0, text: 'c' })],
          }),
        },
      ],
    ]);
    const response = await postWebhook(server, 'whatsapp', body, { secret: APP_B.secret });
    expect(response.status).toBe(200);
    expect(await messagesByExternalId(server, 'wamid.MIX_B')).toBe(1);
    expect(await messagesByExternalId(server, 'wamid.MIX_C')).toBe(0);
  });

  test('a secret of no configured app → 401, nothing stored', async () => {
    const before = await snapshot(server);
    const response = await postWebhook(server, 'whatsapp', textTo(APP_B.phone, 'wamid.NOBODY'), {
      secret: 'app-d-secret-nobody-knows',
    });
    expect(response.status).toBe(401);
    expect((await errorBody(response)).code).toBe('unauthorized');
    expect(await snapshot(server)).toEqual(before);
  });

  test('an event for an unknown account → 200, nothing stored', async () => {
    const before = await snapshot(server);
    for (const secret of [APP_SECRET, APP_B.secret]) {
      const response = await postWebhook(server, 'whatsapp', textTo('999000000000999', `wamid.UNKNOWN${secret}`), {
        secret,
      });
      expect(response.status).toBe(200);
    }
    const page = await postWebhook(
      server,
      'messenger',
      messagingText({
        object: 'page',
        accountId: '999000000000998',
        senderId: '1254459154682919',
        mid: 'm_UNKNOWN_PAGE',
        text: 'hi',
        timestampMs: T0 * 1000,
      }),
      { secret: APP_C.secret },
    );
    expect(page.status).toBe(200);
    expect(await snapshot(server)).toEqual(before);
  });

  test('Messenger and Instagram route on the Page or IG account id the same way', async () => {
    const toPage = (mid: string): Record<string, unknown> =>
      messagingText({
        object: 'page',
        accountId: APP_C.page,
        senderId: '1254459154682919',
        mid,
        text: 'hi',
        timestampMs: T0 * 1000,
      });
    await deliver(server, 'messenger', toPage('m_APP_C'));
    expect(await messagesByExternalId(server, 'm_APP_C')).toBe(0);
    const signed = await postWebhook(server, 'messenger', toPage('m_APP_C'), { secret: APP_C.secret });
    expect(signed.status).toBe(200);
    expect(await accountOfMessage('m_APP_C')).toBe(APP_C.page);

    const toInstagram = messagingText({
      object: 'instagram',
      accountId: IG_ACCOUNT_ID,
      senderId: '1254001234567890',
      mid: 'm_IG_WRONG_APP',
      text: 'hi',
      timestampMs: T0 * 1000,
    });
    const wrongApp = await postWebhook(server, 'instagram', toInstagram, { secret: APP_C.secret });
    // App C has no Instagram account, so its secret is not among Instagram's: refused outright.
    expect(wrongApp.status).toBe(401);
    await deliver(server, 'instagram', toInstagram);
    expect(await accountOfMessage('m_IG_WRONG_APP')).toBe(IG_ACCOUNT_ID);
  });

  test("the handshake accepts any account's verify token on that account's channel, and no other", async () => {
    const handshake = (channel: ChannelName, token: string): Promise<Response> =>
      verifyWebhook(server, channel, { 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': 'c-123' });
    for (const [channel, token] of [
      ['whatsapp', APP_B.verify],
      ['whatsapp', APP_C.verify],
      ['messenger', APP_C.verify],
      ['instagram', VERIFY_TOKEN],
    ] as const) {
      const response = await handshake(channel, token);
      expect(response.status, `${channel} with ${token}`).toBe(200);
      expect(await response.text()).toBe('c-123');
    }
    for (const [channel, token] of [
      ['messenger', APP_B.verify],
      ['instagram', APP_C.verify],
      ['whatsapp', `${APP_B.verify}x`],
      ['whatsapp', APP_B.verify.slice(0, -1)],
    ] as const) {
      const response = await handshake(channel, token);
      expect(response.status, `${channel} with ${token}`).toBe(403);
      expect(await response.text()).not.toContain('c-123');
    }
  });
});
