import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { deliver, postWebhook, signIn, connectReady, snapshot, startTestServer, type TestServer } from './helpers.js';
import {
  DAY_MS,
  batchTouchesMessage,
  contactOf,
  conversationOf,
  countRows,
  mediaRow,
  storedMessage,
  waMessage,
  whatsappPost,
  type WhatsAppSender,
} from './inbound-helpers.js';

/** Every WhatsApp message type of CHANNELS.md §2.1, through the real endpoint and store. */

const T0 = 1_749_416_383;
const FROM = '16505551234';
const BSUID = 'US.13491208655302741918';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.cleanup();
});

async function send(
  message: Record<string, unknown>,
  contacts: WhatsAppSender[] = [{ waId: FROM, name: 'Sheena Nelson' }],
): Promise<void> {
  await deliver(server, 'whatsapp', whatsappPost({ contacts, messages: [message] }));
}

const SHA = '81d3bd8a8db4868c9520ed47186e8b7c5789e61ff79f7f834be6950b808a90d3';

describe('WhatsApp message types', () => {
  test('text opens the 24-hour window (no human-agent extension on WhatsApp)', async () => {
    await send(waMessage({ id: 'wamid.T', from: FROM, seconds: T0, type: 'text', part: { body: 'hi there' } }));
    const message = await storedMessage(server, 'whatsapp', 'wamid.T');
    expect(message).toMatchObject({ kind: 'text', text: 'hi there', status: 'received', direction: 'inbound' });
    const conversation = await conversationOf(server, message);
    expect(conversation).toMatchObject({
      lastInboundAt: T0 * 1000,
      windowOpenUntil: T0 * 1000 + DAY_MS,
      humanAgentUntil: null,
      unreadCount: 1,
      preview: { text: 'hi there' },
    });
  });

  test.each([
    {
      type: 'image',
      part: { id: 'MEDIA_IMG', mime_type: 'image/jpeg', sha256: SHA, caption: 'the crack' },
      expected: { kind: 'image', text: 'the crack' },
      attachment: { kind: 'image', mimeType: 'image/jpeg', fileName: null, voice: false, animated: false },
      preview: { kind: 'image', text: 'the crack', name: null, voice: false, count: 1 },
    },
    {
      type: 'audio',
      part: { id: 'MEDIA_VOICE', mime_type: 'audio/ogg; codecs=opus', sha256: SHA, voice: true },
      expected: { kind: 'audio', text: null },
      attachment: { kind: 'audio', mimeType: 'audio/ogg; codecs=opus', fileName: null, voice: true, animated: false },
      preview: { kind: 'audio', text: null, name: null, voice: true, count: 1 },
    },
    {
      type: 'video',
      part: { id: 'MEDIA_VID', mime_type: 'video/mp4', sha256: SHA },
      expected: { kind: 'video', text: null },
      attachment: { kind: 'video', mimeType: 'video/mp4', fileName: null, voice: false, animated: false },
      preview: { kind: 'video', text: null, name: null, voice: false, count: 1 },
    },
    {
      type: 'document',
      part: { id: 'MEDIA_DOC', mime_type: 'application/pdf', sha256: SHA, filename: 'invoice-42.pdf' },
      expected: { kind: 'document', text: null },
      attachment: {
        kind: 'document',
        mimeType: 'application/pdf',
        fileName: 'invoice-42.pdf',
        voice: false,
        animated: false,
      },
      preview: { kind: 'document', text: null, name: 'invoice-42.pdf', voice: false, count: 1 },
    },
    {
      type: 'sticker',
      part: { id: 'MEDIA_STK', mime_type: 'image/webp', sha256: SHA, animated: true },
      expected: { kind: 'sticker', text: null },
      attachment: { kind: 'sticker', mimeType: 'image/webp', fileName: null, voice: false, animated: true },
      preview: { kind: 'sticker', text: null, name: null, voice: false, count: 1 },
    },
  ])('$type → a pending media row and its attachment', async ({ type, part, expected, attachment, preview }) => {
    const id = `wamid.${type}`;
    await send(waMessage({ id, from: FROM, seconds: T0, type, part }));
    const message = await storedMessage(server, 'whatsapp', id);
    expect(message).toMatchObject(expected);
    expect(message.attachments).toEqual([
      { ...attachment, mediaId: expect.any(String) as string, size: null, status: 'pending', hasThumbnail: false },
    ]);
    const media = await mediaRow(server, message.attachments[0]?.mediaId ?? '');
    // The media service fetches it by WhatsApp media id, then checks the sha256.
    expect(media).toMatchObject({
      status: 'pending',
      source_kind: 'whatsapp_media_id',
      source_ref: part.id,
      sha256: SHA,
      kind: attachment.kind,
      mime_type: attachment.mimeType,
      file_name: attachment.fileName,
    });
    const conversation = await conversationOf(server, message);
    expect(conversation.preview).toEqual({ ...preview, direction: 'inbound' });
    expect(conversation.preview?.text ?? '').toBe(preview.text ?? '');
  });

  test('location', async () => {
    const part = { latitude: 48.8584, longitude: 2.2945, name: 'Tour Eiffel', address: 'Champ de Mars, Paris' };
    await send(waMessage({ id: 'wamid.LOC', from: FROM, seconds: T0, type: 'location', part }));
    const message = await storedMessage(server, 'whatsapp', 'wamid.LOC');
    expect(message.kind).toBe('location');
    expect(message.location).toEqual({ ...part, url: null });
    expect((await conversationOf(server, message)).preview).toMatchObject({ kind: 'location', name: 'Tour Eiffel' });
  });

  test('contacts → shared contact cards, not the sender', async () => {
    const part = [
      {
        name: { formatted_name: 'Ada Lovelace', first_name: 'Ada', last_name: 'Lovelace' },
        phones: [{ phone: '+44 20 7946 0000', wa_id: '442079460000', type: 'WORK' }, { phone: '+44 7700 900000' }],
        emails: [{ email: 'ada@example.com', type: 'WORK' }],
        org: { company: 'Analytical Engines' },
      },
    ];
    await send(waMessage({ id: 'wamid.VCARD', from: FROM, seconds: T0, type: 'contacts', part }));
    const message = await storedMessage(server, 'whatsapp', 'wamid.VCARD');
    expect(message.kind).toBe('contacts');
    expect(message.sharedContacts).toEqual([
      {
        name: 'Ada Lovelace',
        phones: [
          { phone: '+44 20 7946 0000', waId: '442079460000', type: 'WORK' },
          { phone: '+44 7700 900000', waId: null, type: null },
        ],
        emails: ['ada@example.com'],
        organization: 'Analytical Engines',
      },
    ]);
    expect(await countRows(server, 'contacts')).toBe(1);
    expect((await conversationOf(server, message)).preview).toMatchObject({
      kind: 'contacts',
      name: 'Ada Lovelace',
      count: 1,
    });
  });

  test.each([
    {
      name: 'button_reply',
      type: 'interactive',
      part: { type: 'button_reply', button_reply: { id: 'yes-ship', title: 'Yes, ship it' } },
      interactive: { type: 'button_reply', id: 'yes-ship', title: 'Yes, ship it', description: null },
      text: 'Yes, ship it',
    },
    {
      name: 'list_reply',
      type: 'interactive',
      part: { type: 'list_reply', list_reply: { id: 'size-m', title: 'Medium', description: 'Chest 96–101 cm' } },
      interactive: { type: 'list_reply', id: 'size-m', title: 'Medium', description: 'Chest 96–101 cm' },
      text: 'Medium',
    },
    {
      name: 'nfm_reply (Flow)',
      type: 'interactive',
      part: {
        type: 'nfm_reply',
        nfm_reply: {
          name: 'flow',
          body: 'Sent',
          response_json: '{"flow_token":"secret-token","order_number":"A-1001","reason":"damaged"}',
        },
      },
      interactive: { type: 'flow_reply', id: 'flow', title: 'Sent', description: null },
      text: 'Sent\norder_number: A-1001\nreason: damaged',
    },
    {
      name: 'template button',
      type: 'button',
      part: { payload: 'STOP_PROMOS', text: 'Stop promotions' },
      interactive: { type: 'template_button', id: 'STOP_PROMOS', title: 'Stop promotions', description: null },
      text: 'Stop promotions',
    },
  ])('$name → kind interactive', async ({ name, type, part, interactive, text }) => {
    const id = `wamid.${name.replace(/\W/g, '')}`;
    await send(
      waMessage({
        id,
        from: FROM,
        seconds: T0,
        type,
        part,
        extra: { context: { from: '15550783881', id: 'wamid.Q' } },
      }),
    );
    const message = await storedMessage(server, 'whatsapp', id);
    expect(message).toMatchObject({ kind: 'interactive', text, interactive });
    expect(message.replyTo).toEqual({ externalId: 'wamid.Q', messageId: null, storyUrl: null });
    // A tap is the customer writing: it opens the window.
    expect((await conversationOf(server, message)).windowOpenUntil).toBe(T0 * 1000 + DAY_MS);
  });

  test('order → kind order with a readable text', async () => {
    const part = {
      catalog_id: 'CAT1',
      text: 'please gift-wrap',
      product_items: [
        { product_retailer_id: 'MUG-RED', quantity: 2, item_price: 12.5, currency: 'EUR' },
        { product_retailer_id: 'TEE-M', quantity: '1', item_price: '20', currency: 'EUR' },
      ],
    };
    await send(waMessage({ id: 'wamid.ORDER', from: FROM, seconds: T0, type: 'order', part }));
    const message = await storedMessage(server, 'whatsapp', 'wamid.ORDER');
    expect(message.kind).toBe('order');
    expect(message.text).toBe(
      'Order of 3 items — total 45.00 EUR\n2 × MUG-RED at 12.50 EUR\n1 × TEE-M at 20.00 EUR\nplease gift-wrap',
    );
    const conversation = await conversationOf(server, message);
    const line = 'Order of 3 items — total 45.00 EUR 2 × MUG-RED at 12.50 EUR 1 × TEE-M at 20.00 EUR please gift-wrap';
    expect(conversation.preview).toMatchObject({ kind: 'order', text: line });
    expect(conversation.preview?.text ?? '').toBe(line);
  });

  test('unsupported and unknown types are kept as unsupported with their raw payload', async () => {
    const unsupported = waMessage({
      id: 'wamid.UNSUP',
      from: FROM,
      seconds: T0,
      type: 'unsupported',
      extra: { errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }] },
    });
    const future = waMessage({ id: 'wamid.FUTURE', from: FROM, seconds: T0 + 1, type: 'hologram', part: { x: 1 } });
    const brokenImage = waMessage({
      id: 'wamid.NOID',
      from: FROM,
      seconds: T0 + 2,
      type: 'image',
      part: { caption: 'x' },
    });
    await deliver(
      server,
      'whatsapp',
      whatsappPost({ contacts: [{ waId: FROM, name: 'S' }], messages: [unsupported, future, brokenImage] }),
    );
    for (const [id, raw] of [
      ['wamid.UNSUP', unsupported],
      ['wamid.FUTURE', future],
      ['wamid.NOID', brokenImage],
    ] as const) {
      const message = await storedMessage(server, 'whatsapp', id);
      expect(message.kind).toBe('unsupported');
      expect(message.raw).toEqual(raw);
    }
    const message = await storedMessage(server, 'whatsapp', 'wamid.UNSUP');
    expect((await conversationOf(server, message)).unreadCount).toBe(3);
  });

  test('a quoted reply resolves our id for a message we have; forwarded flags are kept', async () => {
    await send(waMessage({ id: 'wamid.FIRST', from: FROM, seconds: T0, type: 'text', part: { body: 'first' } }));
    await send(
      waMessage({
        id: 'wamid.QUOTE',
        from: FROM,
        seconds: T0 + 5,
        type: 'text',
        part: { body: 'about this' },
        extra: { context: { from: FROM, id: 'wamid.FIRST' } },
      }),
    );
    await send(
      waMessage({
        id: 'wamid.FWD',
        from: FROM,
        seconds: T0 + 6,
        type: 'text',
        part: { body: 'look' },
        extra: { context: { forwarded: true } },
      }),
    );
    await send(
      waMessage({
        id: 'wamid.FWD2',
        from: FROM,
        seconds: T0 + 7,
        type: 'text',
        part: { body: 'chain letter' },
        extra: { context: { frequently_forwarded: true } },
      }),
    );
    const first = await storedMessage(server, 'whatsapp', 'wamid.FIRST');
    const quote = await storedMessage(server, 'whatsapp', 'wamid.QUOTE');
    expect(quote.replyTo).toEqual({ externalId: 'wamid.FIRST', messageId: first.id, storyUrl: null });
    expect(quote.forwarded).toBe('no');
    expect((await storedMessage(server, 'whatsapp', 'wamid.FWD')).forwarded).toBe('forwarded');
    expect((await storedMessage(server, 'whatsapp', 'wamid.FWD2')).forwarded).toBe('frequently');
    expect((await storedMessage(server, 'whatsapp', 'wamid.FWD')).replyTo).toBeNull();
  });
});

