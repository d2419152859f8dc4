import { afterEach, describe, expect, test } from 'vitest';
import type { Message, MutationResult } from '@parley/protocol';
import { newId } from '../src/platform/ids.js';
import {
  MESSAGES_PATH,
  clientId,
  graphError,
  jobsOf,
  mutate,
  readMessage,
  seedThread,
  sendText,
  startFakeGraph,
  startHarness,
  waitForIdle,
  waitForMessage,
  type Harness,
  type QueuedAnswer,
} from './outbound-support.js';

/**
 * Send reliability: retries only where Meta's answer says nothing was done, one Graph call
 * per client id (even across a restart), order within a conversation, and pacing.
 */

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harnessFor(input: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const harness = await startHarness(input);
  cleanups.push(() => harness.close());
  return harness;
}

function accepted(result: MutationResult): Message {
  if (!result.ok || result.message === undefined) {
    throw new Error(`refused: ${result.ok ? 'no message' : `${result.code} ${result.reason ?? ''}`}`);
  }
  return result.message;
}

async function settled(harness: Harness, id: string): Promise<Message> {
  return waitForMessage(harness.server, id, (message) => message.status !== 'pending', 'sent or failed');
}

describe('retries', () => {
  test.each<[string, 'whatsapp' | 'messenger', () => Promise<QueuedAnswer[]>]>([
    [
      'HTTP 500',
      'whatsapp',
      async () => [await graphError({ status: 500, code: 1, message: 'An unknown error occurred' })],
    ],
    [
      'HTTP 503 without a Graph body',
      'messenger',
      () => Promise.resolve([{ status: 503, body: 'Service Unavailable' }]),
    ],
    [
      'HTTP 429 then WhatsApp 130429 (throughput)',
      'whatsapp',
      async () => [
        await graphError({ status: 429, code: 130429, message: 'Rate limit hit' }),
        await graphError({ status: 400, code: 130429, message: 'Rate limit hit' }),
      ],
    ],
    [
      'WhatsApp 131000 (something went wrong)',
      'whatsapp',
      async () => [await graphError({ status: 500, code: 131000 })],
    ],
    ['WhatsApp 80007 (WABA rate limit)', 'whatsapp', async () => [await graphError({ code: 80007 })]],
    ['Messenger 1200 (temporary send failure)', 'messenger', async () => [await graphError({ code: 1200 })]],
    [
      'Messenger 2018024 (temporary send failure)',
      'messenger',
      async () => [await graphError({ code: 100, subcode: 2018024 })],
    ],
    ['Messenger 613 (rate limit)', 'messenger', async () => [await graphError({ code: 613 })]],
  ])('%s: retried with the same body; one message, sent once', async (_name, channel, answers) => {
    const harness = await harnessFor();
    const thread = await seedThread(harness.server, { channel });
    const failures = await answers();
    harness.fake.queue({ path: MESSAGES_PATH[channel] }, ...failures);
    const mutation = sendText(thread.conversationId, 'Retry me');
    const message = accepted(await mutate(harness, mutation));
    const sent = await settled(harness, message.id);
    expect(sent.status).toBe('sent');
    expect(sent.externalId).not.toBeNull();
    const calls = harness.fake.callsTo({ path: MESSAGES_PATH[channel] });
    expect(calls).toHaveLength(failures.length + 1);
    // Every try sent exactly the same request.
    for (const call of calls) expect(call.body).toEqual(calls[0]?.body);
    expect(await jobsOf(harness.server, thread.conversationId)).toEqual([
      { kind: 'message.send', state: 'done', attempts: failures.length },
    ]);
    const rows = await harness.server.store.db
      .selectFrom('messages')
      .select('id')
      .where('client_id', '=', mutation.clientId)
      .execute();
    expect(rows).toHaveLength(1);
  });

  test('a retryable failure that persists: failed after the last allowed try, saying how many', async () => {
    const harness = await harnessFor();
    harness.server.outbound.tune({ maxAttempts: 3 });
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const error = await graphError({ status: 500, code: 131000, message: 'Something went wrong' });
    harness.fake.queue({ path: MESSAGES_PATH.whatsapp }, error, error, error, error);
    const message = accepted(await mutate(harness, sendText(thread.conversationId, 'Hello')));
    const failed = await settled(harness, message.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('131000');
    expect(failed.error).toEqual({
      code: '131000',
      reason: 'attempts_exhausted',
      params: { channel: 'whatsapp', attempts: 3, lastCode: '131000' },
      message: '',
    });
    expect(harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp })).toHaveLength(3);
  });

  test.each<[string, 'whatsapp' | 'messenger', { code: number; subcode?: number; message: string }, string]>([
    [
      'WhatsApp 131026 (undeliverable)',
      'whatsapp',
      { code: 131026, message: 'Message undeliverable' },
      'platform_refused',
    ],
    [
      'WhatsApp 131008 (missing parameter)',
      'whatsapp',
      { code: 131008, message: 'Required parameter is missing' },
      'malformed_by_platform',
    ],
    [
      'WhatsApp 190 (token expired)',
      'whatsapp',
      { code: 190, message: 'Error validating access token' },
      'platform_refused',
    ],
    [
      'Messenger 551 (person unavailable)',
      'messenger',
      { code: 551, message: "This person isn't available right now." },
      'platform_refused',
    ],
    [
      'Messenger 2018001 (no matching user)',
      'messenger',
      { code: 100, subcode: 2018001, message: 'No matching user found' },
      'malformed_by_platform',
    ],
  ])('%s: failed at once with the platform code and a reason, never retried', async (_name, channel, error, reason) => {
    const harness = await harnessFor();
    const thread = await seedThread(harness.server, { channel });
    harness.fake.queue({ path: MESSAGES_PATH[channel] }, await graphError(error));
    const message = accepted(await mutate(harness, sendText(thread.conversationId, 'Hello')));
    const failed = await settled(harness, message.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe(String(error.code));
    expect(failed.error).toMatchObject({ reason, params: { channel }, message: '' });
    expect(await jobsOf(harness.server, thread.conversationId)).toEqual([
      { kind: 'message.send', state: 'failed', attempts: 0 },
    ]);
    expect(harness.fake.callsTo({ path: MESSAGES_PATH[channel] })).toHaveLength(1);
  });

  test('the connection breaks after the request was sent: unknown delivery, never resent', async () => {
    const harness = await harnessFor();
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    harness.fake.queue({ path: MESSAGES_PATH.whatsapp }, { status: 200, drop: true });
    const message = accepted(await mutate(harness, sendText(thread.conversationId, 'Did this arrive?')));
    const failed = await settled(harness, message.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('unknown_delivery');
    expect(failed.error).toEqual({
      code: 'unknown_delivery',
      reason: 'unknown_delivery',
      params: { channel: 'whatsapp', cause: 'connection_lost' },
      message: '',
    });
    // A later message in the same conversation goes: the worker has moved past the first.
    const next = accepted(await mutate(harness, sendText(thread.conversationId, 'Next')));
    expect((await settled(harness, next.id)).status).toBe('sent');
    const bodies = harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp }).map((call) => call.body);
    expect(bodies.filter((body) => JSON.stringify(body).includes('Did this arrive?'))).toHaveLength(1);
  });

  test('Meta unreachable (connection refused): nothing left, so it is retried and sent once Meta is back', async () => {
    const probe = await startFakeGraph();
    const port = probe.port;
    await probe.close();
    // The server points at a port where nothing listens yet.
    const harness = await harnessFor({ fake: { ...probe, url: `http://127.0.0.1:${port}` } });
    const thread = await seedThread(harness.server, { channel: 'messenger' });
    const message = accepted(await mutate(harness, sendText(thread.conversationId, 'Are you there?')));
    const deadline = Date.now() + 5_000;
    while ((await jobsOf(harness.server, thread.conversationId))[0]?.attempts === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await jobsOf(harness.server, thread.conversationId))[0]?.attempts).toBeGreaterThan(0);
    const fake = await startFakeGraph({ port });
    cleanups.push(() => fake.close());
    expect((await settled(harness, message.id)).status).toBe('sent');
    expect(fake.callsTo({ path: MESSAGES_PATH.messenger })).toHaveLength(1);
  });
});

