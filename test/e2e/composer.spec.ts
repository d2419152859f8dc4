import { expect, test, type Browser, type Page } from '@playwright/test';
import { PROTOCOL_VERSION, type Mutation } from '@parley/protocol';
import sharp from 'sharp';
import { io } from 'socket.io-client';
import { z } from 'zod';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * The composer against a real server: drafts kept across switching and a reload, files pasted and
 * dropped, the emoji picker, canned responses with their variables, and a note whose
 * mention reaches the colleague.
 */

const COLLEAGUE = { email: 'maya@example.com', name: 'Maya Lopez', password: 'another horse battery' };

let server: TestServer;

// Several sign-ins, reloads and screenshots in light and dark each: more than the default minute.
test.setTimeout(150_000);

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'admin' });
});

test.afterEach(async () => {
  await server.cleanup();
});

async function openConversation(page: Page, name: string, from: string, text: string): Promise<void> {
  // Off the list: while the pointer is on it, a new conversation waits behind "N updates — show".
  await page.mouse.move(900, 500);
  await customerWrites(server.url, { from, name, id: `wamid.${from}`, text });
  await page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await expect(page.getByTestId('composer-input')).toBeVisible();
}

/** Sends a mutation as `account` over its own socket, as another device of theirs would. */
async function mutateAs(account: { email: string; password: string }, mutation: Mutation): Promise<void> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  const { token } = z.object({ token: z.string() }).parse(await response.json());
  const socket = io(server.url, { transports: ['websocket'], auth: { token }, reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await socket.timeout(10_000).emitWithAck('hello', { protocolVersion: PROTOCOL_VERSION, client: 'parley-e2e' });
    const answer: unknown = await socket.timeout(10_000).emitWithAck('mutate', mutation);
    expect(answer).toMatchObject({ ok: true });
  } finally {
    socket.close();
  }
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `test-results/composer-${name}-${scheme}.png` });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('a draft survives switching conversations and a reload, in its mode, and is gone once sent', async ({ page }) => {
  // Two reloads, many switches and two screenshots in each scheme.
  test.slow();
  await signIn(page, server.url);
  await customerWrites(server.url, { from: '447700900456', name: 'Chloé Martin', id: 'wamid.c1', text: 'Bonjour' });
  await openConversation(page, 'Oliver Bennett', '447700900123', 'Where is my parcel?');
  const input = page.getByTestId('composer-input');
  const row = (name: string) => page.getByTestId('conversation-item').filter({ hasText: name });

  // Moving on mid-typing, before the pause that saves: what was typed goes with the switch.
  await input.fill('Let me check the tracking for you');
  await row('Chloé Martin').click();
  await expect(page.getByTestId('thread')).toContainText('Bonjour');
  await expect(input).toHaveValue('');
  await page.getByTestId('mode-note').click();
  await expect(page.getByTestId('composer')).toHaveAttribute('data-mode', 'note');
  await input.fill('Speaks French, answer in French');

  // Away and straight back: the draft is read while the one just left is still being written.
  await row('Oliver Bennett').click();
  await expect(input).toHaveValue('Let me check the tracking for you');
  await expect(page.getByTestId('composer')).toHaveAttribute('data-mode', 'reply');
  await row('Chloé Martin').click();
  await row('Oliver Bennett').click();
  await row('Chloé Martin').click();
  await expect(input).toHaveValue('Speaks French, answer in French');
  await expect(page.getByTestId('composer')).toHaveAttribute('data-mode', 'note');
  await row('Oliver Bennett').click();
  await expect(input).toHaveValue('Let me check the tracking for you');

  // Typed an instant before the window reloads: kept too.
  await input.press('End');
  await input.pressSequentially(' today');
  await page.reload({ waitUntil: 'domcontentloaded' });
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await row('Chloé Martin').click();
  await expect(input).toHaveValue('Speaks French, answer in French');
  await expect(page.getByTestId('composer')).toHaveAttribute('data-mode', 'note');
  await expect(page.getByTestId('note-hint')).toHaveText('Only your team sees this');
  await shoot(page, 'note-mode');

  await row('Oliver Bennett').click();
  await expect(input).toHaveValue('Let me check the tracking for you today');
  await expect(page.getByTestId('composer')).toHaveAttribute('data-mode', 'reply');
  await shoot(page, 'reply-mode');
  await input.press('Enter');
  await expect(
    page.getByTestId('message').filter({ hasText: 'Let me check the tracking for you today' }),
  ).toBeVisible();
  await expect(input).toHaveValue('');

  // Sent: nothing comes back, neither on return nor after a reload.
  await row('Chloé Martin').click();
  await expect(input).toHaveValue('Speaks French, answer in French');
  await row('Oliver Bennett').click();
  await expect(
    page.getByTestId('message').filter({ hasText: 'Let me check the tracking for you today' }),
  ).toBeVisible();
  await expect(input).toHaveValue('');
  await page.reload({ waitUntil: 'domcontentloaded' });
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await row('Oliver Bennett').click();
  await expect(
    page.getByTestId('message').filter({ hasText: 'Let me check the tracking for you today' }),
  ).toBeVisible();
  await expect(input).toHaveValue('');
});