describe('WhatsApp reactions, edits and revokes', () => {
  test('a reaction is added, replaced and removed on the message; no message, no window', async () => {
    await send(waMessage({ id: 'wamid.BASE', from: FROM, seconds: T0, type: 'text', part: { body: 'my parcel' } }));
    const base = await storedMessage(server, 'whatsapp', 'wamid.BASE');
    const windowBefore = (await conversationOf(server, base)).windowOpenUntil;
    const react = (id: string, seconds: number, emoji?: string): Record<string, unknown> =>
      waMessage({
        id,
        from: FROM,
        seconds,
        type: 'reaction',
        part: { message_id: 'wamid.BASE', ...(emoji === undefined ? {} : { emoji }) },
      });

    await send(react('wamid.R1', T0 + 3600, '👍'));
    let message = await storedMessage(server, 'whatsapp', 'wamid.BASE');
    expect(message.reactions).toEqual([{ emoji: '👍', from: 'customer', agentId: null, at: (T0 + 3600) * 1000 }]);
    expect(message.seq).toBeGreaterThan(base.seq);
    expect(await countRows(server, 'messages')).toBe(1);
    const conversation = await conversationOf(server, message);
    expect(conversation.windowOpenUntil).toBe(windowBefore);
    expect(conversation.lastInboundAt).toBe(T0 * 1000);
    expect(conversation.unreadCount).toBe(1);

    await send(react('wamid.R2', T0 + 3601, '❤️'));
    message = await storedMessage(server, 'whatsapp', 'wamid.BASE');
    expect(message.reactions.map((reaction) => reaction.emoji)).toEqual(['❤️']);

    // A late retry of the first reaction changes nothing.
    await send(react('wamid.R1', T0 + 3600, '👍'));
    expect((await storedMessage(server, 'whatsapp', 'wamid.BASE')).reactions.map((r) => r.emoji)).toEqual(['❤️']);

    await send(react('wamid.R3', T0 + 3602, ''));
    expect((await storedMessage(server, 'whatsapp', 'wamid.BASE')).reactions).toEqual([]);
    await send(react('wamid.R4', T0 + 3603, '😮'));
    await send(react('wamid.R5', T0 + 3604));
    expect((await storedMessage(server, 'whatsapp', 'wamid.BASE')).reactions).toEqual([]);
    expect(await countRows(server, 'messages')).toBe(1);
  });

  test('a reaction to a message we do not have is acknowledged and stores nothing', async () => {
    await send(waMessage({ id: 'wamid.BASE', from: FROM, seconds: T0, type: 'text', part: { body: 'x' } }));
    const before = await snapshot(server);
    await send(
      waMessage({
        id: 'wamid.R',
        from: FROM,
        seconds: T0 + 1,
        type: 'reaction',
        part: { message_id: 'wamid.NONE', emoji: '👍' },
      }),
    );
    expect(await snapshot(server)).toEqual(before);
  });

  test('an edit replaces the text and sets editedAt; an older edit never undoes a newer one', async () => {
    await send(waMessage({ id: 'wamid.ORIG', from: FROM, seconds: T0, type: 'text', part: { body: 'teh parcel' } }));
    const edit = (id: string, seconds: number, body: string): Record<string, unknown> =>
      waMessage({
        id,
        from: FROM,
        seconds,
        type: 'edit',
        part: { original_message_id: 'wamid.ORIG', message: { type: 'text', text: { body } } },
      });
    await send(edit('wamid.E2', T0 + 20, 'the parcel, finally'));
    await send(edit('wamid.E1', T0 + 10, 'the parcel'));
    const message = await storedMessage(server, 'whatsapp', 'wamid.ORIG');
    expect(message).toMatchObject({ text: 'the parcel, finally', editedAt: (T0 + 20) * 1000, kind: 'text' });
    expect(await countRows(server, 'messages')).toBe(1);
    expect((await conversationOf(server, message)).preview?.text ?? '').toBe('the parcel, finally');
  });

  test('a revoke marks the message deleted and keeps the row and its payload', async () => {
    const original = waMessage({
      id: 'wamid.OOPS',
      from: FROM,
      seconds: T0,
      type: 'text',
      part: { body: 'wrong chat' },
    });
    await send(original);
    await send(
      waMessage({
        id: 'wamid.REVOKE',
        from: FROM,
        seconds: T0 + 30,
        type: 'revoke',
        part: { original_message_id: 'wamid.OOPS' },
      }),
    );
    const message = await storedMessage(server, 'whatsapp', 'wamid.OOPS');
    expect(message).toMatchObject({ deletedAt: (T0 + 30) * 1000, text: 'wrong chat' });
    expect(message.raw).toEqual(original);
    expect(await countRows(server, 'messages')).toBe(1);
    const conversation = await conversationOf(server, message);
    expect(conversation.preview).toMatchObject({ deleted: true, text: null });
    expect(conversation.preview?.text ?? '').toBe('');
  });
});

