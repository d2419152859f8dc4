import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Message, MutationResult } from '@parley/protocol';
import {
  ACCOUNT_IDS,
  MESSAGES_PATH,
  PDF_BYTES,
  PNG_BYTES,
  clientId,
  conversationRow,
  jobsOf,
  mutate,
  readMessage,
  seedThread,
  sendText,
  startHarness,
  uploadMedia,
  waitForIdle,
  waitForMessage,
  type Harness,
  type RecordedCall,
} from './outbound-support.js';

/**
 * Every kind of send, per channel, through the real socket `mutate` and the fake Graph
 * API: the exact request bodies Meta receives, and what the thread shows afterwards.
 */

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  await harness.close();
});

function sentMessage(result: MutationResult): Message {
  if (!result.ok) throw new Error(`refused: ${result.code} ${result.reason ?? ''}`);
  if (result.message === undefined) throw new Error('no message in the acknowledgement');
  return result.message;
}

async function sentWith(messageId: string): Promise<Message> {
  return waitForMessage(harness.server, messageId, (message) => message.status !== 'pending', 'sent or failed');
}

function expectBearer(call: RecordedCall): void {
  expect(call.auth).toEqual({ scheme: 'bearer', tokenOk: true, tokenInQuery: false });
  expect(call.headers.authorization).toBe('Bearer <token>');
}