describe('one call per client id', () => {
  test('the same mutation sent again (and three times at once): the same answer, one message, one Graph call', async () => {
    const harness = await harnessFor();
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const mutation = sendText(thread.conversationId, 'Only once');
    const results = await Promise.all([
      mutate(harness, mutation),
      mutate(harness, mutation),
      mutate(harness, mutation),
    ]);
    const ids = results.map((result) => accepted(result).id);
    expect(new Set(ids).size).toBe(1);
    const sent = await settled(harness, ids[0] ?? '');
    // A late repeat sees the message as it is now.
    const again = accepted(await mutate(harness, mutation));
    expect(again).toMatchObject({ id: sent.id, status: 'sent', externalId: sent.externalId });
    await waitForIdle(harness.server, thread.conversationId);
    expect(harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp })).toHaveLength(1);
    expect(await jobsOf(harness.server, thread.conversationId)).toHaveLength(1);
  });

  test('a refusal is recorded too: the repeat gets the same refusal', async () => {
    const harness = await harnessFor();
    const thread = await seedThread(harness.server, {
      channel: 'whatsapp',
      lastInboundAt: Date.now() - 2 * 24 * 3600_000,
    });
    const mutation = sendText(thread.conversationId, 'Closed');
    const first = await mutate(harness, mutation);
    expect(first).toMatchObject({ ok: false, code: 'window_closed' });
    expect(await mutate(harness, mutation)).toEqual(first);
  });

  test('the same client id for a different change: conflict, nothing applied', async () => {
    const harness = await harnessFor();
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const mutation = sendText(thread.conversationId, 'Original');
    const original = accepted(await mutate(harness, mutation));
    const reused = await mutate(harness, { ...mutation, content: { kind: 'text', text: 'Something else' } });
    expect(reused).toMatchObject({ ok: false, code: 'conflict' });
    const reusedForRead = await mutate(harness, {
      type: 'conversation.markRead',
      clientId: mutation.clientId,
      conversationId: thread.conversationId,
    });
    expect(reusedForRead).toMatchObject({ ok: false, code: 'conflict' });
    await settled(harness, original.id);
    await waitForIdle(harness.server, thread.conversationId);
    expect(harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp })).toHaveLength(1);
    expect((await readMessage(harness.server, original.id)).text).toBe('Original');
  });

  test('a restart while a send is in flight: the message fails as unknown delivery and is never sent again', async () => {
    const fake = await startFakeGraph();
    cleanups.push(() => fake.close());
    const first = await startHarness({ fake, keepData: true });
    const dataDir = first.server.dataDir;
    cleanups.push(async () => {
      const { rmSync } = await import('node:fs');
      rmSync(dataDir, { recursive: true, force: true });
    });
    const thread = await seedThread(first.server, { channel: 'whatsapp' });
    // Meta takes its time: the server stops between the call and its answer.
    fake.queue({ path: MESSAGES_PATH.whatsapp }, { status: 200, delayMs: 30_000, body: {} });
    const mutation = sendText(thread.conversationId, 'Sent during a crash');
    const message = accepted(await mutate(first, mutation));
    await fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
    first.server.outbound.tune({ shutdownGraceMs: 0 });
    await first.close();
    const stuck = await import('./support/database.js').then(async ({ openTestDatabase }) => {
      const db = await openTestDatabase(dataDir);
      try {
        return await db.selectFrom('outbound_jobs').select('state').execute();
      } finally {
        await db.destroy();
      }
    });
    expect(stuck).toEqual([{ state: 'in_flight' }]);

    const second = await harnessFor({ fake, dataDir });
    const failed = await settled(second, message.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('unknown_delivery');
    expect(failed.error).toMatchObject({
      reason: 'unknown_delivery',
      params: { channel: 'whatsapp', cause: 'server_restarted' },
    });
    // The outbox resending the same client id gets the recorded answer, not a new send.
    const repeat = accepted(await mutate(second, mutation));
    expect(repeat).toMatchObject({ id: message.id, status: 'failed' });
    // The conversation is not blocked: the next message goes, and the first never again.
    const next = accepted(await mutate(second, sendText(thread.conversationId, 'After the restart')));
    expect((await settled(second, next.id)).status).toBe('sent');
    const bodies = fake.callsTo({ path: MESSAGES_PATH.whatsapp }).map((call) => JSON.stringify(call.body));
    expect(bodies.filter((body) => body.includes('Sent during a crash'))).toHaveLength(1);
    expect(bodies).toHaveLength(2);
  });
});