describe('WhatsApp identities (wa_id and BSUID)', () => {
  test('a BSUID-only user (no wa_id, no from) gets a contact keyed on the BSUID', async () => {
    await deliver(
      server,
      'whatsapp',
      whatsappPost({
        contacts: [{ userId: BSUID, name: 'Quiet User' }],
        messages: [waMessage({ id: 'wamid.BSUID1', seconds: T0, type: 'text', part: { body: 'hi, no number' } })],
      }),
    );
    const message = await storedMessage(server, 'whatsapp', 'wamid.BSUID1');
    const contact = await contactOf(server, await conversationOf(server, message));
    expect(contact).toMatchObject({ name: 'Quiet User', phone: null });
    expect(contact.identities).toEqual([{ channel: 'whatsapp', kind: 'bsuid', externalId: BSUID }]);

    // The same user again: same contact, same thread.
    await deliver(
      server,
      'whatsapp',
      whatsappPost({
        contacts: [{ userId: BSUID, username: 'quiet.user' }],
        messages: [waMessage({ id: 'wamid.BSUID2', seconds: T0 + 1, type: 'text', part: { body: 'again' } })],
      }),
    );
    const again = await storedMessage(server, 'whatsapp', 'wamid.BSUID2');
    expect(again.conversationId).toBe(message.conversationId);
    expect(await countRows(server, 'contacts')).toBe(1);
  });

  test('a username stands in for a missing profile name', async () => {
    await deliver(
      server,
      'whatsapp',
      whatsappPost({
        contacts: [{ userId: BSUID, username: 'bob' }],
        messages: [waMessage({ id: 'wamid.U', seconds: T0, type: 'text', part: { body: 'yo' } })],
      }),
    );
    const message = await storedMessage(server, 'whatsapp', 'wamid.U');
    expect((await contactOf(server, await conversationOf(server, message))).name).toBe('@bob');
  });

  test('a BSUID appearing next to a known wa_id joins the same contact and bumps its seq', async () => {
    const { token } = await signIn(server);
    await send(waMessage({ id: 'wamid.P1', from: FROM, seconds: T0, type: 'text', part: { body: 'one' } }));
    const first = await storedMessage(server, 'whatsapp', 'wamid.P1');
    const contactBefore = await contactOf(server, await conversationOf(server, first));
    const { batches } = await connectReady(server, token);

    await send(waMessage({ id: 'wamid.P2', from: FROM, seconds: T0 + 1, type: 'text', part: { body: 'two' } }), [
      { waId: FROM, userId: BSUID, name: 'Sheena Nelson' },
    ]);
    const second = await storedMessage(server, 'whatsapp', 'wamid.P2');
    expect(second.conversationId).toBe(first.conversationId);
    const contact = await contactOf(server, await conversationOf(server, second));
    expect(contact.id).toBe(contactBefore.id);
    expect(contact.seq).toBeGreaterThan(contactBefore.seq);
    expect(contact.identities).toEqual([
      { channel: 'whatsapp', kind: 'wa_id', externalId: FROM },
      { channel: 'whatsapp', kind: 'bsuid', externalId: BSUID },
    ]);
    // Clients learn of the new identity with the message.
    const batch = await batches.waitFor(batchTouchesMessage(second.id), 'the second message');
    const synced = batch.changes.find((change) => change.entity === 'contact');
    expect(synced?.entity === 'contact' && synced.data.identities).toHaveLength(2);

    // Later the number is hidden: the BSUID alone still finds the customer.
    await deliver(
      server,
      'whatsapp',
      whatsappPost({
        contacts: [{ userId: BSUID, name: 'Sheena Nelson' }],
        messages: [waMessage({ id: 'wamid.P3', seconds: T0 + 2, type: 'text', part: { body: 'three' } })],
      }),
    );
    expect((await storedMessage(server, 'whatsapp', 'wamid.P3')).conversationId).toBe(first.conversationId);
    expect(await countRows(server, 'contacts')).toBe(1);
  });

  test('user_changed_number: a system notice in the thread, the new number and BSUID on the contact', async () => {
    await send(waMessage({ id: 'wamid.BEFORE', from: FROM, seconds: T0, type: 'text', part: { body: 'hi' } }), [
      { waId: FROM, userId: BSUID, name: 'Sheena Nelson' },
    ]);
    const before = await storedMessage(server, 'whatsapp', 'wamid.BEFORE');
    const contactBefore = await contactOf(server, await conversationOf(server, before));
    const windowBefore = (await conversationOf(server, before)).windowOpenUntil;

    // System messages carry no contacts[].
    await deliver(
      server,
      'whatsapp',
      whatsappPost({
        messages: [
          waMessage({
            id: 'wamid.SYS',
            from: FROM,
            seconds: T0 + 60,
            type: 'system',
            part: {
              body: 'User Sheena Nelson changed from 16505551234 to 16505559876',
              type: 'user_changed_number',
              wa_id: '16505559876',
              user_id: 'US.99999999999999999999',
              previous_user_id: BSUID,
            },
          }),
        ],
      }),
    );
    const notice = await storedMessage(server, 'whatsapp', 'wamid.SYS');
    expect(notice).toMatchObject({
      kind: 'system',
      text: 'User Sheena Nelson changed from 16505551234 to 16505559876',
      direction: 'inbound',
      conversationId: before.conversationId,
    });
    const conversation = await conversationOf(server, notice);
    // A notice is not the customer writing.
    expect(conversation).toMatchObject({ unreadCount: 1, windowOpenUntil: windowBefore, lastInboundAt: T0 * 1000 });
    const contact = await contactOf(server, conversation);
    expect(contact).toMatchObject({ id: contactBefore.id, phone: '16505559876', name: 'Sheena Nelson' });
    expect(contact.seq).toBeGreaterThan(contactBefore.seq);
    expect(contact.identities).toEqual(
      expect.arrayContaining([
        { channel: 'whatsapp', kind: 'wa_id', externalId: '16505559876' },
        { channel: 'whatsapp', kind: 'bsuid', externalId: 'US.99999999999999999999' },
      ]),
    );

    // The customer writes from the new number: the same thread.
    await send(
      waMessage({
        id: 'wamid.AFTER',
        from: '16505559876',
        seconds: T0 + 120,
        type: 'text',
        part: { body: 'new phone' },
      }),
      [{ waId: '16505559876', name: 'Sheena Nelson' }],
    );
    expect((await storedMessage(server, 'whatsapp', 'wamid.AFTER')).conversationId).toBe(before.conversationId);
    expect(await countRows(server, 'contacts')).toBe(1);
  });

  test('user_changed_user_id without `from`: the previous BSUID finds the contact', async () => {
    await deliver(
      server,
      'whatsapp',
      whatsappPost({
        contacts: [{ userId: BSUID, name: 'Quiet User' }],
        messages: [waMessage({ id: 'wamid.Q1', seconds: T0, type: 'text', part: { body: 'hello' } })],
      }),
    );
    await deliver(
      server,
      'whatsapp',
      whatsappPost({
        messages: [
          waMessage({
            id: 'wamid.SYS2',
            seconds: T0 + 1,
            type: 'system',
            part: { type: 'user_changed_user_id', user_id: 'US.22222222222222222222', previous_user_id: BSUID },
          }),
        ],
      }),
    );
    const first = await storedMessage(server, 'whatsapp', 'wamid.Q1');
    const notice = await storedMessage(server, 'whatsapp', 'wamid.SYS2');
    expect(notice.conversationId).toBe(first.conversationId);
    expect(notice.kind).toBe('system');
    expect(notice.text).toMatch(/user id changed/i);
    const contact = await contactOf(server, await conversationOf(server, notice));
    expect(contact.identities.map((identity) => identity.externalId)).toEqual([BSUID, 'US.22222222222222222222']);
  });
});

