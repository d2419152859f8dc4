import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  PAGE_ID,
  deliver,
  messagingEvent,
  messagingText,
  messagingWebhook,
  postWebhook,
  snapshot,
  startTestServer,
  type TestServer,
} from './helpers.js';
import {
  DAY_MS,
  contactOf,
  conversationOf,
  countRows,
  mediaRow,
  seedOutbound,
  storedMessage,
  storedMessageById,
} from './inbound-helpers.js';

/** Messenger (`object: "page"`), CHANNELS.md §2.2, through the real endpoint and store. */

const PSID = '1254459154682919';
const TS = 1_518_479_195_308;

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.cleanup();
});

type Item = { event: Record<string, unknown>; at?: number; fromPage?: boolean };

function post(items: Item[], key: 'messaging' | 'standby' = 'messaging'): Record<string, unknown> {
  const body = messagingWebhook('page', [
    {
      id: PAGE_ID,
      messaging: items.map((item) =>
        messagingEvent({
          sender: item.fromPage === true ? PAGE_ID : PSID,
          recipient: item.fromPage === true ? PSID : PAGE_ID,
          timestampMs: item.at ?? TS,
          event: item.event,
        }),
      ),
    },
  ]);
  if (key === 'standby') {
    const entry = (body.entry as Record<string, unknown>[])[0];
    if (entry !== undefined) {
      entry.standby = entry.messaging;
      delete entry.messaging;
    }
  }
  return body;
}

async function customerText(mid: string, text: string, at = TS): Promise<void> {
  await deliver(
    server,
    'messenger',
    messagingText({ object: 'page', accountId: PAGE_ID, senderId: PSID, mid, text, timestampMs: at }),
  );
}

describe('Messenger messages', () => {
  test('a text opens the 24-hour window and the 7-day human-agent window', async () => {
    await customerText('m_text', 'hello, world!');
    const message = await storedMessage(server, 'messenger', 'm_text');
    expect(message).toMatchObject({ kind: 'text', text: 'hello, world!', direction: 'inbound', status: 'received' });
    expect(await conversationOf(server, message)).toMatchObject({
      lastInboundAt: TS,
      windowOpenUntil: TS + DAY_MS,
      humanAgentUntil: TS + 7 * DAY_MS,
    });
    const contact = await contactOf(server, await conversationOf(server, message));
    expect(contact.identities).toEqual([{ channel: 'messenger', kind: 'psid', externalId: PSID }]);
  });

  test('a quick reply is an interactive message that keeps its text and payload', async () => {
    await deliver(
      server,
      'messenger',
      post([{ event: { message: { mid: 'm_qr', text: 'Red', quick_reply: { payload: 'COLOR_RED' } } } }]),
    );
    const message = await storedMessage(server, 'messenger', 'm_qr');
    expect(message).toMatchObject({
      kind: 'interactive',
      text: 'Red',
      interactive: { type: 'quick_reply', id: 'COLOR_RED', title: 'Red', description: null },
    });
    expect((await conversationOf(server, message)).windowOpenUntil).toBe(TS + DAY_MS);
  });

  test('a postback is an interactive message; without a mid it is deduplicated by a stable hash', async () => {
    await deliver(
      server,
      'messenger',
      post([{ event: { postback: { mid: 'm_pb', title: 'Track my order', payload: 'TRACK' } } }]),
    );
    const withMid = await storedMessage(server, 'messenger', 'm_pb');
    expect(withMid).toMatchObject({
      kind: 'interactive',
      text: 'Track my order',
      interactive: { type: 'postback', id: 'TRACK', title: 'Track my order', description: null },
    });

    const old = post([{ event: { postback: { title: 'Get started', payload: 'GET_STARTED' } }, at: TS + 10 }]);
    await deliver(server, 'messenger', old);
    await deliver(server, 'messenger', old);
    expect(await countRows(server, 'messages')).toBe(2);
    const hashed = await server.store.db
      .selectFrom('messages')
      .select('external_id')
      .where('text', '=', 'Get started')
      .executeTakeFirstOrThrow();
    expect(hashed.external_id).toMatch(/^postback\.[0-9a-f]{32}$/);
    // A different tap (another time) is another message.
    await deliver(
      server,
      'messenger',
      post([{ event: { postback: { title: 'Get started', payload: 'GET_STARTED' } }, at: TS + 20 }]),
    );
    expect(await countRows(server, 'messages')).toBe(3);
  });

  test.each([
    {
      type: 'image',
      payload: { url: 'https://scontent.xx.fbcdn.net/v/photo.jpg' },
      kind: 'image',
      attachment: 'image',
    },
    { type: 'video', payload: { url: 'https://video.xx.fbcdn.net/v/clip.mp4' }, kind: 'video', attachment: 'video' },
    { type: 'audio', payload: { url: 'https://cdn.fbsbx.com/v/voice.mp4' }, kind: 'audio', attachment: 'audio' },
    { type: 'file', payload: { url: 'https://cdn.fbsbx.com/v/manual.pdf' }, kind: 'document', attachment: 'file' },
    {
      type: 'image',
      payload: { url: 'https://scontent.xx.fbcdn.net/v/thumb.png', sticker_id: 369239263222822 },
      kind: 'sticker',
      attachment: 'sticker',
    },
  ])('a $type attachment ($kind) is copied from its URL', async ({ type, payload, kind, attachment }) => {
    await deliver(
      server,
      'messenger',
      post([{ event: { message: { mid: 'm_att', attachments: [{ type, payload }] } } }]),
    );
    const message = await storedMessage(server, 'messenger', 'm_att');
    expect(message.kind).toBe(kind);
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]).toMatchObject({ kind: attachment, status: 'pending', size: null });
    expect(await mediaRow(server, message.attachments[0]?.mediaId ?? '')).toMatchObject({
      status: 'pending',
      source_kind: 'url',
      source_ref: payload.url,
      kind: attachment,
    });
  });

  test('several images in one message are several attachments', async () => {
    const attachments = [1, 2, 3].map((n) => ({
      type: 'image',
      payload: { url: `https://scontent.xx.fbcdn.net/v/${n}.jpg` },
    }));
    await deliver(server, 'messenger', post([{ event: { message: { mid: 'm_album', attachments } } }]));
    const message = await storedMessage(server, 'messenger', 'm_album');
    expect(message.attachments).toHaveLength(3);
    expect(await countRows(server, 'media')).toBe(3);
  });

  test('a fallback (shared link) is a share with its title and URL; unknown attachments are unsupported', async () => {
    await deliver(
      server,
      'messenger',
      post([
        {
          event: {
            message: {
              mid: 'm_link',
              attachments: [{ type: 'fallback', payload: { url: 'https://example.com/item/42', title: 'Item 42' } }],
            },
          },
        },
        {
          event: { message: { mid: 'm_weird', attachments: [{ type: 'appointment_booking', payload: {} }] } },
          at: TS + 1,
        },
      ]),
    );
    expect(await storedMessage(server, 'messenger', 'm_link')).toMatchObject({
      kind: 'share',
      text: 'Item 42\nhttps://example.com/item/42',
      attachments: [],
    });
    const weird = await storedMessage(server, 'messenger', 'm_weird');
    expect(weird.kind).toBe('unsupported');
    expect(weird.raw).toMatchObject({ message: { mid: 'm_weird' } });
  });

  test('reply_to resolves to our id for a message we have', async () => {
    await customerText('m_first', 'the broken part');
    await deliver(
      server,
      'messenger',
      post([{ event: { message: { mid: 'm_reply', text: 'this one', reply_to: { mid: 'm_first' } } }, at: TS + 5 }]),
    );
    const first = await storedMessage(server, 'messenger', 'm_first');
    expect((await storedMessage(server, 'messenger', 'm_reply')).replyTo).toEqual({
      externalId: 'm_first',
      messageId: first.id,
      storyUrl: null,
    });
  });

  test('a message edit replaces the text', async () => {
    await customerText('m_edit', 'helo');
    await deliver(
      server,
      'messenger',
      post([{ event: { message_edit: { mid: 'm_edit', text: 'hello', num_edit: 1 } }, at: TS + 9 }]),
    );
    expect(await storedMessage(server, 'messenger', 'm_edit')).toMatchObject({ text: 'hello', editedAt: TS + 9 });
  });
});