test('an image pasted into the composer, or a file dropped on the thread, uploads', async ({ page }) => {
  await signIn(page, server.url);
  await openConversation(page, 'Oliver Bennett', '447700900123', 'Here is the broken part');
  const picture = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#3949ab' } })
    .png()
    .toBuffer();
  const bytes = [...picture];

  // What a browser hands the page when an image is pasted: a file and no text.
  await page.getByTestId('composer-input').evaluate((input, data) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(data)], 'pasted.png', { type: 'image/png' }));
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, bytes);
  await expect(page.getByTestId('attachment-chip')).toHaveAttribute('data-uploading', 'false');
  await expect(page.getByTestId('attachment-chip')).toContainText('pasted.png');
  await page.getByTestId('composer-input').fill('Is this the part?');
  await page.getByTestId('composer-input').press('Enter');
  const sent = page.getByTestId('message').filter({ hasText: 'Is this the part?' });
  await expect(sent).toHaveAttribute('data-kind', 'image');
  await expect(page.getByTestId('attachment-chip')).toHaveCount(0);

  // Dragging a file over the thread shows where it goes; dropping it attaches it.
  const transfer = await page.evaluateHandle((data) => {
    const dropped = new DataTransfer();
    dropped.items.add(new File([new Uint8Array(data)], 'dropped.png', { type: 'image/png' }));
    return dropped;
  }, bytes);
  await page.getByTestId('thread').dispatchEvent('dragenter', { dataTransfer: transfer });
  await expect(page.getByTestId('drop-target')).toBeVisible();
  await expect(page.getByTestId('drop-target')).toHaveText('Drop the file to attach it');
  await shoot(page, 'drop-target');
  await page.getByTestId('thread').dispatchEvent('drop', { dataTransfer: transfer });
  await expect(page.getByTestId('drop-target')).toHaveCount(0);
  await expect(page.getByTestId('attachment-chip')).toHaveAttribute('data-uploading', 'false');
  await expect(page.getByTestId('attachment-chip')).toContainText('dropped.png');
});

test('the emoji picker loads only when opened, fetches nothing from elsewhere, and inserts at the caret', async ({
  page,
}) => {
  await signIn(page, server.url);
  await openConversation(page, 'Oliver Bennett', '447700900123', 'Thanks a lot');
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));

  await page.getByTestId('composer-input').fill('Happy to help!');
  await page.getByTestId('composer-input').press('Home');
  await page.getByTestId('emoji-button').click();
  const picker = page.getByTestId('emoji-picker');
  await expect(picker).toBeVisible();
  await expect(picker.getByRole('gridcell').first()).toBeVisible();
  await shoot(page, 'emoji-picker');
  // The picker's code comes from this server; no image and nothing from another host.
  const origin = new URL(server.url).origin;
  expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  expect(requests.filter((url) => /\.(png|jpe?g|svg|webp|gif)(\?|$)/.test(url))).toEqual([]);

  await picker.getByPlaceholder('Search emoji').fill('thumbs up');
  await picker
    .getByRole('gridcell', { name: /thumbs up/i })
    .first()
    .click();
  await expect(picker).toHaveCount(0);
  await expect(page.getByTestId('composer-input')).toHaveValue('👍Happy to help!');

  // Escape closes it without inserting.
  await page.getByTestId('emoji-button').click();
  await expect(page.getByTestId('emoji-picker')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('emoji-picker')).toHaveCount(0);
  await expect(page.getByTestId('composer-input')).toHaveValue('👍Happy to help!');
});