describe('WhatsApp payload robustness', () => {
  test('malformed items are skipped, the rest of the POST is stored', async () => {
    const good = waMessage({ id: 'wamid.GOOD', from: FROM, seconds: T0, type: 'text', part: { body: 'kept' } });
    const body = whatsappPost({
      contacts: [{ waId: FROM, name: 'S' }],
      messages: [
        { from: FROM, timestamp: String(T0), type: 'text', text: { body: 'no id' } },
        { from: FROM, id: 'wamid.BADTIME', timestamp: 'yesterday', type: 'text', text: { body: 'x' } },
        'not even an object',
        good,
      ],
      statuses: [{ status: 'read' }],
    });
    const response = await postWebhook(server, 'whatsapp', body);
    expect(response.status).toBe(200);
    expect(await countRows(server, 'messages')).toBe(1);
    expect((await storedMessage(server, 'whatsapp', 'wamid.GOOD')).text).toBe('kept');
  });

  test('a message with no customer id at all is skipped', async () => {
    const response = await postWebhook(
      server,
      'whatsapp',
      whatsappPost({ messages: [waMessage({ id: 'wamid.ANON', seconds: T0, type: 'text', part: { body: '?' } })] }),
    );
    expect(response.status).toBe(200);
    expect(await countRows(server, 'messages')).toBe(0);
  });

  test('account-level errors (value.errors) are acknowledged and store nothing', async () => {
    const before = await snapshot(server);
    const response = await postWebhook(
      server,
      'whatsapp',
      whatsappPost({
        errors: [
          {
            code: 130429,
            title: 'Rate limit hit',
            message: 'Rate limit hit',
            error_data: { details: 'Message failed to send because there were too many messages' },
          },
        ],
      }),
    );
    expect(response.status).toBe(200);
    expect(await snapshot(server)).toEqual(before);
  });

  test('messages in one POST are applied in timestamp order, whatever the payload order', async () => {
    await deliver(
      server,
      'whatsapp',
      whatsappPost({
        contacts: [{ waId: FROM, name: 'S' }],
        messages: [
          waMessage({ id: 'wamid.THIRD', from: FROM, seconds: T0 + 2, type: 'text', part: { body: 'third' } }),
          waMessage({ id: 'wamid.FIRST', from: FROM, seconds: T0, type: 'text', part: { body: 'first' } }),
          waMessage({ id: 'wamid.SECOND', from: FROM, seconds: T0 + 1, type: 'text', part: { body: 'second' } }),
        ],
      }),
    );
    const seqs = await Promise.all(
      ['wamid.FIRST', 'wamid.SECOND', 'wamid.THIRD'].map(
        async (id) => (await storedMessage(server, 'whatsapp', id)).seq,
      ),
    );
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const third = await storedMessage(server, 'whatsapp', 'wamid.THIRD');
    expect(await conversationOf(server, third)).toMatchObject({
      preview: { text: 'third' },
      lastInboundAt: (T0 + 2) * 1000,
      windowOpenUntil: (T0 + 2) * 1000 + DAY_MS,
    });
  });

  test('an older message arriving late does not pull the window back', async () => {
    await send(waMessage({ id: 'wamid.NEW', from: FROM, seconds: T0 + 600, type: 'text', part: { body: 'new' } }));
    await send(waMessage({ id: 'wamid.OLD', from: FROM, seconds: T0, type: 'text', part: { body: 'old' } }));
    const message = await storedMessage(server, 'whatsapp', 'wamid.OLD');
    expect(await conversationOf(server, message)).toMatchObject({
      lastInboundAt: (T0 + 600) * 1000,
      windowOpenUntil: (T0 + 600) * 1000 + DAY_MS,
      preview: { text: 'new' },
      unreadCount: 2,
    });
  });
});
