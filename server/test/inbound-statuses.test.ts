import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Channel } from '@parley/protocol';
import {
  IG_ACCOUNT_ID,
  PAGE_ID,
  deliver,
  messagingEvent,
  messagingText,
  messagingWebhook,
  postWebhook,
  snapshot,
  startTestServer,
  type MessagingObject,
  type TestServer,
} from './helpers.js';
import {
  DAY_MS,
  conversationOf,
  openWhatsAppThread,
  seedOutbound,
  storedMessage,
  storedMessageById,
  waStatus,
  whatsappPost,
} from './inbound-helpers.js';

/** Delivery statuses: WhatsApp `statuses[]`, Messenger delivery/read watermarks, Instagram seen. */

const T0 = 1_749_416_383;

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.cleanup();
});

async function statuses(...items: Record<string, unknown>[]): Promise<void> {
  await deliver(server, 'whatsapp', whatsappPost({ statuses: items }));
}

/** A thread opened by the customer at T0, and one message of ours sent a minute later. */
async function sentMessage(externalId = 'wamid.OUT', status: 'pending' | 'sent' = 'sent'): Promise<string> {
  const conversationId = await openWhatsAppThread(server, { seconds: T0 });
  return seedOutbound(server, {
    conversationId,
    channel: 'whatsapp',
    externalId,
    text: 'Your parcel left the warehouse.',
    status,
    createdAt: (T0 + 60) * 1000,
  });
}

