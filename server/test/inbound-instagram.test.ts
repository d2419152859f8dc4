import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  IG_ACCOUNT_ID,
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

/** Instagram Direct (`object: "instagram"`), CHANNELS.md §2.3, through the real endpoint and store. */

const IGSID = '1254001234567890';
const TS = 1_569_262_486_134;

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.cleanup();
});

function post(
  items: { event: Record<string, unknown>; at?: number; fromAccount?: boolean }[],
): Record<string, unknown> {
  return messagingWebhook('instagram', [
    {
      id: IG_ACCOUNT_ID,
      time: TS,
      messaging: items.map((item) =>
        messagingEvent({
          sender: item.fromAccount === true ? IG_ACCOUNT_ID : IGSID,
          recipient: item.fromAccount === true ? IGSID : IG_ACCOUNT_ID,
          timestampMs: item.at ?? TS,
          event: item.event,
        }),
      ),
    },
  ]);
}

async function customerText(mid: string, text: string, at = TS): Promise<void> {
  await deliver(
    server,
    'instagram',
    messagingText({ object: 'instagram', accountId: IG_ACCOUNT_ID, senderId: IGSID, mid, text, timestampMs: at }),
  );
}

const STORY_URL = 'https://scontent.cdninstagram.com/v/story.jpg?expires=456';

