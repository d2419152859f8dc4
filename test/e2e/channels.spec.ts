import { expect, test, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';
import { loadConfig, upsertChannelAccount } from '@parley/server/testing';
import { DEMO_TEMPLATES } from '../fake-graph/demo-templates.js';
import { graphError, startFakeGraph, type FakeGraph, type QueuedAnswer } from '../fake-graph/server.js';
import {
  AGENT,
  APP_SECRET,
  TEST_ACCOUNTS,
  VERIFY_TOKEN,
  postWebhook,
  startTestServer,
  type TestServer,
} from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * The agent's half of the channels: every kind of message a customer can send is shown as
 * what it is, and the composer offers what the messaging window allows. Webhooks are
 * Meta-shaped (CHANNELS.md §2) and signed; Meta's Graph API is the local fake, so media is
 * copied and replies really go out.
 */

const WABA_ID = 'WABA_TEST_1';
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const CUSTOMER = { name: 'Mariana Souza', waId: '5511987650001' };

let graph: FakeGraph;
let server: TestServer;

test.beforeEach(async () => {
  graph = await startFakeGraph({
    accounts: { [TEST_ACCOUNTS.messenger]: 'messenger', [TEST_ACCOUNTS.instagram]: 'instagram' },
    templates: { [WABA_ID]: DEMO_TEMPLATES },
  });
  server = await startTestServer({ graph: { baseUrl: graph.url, version: loadConfig({}).graph.version } });
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
  await graph.close();
});

function seconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}

/** One WhatsApp `messages` change carrying the given messages from the test customer. */
function whatsapp(messages: Record<string, unknown>[], customer = CUSTOMER): object {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: TEST_ACCOUNTS.whatsapp },
              contacts: [{ profile: { name: customer.name }, wa_id: customer.waId }],
              messages: messages.map((message) => ({
                from: customer.waId,
                timestamp: seconds(Date.now()),
                ...message,
              })),
            },
          },
        ],
      },
    ],
  };
}

/** Messenger (`page`) or Instagram events from one customer. */
function messaging(
  channel: 'messenger' | 'instagram',
  senderId: string,
  events: Record<string, unknown>[],
  at = Date.now(),
): object {
  const accountId = TEST_ACCOUNTS[channel];
  return {
    object: channel === 'messenger' ? 'page' : 'instagram',
    entry: [
      {
        id: accountId,
        time: at,
        messaging: events.map((event) => ({
          sender: { id: senderId },
          recipient: { id: accountId },
          timestamp: at,
          ...event,
        })),
      },
    ],
  };
}

async function post(channel: 'whatsapp' | 'messenger' | 'instagram', body: object): Promise<void> {
  const response = await postWebhook(server.url, channel, body);
  expect(response.status, `webhook to ${channel}`).toBe(200);
}

/** The message whose own text (not a quote of it) contains `text`. */
function messageWithText(page: Page, text: string): Locator {
  return page.getByTestId('message').filter({ has: page.getByTestId('message-text').filter({ hasText: text }) });
}

function graphErrorAnswer(code: number, message: string, details: string): QueuedAnswer {
  return graphError({ code, message, details });
}

/** The message sends the fake Graph API received on `path`: not read receipts nor sender actions. */
function sends(path: string | RegExp): unknown[] {
  return graph
    .callsTo({ method: 'POST', path })
    .map((call) => call.body)
    .filter((body) => typeof body === 'object' && body !== null && !('status' in body) && !('sender_action' in body));
}

async function openConversation(page: Page, name: string): Promise<void> {
  await page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await expect(page.getByTestId('thread-title')).toHaveText(name);
}