describe('WhatsApp', () => {
  test('text: acknowledged as pending, one POST /messages with the documented body, then sent with the wamid', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const mutation = sendText(thread.conversationId, 'Your parcel left the warehouse today.');
    const pending = sentMessage(await mutate(harness, mutation));
    expect(pending).toMatchObject({
      conversationId: thread.conversationId,
      clientId: mutation.clientId,
      direction: 'outbound',
      kind: 'text',
      text: 'Your parcel left the warehouse today.',
      authorAgentId: harness.agentId,
      status: 'pending',
      externalId: null,
    });

    const [call] = await harness.fake.waitForCalls({ method: 'POST', path: MESSAGES_PATH.whatsapp }, 1);
    if (call === undefined) throw new Error('no call');
    expect(call.version).toBe('v21.0');
    expectBearer(call);
    expect(call.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: thread.customerId,
      type: 'text',
      text: { preview_url: false, body: 'Your parcel left the warehouse today.' },
    });
    const sent = await sentWith(pending.id);
    expect(sent.status).toBe('sent');
    expect(sent.externalId).toMatch(/^wamid\./);
    expect(sent.error).toBeNull();
    expect(await jobsOf(harness.server, thread.conversationId)).toEqual([
      { kind: 'message.send', state: 'done', attempts: 0 },
    ]);
  });

  test('a link asks for a preview; a reply quotes the customer message by its wamid', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const result = await mutate(
      harness,
      sendText(thread.conversationId, 'Track it here: https://acme.example/t/4821', {
        replyToMessageId: thread.inboundMessageId,
      }),
    );
    const message = sentMessage(result);
    expect(message.replyTo).toEqual({
      externalId: thread.inboundExternalId,
      messageId: thread.inboundMessageId,
      storyUrl: null,
    });
    const [call] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
    expect(call?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: thread.customerId,
      type: 'text',
      text: { preview_url: true, body: 'Track it here: https://acme.example/t/4821' },
      context: { message_id: thread.inboundExternalId },
    });
  });

  test('a reply to our own message sent just before uses its wamid, known by the time the reply goes', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const first = sentMessage(await mutate(harness, sendText(thread.conversationId, 'First')));
    const second = sentMessage(
      await mutate(harness, sendText(thread.conversationId, 'About that', { replyToMessageId: first.id })),
    );
    const calls = await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 2);
    const firstSent = await sentWith(first.id);
    await sentWith(second.id);
    expect(calls[1]?.body).toMatchObject({ context: { message_id: firstSent.externalId } });
  });

  test('image with a caption: uploaded as multipart to /media, then sent by id', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const mediaId = await uploadMedia(harness, {
      conversationId: thread.conversationId,
      bytes: PNG_BYTES,
      mimeType: 'image/png',
      fileName: 'label.png',
    });
    const result = await mutate(harness, {
      type: 'message.send',
      clientId: clientId(),
      conversationId: thread.conversationId,
      content: { kind: 'media', mediaId, caption: 'The return label' },
      replyToMessageId: null,
      humanAgentTag: false,
    });
    const message = sentMessage(result);
    expect(message).toMatchObject({ kind: 'image', text: 'The return label' });
    expect(message.attachments).toEqual([
      expect.objectContaining({
        mediaId,
        kind: 'image',
        mimeType: 'image/png',
        size: PNG_BYTES.length,
        status: 'ready',
      }),
    ]);

    const [upload] = await harness.fake.waitForCalls({ method: 'POST', path: `/${ACCOUNT_IDS.whatsapp}/media` }, 1);
    if (upload === undefined) throw new Error('no upload');
    expectBearer(upload);
    expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload.body).toEqual({
      messaging_product: 'whatsapp',
      type: 'image/png',
      file: expect.objectContaining({ fileName: 'label.png', type: 'image/png', size: PNG_BYTES.length }) as unknown,
    });
    const [send] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
    const uploadedId = (send?.body as { image?: { id?: string } }).image?.id ?? '';
    expect(harness.fake.uploaded(uploadedId)?.bytes.equals(PNG_BYTES)).toBe(true);
    expect(send?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: thread.customerId,
      type: 'image',
      image: { id: uploadedId, caption: 'The return label' },
    });
    expect((await sentWith(message.id)).status).toBe('sent');
  });

  test('document: sent with its file name', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const mediaId = await uploadMedia(harness, {
      conversationId: thread.conversationId,
      bytes: PDF_BYTES,
      mimeType: 'application/pdf',
      fileName: 'invoice-4821.pdf',
    });
    const message = sentMessage(
      await mutate(harness, {
        type: 'message.send',
        clientId: clientId(),
        conversationId: thread.conversationId,
        content: { kind: 'media', mediaId, caption: null },
        replyToMessageId: null,
        humanAgentTag: false,
      }),
    );
    expect(message.kind).toBe('document');
    const [send] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
    expect(send?.body).toMatchObject({
      type: 'document',
      document: { id: expect.any(String) as string, filename: 'invoice-4821.pdf' },
    });
    expect(send?.body).not.toHaveProperty('document.caption');
    expect((await sentWith(message.id)).status).toBe('sent');
  });

  test('reaction: a reaction message on the wamid, shown at once as the agent reaction; empty emoji removes it', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const react = await mutate(harness, {
      type: 'message.react',
      clientId: clientId(),
      messageId: thread.inboundMessageId,
      emoji: '👍',
    });
    expect(react).toEqual({ ok: true });
    expect((await readMessage(harness.server, thread.inboundMessageId)).reactions).toEqual([
      { emoji: '👍', from: 'agent', agentId: harness.agentId, at: expect.any(Number) as number },
    ]);
    const [call] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
    expect(call?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: thread.customerId,
      type: 'reaction',
      reaction: { message_id: thread.inboundExternalId, emoji: '👍' },
    });
    await mutate(harness, {
      type: 'message.react',
      clientId: clientId(),
      messageId: thread.inboundMessageId,
      emoji: '',
    });
    const calls = await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 2);
    expect(calls[1]?.body).toMatchObject({
      type: 'reaction',
      reaction: { message_id: thread.inboundExternalId, emoji: '' },
    });
    expect((await readMessage(harness.server, thread.inboundMessageId)).reactions).toEqual([]);
  });

  test('markRead: unread goes to 0 with a new seq, and the last customer message is marked read', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp', unread: 3 });
    const before = await conversationRow(harness.server, thread.conversationId);
    expect(
      await mutate(harness, {
        type: 'conversation.markRead',
        clientId: clientId(),
        conversationId: thread.conversationId,
      }),
    ).toEqual({ ok: true });
    const after = await conversationRow(harness.server, thread.conversationId);
    expect(after.unreadCount).toBe(0);
    expect(after.seq).toBeGreaterThan(before.seq);
    await harness.batches.waitFor(
      (batch) =>
        batch.changes.some(
          (change) =>
            change.entity === 'conversation' &&
            change.data.id === thread.conversationId &&
            change.data.unreadCount === 0,
        ),
      'the conversation read',
    );
    const [call] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
    expect(call?.body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: thread.inboundExternalId });
  });

  test('typing: a read with a typing indicator, at most once per interval', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    harness.socket.emit('typing', { conversationId: thread.conversationId });
    harness.socket.emit('typing', { conversationId: thread.conversationId });
    harness.socket.emit('typing', { nonsense: true } as unknown as { conversationId: string });
    const [call] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
    expect(call?.body).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: thread.inboundExternalId,
      typing_indicator: { type: 'text' },
    });
    // A send afterwards proves the worker ran past the second typing event: still one typing call.
    const message = sentMessage(await mutate(harness, sendText(thread.conversationId, 'Checking now')));
    await sentWith(message.id);
    const calls = harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp });
    expect(calls.filter((c) => (c.body as { typing_indicator?: unknown }).typing_indicator !== undefined)).toHaveLength(
      1,
    );
  });

  test('4096 characters pass; text longer than WhatsApp takes is refused by the protocol before Meta', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const ok = sentMessage(await mutate(harness, sendText(thread.conversationId, 'x'.repeat(4096))));
    await sentWith(ok.id);
    const refused = await mutate(harness, sendText(thread.conversationId, 'x'.repeat(4097)));
    expect(refused).toMatchObject({ ok: false, code: 'bad_request' });
    await waitForIdle(harness.server, thread.conversationId);
    expect(harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp })).toHaveLength(1);
  });
});

