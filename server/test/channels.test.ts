import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Channel } from '@parley/protocol';
import { upsertChannelAccount } from '../src/modules/channelAccounts/records.js';
import {
  APP_SECRET,
  IG_ACCOUNT_ID,
  PAGE_ID,
  WA_PHONE_NUMBER_ID,
  deliver,
  messageCount,
  messagingEvent,
  messagingText,
  messagingWebhook,
  snapshot,
  startTestServer,
  VERIFY_TOKEN,
  whatsappMessage,
  whatsappText,
  whatsappValue,
  whatsappWebhook,
  type MessagingObject,
  type TestServer,
} from './helpers.js';

const T0 = 1_749_416_383;

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.cleanup();
});

/** Our id of the channel account with this platform id (conversations reference ours). */
async function accountIdOf(channel: Channel, externalId: string): Promise<string> {
  const row = await server.store.db
    .selectFrom('channel_accounts')
    .select('id')
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function addWhatsAppNumber(phoneNumberId: string): Promise<string> {
  const row = await upsertChannelAccount(server.store, {
    channel: 'whatsapp',
    externalId: phoneNumberId,
    name: `Number ${phoneNumberId}`,
    accessToken: 'test-token',
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
  });
  return row.id;
}

/** The stored thread of one message, as the database holds it. */
async function threadOf(externalId: string): Promise<{
  message: {
    id: string;
    channel: string;
    direction: string;
    kind: string;
    text: string | null;
    external_id: string | null;
    status: string;
    created_at: number;
    raw: string | null;
    author_agent_id: string | null;
  };
  conversation: {
    id: string;
    channel: string;
    channel_account_id: string;
    status: string;
    last_message_at: number;
    last_message_preview: string;
    preview: string | null;
    last_inbound_at: number | null;
    unread_count: number;
  };
  contact: { id: string; name: string; phone: string | null };
  identities: { channel: string; external_id: string }[];
}> {
  const db = server.store.db;
  const message = await db
    .selectFrom('messages')
    .select([
      'id',
      'conversation_id',
      'channel',
      'direction',
      'kind',
      'text',
      'external_id',
      'status',
      'created_at',
      'raw',
      'author_agent_id',
    ])
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
  const conversation = await db
    .selectFrom('conversations')
    .select([
      'id',
      'channel',
      'channel_account_id',
      'contact_id',
      'status',
      'last_message_at',
      'last_message_preview',
      'preview',
      'last_inbound_at',
      'unread_count',
    ])
    .where('id', '=', message.conversation_id)
    .executeTakeFirstOrThrow();
  const contact = await db
    .selectFrom('contacts')
    .select(['id', 'name', 'phone'])
    .where('id', '=', conversation.contact_id)
    .executeTakeFirstOrThrow();
  const identities = await db
    .selectFrom('contact_identities')
    .select(['channel', 'external_id'])
    .where('contact_id', '=', contact.id)
    .execute();
  return {
    message: { ...message, created_at: Number(message.created_at) },
    conversation: {
      ...conversation,
      last_message_at: Number(conversation.last_message_at),
      last_inbound_at: conversation.last_inbound_at === null ? null : Number(conversation.last_inbound_at),
      unread_count: Number(conversation.unread_count),
    },
    contact,
    identities,
  };
}

describe('WhatsApp inbound', () => {
  test('a text creates the contact, an open conversation and the message', async () => {
    const body = whatsappText({
      from: '16505551234',
      name: 'Sheena Nelson',
      id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      text: 'Does it come in another color?',
      timestampSeconds: T0,
    });
    await deliver(server, 'whatsapp', body);

    const { message, conversation, contact, identities } = await threadOf(
      'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
    );
    expect(contact).toMatchObject({ name: 'Sheena Nelson', phone: '16505551234' });
    expect(identities).toEqual([{ channel: 'whatsapp', external_id: '16505551234' }]);
    expect(conversation).toMatchObject({
      channel: 'whatsapp',
      channel_account_id: await accountIdOf('whatsapp', WA_PHONE_NUMBER_ID),
      status: 'open',
      last_message_at: T0 * 1000,
      last_inbound_at: T0 * 1000,
      last_message_preview: 'Does it come in another color?',
      unread_count: 1,
    });
    expect(message).toMatchObject({
      channel: 'whatsapp',
      direction: 'inbound',
      kind: 'text',
      text: 'Does it come in another color?',
      status: 'received',
      created_at: T0 * 1000,
      author_agent_id: null,
    });
    // The platform's own payload is kept for audit.
    const entry = (body.entry as { changes: { value: { messages: unknown[] } }[] }[])[0];
    expect(JSON.parse(message.raw ?? 'null')).toEqual(entry?.changes[0]?.value.messages[0]);
  });

  test('a second message from the same customer joins the same conversation', async () => {
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '16505551234', name: 'Sheena', id: 'wamid.A', text: 'first', timestampSeconds: T0 }),
    );
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '16505551234', name: 'Sheena', id: 'wamid.B', text: 'second', timestampSeconds: T0 + 60 }),
    );
    const first = await threadOf('wamid.A');
    const second = await threadOf('wamid.B');
    expect(second.conversation.id).toBe(first.conversation.id);
    expect(second.contact.id).toBe(first.contact.id);
    expect(second.conversation).toMatchObject({
      unread_count: 2,
      last_message_preview: 'second',
      last_message_at: (T0 + 60) * 1000,
      last_inbound_at: (T0 + 60) * 1000,
    });
    const { count } = await server.store.db
      .selectFrom('conversations')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(1);
  });

  test('one POST with several entries, changes and messages stores every message', async () => {
    const secondNumber = await addWhatsAppNumber('200000000000002');
    const thirdNumber = await addWhatsAppNumber('300000000000003');
    const body = whatsappWebhook([
      [
        {
          value: whatsappValue({
            contacts: [
              { waId: '16505550001', name: 'Ada' },
              { waId: '16505550002', name: 'Bo' },
            ],
            messages: [
              whatsappMessage({ from: '16505550001', id: 'wamid.E1C1M1', timestampSeconds: T0, text: 'ada 1' }),
              whatsappMessage({ from: '16505550001', id: 'wamid.E1C1M2', timestampSeconds: T0 + 1, text: 'ada 2' }),
              whatsappMessage({ from: '16505550002', id: 'wamid.E1C1M3', timestampSeconds: T0 + 2, text: 'bo 1' }),
            ],
          }),
        },
        {
          value: whatsappValue({
            phoneNumberId: '200000000000002',
            contacts: [{ waId: '16505550001', name: 'Ada' }],
            messages: [
              whatsappMessage({ from: '16505550001', id: 'wamid.E1C2M1', timestampSeconds: T0 + 3, text: 'ada 3' }),
            ],
          }),
        },
      ],
      [
        {
          value: whatsappValue({
            phoneNumberId: '300000000000003',
            contacts: [{ waId: '16505550003', name: 'Cy' }],
            messages: [
              whatsappMessage({ from: '16505550003', id: 'wamid.E2C1M1', timestampSeconds: T0 + 4, text: 'cy 1' }),
            ],
          }),
        },
      ],
    ]);
    await deliver(server, 'whatsapp', body);

    expect(await messageCount(server)).toBe(5);
    const ada1 = await threadOf('wamid.E1C1M1');
    const ada2 = await threadOf('wamid.E1C1M2');
    const bo = await threadOf('wamid.E1C1M3');
    const adaOtherNumber = await threadOf('wamid.E1C2M1');
    const cy = await threadOf('wamid.E2C1M1');
    expect(ada2.conversation.id).toBe(ada1.conversation.id);
    expect(ada2.conversation.unread_count).toBe(2);
    expect(bo.conversation.id).not.toBe(ada1.conversation.id);
    expect(bo.contact.name).toBe('Bo');
    // The same customer writing to another business number is another thread, same contact.
    expect(adaOtherNumber.contact.id).toBe(ada1.contact.id);
    expect(adaOtherNumber.conversation.id).not.toBe(ada1.conversation.id);
    expect(adaOtherNumber.conversation.channel_account_id).toBe(secondNumber);
    expect(cy.conversation.channel_account_id).toBe(thirdNumber);
    expect(cy.contact).toMatchObject({ name: 'Cy', phone: '16505550003' });
  });

  test('an image and a location keep their content, media and quoted message', async () => {
    const image = {
      type: 'image',
      image: {
        caption: 'this one',
        mime_type: 'image/jpeg',
        sha256: '81d3bd8a8db4868c9520ed47186e8b7c5789e61ff79f7f834be6950b808a90d3',
        id: '2621233374848975',
      },
      context: { from: '15550783881', id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZC' },
    };
    const location = { type: 'location', location: { latitude: 48.85, longitude: 2.35, name: 'Paris' } };
    await deliver(
      server,
      'whatsapp',
      whatsappWebhook([
        [
          {
            value: whatsappValue({
              contacts: [{ waId: '16505551234', name: 'Sheena Nelson' }],
              messages: [
                whatsappMessage({ from: '16505551234', id: 'wamid.IMAGE', timestampSeconds: T0, body: image }),
                whatsappMessage({ from: '16505551234', id: 'wamid.LOC', timestampSeconds: T0 + 1, body: location }),
              ],
            }),
          },
        ],
      ]),
    );
    const { message, conversation } = await threadOf('wamid.IMAGE');
    expect(message).toMatchObject({ kind: 'image', text: 'this one', direction: 'inbound', created_at: T0 * 1000 });
    expect(JSON.parse(message.raw ?? 'null')).toMatchObject({ type: 'image', image: { id: '2621233374848975' } });
    const stored = await server.store.db
      .selectFrom('messages')
      .select(['attachments', 'reply_to'])
      .where('id', '=', message.id)
      .executeTakeFirstOrThrow();
    const attachments = JSON.parse(stored.attachments) as { mediaId: string }[];
    expect(attachments).toEqual([
      {
        mediaId: expect.any(String) as string,
        kind: 'image',
        mimeType: 'image/jpeg',
        fileName: null,
        size: null,
        status: 'pending',
        hasThumbnail: false,
        voice: false,
        animated: false,
      },
    ]);
    const media = await server.store.db
      .selectFrom('media')
      .selectAll()
      .where('id', '=', attachments[0]?.mediaId ?? '')
      .executeTakeFirstOrThrow();
    expect(media).toMatchObject({
      status: 'pending',
      source_kind: 'whatsapp_media_id',
      source_ref: '2621233374848975',
      sha256: '81d3bd8a8db4868c9520ed47186e8b7c5789e61ff79f7f834be6950b808a90d3',
      kind: 'image',
      channel_account_id: await accountIdOf('whatsapp', WA_PHONE_NUMBER_ID),
    });
    // The quoted message is not ours to know: its platform id is kept, our id is null.
    expect(JSON.parse(stored.reply_to ?? 'null')).toEqual({
      externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZC',
      messageId: null,
      storyUrl: null,
    });
    const loc = await threadOf('wamid.LOC');
    expect(loc.message.kind).toBe('location');
    expect(conversation.unread_count).toBe(2);
    expect(loc.conversation.last_message_preview).toBe('');
    expect(JSON.parse(loc.conversation.preview ?? 'null')).toEqual({
      kind: 'location',
      direction: 'inbound',
      text: null,
      name: 'Paris',
      voice: false,
      count: 0,
    });
  });
});