test('every kind of WhatsApp message is shown as what it is', async ({ page }) => {
  await signIn(page, server.url);
  const picture = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#3949ab' } })
    .png()
    .toBuffer();
  const mediaId = graph.addMedia(picture, 'image/png');

  await post(
    'whatsapp',
    whatsapp([
      { id: 'wamid.T1', type: 'text', text: { body: 'Do you have this in blue?' } },
      {
        id: 'wamid.IMG',
        type: 'image',
        context: { from: CUSTOMER.waId, id: 'wamid.T1' },
        image: { id: mediaId, mime_type: 'image/png', sha256: 'unchecked', caption: 'this one' },
      },
      {
        id: 'wamid.LOC',
        type: 'location',
        location: { latitude: 38.7223, longitude: -9.1393, name: 'Acme Store Lisbon', address: 'Rua Augusta 100' },
      },
      {
        id: 'wamid.CON',
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'João Pereira', first_name: 'João' },
            phones: [{ phone: '+351 912 345 678', wa_id: '351912345678', type: 'CELL' }],
          },
        ],
      },
      {
        id: 'wamid.BTN',
        type: 'interactive',
        context: { from: CUSTOMER.waId, id: 'wamid.T1' },
        interactive: { type: 'button_reply', button_reply: { id: 'size_m', title: 'Medium (M)' } },
      },
      { id: 'wamid.FWD', type: 'text', context: { forwarded: true }, text: { body: 'Look at this offer' } },
      { id: 'wamid.DEL', type: 'text', text: { body: 'wrong chat, sorry' } },
      {
        id: 'wamid.UNS',
        type: 'unsupported',
        errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }],
      },
    ]),
  );
  await post(
    'whatsapp',
    whatsapp([
      { id: 'wamid.REA', type: 'reaction', reaction: { message_id: 'wamid.T1', emoji: '❤️' } },
      { id: 'wamid.REV', type: 'revoke', revoke: { original_message_id: 'wamid.DEL' } },
    ]),
  );

  await openConversation(page, CUSTOMER.name);

  // The picture is copied from the (fake) Graph API, then shown as a thumbnail; a click opens it whole.
  const image = page.locator('[data-testid="message"][data-kind="image"]');
  await expect(image.getByTestId('message-text')).toHaveText('this one');
  await expect(image.getByTestId('quoted-message')).toContainText('Do you have this in blue?');
  await expect(image.getByTestId('image-attachment').locator('img')).toBeVisible({ timeout: 20_000 });
  await image.getByTestId('image-attachment').click();
  await expect(page.getByTestId('image-viewer-image')).toBeVisible();
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('image-viewer-image')).toBeHidden();

  const location = page.locator('[data-testid="message"][data-kind="location"]');
  await expect(location.getByTestId('location-name')).toHaveText('Acme Store Lisbon');
  await expect(location.getByTestId('location-address')).toHaveText('Rua Augusta 100');
  await expect(location.getByTestId('location-map-link')).toHaveAttribute('href', /openstreetmap\.org.*38\.7223/);

  const contacts = page.locator('[data-testid="message"][data-kind="contacts"]');
  await expect(contacts.getByTestId('shared-contact-name')).toHaveText('João Pereira');
  await expect(contacts.getByTestId('shared-contact-phone')).toContainText('+351 912 345 678');

  const button = page.locator('[data-testid="message"][data-kind="interactive"]');
  await expect(button.getByTestId('interactive-reply')).toHaveText('Medium (M)');
  await expect(button.getByTestId('quoted-message')).toContainText('Do you have this in blue?');

  const question = messageWithText(page, 'Do you have this in blue?');
  await expect(question.getByTestId('reaction')).toHaveText('❤️');
  await expect(question.getByTestId('reaction')).toHaveAttribute('data-mine', 'false');

  // The log is virtual: the last messages are in the page once it is scrolled to its end.
  await page.evaluate(() => document.querySelector('[role="log"]')?.scrollTo({ top: 1e6 }));
  await expect(messageWithText(page, 'Look at this offer').getByTestId('message-forwarded')).toHaveText('Forwarded');
  await expect(page.getByTestId('message-deleted')).toHaveText('This message was deleted');
  await expect(page.getByText('wrong chat, sorry')).toHaveCount(0);
  await expect(page.locator('[data-testid="message"][data-kind="unsupported"]')).toContainText(
    'This message type cannot be shown yet.',
  );

  // Clicking a quote brings the quoted message into view.
  await page.evaluate(() => document.querySelector('[role="log"]')?.scrollTo({ top: 1e6 }));
  await button.getByTestId('quoted-message').click();
  await expect(question).toBeInViewport();
});

test('a picture whose copy has not finished or failed says so in words', async ({ page }) => {
  await signIn(page, server.url);
  // A media id the Graph API does not know: the copy cannot succeed.
  await post(
    'whatsapp',
    whatsapp([
      {
        id: 'wamid.IMG404',
        type: 'image',
        image: { id: '404000000000001', mime_type: 'image/jpeg', sha256: 'x' },
      },
    ]),
  );
  await openConversation(page, CUSTOMER.name);
  const notice = page.locator('[data-testid="message"][data-kind="image"]').getByTestId('media-notice');
  await expect(notice).toBeVisible();
  await expect(notice).toHaveText(
    /Getting the file from the platform…|The file could not be copied from the platform\.|This file is no longer available/,
  );
});

