import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { messagingWindowState, type Channel, type Failure, type MutationResult } from '@parley/protocol';
import {
  DAY_MS,
  HOUR_MS,
  MESSAGES_PATH,
  PNG_BYTES,
  clientId,
  conversationRow,
  graphError,
  jobsOf,
  mutate,
  seedThread,
  sendText,
  startHarness,
  uploadMedia,
  waitForMessage,
  type Harness,
} from './outbound-support.js';
import { connectSocket } from './helpers.js';

/**
 * The messaging windows, enforced by the server before any call to Meta (CHANNELS.md §4),
 * and moved when Meta's own answer says the window has closed (§3.4).
 */

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  await harness.close();
});

function refusal(result: MutationResult): Failure {
  if (result.ok) throw new Error('the mutation was accepted but should have been refused');
  return result;
}

async function enableHumanAgent(channel: Channel, enabled: boolean): Promise<void> {
  await harness.server.store.db
    .updateTable('channel_accounts')
    .set({ human_agent_enabled: enabled ? 1 : 0 })
    .where('channel', '=', channel)
    .execute();
}

/** A refusal made before Meta leaves no job behind: no call can follow, now or later. */
async function expectNothingQueued(conversationId: string): Promise<void> {
  expect(await jobsOf(harness.server, conversationId)).toEqual([]);
  expect(harness.fake.calls).toEqual([]);
}

describe('WhatsApp: 24 hours, then templates only', () => {
  test('closed (last customer message 25 h ago): text, files and reactions are refused with window_closed, no call', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp', lastInboundAt: Date.now() - 25 * HOUR_MS });
    const text = refusal(await mutate(harness, sendText(thread.conversationId, 'Are you still there?')));
    expect(text.code).toBe('window_closed');
    expect(text).toMatchObject({ reason: 'window_template_only', params: { channel: 'whatsapp' } });

    const mediaId = await uploadMedia(harness, {
      conversationId: thread.conversationId,
      bytes: PNG_BYTES,
      mimeType: 'image/png',
      fileName: 'a.png',
    });
    const media = refusal(
      await mutate(harness, {
        type: 'message.send',
        clientId: clientId(),
        conversationId: thread.conversationId,
        content: { kind: 'media', mediaId, caption: null },
        replyToMessageId: null,
        humanAgentTag: false,
      }),
    );
    expect(media.code).toBe('window_closed');
    const react = refusal(
      await mutate(harness, {
        type: 'message.react',
        clientId: clientId(),
        messageId: thread.inboundMessageId,
        emoji: '👍',
      }),
    );
    expect(react.code).toBe('window_closed');
    await expectNothingQueued(thread.conversationId);
  });

  test('a customer who never wrote: closed', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    await harness.server.store.db
      .updateTable('conversations')
      .set({ window_open_until: null, last_inbound_at: null })
      .where('id', '=', thread.conversationId)
      .execute();
    expect(refusal(await mutate(harness, sendText(thread.conversationId, 'Hello'))).code).toBe('window_closed');
    await expectNothingQueued(thread.conversationId);
  });

  test('the HUMAN_AGENT tag does not exist on WhatsApp: still window_closed', async () => {
    const thread = await seedThread(harness.server, { channel: 'whatsapp', lastInboundAt: Date.now() - 2 * DAY_MS });
    const result = refusal(await mutate(harness, sendText(thread.conversationId, 'Hello', { humanAgentTag: true })));
    expect(result.code).toBe('window_closed');
    await expectNothingQueued(thread.conversationId);
  });

  test.each([
    [131047, 'Re-engagement message'],
    [470, 'Message failed to send because more than 24 hours have passed'],
  ])(
    'Meta answers %i: the message fails with window_closed, the window closes, nothing is retried',
    async (code, message) => {
      const thread = await seedThread(harness.server, { channel: 'whatsapp' });
      harness.fake.queue({ path: MESSAGES_PATH.whatsapp }, await graphError({ code, message, details: message }));
      const accepted = await mutate(harness, sendText(thread.conversationId, 'Here is the update'));
      if (!accepted.ok || accepted.message === undefined) throw new Error('refused');
      const failed = await waitForMessage(harness.server, accepted.message.id, (m) => m.status === 'failed', 'failed');
      expect(failed.error?.code).toBe('window_closed');
      expect(failed.error).toMatchObject({
        reason: 'window_template_only',
        params: { channel: 'whatsapp', byPlatform: true },
        message: '',
      });
      const conversation = await conversationRow(harness.server, thread.conversationId);
      expect(messagingWindowState(conversation, Date.now())).toBe('closed');
      expect(await jobsOf(harness.server, thread.conversationId)).toEqual([
        { kind: 'message.send', state: 'failed', attempts: 0 },
      ]);
      expect(harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp })).toHaveLength(1);
      // The composer's next try is refused by the server itself.
      expect(refusal(await mutate(harness, sendText(thread.conversationId, 'Again'))).code).toBe('window_closed');
      expect(harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp })).toHaveLength(1);
    },
  );
});