describe('Instagram messages', () => {
  test('a text: an IGSID contact, both windows open', async () => {
    await customerText('ig_text', 'hi!');
    const message = await storedMessage(server, 'instagram', 'ig_text');
    const conversation = await conversationOf(server, message);
    expect(conversation).toMatchObject({ windowOpenUntil: TS + DAY_MS, humanAgentUntil: TS + 7 * DAY_MS });
    expect((await contactOf(server, conversation)).identities).toEqual([
      { channel: 'instagram', kind: 'igsid', externalId: IGSID },
    ]);
  });

  test('an image and a video are copied from their CDN links', async () => {
    await deliver(
      server,
      'instagram',
      post([
        {
          event: {
            message: {
              mid: 'ig_pics',
              attachments: [
                { type: 'image', payload: { url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1' } },
                { type: 'image', payload: { url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2' } },
              ],
            },
          },
        },
        {
          event: {
            message: {
              mid: 'ig_vid',
              attachments: [{ type: 'video', payload: { url: 'https://lookaside.fbsbx.com/v.mp4' } }],
            },
          },
          at: TS + 1,
        },
      ]),
    );
    const pics = await storedMessage(server, 'instagram', 'ig_pics');
    expect(pics.kind).toBe('image');
    expect(pics.attachments.map((attachment) => attachment.kind)).toEqual(['image', 'image']);
    const video = await storedMessage(server, 'instagram', 'ig_vid');
    expect(video.kind).toBe('video');
    expect(await mediaRow(server, video.attachments[0]?.mediaId ?? '')).toMatchObject({
      source_kind: 'url',
      source_ref: 'https://lookaside.fbsbx.com/v.mp4',
      status: 'pending',
    });
  });

  test('a story reply points at the story and copies it before it expires', async () => {
    await deliver(
      server,
      'instagram',
      post([
        {
          event: {
            message: {
              mid: 'ig_story_reply',
              text: 'cool story!',
              reply_to: { story: { url: STORY_URL, id: '17900000000000000' } },
            },
          },
        },
      ]),
    );
    const message = await storedMessage(server, 'instagram', 'ig_story_reply');
    expect(message).toMatchObject({ kind: 'text', text: 'cool story!' });
    expect(message.replyTo).toEqual({ externalId: null, messageId: null, storyUrl: STORY_URL });
    expect(message.attachments).toHaveLength(1);
    expect(await mediaRow(server, message.attachments[0]?.mediaId ?? '')).toMatchObject({
      source_kind: 'url',
      source_ref: STORY_URL,
      status: 'pending',
    });
  });

  test('a story mention is its own kind with the story attached; an expired (empty) link is marked expired', async () => {
    await deliver(
      server,
      'instagram',
      post([
        {
          event: {
            message: {
              mid: 'ig_mention',
              attachments: [
                { type: 'story_mention', payload: { url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=9' } },
              ],
            },
          },
        },
        {
          event: {
            message: { mid: 'ig_mention_gone', attachments: [{ type: 'story_mention', payload: { url: '' } }] },
          },
          at: TS + 1,
        },
      ]),
    );
    const mention = await storedMessage(server, 'instagram', 'ig_mention');
    expect(mention.kind).toBe('story_mention');
    expect(mention.attachments[0]).toMatchObject({ status: 'pending' });
    const gone = await storedMessage(server, 'instagram', 'ig_mention_gone');
    expect(gone.kind).toBe('story_mention');
    expect(gone.attachments[0]).toMatchObject({ status: 'expired' });
    expect(await mediaRow(server, gone.attachments[0]?.mediaId ?? '')).toMatchObject({
      status: 'expired',
      source_ref: null,
    });
    const mentioned = await conversationOf(server, gone);
    expect(mentioned.preview?.text ?? '').toBe('');
    expect(mentioned.preview).toMatchObject({ kind: 'story_mention', direction: 'inbound', text: null });
  });

  test('shares: a reel link stays a link, a post from the CDN is copied', async () => {
    await deliver(
      server,
      'instagram',
      post([
        {
          event: {
            message: {
              mid: 'ig_reel',
              attachments: [
                { type: 'ig_reel', payload: { url: 'https://www.instagram.com/reel/C0dE/', title: 'Unboxing' } },
              ],
            },
          },
        },
        {
          event: {
            message: {
              mid: 'ig_post',
              attachments: [
                {
                  type: 'ig_post',
                  payload: {
                    url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=7',
                    title: 'New drop',
                    ig_post_media_id: '1',
                  },
                },
              ],
            },
          },
          at: TS + 1,
        },
        {
          event: {
            message: {
              mid: 'ig_share',
              attachments: [{ type: 'share', payload: { url: 'https://lookaside.fbsbx.com/share/3' } }],
            },
          },
          at: TS + 2,
        },
      ]),
    );
    expect(await storedMessage(server, 'instagram', 'ig_reel')).toMatchObject({
      kind: 'share',
      text: 'Unboxing\nhttps://www.instagram.com/reel/C0dE/',
      attachments: [],
    });
    const postMessage = await storedMessage(server, 'instagram', 'ig_post');
    expect(postMessage).toMatchObject({ kind: 'share', text: 'New drop' });
    expect(postMessage.attachments).toHaveLength(1);
    const share = await storedMessage(server, 'instagram', 'ig_share');
    expect(share.kind).toBe('share');
    expect(await mediaRow(server, share.attachments[0]?.mediaId ?? '')).toMatchObject({
      source_ref: 'https://lookaside.fbsbx.com/share/3',
    });
    const shared = await conversationOf(server, share);
    expect(shared.preview?.text ?? '').toBe('');
    expect(shared.preview).toMatchObject({ kind: 'share', direction: 'inbound', text: null, count: 1 });
  });

  test('is_unsupported is kept as unsupported', async () => {
    await deliver(server, 'instagram', post([{ event: { message: { mid: 'ig_unsup', is_unsupported: true } } }]));
    const message = await storedMessage(server, 'instagram', 'ig_unsup');
    expect(message.kind).toBe('unsupported');
    expect(message.raw).toMatchObject({ message: { is_unsupported: true } });
  });

  test('unsend (is_deleted) marks the message deleted and creates nothing', async () => {
    await customerText('ig_oops', 'wrong person');
    await deliver(
      server,
      'instagram',
      post([{ event: { message: { mid: 'ig_oops', is_deleted: true } }, at: TS + 50 }]),
    );
    const message = await storedMessage(server, 'instagram', 'ig_oops');
    expect(message).toMatchObject({ deletedAt: TS + 50, text: 'wrong person' });
    expect(await countRows(server, 'messages')).toBe(1);
  });

  test('the `changes[{field: "messages"}]` shape is read too; other fields are acknowledged', async () => {
    const body = {
      object: 'instagram',
      entry: [
        {
          id: IG_ACCOUNT_ID,
          time: TS,
          changes: [
            {
              field: 'messages',
              value: {
                sender: { id: IGSID },
                recipient: { id: IG_ACCOUNT_ID },
                timestamp: '1527459824',
                message: { mid: 'ig_changes_mid', text: 'from the Test button' },
              },
            },
            { field: 'comments', value: { id: 'c1', text: 'nice pic', from: { id: IGSID } } },
          ],
        },
      ],
    };
    const response = await postWebhook(server, 'instagram', body);
    expect(response.status).toBe(200);
    expect(await countRows(server, 'messages')).toBe(1);
    // Seconds there, milliseconds everywhere in Parley.
    expect(await storedMessage(server, 'instagram', 'ig_changes_mid')).toMatchObject({
      text: 'from the Test button',
      createdAt: 1_527_459_824_000,
    });
  });
});

describe('Instagram reactions', () => {
  test('top-level react; unreact without an emoji removes it; nested in message works too', async () => {
    await customerText('ig_base', 'ok');
    await deliver(
      server,
      'instagram',
      post([{ event: { reaction: { mid: 'ig_base', action: 'react', reaction: 'love', emoji: '❤️' } }, at: TS + 10 }]),
    );
    expect((await storedMessage(server, 'instagram', 'ig_base')).reactions.map((r) => r.emoji)).toEqual(['❤️']);
    await deliver(
      server,
      'instagram',
      post([{ event: { reaction: { mid: 'ig_base', action: 'unreact' } }, at: TS + 11 }]),
    );
    expect((await storedMessage(server, 'instagram', 'ig_base')).reactions).toEqual([]);
    await deliver(
      server,
      'instagram',
      post([
        {
          event: { message: { mid: 'ig_reaction_event', reaction: { mid: 'ig_base', action: 'react', emoji: '🔥' } } },
          at: TS + 12,
        },
      ]),
    );
    expect((await storedMessage(server, 'instagram', 'ig_base')).reactions.map((r) => r.emoji)).toEqual(['🔥']);
    expect(await countRows(server, 'messages')).toBe(1);
  });
});

describe('Instagram echoes and seen', () => {
  test('an echo is outbound; messaging_seen by mid reads it', async () => {
    await customerText('ig_in', 'hello?');
    await deliver(
      server,
      'instagram',
      post([
        {
          event: { message: { mid: 'ig_echo', text: 'Hi! Sizes are restocked.', is_echo: true } },
          at: TS + 1000,
          fromAccount: true,
        },
      ]),
    );
    const echo = await storedMessage(server, 'instagram', 'ig_echo');
    expect(echo).toMatchObject({ direction: 'outbound', status: 'sent' });
    const conversation = await conversationOf(server, echo);
    expect(conversation.lastInboundAt).toBe(TS);
    await deliver(server, 'instagram', post([{ event: { read: { mid: 'ig_echo' } }, at: TS + 2000 }]));
    expect((await storedMessage(server, 'instagram', 'ig_echo')).status).toBe('read');
  });

  test('messaging_seen by watermark reads our messages up to it', async () => {
    await customerText('ig_in', 'hello?');
    const { conversationId } = await storedMessage(server, 'instagram', 'ig_in');
    const ours = await seedOutbound(server, {
      conversationId,
      channel: 'instagram',
      externalId: 'ig_ours',
      text: 'On it',
      status: 'sent',
      createdAt: TS + 500,
    });
    const before = await snapshot(server);
    await deliver(server, 'instagram', post([{ event: { read: { watermark: TS + 400 } }, at: TS + 401 }]));
    expect(await snapshot(server)).toEqual(before);
    await deliver(server, 'instagram', post([{ event: { read: { watermark: TS + 600 } }, at: TS + 601 }]));
    expect((await storedMessageById(server, ours)).status).toBe('read');
  });
});