test('Instagram story replies, story mentions, reactions and unsends', async ({ page }) => {
  await signIn(page, server.url);
  const customer = '1254001234567890';
  await post(
    'instagram',
    messaging('instagram', customer, [
      {
        message: {
          mid: 'ig.STORY',
          text: 'cool story!',
          reply_to: { story: { id: '17900000000000000', url: 'https://scontent.cdninstagram.com/v/story.jpg' } },
        },
      },
      {
        message: {
          mid: 'ig.MENTION',
          attachments: [
            { type: 'story_mention', payload: { url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1' } },
          ],
        },
      },
      { message: { mid: 'ig.UNSEND', text: 'ignore this' } },
    ]),
  );
  await post(
    'instagram',
    messaging('instagram', customer, [
      { reaction: { mid: 'ig.STORY', action: 'react', reaction: 'love', emoji: '😍' } },
      { message: { mid: 'ig.UNSEND', is_deleted: true } },
    ]),
  );
  await page.getByTestId('conversation-item').first().click();

  const storyReply = messageWithText(page, 'cool story!');
  await expect(storyReply.getByTestId('message-label')).toContainText('Replied to your story');
  await expect(storyReply.getByRole('link', { name: 'Open the story' })).toHaveAttribute(
    'href',
    'https://scontent.cdninstagram.com/v/story.jpg',
  );
  await expect(storyReply.getByTestId('reaction')).toHaveText('😍');
  await expect(page.locator('[data-testid="message"][data-kind="story_mention"]')).toContainText(
    'Mentioned you in their story',
  );
  await expect(page.getByTestId('message-deleted')).toHaveText('This message was deleted');
  await expect(page.getByText('ignore this')).toHaveCount(0);
});

test('WhatsApp 24 hours after the customer wrote: the closed banner, then a template goes out', async ({ page }) => {
  await upsertChannelAccount(server.store, {
    channel: 'whatsapp',
    externalId: TEST_ACCOUNTS.whatsapp,
    name: 'Test whatsapp',
    wabaId: WABA_ID,
    accessToken: 'test-token-whatsapp',
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
  });
  await server.outbound.syncTemplates();
  await signIn(page, server.url);
  await post(
    'whatsapp',
    whatsapp([
      { id: 'wamid.OLD', type: 'text', text: { body: 'Any news?' }, timestamp: seconds(Date.now() - 30 * HOUR) },
    ]),
  );
  await openConversation(page, CUSTOMER.name);

  const banner = page.getByTestId('window-banner');
  await expect(banner).toHaveAttribute('data-state', 'template');
  await expect(banner).toHaveText(
    '24-hour window closed — send a template to re-open. The window re-opens when the customer replies.',
  );
  await expect(page.getByTestId('composer')).toHaveCount(0);

  const picker = page.getByTestId('template-picker');
  await expect(picker).toBeVisible();
  await picker.getByRole('combobox').click();
  // Approved templates only: the one still in review is not offered.
  await expect(page.getByRole('option')).not.toHaveCount(0);
  await page.getByRole('option', { name: /^order_update/ }).click();
  const parameters = picker.getByTestId('template-parameter');
  await expect(parameters).toHaveCount(2);
  await expect(picker.getByTestId('template-send')).toBeDisabled();
  await parameters.nth(0).fill('Mariana');
  await parameters.nth(1).fill('#4821');
  await expect(picker.getByTestId('template-preview')).toContainText('Hi Mariana, your order #4821 has shipped');
  await picker.getByTestId('template-send').click();

  const sent = page.locator('[data-testid="message"][data-kind="template"]');
  await expect(sent.getByTestId('message-template')).toHaveText('Template · order_update');
  await expect(sent.getByTestId('message-status')).toHaveAttribute('data-status', /sent|delivered|read/);
  await expect
    .poll(() => sends(`/${TEST_ACCOUNTS.whatsapp}/messages`))
    .toContainEqual(
      expect.objectContaining({ type: 'template', template: expect.objectContaining({ name: 'order_update' }) }),
    );
});

test('Messenger three days after the customer wrote: replies go out as a human agent', async ({ page }) => {
  await upsertChannelAccount(server.store, {
    channel: 'messenger',
    externalId: TEST_ACCOUNTS.messenger,
    name: 'Test messenger',
    accessToken: 'test-token-messenger',
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    humanAgentEnabled: true,
  });
  await signIn(page, server.url);
  const wroteAt = Date.now() - 3 * DAY;
  await post(
    'messenger',
    messaging('messenger', '1254459154682919', [{ message: { mid: 'm_OLD', text: 'Still waiting…' } }], wroteAt),
  );
  await page.getByTestId('conversation-item').first().click();

  const banner = page.getByTestId('window-banner');
  await expect(banner).toHaveAttribute('data-state', 'human_agent');
  await expect(banner).toContainText('Standard window closed — replying as human agent until');
  await expect(page.getByTestId('human-agent-chip')).toBeVisible();

  await page.getByTestId('composer-input').fill('Sorry for the wait — your refund is on its way.');
  await page.getByTestId('composer-input').press('Enter');
  const reply = messageWithText(page, 'Sorry for the wait');
  await expect(reply).toHaveAttribute('data-direction', 'outbound');
  await expect(reply.getByTestId('human-agent-tag')).toBeVisible();
  await expect
    .poll(() => sends(/\/messages$/))
    .toContainEqual(expect.objectContaining({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }));
  await expect(page.getByTestId('composer-input')).toHaveValue('');
});

test('an open WhatsApp window: countdown, quote, reaction and a reply that reaches sent', async ({ page }) => {
  await signIn(page, server.url);
  await post(
    'whatsapp',
    whatsapp([
      {
        id: 'wamid.Q1',
        type: 'text',
        text: { body: 'Is the blue one in stock?' },
        timestamp: seconds(Date.now() - 2 * HOUR),
      },
    ]),
  );
  const item = page.getByTestId('conversation-item');
  await expect(item.getByLabel('1 unread')).toBeVisible();
  await openConversation(page, CUSTOMER.name);
  // Opening the conversation marks it read.
  await expect(item.getByLabel('1 unread')).toHaveCount(0);

  await expect(page.getByTestId('window-banner')).toHaveAttribute('data-state', 'free');
  await expect(page.getByTestId('window-banner')).toHaveText(/^Window closes in 2[12] h \d+ min$/);

  const question = messageWithText(page, 'Is the blue one in stock?');
  await question.hover();
  await question.getByRole('button', { name: 'React with 👍' }).click();
  await expect(question.getByTestId('reaction')).toHaveAttribute('data-mine', 'true');
  await question.getByTestId('reaction').click();
  await expect(question.getByTestId('reaction')).toHaveCount(0);

  await question.hover();
  await question.getByRole('button', { name: 'Reply' }).click();
  await expect(page.getByTestId('reply-chip')).toContainText('Replying to Mariana Souza: Is the blue one in stock?');
  const input = page.getByTestId('composer-input');
  await input.fill('Yes, in all sizes.');
  await input.press('Shift+Enter');
  await input.pressSequentially('Shall I reserve one?');
  await input.press('Enter');

  const reply = messageWithText(page, 'Shall I reserve one?');
  await expect(reply).toHaveAttribute('data-direction', 'outbound');
  await expect(reply.getByTestId('message-text')).toHaveText('Yes, in all sizes.\nShall I reserve one?');
  await expect(reply.getByTestId('quoted-message')).toContainText('Is the blue one in stock?');
  await expect(reply.getByTestId('message-status')).toHaveAttribute('data-status', /sent|delivered|read/);
  await expect(page.getByTestId('reply-chip')).toHaveCount(0);
  await expect
    .poll(() => sends(`/${TEST_ACCOUNTS.whatsapp}/messages`))
    .toContainEqual(expect.objectContaining({ type: 'text', context: { message_id: 'wamid.Q1' } }));
});

test('files: an accepted picture goes out, a refused file is explained in words', async ({ page }) => {
  await signIn(page, server.url);
  await post('whatsapp', whatsapp([{ id: 'wamid.F1', type: 'text', text: { body: 'Can you send a photo?' } }]));
  await openConversation(page, CUSTOMER.name);

  const refused = { name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ not a picture') };
  await page.getByTestId('attach-input').setInputFiles(refused);
  await expect(page.getByTestId('composer-error')).toBeVisible();
  await expect(page.getByTestId('composer-error')).not.toBeEmpty();
  await expect(page.getByTestId('attachment-chip')).toHaveCount(0);

  const picture = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#00897b' } })
    .jpeg()
    .toBuffer();
  await page.getByTestId('attach-input').setInputFiles({ name: 'blue.jpg', mimeType: 'image/jpeg', buffer: picture });
  await expect(page.getByTestId('attachment-chip')).toHaveAttribute('data-uploading', 'false');
  await expect(page.getByTestId('attachment-chip')).toContainText('blue.jpg');
  await page.getByTestId('composer-input').fill('Here it is');
  await page.getByTestId('composer-input').press('Enter');

  const sent = messageWithText(page, 'Here it is');
  await expect(sent).toHaveAttribute('data-kind', 'image');
  await expect(sent.getByTestId('image-attachment').locator('img')).toBeVisible();
  await expect(sent.getByTestId('message-status')).toHaveAttribute('data-status', /sent|delivered|read/);
  await expect(page.getByTestId('attachment-chip')).toHaveCount(0);
});

test('a reply Meta refuses shows the platform’s words and code on the message', async ({ page }) => {
  await signIn(page, server.url);
  await post('whatsapp', whatsapp([{ id: 'wamid.R1', type: 'text', text: { body: 'Hello?' } }]));
  await openConversation(page, CUSTOMER.name);
  // Opening the thread sends a read receipt, and typing sends a typing indicator, to the
  // same endpoint as the reply: let both pass before queueing the refusal.
  const endpoint = { method: 'POST', path: `/${TEST_ACCOUNTS.whatsapp}/messages` };
  await page.getByTestId('composer-input').fill('Are you there?');
  const calls = await graph.waitForCalls(endpoint, 2);
  expect(calls.map((call) => call.body)).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ status: 'read', message_id: 'wamid.R1' }),
      expect.objectContaining({ status: 'read', typing_indicator: { type: 'text' } }),
    ]),
  );
  graph.queue(
    endpoint,
    graphErrorAnswer(131026, 'Message undeliverable', 'The recipient cannot receive this message.'),
  );
  await page.getByTestId('composer-input').press('Enter');
  const failed = messageWithText(page, 'Are you there?');
  await expect(failed.getByTestId('message-status')).toHaveAttribute('data-status', 'failed');
  await expect(failed.getByTestId('message-error')).not.toBeEmpty();
  await expect(failed.getByTestId('message-error')).toHaveAttribute('data-code', /\S/);
});