describe.each(['messenger', 'instagram'] as const)('%s: 24 hours, then HUMAN_AGENT up to 7 days', (channel) => {
  test('after 24 h without the tag: human_agent_required, no call', async () => {
    await enableHumanAgent(channel, true);
    const thread = await seedThread(harness.server, { channel, lastInboundAt: Date.now() - 2 * DAY_MS });
    const result = refusal(await mutate(harness, sendText(thread.conversationId, 'Hi again')));
    expect(result.code).toBe('human_agent_required');
    await expectNothingQueued(thread.conversationId);
  });

  test('after 24 h with the tag, on an account Meta has not approved: human_agent_required, saying so', async () => {
    await enableHumanAgent(channel, false);
    const thread = await seedThread(harness.server, { channel, lastInboundAt: Date.now() - 2 * DAY_MS });
    const result = refusal(await mutate(harness, sendText(thread.conversationId, 'Hi again', { humanAgentTag: true })));
    expect(result.code).toBe('human_agent_required');
    expect(result).toMatchObject({ reason: 'human_agent_not_approved', params: { channel } });
    await expectNothingQueued(thread.conversationId);
  });

  test('after 7 days, even with the tag: window_closed, no call', async () => {
    await enableHumanAgent(channel, true);
    const thread = await seedThread(harness.server, { channel, lastInboundAt: Date.now() - 8 * DAY_MS });
    const result = refusal(await mutate(harness, sendText(thread.conversationId, 'Hi again', { humanAgentTag: true })));
    expect(result.code).toBe('window_closed');
    await expectNothingQueued(thread.conversationId);
  });

  test('inside 24 h the tag is not used: RESPONSE, humanAgentTag false', async () => {
    await enableHumanAgent(channel, true);
    const thread = await seedThread(harness.server, { channel });
    const result = await mutate(harness, sendText(thread.conversationId, 'Hi', { humanAgentTag: true }));
    if (!result.ok || result.message === undefined) throw new Error('refused');
    expect(result.message.humanAgentTag).toBe(false);
    const [call] = await harness.fake.waitForCalls({ path: MESSAGES_PATH[channel] }, 1);
    expect(call?.body).toMatchObject({ messaging_type: 'RESPONSE' });
    expect(call?.body).not.toHaveProperty('tag');
  });

  test('Meta answers (#10)/2018278 to a RESPONSE: human_agent_required, the standard window closes, no retry; the tagged resend goes', async () => {
    await enableHumanAgent(channel, true);
    const thread = await seedThread(harness.server, { channel, lastInboundAt: Date.now() - 23 * HOUR_MS });
    harness.fake.queue(
      { path: MESSAGES_PATH[channel] },
      await graphError({
        code: 10,
        subcode: 2018278,
        message: '(#10) This message is sent outside of allowed window.',
      }),
    );
    const accepted = await mutate(harness, sendText(thread.conversationId, 'One more thing'));
    if (!accepted.ok || accepted.message === undefined) throw new Error('refused');
    const failed = await waitForMessage(harness.server, accepted.message.id, (m) => m.status === 'failed', 'failed');
    expect(failed.error?.code).toBe('human_agent_required');
    const conversation = await conversationRow(harness.server, thread.conversationId);
    expect(messagingWindowState(conversation, Date.now())).toBe('human_agent');
    expect(harness.fake.callsTo({ path: MESSAGES_PATH[channel] })).toHaveLength(1);

    expect(refusal(await mutate(harness, sendText(thread.conversationId, 'One more thing'))).code).toBe(
      'human_agent_required',
    );
    const tagged = await mutate(harness, sendText(thread.conversationId, 'One more thing', { humanAgentTag: true }));
    if (!tagged.ok || tagged.message === undefined) throw new Error('refused');
    await waitForMessage(harness.server, tagged.message.id, (m) => m.status === 'sent', 'sent');
    const calls = harness.fake.callsTo({ path: MESSAGES_PATH[channel] });
    expect(calls).toHaveLength(2);
    expect(calls[1]?.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  test('Meta answers (#10)/2018278 to a HUMAN_AGENT reply: window_closed, both windows close', async () => {
    await enableHumanAgent(channel, true);
    const thread = await seedThread(harness.server, { channel, lastInboundAt: Date.now() - 3 * DAY_MS });
    harness.fake.queue(
      { path: MESSAGES_PATH[channel] },
      await graphError({
        code: 10,
        subcode: 2018278,
        message: '(#10) This message is sent outside of allowed window.',
      }),
    );
    const accepted = await mutate(harness, sendText(thread.conversationId, 'Late reply', { humanAgentTag: true }));
    if (!accepted.ok || accepted.message === undefined) throw new Error('refused');
    const failed = await waitForMessage(harness.server, accepted.message.id, (m) => m.status === 'failed', 'failed');
    expect(failed.error?.code).toBe('window_closed');
    const conversation = await conversationRow(harness.server, thread.conversationId);
    expect(messagingWindowState(conversation, Date.now())).toBe('closed');
    expect(refusal(await mutate(harness, sendText(thread.conversationId, 'x', { humanAgentTag: true }))).code).toBe(
      'window_closed',
    );
    expect(harness.fake.callsTo({ path: MESSAGES_PATH[channel] })).toHaveLength(1);
  });
});

describe('other refusals before Meta', () => {
  test('an unknown conversation: not_found; a reply to a message of another conversation: not_found', async () => {
    const thread = await seedThread(harness.server, { channel: 'messenger' });
    const other = await seedThread(harness.server, { channel: 'messenger' });
    expect(refusal(await mutate(harness, sendText('no-such-conversation', 'Hi'))).code).toBe('not_found');
    expect(
      refusal(
        await mutate(harness, sendText(thread.conversationId, 'Hi', { replyToMessageId: other.inboundMessageId })),
      ).code,
    ).toBe('not_found');
    await expectNothingQueued(thread.conversationId);
  });

  test('a malformed mutation: bad_request naming the field; before hello: handshake_required', async () => {
    const reply: unknown = await harness.socket
      .timeout(5_000)
      .emitWithAck('mutate', { type: 'message.send', clientId: 'short' } as never);
    expect(reply).toMatchObject({ ok: false, code: 'bad_request' });
    const fresh = await connectSocket(harness.server, { token: harness.token });
    const early: unknown = await fresh.timeout(5_000).emitWithAck('mutate', sendText('any', 'Hi'));
    expect(early).toMatchObject({ ok: false, code: 'handshake_required' });
  });
});