describe('Messenger', () => {
  test('text inside 24 h: RESPONSE; the message_id becomes the external id, status sent', async () => {
    const thread = await seedThread(harness.server, { channel: 'messenger' });
    const message = sentMessage(await mutate(harness, sendText(thread.conversationId, 'Hi! How can I help?')));
    const [call] = await harness.fake.waitForCalls({ method: 'POST', path: MESSAGES_PATH.messenger }, 1);
    if (call === undefined) throw new Error('no call');
    expectBearer(call);
    expect(call.body).toEqual({
      recipient: { id: thread.customerId },
      messaging_type: 'RESPONSE',
      message: { text: 'Hi! How can I help?' },
    });
    const sent = await sentWith(message.id);
    expect(sent).toMatchObject({ status: 'sent', humanAgentTag: false });
    expect(sent.externalId).toMatch(/^m_/);
  });

  test('between 24 h and 7 days with the tag: MESSAGE_TAG + HUMAN_AGENT', async () => {
    const thread = await seedThread(harness.server, {
      channel: 'messenger',
      lastInboundAt: Date.now() - 3 * 24 * 3600_000,
    });
    await harness.server.store.db
      .updateTable('channel_accounts')
      .set({ human_agent_enabled: 1 })
      .where('channel', '=', 'messenger')
      .execute();
    const message = sentMessage(
      await mutate(harness, sendText(thread.conversationId, 'Sorry for the wait!', { humanAgentTag: true })),
    );
    expect(message.humanAgentTag).toBe(true);
    const [call] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.messenger }, 1);
    expect(call?.body).toEqual({
      recipient: { id: thread.customerId },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'Sorry for the wait!' },
    });
    expect((await sentWith(message.id)).status).toBe('sent');
  });

  test('a reply carries reply_to with the quoted mid', async () => {
    const thread = await seedThread(harness.server, { channel: 'messenger' });
    sentMessage(
      await mutate(
        harness,
        sendText(thread.conversationId, 'Yes, that one.', { replyToMessageId: thread.inboundMessageId }),
      ),
    );
    const [call] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.messenger }, 1);
    expect(call?.body).toEqual({
      recipient: { id: thread.customerId },
      messaging_type: 'RESPONSE',
      message: { text: 'Yes, that one.' },
      reply_to: { mid: thread.inboundExternalId },
    });
  });

  test('attachment: uploaded to /message_attachments (reusable), then sent by attachment_id', async () => {
    const thread = await seedThread(harness.server, { channel: 'messenger' });
    const mediaId = await uploadMedia(harness, {
      conversationId: thread.conversationId,
      bytes: PNG_BYTES,
      mimeType: 'image/png',
      fileName: 'photo.png',
    });
    const message = sentMessage(
      await mutate(harness, {
        type: 'message.send',
        clientId: clientId(),
        conversationId: thread.conversationId,
        content: { kind: 'media', mediaId, caption: null },
        replyToMessageId: null,
        humanAgentTag: false,
      }),
    );
    const [upload] = await harness.fake.waitForCalls(
      { method: 'POST', path: `/${ACCOUNT_IDS.messenger}/message_attachments` },
      1,
    );
    if (upload === undefined) throw new Error('no upload');
    expectBearer(upload);
    const body = upload.body as { message: string; filedata: unknown };
    expect(JSON.parse(body.message)).toEqual({ attachment: { type: 'image', payload: { is_reusable: true } } });
    expect(body.filedata).toEqual(
      expect.objectContaining({ fileName: 'photo.png', type: 'image/png', size: PNG_BYTES.length }),
    );
    const [send] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.messenger }, 1);
    expect(send?.body).toEqual({
      recipient: { id: thread.customerId },
      messaging_type: 'RESPONSE',
      message: { attachment: { type: 'image', payload: { attachment_id: expect.any(String) as string } } },
    });
    expect((await sentWith(message.id)).status).toBe('sent');
  });

  test('a caption is refused: Messenger shows none under a file', async () => {
    const thread = await seedThread(harness.server, { channel: 'messenger' });
    const mediaId = await uploadMedia(harness, {
      conversationId: thread.conversationId,
      bytes: PNG_BYTES,
      mimeType: 'image/png',
      fileName: 'photo.png',
    });
    const result = await mutate(harness, {
      type: 'message.send',
      clientId: clientId(),
      conversationId: thread.conversationId,
      content: { kind: 'media', mediaId, caption: 'look' },
      replyToMessageId: null,
      humanAgentTag: false,
    });
    expect(result).toMatchObject({
      ok: false,
      code: 'bad_request',
      reason: 'caption_unsupported',
    });
    expect(harness.fake.calls).toHaveLength(0);
  });

  test('react and unreact are sender actions with the mid; markRead is mark_seen; typing is typing_on', async () => {
    const thread = await seedThread(harness.server, { channel: 'messenger' });
    await mutate(harness, {
      type: 'message.react',
      clientId: clientId(),
      messageId: thread.inboundMessageId,
      emoji: '❤️',
    });
    await mutate(harness, {
      type: 'message.react',
      clientId: clientId(),
      messageId: thread.inboundMessageId,
      emoji: '',
    });
    await mutate(harness, {
      type: 'conversation.markRead',
      clientId: clientId(),
      conversationId: thread.conversationId,
    });
    const calls = await harness.fake.waitForCalls({ path: MESSAGES_PATH.messenger }, 3);
    expect(calls.map((call) => call.body)).toEqual([
      {
        recipient: { id: thread.customerId },
        sender_action: 'react',
        payload: { message_id: thread.inboundExternalId, reaction: '❤️' },
      },
      {
        recipient: { id: thread.customerId },
        sender_action: 'unreact',
        payload: { message_id: thread.inboundExternalId },
      },
      { recipient: { id: thread.customerId }, sender_action: 'mark_seen' },
    ]);
    harness.socket.emit('typing', { conversationId: thread.conversationId });
    const withTyping = await harness.fake.waitForCalls({ path: MESSAGES_PATH.messenger }, 4);
    expect(withTyping[3]?.body).toEqual({ recipient: { id: thread.customerId }, sender_action: 'typing_on' });
  });
});

