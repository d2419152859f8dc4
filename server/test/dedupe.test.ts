import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { LiveBatchSchema, type LiveBatch } from '@parley/protocol';
import {
  PAGE_ID,
  batchHasMessage,
  connectReady,
  deliver,
  messageCount,
  messagesByExternalId,
  messagingText,
  postWebhook,
  signIn,
  startTestServer,
  whatsappText,
  type BatchRecorder,
  type TestServer,
} from './helpers.js';

const T0 = 1_749_416_383;

let server: TestServer;
let batches: BatchRecorder;

beforeEach(async () => {
  server = await startTestServer();
  const { token } = await signIn(server);
  ({ batches } = await connectReady(server, token));
});

afterEach(async () => {
  await server.cleanup();
});

function messageIdsIn(batch: LiveBatch): string[] {
  return batch.changes.flatMap((change) => (change.entity === 'message' ? [change.data.id] : []));
}

/**
 * A different message sent after the duplicates. Batches are published in commit order,
 * so once its batch has arrived, any batch the duplicates caused has arrived too: the
 * "exactly one" below is checked without waiting on a clock.
 */
async function barrier(id: string): Promise<void> {
  await deliver(
    server,
    'whatsapp',
    whatsappText({ from: '16505559999', name: 'Sentinel', id, text: 'barrier', timestampSeconds: T0 + 999 }),
  );
  await batches.waitFor(batchHasMessage(id), `the barrier message ${id}`);
}

async function expectStoredOnceAndPushedOnce(externalId: string): Promise<void> {
  expect(await messagesByExternalId(server, externalId)).toBe(1);
  const row = await server.store.db
    .selectFrom('messages')
    .select('id')
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
  const carrying = batches.all.filter((batch) => messageIdsIn(batch).includes(row.id));
  expect(carrying).toHaveLength(1);
  expect(() => LiveBatchSchema.parse(carrying[0])).not.toThrow();
}

describe('the same webhook delivered more than once', () => {
  const body = whatsappText({
    from: '16505551234',
    name: 'Sheena Nelson',
    id: 'wamid.RETRIED',
    text: 'Is my order shipped?',
    timestampSeconds: T0,
  });

  test('5 sequential deliveries store one message and push one live batch', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await postWebhook(server, 'whatsapp', body);
      // Every retry is acknowledged, or Meta would keep retrying.
      expect(response.status).toBe(200);
    }
    await barrier('wamid.BARRIER_SEQ');
    await expectStoredOnceAndPushedOnce('wamid.RETRIED');
    expect(await messageCount(server)).toBe(2);
    const conversation = await server.store.db
      .selectFrom('conversations')
      .select('unread_count')
      .where('last_message_preview', '=', 'Is my order shipped?')
      .executeTakeFirstOrThrow();
    expect(Number(conversation.unread_count)).toBe(1);
  });

  test('5 concurrent deliveries store one message and push one live batch', async () => {
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => postWebhook(server, 'whatsapp', JSON.stringify(body))),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    await barrier('wamid.BARRIER_CONCURRENT');
    await expectStoredOnceAndPushedOnce('wamid.RETRIED');
    expect(await messageCount(server)).toBe(2);
  });

  test('sequential then concurrent retries of a Messenger message store it once', async () => {
    const messenger = messagingText({
      object: 'page',
      accountId: PAGE_ID,
      senderId: '1254459154682919',
      mid: 'm_RETRIED',
      text: 'hello?',
      timestampMs: T0 * 1000,
    });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await postWebhook(server, 'messenger', messenger)).status).toBe(200);
    }
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => postWebhook(server, 'messenger', messenger)));
    expect(concurrent.every((response) => response.status === 200)).toBe(true);
    await barrier('wamid.BARRIER_MESSENGER');
    await expectStoredOnceAndPushedOnce('m_RETRIED');
  });

  test('a retry from a sender the store does not know is still a duplicate, and makes no contact', async () => {
    await deliver(server, 'whatsapp', body);
    const contactsBefore = await server.store.db.selectFrom('contacts').select('id').execute();
    // The same message id from another number: no contact is found, yet the message is known.
    const stranger = whatsappText({
      from: '16505550000',
      name: 'Someone Else',
      id: 'wamid.RETRIED',
      text: 'Is my order shipped?',
      timestampSeconds: T0,
    });
    expect((await postWebhook(server, 'whatsapp', stranger)).status).toBe(200);
    await barrier('wamid.BARRIER_STRANGER');
    await expectStoredOnceAndPushedOnce('wamid.RETRIED');
    const contactsAfter = await server.store.db.selectFrom('contacts').select('id').execute();
    // The barrier's sender is the one contact added.
    expect(contactsAfter).toHaveLength(contactsBefore.length + 1);
  });

  test('the same id on another channel is another message', async () => {
    await deliver(
      server,
      'messenger',
      messagingText({
        object: 'page',
        accountId: PAGE_ID,
        senderId: '1254459154682919',
        mid: 'shared-id',
        text: 'on messenger',
        timestampMs: T0 * 1000,
      }),
    );
    await deliver(
      server,
      'instagram',
      messagingText({
        object: 'instagram',
        accountId: '17841400000000000',
        senderId: '1254001234567890',
        mid: 'shared-id',
        text: 'on instagram',
        timestampMs: T0 * 1000,
      }),
    );
    expect(await messagesByExternalId(server, 'shared-id')).toBe(2);
  });
});
