import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  IG_ACCOUNT_ID,
  PAGE_ID,
  connectReady,
  messagingEvent,
  messagingWebhook,
  postWebhook,
  signIn,
  startTestServer,
  type BatchRecorder,
  type ChannelName,
  type TestServer,
} from './helpers.js';
import {
  barrier,
  batchTouchesMessage,
  countRows,
  openWhatsAppThread,
  seedOutbound,
  storedMessage,
  storedMessageById,
  waMessage,
  waStatus,
  whatsappPost,
} from './inbound-helpers.js';

/**
 * Meta delivers at least once: the same webhook five times, one after the other or all at
 * once, must leave one message (one status change, one reaction) and push one live batch.
 */

const T0 = 1_749_416_383;
const FROM = '16505551234';

let server: TestServer;
let token: string;

beforeEach(async () => {
  server = await startTestServer();
  ({ token } = await signIn(server));
});

afterEach(async () => {
  await server.cleanup();
});

type Mode = 'sequential' | 'concurrent';

async function deliverFiveTimes(channel: ChannelName, body: Record<string, unknown>, mode: Mode): Promise<void> {
  const raw = JSON.stringify(body);
  const statuses: number[] = [];
  if (mode === 'sequential') {
    for (let attempt = 0; attempt < 5; attempt += 1) statuses.push((await postWebhook(server, channel, raw)).status);
  } else {
    const responses = await Promise.all(Array.from({ length: 5 }, () => postWebhook(server, channel, raw)));
    statuses.push(...responses.map((response) => response.status));
  }
  // Every retry is acknowledged, or Meta would keep retrying.
  expect(statuses).toEqual([200, 200, 200, 200, 200]);
}

async function expectOneBatch(batches: BatchRecorder, messageId: string, barrierId: string): Promise<void> {
  await barrier(server, batches, barrierId);
  expect(batches.all.filter(batchTouchesMessage(messageId))).toHaveLength(1);
}

describe.each(['sequential', 'concurrent'] as const)('five %s deliveries', (mode) => {
  test('of a WhatsApp image: one message, one media row, one batch', async () => {
    const { batches } = await connectReady(server, token);
    const body = whatsappPost({
      contacts: [{ waId: FROM, name: 'Sheena' }],
      messages: [
        waMessage({
          id: 'wamid.DUP_IMAGE',
          from: FROM,
          seconds: T0,
          type: 'image',
          part: { id: 'MEDIA1', mime_type: 'image/jpeg', sha256: 'abc', caption: 'see' },
        }),
      ],
    });
    await deliverFiveTimes('whatsapp', body, mode);
    const message = await storedMessage(server, 'whatsapp', 'wamid.DUP_IMAGE');
    await expectOneBatch(batches, message.id, `wamid.BARRIER_${mode}`);
    expect(await countRows(server, 'media')).toBe(1);
    // The image and the barrier's text.
    expect(await countRows(server, 'messages')).toBe(2);
  });

  test.each([
    { channel: 'messenger', object: 'page', accountId: PAGE_ID },
    { channel: 'instagram', object: 'instagram', accountId: IG_ACCOUNT_ID },
  ] as const)('of a $channel postback without mid: one message, one batch', async ({ channel, object, accountId }) => {
    const { batches } = await connectReady(server, token);
    const body = messagingWebhook(object, [
      {
        id: accountId,
        messaging: [
          messagingEvent({
            sender: '1254459154682919',
            recipient: accountId,
            timestampMs: T0 * 1000,
            event: { postback: { title: 'Talk to a human', payload: 'HUMAN' } },
          }),
        ],
      },
    ]);
    await deliverFiveTimes(channel, body, mode);
    const row = await server.store.db
      .selectFrom('messages')
      .select('id')
      .where('text', '=', 'Talk to a human')
      .execute();
    expect(row).toHaveLength(1);
    await expectOneBatch(batches, row[0]?.id ?? '', `wamid.BARRIER_PB_${channel}_${mode}`);
  });

  test('of a WhatsApp status: one change, one batch', async () => {
    const conversationId = await openWhatsAppThread(server, { seconds: T0 });
    const ours = await seedOutbound(server, {
      conversationId,
      channel: 'whatsapp',
      externalId: 'wamid.OURS',
      text: 'Shipped!',
      status: 'sent',
      createdAt: (T0 + 10) * 1000,
    });
    const seqBefore = (await storedMessageById(server, ours)).seq;
    const { batches } = await connectReady(server, token);
    await deliverFiveTimes(
      'whatsapp',
      whatsappPost({ statuses: [waStatus({ id: 'wamid.OURS', status: 'delivered', seconds: T0 + 11 })] }),
      mode,
    );
    await expectOneBatch(batches, ours, `wamid.BARRIER_STATUS_${mode}`);
    const message = await storedMessageById(server, ours);
    expect(message.status).toBe('delivered');
    expect(message.seq).toBeGreaterThan(seqBefore);
  });

  test('of a WhatsApp reaction: one reaction, one batch', async () => {
    await openWhatsAppThread(server, { seconds: T0, id: 'wamid.TARGET' });
    const target = await storedMessage(server, 'whatsapp', 'wamid.TARGET');
    const { batches } = await connectReady(server, token);
    await deliverFiveTimes(
      'whatsapp',
      whatsappPost({
        contacts: [{ waId: FROM, name: 'Sheena' }],
        messages: [
          waMessage({
            id: 'wamid.REACTION',
            from: FROM,
            seconds: T0 + 5,
            type: 'reaction',
            part: { message_id: 'wamid.TARGET', emoji: '🙏' },
          }),
        ],
      }),
      mode,
    );
    await expectOneBatch(batches, target.id, `wamid.BARRIER_REACTION_${mode}`);
    expect((await storedMessage(server, 'whatsapp', 'wamid.TARGET')).reactions).toEqual([
      { emoji: '🙏', from: 'customer', agentId: null, at: (T0 + 5) * 1000 },
    ]);
    // Only the target and the barrier: a reaction is never a message.
    expect(await countRows(server, 'messages')).toBe(2);
  });

  test('of a Messenger reaction: one reaction, one batch', async () => {
    const { batches } = await connectReady(server, token);
    const text = messagingWebhook('page', [
      {
        id: PAGE_ID,
        messaging: [
          messagingEvent({
            sender: '1254459154682919',
            recipient: PAGE_ID,
            timestampMs: T0 * 1000,
            event: { message: { mid: 'm_target', text: 'here' } },
          }),
        ],
      },
    ]);
    expect((await postWebhook(server, 'messenger', text)).status).toBe(200);
    const target = await storedMessage(server, 'messenger', 'm_target');
    const reaction = messagingWebhook('page', [
      {
        id: PAGE_ID,
        messaging: [
          messagingEvent({
            sender: '1254459154682919',
            recipient: PAGE_ID,
            timestampMs: T0 * 1000 + 5,
            event: { reaction: { mid: 'm_target', action: 'react', reaction: 'like', emoji: '👍' } },
          }),
        ],
      },
    ]);
    await deliverFiveTimes('messenger', reaction, mode);
    await barrier(server, batches, `wamid.BARRIER_MREACTION_${mode}`);
    // The message's own batch, then exactly one for the reaction.
    expect(batches.all.filter(batchTouchesMessage(target.id))).toHaveLength(2);
    expect((await storedMessage(server, 'messenger', 'm_target')).reactions.map((r) => r.emoji)).toEqual(['👍']);
  });
});