describe('WhatsApp statuses', () => {
  test('pending → sent → delivered → read, each bumping the message’s seq', async () => {
    const id = await sentMessage('wamid.OUT', 'pending');
    let last = (await storedMessageById(server, id)).seq;
    for (const [status, second] of [
      ['sent', 61],
      ['delivered', 62],
      ['read', 70],
    ] as const) {
      await statuses(waStatus({ id: 'wamid.OUT', status, seconds: T0 + second }));
      const message = await storedMessageById(server, id);
      expect(message.status).toBe(status);
      expect(message.seq).toBeGreaterThan(last);
      last = message.seq;
    }
  });

  test('read without delivered is fine; a late delivered never overwrites read', async () => {
    const id = await sentMessage();
    await statuses(waStatus({ id: 'wamid.OUT', status: 'read', seconds: T0 + 70 }));
    expect((await storedMessageById(server, id)).status).toBe('read');
    const before = await snapshot(server);
    await statuses(waStatus({ id: 'wamid.OUT', status: 'delivered', seconds: T0 + 65 }));
    await statuses(waStatus({ id: 'wamid.OUT', status: 'sent', seconds: T0 + 61 }));
    expect((await storedMessageById(server, id)).status).toBe('read');
    // Nothing was stamped: clients are sent nothing.
    expect(await snapshot(server)).toEqual(before);
  });

  test('statuses out of order inside one POST end at the furthest one', async () => {
    const id = await sentMessage();
    await statuses(
      waStatus({ id: 'wamid.OUT', status: 'read', seconds: T0 + 70 }),
      waStatus({ id: 'wamid.OUT', status: 'delivered', seconds: T0 + 62 }),
      waStatus({ id: 'wamid.OUT', status: 'sent', seconds: T0 + 61 }),
    );
    expect((await storedMessageById(server, id)).status).toBe('read');
  });

  test('`played` (a voice note listened to) counts as read', async () => {
    const id = await sentMessage();
    await statuses(waStatus({ id: 'wamid.OUT', status: 'played', seconds: T0 + 80 }));
    expect((await storedMessageById(server, id)).status).toBe('read');
  });

  test('failed keeps the platform’s code and own words, with a reason the renderer words', async () => {
    const id = await sentMessage();
    await statuses(
      waStatus({
        id: 'wamid.OUT',
        status: 'failed',
        seconds: T0 + 61,
        errors: [
          {
            code: 131026,
            title: 'Message undeliverable',
            message: 'Message undeliverable',
            error_data: { details: 'Message Undeliverable.' },
          },
        ],
      }),
    );
    const message = await storedMessageById(server, id);
    expect(message.status).toBe('failed');
    expect(message.error?.code).toBe('131026');
    expect(message.error).toEqual({
      code: '131026',
      reason: 'platform_refused',
      params: { channel: 'whatsapp', details: 'Message undeliverable: Message Undeliverable.' },
      message: '',
    });
  });

  test('an unknown error code still reads as a failure, with the platform’s words', async () => {
    const id = await sentMessage();
    await statuses(
      waStatus({
        id: 'wamid.OUT',
        status: 'failed',
        seconds: T0 + 61,
        errors: [{ code: 999999, title: 'Brand new problem' }],
      }),
    );
    const message = await storedMessageById(server, id);
    expect(message.error).toEqual({
      code: '999999',
      reason: 'platform_refused',
      params: { channel: 'whatsapp', details: 'Brand new problem' },
      message: '',
    });
  });

  test('failed applies only over pending or sent; delivered after failed wins (multi-device)', async () => {
    const id = await sentMessage();
    await statuses(waStatus({ id: 'wamid.OUT', status: 'delivered', seconds: T0 + 62 }));
    await statuses(waStatus({ id: 'wamid.OUT', status: 'failed', seconds: T0 + 63, errors: [{ code: 131000 }] }));
    expect(await storedMessageById(server, id)).toMatchObject({ status: 'delivered', error: null });

    const other = await seedOutbound(server, {
      conversationId: (await storedMessageById(server, id)).conversationId,
      channel: 'whatsapp',
      externalId: 'wamid.OUT2',
      text: 'second',
      status: 'sent',
      createdAt: (T0 + 90) * 1000,
    });
    await statuses(waStatus({ id: 'wamid.OUT2', status: 'failed', seconds: T0 + 91, errors: [{ code: 131000 }] }));
    expect((await storedMessageById(server, other)).status).toBe('failed');
    await statuses(waStatus({ id: 'wamid.OUT2', status: 'sent', seconds: T0 + 92 }));
    expect((await storedMessageById(server, other)).status).toBe('failed');
    await statuses(waStatus({ id: 'wamid.OUT2', status: 'delivered', seconds: T0 + 93 }));
    expect(await storedMessageById(server, other)).toMatchObject({ status: 'delivered', error: null });
  });

  test('131047 (re-engagement) closes the conversation’s window at the failure time', async () => {
    const id = await sentMessage();
    const before = await conversationOf(server, await storedMessageById(server, id));
    expect(before.windowOpenUntil).toBe(T0 * 1000 + DAY_MS);
    await statuses(
      waStatus({
        id: 'wamid.OUT',
        status: 'failed',
        seconds: T0 + 61,
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            error_data: { details: 'Message failed to send because more than 24 hours have passed.' },
          },
        ],
      }),
    );
    const message = await storedMessageById(server, id);
    expect(message.error?.code).toBe('131047');
    expect(message.error).toMatchObject({ reason: 'window_template_only', params: { channel: 'whatsapp' } });
    const after = await conversationOf(server, message);
    expect(after.windowOpenUntil).toBe((T0 + 61) * 1000);
    expect(after.seq).toBeGreaterThan(before.seq);
    // The customer's last message is still when it was: only the window is closed.
    expect(after.lastInboundAt).toBe(T0 * 1000);
  });

  test('a late 131047 does not close a window the customer reopened after it', async () => {
    const id = await sentMessage();
    const conversation = await conversationOf(server, await storedMessageById(server, id));
    await openWhatsAppThread(server, { seconds: T0 + 3600, id: 'wamid.CUSTOMER_AGAIN' });
    await statuses(waStatus({ id: 'wamid.OUT', status: 'failed', seconds: T0 + 61, errors: [{ code: 470 }] }));
    const after = await conversationOf(server, { conversationId: conversation.id });
    expect((await storedMessageById(server, id)).status).toBe('failed');
    expect(after.windowOpenUntil).toBe((T0 + 3600) * 1000 + DAY_MS);
  });

  test('a status for a message we do not have is acknowledged and stores nothing', async () => {
    await sentMessage();
    const before = await snapshot(server);
    const response = await postWebhook(
      server,
      'whatsapp',
      whatsappPost({ statuses: [waStatus({ id: 'wamid.SOMEONE_ELSE', status: 'read', seconds: T0 + 5 })] }),
    );
    expect(response.status).toBe(200);
    expect(await snapshot(server)).toEqual(before);
  });

  test('a status on a customer’s message is ignored: inbound messages have no delivery status', async () => {
    await openWhatsAppThread(server, { seconds: T0, id: 'wamid.THEIRS' });
    await statuses(waStatus({ id: 'wamid.THEIRS', status: 'read', seconds: T0 + 5 }));
    expect((await storedMessage(server, 'whatsapp', 'wamid.THEIRS')).status).toBe('received');
  });
});