test('a customer who changed number shows the notice, and the duplicate is merged after asking', async ({ page }) => {
  // Merging joins two customers' histories: a supervisor's decision.
  const supervisor = { email: 'sam@example.com', name: 'Sam Supervisor', password: AGENT.password };
  await server.agents.createAgent({ ...supervisor, role: 'supervisor' });
  await signIn(page, server.url, supervisor);
  const oldNumber = { name: 'Ana Silva', waId: '351911111111' };
  const newNumber = { name: 'Ana S.', waId: '351922222222' };
  await post('whatsapp', whatsapp([{ id: 'wamid.OLDNUM', type: 'text', text: { body: 'Hi, it is Ana' } }], oldNumber));
  await post(
    'whatsapp',
    whatsapp([{ id: 'wamid.NEWNUM', type: 'text', text: { body: 'New phone, same Ana' } }], newNumber),
  );
  await post(
    'whatsapp',
    whatsapp(
      [
        {
          id: 'wamid.SYSNUM',
          type: 'system',
          system: {
            body: 'Ana Silva changed their phone number to a new number.',
            type: 'user_changed_number',
            wa_id: newNumber.waId,
          },
        },
      ],
      oldNumber,
    ),
  );
  await openConversation(page, oldNumber.name);
  await expect(page.getByTestId('system-notice')).toContainText('Ana Silva changed their phone number');

  const suggestion = page.getByTestId('merge-suggestion');
  await expect(suggestion).toContainText(`Possible duplicate of ${newNumber.name}`);
  await suggestion.getByRole('button', { name: 'Merge' }).click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText(`“${oldNumber.name}” will be merged into “${newNumber.name}”`);
  await dialog.getByTestId('confirm-button').click();
  await expect(dialog).toBeHidden();
  // The merged contact is shown as the one it went into.
  await expect(page.getByTestId('thread-title')).toHaveText(newNumber.name);
  await expect(page.getByTestId('merge-suggestion')).toHaveCount(0);
  await expect(page.getByTestId('conversation-name').filter({ hasText: oldNumber.name })).toHaveCount(0);
});