describe('Messenger reactions', () => {
  test('react, replace and unreact; by name when the emoji is missing; never a message or a window', async () => {
    await customerText('m_base', 'parcel arrived');
    const windowBefore = (await conversationOf(server, await storedMessage(server, 'messenger', 'm_base')))
      .windowOpenUntil;
    const reaction = (body: Record<string, unknown>, at: number): Record<string, unknown> =>
      post([{ event: { reaction: { mid: 'm_base', ...body } }, at }]);

    await deliver(server, 'messenger', reaction({ reaction: 'love', emoji: '❤️', action: 'react' }, TS + DAY_MS));
    expect((await storedMessage(server, 'messenger', 'm_base')).reactions).toEqual([
      { emoji: '❤️', from: 'customer', agentId: null, at: TS + DAY_MS },
    ]);
    await deliver(server, 'messenger', reaction({ reaction: 'wow', action: 'react' }, TS + DAY_MS + 1));
    expect((await storedMessage(server, 'messenger', 'm_base')).reactions.map((r) => r.emoji)).toEqual(['😮']);
    await deliver(server, 'messenger', reaction({ reaction: 'wow', action: 'unreact' }, TS + DAY_MS + 2));
    const message = await storedMessage(server, 'messenger', 'm_base');
    expect(message.reactions).toEqual([]);
    expect(await countRows(server, 'messages')).toBe(1);
    expect((await conversationOf(server, message)).windowOpenUntil).toBe(windowBefore);
  });
});