describe('WhatsApp contacts and previews', () => {
  test('a new profile name updates the contact; a message without contacts[] keeps it', async () => {
    const from = '16505551234';
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from, name: 'Sheena', id: 'wamid.N1', text: 'a', timestampSeconds: T0 }),
    );
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from, name: 'Sheena Nelson', id: 'wamid.N2', text: 'b', timestampSeconds: T0 + 1 }),
    );
    expect((await threadOf('wamid.N2')).contact.name).toBe('Sheena Nelson');
    await deliver(
      server,
      'whatsapp',
      whatsappWebhook([
        [
          {
            value: whatsappValue({
              messages: [whatsappMessage({ from, id: 'wamid.N3', timestampSeconds: T0 + 2, text: 'c' })],
            }),
          },
        ],
      ]),
    );
    const third = await threadOf('wamid.N3');
    expect(third.contact).toMatchObject({ name: 'Sheena Nelson', phone: from });
    const { n } = await server.store.db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(1);
  });

  test('the preview is the text on one line, cut to 140 characters', async () => {
    const long = `Hello\n\n  there ${'x'.repeat(300)}`;
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '16505551234', name: 'S', id: 'wamid.LONG', text: long, timestampSeconds: T0 }),
    );
    const { conversation, message } = await threadOf('wamid.LONG');
    expect(message.text).toBe(long);
    expect(conversation.last_message_preview).toHaveLength(140);
    expect(conversation.last_message_preview.startsWith('Hello there xxx')).toBe(true);
    expect(conversation.last_message_preview.endsWith('…')).toBe(true);
  });
});