describe('order and pacing', () => {
  test('messages in one conversation reach Meta in the order written, one at a time, even when the first is retried', async () => {
    const harness = await harnessFor();
    const thread = await seedThread(harness.server, { channel: 'messenger' });
    harness.fake.queue(
      { path: MESSAGES_PATH.messenger },
      await graphError({ status: 500, code: 2, message: 'slow failure', delayMs: 150 }),
    );
    const texts = ['one', 'two', 'three', 'four'];
    const messages = [];
    for (const text of texts) messages.push(accepted(await mutate(harness, sendText(thread.conversationId, text))));
    for (const message of messages) expect((await settled(harness, message.id)).status).toBe('sent');
    const calls = harness.fake.callsTo({ path: MESSAGES_PATH.messenger });
    expect(calls.map((call) => (call.body as { message: { text: string } }).message.text)).toEqual([
      'one',
      'one',
      'two',
      'three',
      'four',
    ]);
    // Never two in flight at once: each call arrives after the previous one was answered.
    for (let index = 1; index < calls.length; index += 1) {
      expect(calls[index]?.receivedAt).toBeGreaterThanOrEqual(calls[index - 1]?.answeredAt ?? Infinity);
    }
  });

  test('conversations do not wait for each other', async () => {
    const harness = await harnessFor();
    const slow = await seedThread(harness.server, { channel: 'whatsapp' });
    const quick = await seedThread(harness.server, { channel: 'whatsapp' });
    harness.fake.queue(
      { path: MESSAGES_PATH.whatsapp },
      { status: 200, delayMs: 1_500, body: { messages: [{ id: 'wamid.SLOW' }] } },
    );
    const first = accepted(await mutate(harness, sendText(slow.conversationId, 'slow')));
    await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
    const second = accepted(await mutate(harness, sendText(quick.conversationId, 'quick')));
    expect((await settled(harness, second.id)).status).toBe('sent');
    expect((await readMessage(harness.server, first.id)).status).toBe('pending');
    expect((await settled(harness, first.id)).externalId).toBe('wamid.SLOW');
  });

  test("a WhatsApp number's throughput is respected: with 2 per second, 6 sends take about 2 seconds", async () => {
    const harness = await harnessFor();
    await harness.server.store.db
      .updateTable('channel_accounts')
      .set({ throughput_per_second: 2 })
      .where('channel', '=', 'whatsapp')
      .execute();
    const threads = [];
    for (let index = 0; index < 6; index += 1)
      threads.push(await seedThread(harness.server, { channel: 'whatsapp', customerId: `1555000${index}` }));
    const messages = await Promise.all(
      threads.map(async (thread) => accepted(await mutate(harness, sendText(thread.conversationId, 'Sale today')))),
    );
    for (const message of messages)
      await waitForMessage(harness.server, message.id, (m) => m.status === 'sent', 'sent', 8_000);
    const times = harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp }).map((call) => call.receivedAt);
    expect(times).toHaveLength(6);
    // A burst of 2, then one every 500 ms: so any three calls in a row span at least 500 ms.
    // These are the times the fake received them, and the first call also opens the connection,
    // which on a busy machine can take longer than the pause itself: the windows start at the
    // second call. Unpaced, all six arrive within a few milliseconds.
    const SLACK_MS = 100;
    times.forEach((time, index) => {
      if (index >= 3) expect(time - (times[index - 2] ?? 0)).toBeGreaterThanOrEqual(500 - SLACK_MS);
    });
    expect((times[5] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(3 * 500 - 2 * SLACK_MS);
  });

  test('WhatsApp pair rate (131056): that customer is paused, then the message goes', async () => {
    const harness = await harnessFor();
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    harness.fake.queue(
      { path: MESSAGES_PATH.whatsapp },
      await graphError({ code: 131056, message: '(Business Account, Consumer Account) pair rate limit hit' }),
    );
    const message = accepted(await mutate(harness, sendText(thread.conversationId, 'Another one')));
    expect((await settled(harness, message.id)).status).toBe('sent');
    const calls = harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp });
    expect(calls).toHaveLength(2);
    // pairRateDelayMs is 300 in these tests (6 s by default).
    expect((calls[1]?.receivedAt ?? 0) - (calls[0]?.answeredAt ?? 0)).toBeGreaterThanOrEqual(290);
  });
});