describe.each([
  { object: 'page', channel: 'messenger', accountId: PAGE_ID },
  { object: 'instagram', channel: 'instagram', accountId: IG_ACCOUNT_ID },
] as const satisfies readonly { object: MessagingObject; channel: Channel; accountId: string }[])(
  '$channel watermarks',
  ({ object, channel, accountId }) => {
    const customer = '1254459154682919';
    const ts = 1_518_479_195_308;

    /** A thread opened by the customer, and three messages of ours: two sent, one still pending. */
    async function thread(): Promise<{ early: string; late: string; pending: string }> {
      await deliver(
        server,
        channel,
        messagingText({ object, accountId, senderId: customer, mid: 'm_in', text: 'hi', timestampMs: ts }),
      );
      const { conversationId } = await storedMessage(server, channel, 'm_in');
      const seed = (externalId: string | null, createdAt: number, status: 'sent' | 'pending'): Promise<string> =>
        seedOutbound(server, { conversationId, channel, externalId, text: `at ${createdAt}`, status, createdAt });
      return {
        early: await seed('m_early', ts + 1000, 'sent'),
        late: await seed('m_late', ts + 5000, 'sent'),
        pending: await seed(null, ts + 2000, 'pending'),
      };
    }

    function post(event: Record<string, unknown>, timestampMs: number): Record<string, unknown> {
      return messagingWebhook(object, [
        { id: accountId, messaging: [messagingEvent({ sender: customer, recipient: accountId, timestampMs, event })] },
      ]);
    }

    test('delivery by watermark moves sent messages up to it, not later ones nor pending ones', async () => {
      const ids = await thread();
      await deliver(server, channel, post({ delivery: { watermark: ts + 3000 } }, ts + 3001));
      expect((await storedMessageById(server, ids.early)).status).toBe('delivered');
      expect((await storedMessageById(server, ids.late)).status).toBe('sent');
      expect((await storedMessageById(server, ids.pending)).status).toBe('pending');
    });

    test('delivery by mids moves exactly those', async () => {
      const ids = await thread();
      await deliver(server, channel, post({ delivery: { mids: ['m_late'], watermark: ts } }, ts + 6000));
      expect((await storedMessageById(server, ids.late)).status).toBe('delivered');
      expect((await storedMessageById(server, ids.early)).status).toBe('sent');
    });

    test('read by watermark; a later, lower delivery never moves read back', async () => {
      const ids = await thread();
      await deliver(server, channel, post({ read: { watermark: ts + 9000 } }, ts + 9001));
      expect((await storedMessageById(server, ids.early)).status).toBe('read');
      expect((await storedMessageById(server, ids.late)).status).toBe('read');
      const before = await snapshot(server);
      await deliver(server, channel, post({ delivery: { watermark: ts + 9000 } }, ts + 9002));
      expect((await storedMessageById(server, ids.late)).status).toBe('read');
      expect(await snapshot(server)).toEqual(before);
    });

    test('read by mid (Instagram seen) marks that message and every earlier one', async () => {
      const ids = await thread();
      await deliver(server, channel, post({ read: { mid: 'm_late' } }, ts + 9001));
      expect((await storedMessageById(server, ids.early)).status).toBe('read');
      expect((await storedMessageById(server, ids.late)).status).toBe('read');
      expect((await storedMessageById(server, ids.pending)).status).toBe('pending');
    });

    test('watermarks never open or move the window', async () => {
      const ids = await thread();
      const before = await conversationOf(server, await storedMessageById(server, ids.early));
      await deliver(server, channel, post({ read: { watermark: ts + 9000 } }, ts + 30 * DAY_MS));
      const after = await conversationOf(server, { conversationId: before.id });
      expect(after).toMatchObject({
        lastInboundAt: before.lastInboundAt,
        windowOpenUntil: before.windowOpenUntil,
        humanAgentUntil: before.humanAgentUntil,
        unreadCount: before.unreadCount,
      });
    });

    test('a watermark from a customer we never talked to is acknowledged and stores nothing', async () => {
      const before = await snapshot(server);
      const response = await postWebhook(server, channel, post({ read: { watermark: ts } }, ts));
      expect(response.status).toBe(200);
      expect(await snapshot(server)).toEqual(before);
    });
  },
);