describe('Messenger echoes (the business’s own messages)', () => {
  test('an echo of a message the outbound service already recorded is not stored again', async () => {
    await customerText('m_in', 'hi');
    const { conversationId } = await storedMessage(server, 'messenger', 'm_in');
    const ours = await seedOutbound(server, {
      conversationId,
      channel: 'messenger',
      externalId: 'm_ours',
      text: 'How can we help?',
      status: 'delivered',
      createdAt: TS + 1000,
    });
    const before = await snapshot(server);
    await deliver(
      server,
      'messenger',
      post([
        {
          event: { message: { mid: 'm_ours', text: 'How can we help?', is_echo: true, app_id: 1 } },
          at: TS + 1100,
          fromPage: true,
        },
      ]),
    );
    expect(await snapshot(server)).toEqual(before);
    expect((await storedMessageById(server, ours)).status).toBe('delivered');
  });

  test('an echo that beats the send response is attached to our pending message (same text, ±2 min)', async () => {
    await customerText('m_in', 'hi');
    const { conversationId } = await storedMessage(server, 'messenger', 'm_in');
    const seed = (text: string, createdAt: number): Promise<string> =>
      seedOutbound(server, {
        conversationId,
        channel: 'messenger',
        externalId: null,
        text,
        status: 'pending',
        createdAt,
      });
    const match = await seed('On it!', TS + 60_000);
    const otherText = await seed('Something else', TS + 60_000);
    const tooOld = await seed('On it!', TS - 10 * 60_000);

    await deliver(
      server,
      'messenger',
      post([
        { event: { message: { mid: 'm_echoed', text: 'On it!', is_echo: true } }, at: TS + 61_000, fromPage: true },
      ]),
    );
    expect(await countRows(server, 'messages')).toBe(4);
    expect(await storedMessageById(server, match)).toMatchObject({ externalId: 'm_echoed', status: 'sent' });
    expect(await storedMessageById(server, otherText)).toMatchObject({ externalId: null, status: 'pending' });
    expect(await storedMessageById(server, tooOld)).toMatchObject({ externalId: null, status: 'pending' });

    // The echo retried is now a plain duplicate.
    await deliver(
      server,
      'messenger',
      post([
        { event: { message: { mid: 'm_echoed', text: 'On it!', is_echo: true } }, at: TS + 61_000, fromPage: true },
      ]),
    );
    expect(await countRows(server, 'messages')).toBe(4);
  });

  test('an echo of a reply typed elsewhere (Meta’s inbox) is an outbound message of its own', async () => {
    await customerText('m_in', 'hi');
    await deliver(
      server,
      'messenger',
      post([
        {
          event: {
            message: { mid: 'm_inbox', text: 'Typed in Business Suite', is_echo: true, app_id: 263902037430900 },
          },
          at: TS + 5000,
          fromPage: true,
        },
      ]),
    );
    const echo = await storedMessage(server, 'messenger', 'm_inbox');
    expect(echo).toMatchObject({ direction: 'outbound', status: 'sent', authorAgentId: null });
    const conversation = await conversationOf(server, echo);
    expect(conversation).toMatchObject({
      lastInboundAt: TS,
      unreadCount: 1,
      preview: { text: 'Typed in Business Suite' },
    });
  });
});

describe('Messenger standby and robustness', () => {
  test('standby messages are recorded, flagged in their audit payload', async () => {
    await deliver(
      server,
      'messenger',
      post([{ event: { message: { mid: 'm_standby', text: 'anyone?' } } }], 'standby'),
    );
    const message = await storedMessage(server, 'messenger', 'm_standby');
    expect(message).toMatchObject({ text: 'anyone?', direction: 'inbound' });
    expect(message.raw).toMatchObject({ standby: true, event: { message: { mid: 'm_standby' } } });
  });

  test('malformed events are skipped, the rest of the POST is kept', async () => {
    const body = messagingWebhook('page', [
      {
        id: PAGE_ID,
        messaging: [
          { sender: { id: PSID }, timestamp: TS, message: { mid: 'm_norecipient', text: 'x' } },
          messagingEvent({ sender: PSID, recipient: PAGE_ID, timestampMs: TS, event: { message: { text: 'no mid' } } }),
          messagingEvent({ sender: PSID, recipient: PAGE_ID, timestampMs: TS, event: { optin: { ref: 'x' } } }),
          messagingEvent({
            sender: PSID,
            recipient: PAGE_ID,
            timestampMs: TS + 1,
            event: { message: { mid: 'm_ok', text: 'kept' } },
          }),
        ],
      },
    ]);
    const response = await postWebhook(server, 'messenger', body);
    expect(response.status).toBe(200);
    expect(await countRows(server, 'messages')).toBe(1);
    expect((await storedMessage(server, 'messenger', 'm_ok')).text).toBe('kept');
  });

  test('events in one POST are applied in timestamp order', async () => {
    await deliver(
      server,
      'messenger',
      post([
        { event: { message: { mid: 'm_late', text: 'late' } }, at: TS + 2000 },
        { event: { message: { mid: 'm_early', text: 'early' } }, at: TS },
      ]),
    );
    const early = await storedMessage(server, 'messenger', 'm_early');
    const late = await storedMessage(server, 'messenger', 'm_late');
    expect(early.seq).toBeLessThan(late.seq);
    expect(await conversationOf(server, late)).toMatchObject({
      preview: { text: 'late' },
      lastInboundAt: TS + 2000,
    });
  });
});