describe('Instagram', () => {
  test('text: POST /{ig-id}/messages, RESPONSE', async () => {
    const thread = await seedThread(harness.server, { channel: 'instagram' });
    const message = sentMessage(await mutate(harness, sendText(thread.conversationId, 'Thanks for the mention!')));
    const [call] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.instagram }, 1);
    if (call === undefined) throw new Error('no call');
    expectBearer(call);
    expect(call.body).toEqual({
      recipient: { id: thread.customerId },
      messaging_type: 'RESPONSE',
      message: { text: 'Thanks for the mention!' },
    });
    const sent = await sentWith(message.id);
    expect(sent.status).toBe('sent');
    expect(sent.externalId).toMatch(/^aWdf/);
  });

  test('a reply is sent without reply_to (Instagram does not document it)', async () => {
    const thread = await seedThread(harness.server, { channel: 'instagram' });
    sentMessage(
      await mutate(
        harness,
        sendText(thread.conversationId, 'This one?', { replyToMessageId: thread.inboundMessageId }),
      ),
    );
    const [call] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.instagram }, 1);
    expect(call?.body).not.toHaveProperty('reply_to');
  });

  test('1000 bytes of text pass; 1001 bytes are refused, naming the limit, before any call (emoji count 4)', async () => {
    const thread = await seedThread(harness.server, { channel: 'instagram' });
    const fits = 'é'.repeat(500); // 1000 bytes in 500 characters
    const ok = sentMessage(await mutate(harness, sendText(thread.conversationId, fits)));
    await sentWith(ok.id);
    const tooLong = `${'a'.repeat(997)}😀`; // 998 characters, 1001 bytes
    const refused = await mutate(harness, sendText(thread.conversationId, tooLong));
    expect(refused).toMatchObject({ ok: false, code: 'too_large' });
    if (refused.ok) throw new Error('not refused');
    expect(refused).toMatchObject({
      reason: 'text_too_many_bytes',
      params: { channel: 'instagram', limit: 1000, bytes: 1001 },
    });
    expect(harness.fake.callsTo({ path: MESSAGES_PATH.instagram })).toHaveLength(1);
  });

  test('attachment: uploaded to /{ig-id}/message_attachments, then sent by attachment_id', async () => {
    const thread = await seedThread(harness.server, { channel: 'instagram' });
    const mediaId = await uploadMedia(harness, {
      conversationId: thread.conversationId,
      bytes: PNG_BYTES,
      mimeType: 'image/png',
      fileName: 'photo.png',
    });
    const message = sentMessage(
      await mutate(harness, {
        type: 'message.send',
        clientId: clientId(),
        conversationId: thread.conversationId,
        content: { kind: 'media', mediaId, caption: null },
        replyToMessageId: null,
        humanAgentTag: false,
      }),
    );
    await harness.fake.waitForCalls({ path: `/${ACCOUNT_IDS.instagram}/message_attachments` }, 1);
    const [send] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.instagram }, 1);
    expect(send?.body).toMatchObject({
      message: { attachment: { type: 'image', payload: { attachment_id: expect.any(String) as string } } },
    });
    expect((await sentWith(message.id)).status).toBe('sent');
  });
});