test('a canned response is found by /shortcut, filled with the names, and sent', async ({ page }) => {
  await mutateAs(AGENT, {
    type: 'cannedResponse.save',
    clientId: 'e2e-canned-1',
    id: '0190a0a0-0000-7000-8000-000000000001',
    shortcut: 'thanks',
    title: 'Thank the customer',
    body: 'Thank you {{contact.first_name}}! {{agent.name}} from Parley. Order {{order.id}}',
    shared: true,
  });
  await mutateAs(AGENT, {
    type: 'cannedResponse.save',
    clientId: 'e2e-canned-2',
    id: '0190a0a0-0000-7000-8000-000000000002',
    shortcut: 'refund',
    title: 'Refund policy',
    body: 'We refund within 14 days.',
    shared: false,
  });
  await signIn(page, server.url);
  await openConversation(page, 'Oliver Bennett', '447700900123', 'Thanks, it arrived');

  const input = page.getByTestId('composer-input');
  await input.fill('Great! /');
  await expect(page.getByTestId('canned-list-option')).toHaveCount(2);
  await input.pressSequentially('th');
  await expect(page.getByTestId('canned-list-option')).toHaveCount(1);
  await expect(page.getByTestId('canned-list-option')).toContainText('/thanks');
  await shoot(page, 'canned-list');
  await input.press('Escape');
  await expect(page.getByTestId('canned-list')).toHaveCount(0);
  await input.pressSequentially('a');
  await expect(page.getByTestId('canned-list')).toHaveCount(0);
  // Typed anew, the list opens again.
  for (let i = 0; i < 4; i += 1) await input.press('Backspace');
  await input.pressSequentially('/tha');
  await expect(page.getByTestId('canned-list-option')).toHaveCount(1);
  await input.press('Tab');
  // The unknown variable stays as typed, for the agent to see and fill.
  await expect(input).toHaveValue('Great! Thank you Oliver! Alex Agent from Parley. Order {{order.id}}');
  await expect(page.getByTestId('unfilled-variables')).toHaveText('Still to fill in by hand: {{order.id}}');
  await input.fill('Great! Thank you Oliver! Alex Agent from Parley.');
  await input.press('Enter');
  await expect(
    page.getByTestId('message').filter({ hasText: 'Thank you Oliver! Alex Agent from Parley.' }),
  ).toBeVisible();
  await expect
    .poll(async () =>
      (await server.store.db.selectFrom('messages').select('text').where('direction', '=', 'outbound').execute()).map(
        (row) => row.text,
      ),
    )
    .toContain('Great! Thank you Oliver! Alex Agent from Parley.');
});

async function signedInAs(browser: Browser, account: { email: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, server.url, account);
  return page;
}

test('a note with a mention reaches the colleague: their mentions and the thread', async ({ page, browser }) => {
  await server.agents.createAgent({ ...COLLEAGUE, role: 'admin' });
  await signIn(page, server.url);
  await openConversation(page, 'Oliver Bennett', '447700900123', 'My parcel is damaged');
  const colleague = await signedInAs(browser, COLLEAGUE);

  await page.keyboard.press(process.platform === 'darwin' ? 'Meta+Alt+KeyN' : 'Control+Alt+KeyN');
  await expect(page.getByTestId('composer')).toHaveAttribute('data-mode', 'note');
  const input = page.getByTestId('composer-input');
  await input.fill('Can you approve a refund, @ma');
  await expect(page.getByTestId('mention-list-option')).toHaveCount(1);
  await expect(page.getByTestId('mention-list-option')).toContainText('Maya Lopez');
  await shoot(page, 'mention-list');
  await input.press('Enter');
  await expect(input).toHaveValue('Can you approve a refund, @Maya Lopez ');
  await input.pressSequentially('?');
  await input.press('Enter');
  const note = page.getByTestId('message').filter({ hasText: 'Can you approve a refund, @Maya Lopez ?' });
  await expect(note).toBeVisible();
  await expect(note).toHaveAttribute('data-kind', 'note');

  const stored = await server.store.db.selectFrom('agents').select(['id', 'email']).execute();
  const mayaId = stored.find((row) => row.email === COLLEAGUE.email)?.id;
  await expect
    .poll(() =>
      colleague.evaluate(async (id) => {
        const names = (await indexedDB.databases()).flatMap((info) =>
          info.name?.startsWith('parley:') === true ? [info.name] : [],
        );
        const name = names[0];
        if (name === undefined) return [];
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open(name);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(new Error(String(request.error)));
        });
        const notes = await new Promise<{ text: string }[]>((resolve, reject) => {
          const request = db.transaction('messages').objectStore('messages').index('mentions').getAll(id);
          request.onsuccess = () => resolve(request.result as { text: string }[]);
          request.onerror = () => reject(new Error(String(request.error)));
        });
        db.close();
        return notes.map((row) => row.text);
      }, mayaId),
    )
    .toEqual(['Can you approve a refund, @Maya Lopez ?']);

  await colleague.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).click();
  await expect(
    colleague.getByTestId('message').filter({ hasText: 'Can you approve a refund, @Maya Lopez ?' }),
  ).toBeVisible();
  await colleague.context().close();
});