describe.each([
  { object: 'page', channel: 'messenger', accountId: PAGE_ID },
  { object: 'instagram', channel: 'instagram', accountId: IG_ACCOUNT_ID },
] as const satisfies readonly { object: MessagingObject; channel: Channel; accountId: string }[])(
  '$channel inbound (object "$object")',
  ({ object, channel, accountId }) => {
    const customer = '1254459154682919';
    const ts = 1_518_479_195_308;

    test('a text is stored with the right channel and account', async () => {
      await deliver(
        server,
        channel,
        messagingText({
          object,
          accountId,
          senderId: customer,
          mid: `m_${channel}_1`,
          text: 'hello, world!',
          timestampMs: ts,
        }),
      );
      const { message, conversation, identities } = await threadOf(`m_${channel}_1`);
      expect(message).toMatchObject({
        channel,
        direction: 'inbound',
        kind: 'text',
        text: 'hello, world!',
        created_at: ts,
      });
      expect(conversation).toMatchObject({
        channel,
        channel_account_id: await accountIdOf(channel, accountId),
        status: 'open',
        last_message_at: ts,
        last_inbound_at: ts,
        unread_count: 1,
        last_message_preview: 'hello, world!',
      });
      expect(identities).toEqual([{ channel, external_id: customer }]);
    });

    test('an echo is stored as outbound without opening the window; delivery and read advance it', async () => {
      const body = messagingWebhook(object, [
        {
          id: accountId,
          messaging: [
            // The business's own message, echoed back: sender and recipient swapped.
            messagingEvent({
              sender: accountId,
              recipient: customer,
              timestampMs: ts,
              event: { message: { mid: 'm_echo_1', text: 'We are on it', is_echo: true, app_id: 1517776481860111 } },
            }),
            messagingEvent({
              sender: customer,
              recipient: accountId,
              timestampMs: ts + 1,
              event: { delivery: { mids: ['m_echo_1'], watermark: ts } },
            }),
          ],
        },
      ]);
      await deliver(server, channel, body);
      const { message, conversation, identities } = await threadOf('m_echo_1');
      expect(message).toMatchObject({ direction: 'outbound', status: 'delivered', text: 'We are on it' });
      // The customer is the echo's recipient; the business's words open no window.
      expect(identities).toEqual([{ channel, external_id: customer }]);
      expect(conversation).toMatchObject({ last_inbound_at: null, unread_count: 0 });
      const windows = await server.store.db
        .selectFrom('conversations')
        .select(['window_open_until', 'human_agent_until'])
        .where('id', '=', conversation.id)
        .executeTakeFirstOrThrow();
      expect(windows).toEqual({ window_open_until: null, human_agent_until: null });

      const before = await snapshot(server);
      await deliver(
        server,
        channel,
        messagingWebhook(object, [
          {
            id: accountId,
            messaging: [
              messagingEvent({
                sender: customer,
                recipient: accountId,
                timestampMs: ts + 2,
                event: { read: { watermark: ts + 1 } },
              }),
            ],
          },
        ]),
      );
      expect((await threadOf('m_echo_1')).message.status).toBe('read');
      // A read moves one message's status: no new message, contact or conversation.
      const after = await snapshot(server);
      expect(after).toEqual({ ...before, head: before.head + 1 });
    });

    test('in a mixed batch the echo and the customer’s message are stored, the read only moves the echo', async () => {
      const body = messagingWebhook(object, [
        {
          id: accountId,
          messaging: [
            messagingEvent({
              sender: accountId,
              recipient: customer,
              timestampMs: ts,
              event: { message: { mid: 'm_echo_2', text: 'Hi! How can we help?', is_echo: true } },
            }),
            messagingEvent({
              sender: customer,
              recipient: accountId,
              timestampMs: ts + 5,
              event: { message: { mid: 'm_customer_2', text: 'my order is late' } },
            }),
            messagingEvent({
              sender: customer,
              recipient: accountId,
              timestampMs: ts + 6,
              event: { read: { watermark: ts } },
            }),
          ],
        },
      ]);
      await deliver(server, channel, body);
      expect(await messageCount(server)).toBe(2);
      const { message, conversation } = await threadOf('m_customer_2');
      expect(message).toMatchObject({ text: 'my order is late', direction: 'inbound', status: 'received' });
      expect(conversation.channel_account_id).toBe(await accountIdOf(channel, accountId));
      expect(conversation).toMatchObject({ unread_count: 1, last_inbound_at: ts + 5 });
      const echo = await threadOf('m_echo_2');
      expect(echo.conversation.id).toBe(conversation.id);
      expect(echo.message).toMatchObject({ direction: 'outbound', status: 'read' });
    });

    test('an attachment-only message is stored with its attachment, to be copied', async () => {
      const body = messagingWebhook(object, [
        {
          id: accountId,
          messaging: [
            messagingEvent({
              sender: customer,
              recipient: accountId,
              timestampMs: ts,
              event: {
                message: {
                  mid: `m_${channel}_attachment`,
                  attachments: [{ type: 'image', payload: { url: 'https://scontent.xx.fbcdn.net/v/abc.jpg' } }],
                },
              },
            }),
          ],
        },
      ]);
      await deliver(server, channel, body);
      const { message, conversation } = await threadOf(`m_${channel}_attachment`);
      expect(message).toMatchObject({ kind: 'image', text: null });
      expect(conversation.last_message_preview).toBe('');
      expect(JSON.parse(conversation.preview ?? 'null')).toEqual({
        kind: 'image',
        direction: 'inbound',
        text: null,
        name: null,
        voice: false,
        count: 1,
      });
      const media = await server.store.db.selectFrom('media').selectAll().execute();
      expect(media).toHaveLength(1);
      expect(media[0]).toMatchObject({
        status: 'pending',
        source_kind: 'url',
        source_ref: 'https://scontent.xx.fbcdn.net/v/abc.jpg',
        kind: 'image',
      });
    });
  },
);