describe('echoes', () => {
  test('an echo stored before the send was recorded is merged into our message, not kept twice', async () => {
    const harness = await harnessFor();
    const thread = await seedThread(harness.server, { channel: 'messenger' });
    harness.fake.queue(
      { path: MESSAGES_PATH.messenger },
      { status: 200, delayMs: 300, body: { recipient_id: thread.customerId, message_id: 'm_ECHOED' } },
    );
    const message = accepted(await mutate(harness, sendText(thread.conversationId, 'Echo me')));
    await harness.fake.waitForCalls({ path: MESSAGES_PATH.messenger }, 1);
    // Meta's message_echoes webhook wins the race: the inbound side stores it as an outbound message.
    const echoId = newId();
    await harness.server.store.write(async (trx, changes) => {
      await trx
        .insertInto('messages')
        .values({
          id: echoId,
          conversation_id: thread.conversationId,
          channel: 'messenger',
          client_id: null,
          external_id: 'm_ECHOED',
          direction: 'outbound',
          kind: 'text',
          text: 'Echo me',
          author_agent_id: null,
          status: 'delivered',
          attachments: '[]',
          location: null,
          shared_contacts: '[]',
          reply_to: null,
          interactive: null,
          reactions: '[]',
          forwarded: 'no',
          template: null,
          human_agent_tag: 0,
          error: null,
          edited_at: null,
          deleted_at: null,
          created_at: Date.now(),
          received_at: Date.now(),
          raw: null,
          seq: await changes.nextSeq('message', echoId),
        })
        .execute();
    });
    const sent = await settled(harness, message.id);
    expect(sent).toMatchObject({ externalId: 'm_ECHOED', status: 'delivered', authorAgentId: harness.agentId });
    const rows = await harness.server.store.db
      .selectFrom('messages')
      .select('id')
      .where('external_id', '=', 'm_ECHOED')
      .execute();
    expect(rows).toEqual([{ id: message.id }]);
  });
});

describe('reactions that fail', () => {
  test('a reaction Meta refuses is taken off the message again', async () => {
    const harness = await harnessFor();
    const thread = await seedThread(harness.server, { channel: 'messenger' });
    harness.fake.queue(
      { path: MESSAGES_PATH.messenger },
      await graphError({ code: 100, message: 'Invalid parameter' }),
    );
    await mutate(harness, {
      type: 'message.react',
      clientId: clientId(),
      messageId: thread.inboundMessageId,
      emoji: '😮',
    });
    expect((await readMessage(harness.server, thread.inboundMessageId)).reactions).toHaveLength(1);
    await waitForIdle(harness.server, thread.conversationId);
    expect((await readMessage(harness.server, thread.inboundMessageId)).reactions).toEqual([]);
  });
});