describe('ordering and reopening', () => {
  test('messages arriving newest first leave the newest as the conversation’s last message', async () => {
    const from = '16505551234';
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from, name: 'Sheena', id: 'wamid.NEWER', text: 'newer text', timestampSeconds: T0 + 120 }),
    );
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from, name: 'Sheena', id: 'wamid.OLDER', text: 'older text', timestampSeconds: T0 }),
    );
    const older = await threadOf('wamid.OLDER');
    const newer = await threadOf('wamid.NEWER');
    expect(older.conversation.id).toBe(newer.conversation.id);
    expect(older.message.created_at).toBe(T0 * 1000);
    expect(newer.message.created_at).toBe((T0 + 120) * 1000);
    expect(older.conversation).toMatchObject({
      last_message_preview: 'newer text',
      last_message_at: (T0 + 120) * 1000,
      last_inbound_at: (T0 + 120) * 1000,
      unread_count: 2,
    });
  });

  test('messages in reverse order inside one POST are ordered by their timestamps', async () => {
    const from = '16505551234';
    await deliver(
      server,
      'whatsapp',
      whatsappWebhook([
        [
          {
            value: whatsappValue({
              contacts: [{ waId: from, name: 'Sheena' }],
              messages: [
                whatsappMessage({ from, id: 'wamid.LATE', timestampSeconds: T0 + 30, text: 'late' }),
                whatsappMessage({ from, id: 'wamid.EARLY', timestampSeconds: T0, text: 'early' }),
              ],
            }),
          },
        ],
      ]),
    );
    const early = await threadOf('wamid.EARLY');
    const late = await threadOf('wamid.LATE');
    expect(early.conversation).toMatchObject({ last_message_preview: 'late', last_message_at: (T0 + 30) * 1000 });
    // Stored, and so synced, in the customer's order, not the payload's.
    const seqs = await server.store.db
      .selectFrom('messages')
      .select(['id', 'seq'])
      .where('id', 'in', [early.message.id, late.message.id])
      .execute();
    const seqOf = (id: string): number => Number(seqs.find((row) => row.id === id)?.seq);
    expect(seqOf(early.message.id)).toBeLessThan(seqOf(late.message.id));
  });

  test('a resolved conversation reopens when the customer writes again', async () => {
    const from = '16505551234';
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from, name: 'Sheena', id: 'wamid.BEFORE', text: 'help', timestampSeconds: T0 }),
    );
    const { conversation } = await threadOf('wamid.BEFORE');
    await server.store.db
      .updateTable('conversations')
      .set({ status: 'resolved' })
      .where('id', '=', conversation.id)
      .execute();

    await deliver(
      server,
      'whatsapp',
      whatsappText({ from, name: 'Sheena', id: 'wamid.AGAIN', text: 'still broken', timestampSeconds: T0 + 3600 }),
    );
    const again = await threadOf('wamid.AGAIN');
    expect(again.conversation.id).toBe(conversation.id);
    expect(again.conversation.status).toBe('open');
    expect(again.conversation.last_message_preview).toBe('still broken');
  });

  test('a duplicate of a message does not reopen a resolved conversation', async () => {
    const from = '16505551234';
    const body = whatsappText({ from, name: 'Sheena', id: 'wamid.ONCE', text: 'thanks', timestampSeconds: T0 });
    await deliver(server, 'whatsapp', body);
    const { conversation } = await threadOf('wamid.ONCE');
    await server.store.db
      .updateTable('conversations')
      .set({ status: 'resolved' })
      .where('id', '=', conversation.id)
      .execute();
    // Meta retries the same event: it is not the customer writing again.
    await deliver(server, 'whatsapp', body);
    const after = await threadOf('wamid.ONCE');
    expect(after.conversation.status).toBe('resolved');
    expect(after.conversation.unread_count).toBe(1);
  });
});
