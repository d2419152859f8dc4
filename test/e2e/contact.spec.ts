import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { loadConfig, messagingTextWebhook, whatsappTextWebhook } from '@parley/server/testing';
import { startFakeGraph, type FakeGraph } from '../fake-graph/server.js';
import { AGENT, TEST_ACCOUNTS, postWebhook, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * The contact panel beside the thread, against a real server: who the customer is on every
 * channel, their conversations across WhatsApp, Messenger and Instagram (merged by a
 * supervisor), opening one in one click, and the note about them kept across a reload.
 * Meta's Graph API is the local fake, so Messenger and Instagram profiles (names, pictures)
 * are fetched as in production.
 */

const SUPERVISOR = { email: 'sam@example.com', name: 'Sam Supervisor', password: AGENT.password };
// Markup in a name must show as the characters the customer typed.
const CUSTOMER = { name: 'Lucía <b>Fernández</b>', waId: '34600111222' };
const PSID = '24018000001234';
const IGSID = '17841000005678';

// Tall enough for the whole panel in its screenshots.
test.use({ viewport: { width: 1280, height: 1000 } });

let graph: FakeGraph;
let server: TestServer;

test.beforeEach(async () => {
  graph = await startFakeGraph({
    accounts: { [TEST_ACCOUNTS.messenger]: 'messenger', [TEST_ACCOUNTS.instagram]: 'instagram' },
  });
  server = await startTestServer({ graph: { baseUrl: graph.url, version: loadConfig({}).graph.version } });
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
  await server.agents.createAgent({ ...SUPERVISOR, role: 'supervisor' });
});

test.afterEach(async () => {
  await server.cleanup();
  await graph.close();
});

async function post(channel: 'whatsapp' | 'messenger' | 'instagram', body: object): Promise<void> {
  const response = await postWebhook(server.url, channel, body);
  expect(response.status, `webhook to ${channel}`).toBe(200);
}

/** The same person writes on the three channels, WhatsApp last. */
async function customerWritesEverywhere(): Promise<void> {
  const now = Date.now();
  await post(
    'messenger',
    messagingTextWebhook({
      channel: 'messenger',
      accountId: TEST_ACCOUNTS.messenger,
      senderId: PSID,
      mid: 'm_CONTACT_1',
      text: 'Hi from Messenger',
      timestampMs: now - 3 * 60_000,
    }),
  );
  await post(
    'instagram',
    messagingTextWebhook({
      channel: 'instagram',
      accountId: TEST_ACCOUNTS.instagram,
      senderId: IGSID,
      mid: 'ig_CONTACT_1',
      text: 'Hello on Instagram',
      timestampMs: now - 2 * 60_000,
    }),
  );
  await post(
    'whatsapp',
    whatsappTextWebhook({
      phoneNumberId: TEST_ACCOUNTS.whatsapp,
      from: CUSTOMER.waId,
      name: CUSTOMER.name,
      id: 'wamid.CONTACT1',
      text: 'Hola, my order is late',
      timestampSeconds: Math.floor(now / 1000),
    }),
  );
}

/** Opens the conversation whose last message is `preview`; a click while the list settles after a load is tried again. */
async function openConversation(page: Page, preview: string): Promise<void> {
  await expect(async () => {
    await page.getByTestId('conversation-item').filter({ hasText: preview }).click();
    await expect(panel(page).getByRole('heading', { level: 2 })).toBeVisible({ timeout: 2_000 });
  }).toPass();
}

function panel(page: Page): ReturnType<Page['getByRole']> {
  return page.getByRole('complementary', { name: 'Contact' });
}

/** Merges the contact found by `name` into the one the panel shows, after confirming. */
async function mergeInto(page: Page, name: string): Promise<void> {
  await panel(page).getByTestId('contact-merge-search').fill(name.slice(0, 12));
  await page.getByTestId('contact-merge-option').filter({ hasText: name }).click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText(`“${name}” will be merged into “${CUSTOMER.name}”`);
  await dialog.getByTestId('confirm-button').click();
  await expect(dialog).toBeHidden();
}

test('the panel shows every identity and conversation of a merged customer, and opens one in a click', async ({
  page,
}) => {
  // Two merges and three channels on a shared machine: more than the default minute.
  test.setTimeout(150_000);
  await signIn(page, server.url, SUPERVISOR);
  await customerWritesEverywhere();
  // Profiles come from the fake Graph API: "Customer" and the id's last four digits.
  await expect(page.getByTestId('conversation-name')).toHaveText([CUSTOMER.name, 'Customer 5678', 'Customer 1234']);

  await page.getByTestId('conversation-item').filter({ hasText: 'Hola, my order is late' }).click();
  const contact = panel(page);
  await expect(contact).toBeVisible();
  await expect(contact.getByRole('heading', { level: 2 })).toHaveText(CUSTOMER.name);
  await expect(contact.locator('b')).toHaveCount(0);
  await expect(contact.getByTestId('contact-phone')).toHaveText(`+${CUSTOMER.waId}`);
  await expect(contact.getByTestId('contact-identity-value')).toHaveText([`+${CUSTOMER.waId}`]);
  await expect(contact.getByTestId('contact-conversation')).toHaveCount(1);
  // An agent's role may not merge; a supervisor's may.
  await expect(contact.getByRole('heading', { name: 'Merge contacts' })).toBeVisible();

  await mergeInto(page, 'Customer 1234');
  await mergeInto(page, 'Customer 5678');

  // Every identity, by channel, and the picture the Messenger profile brought.
  const identities = contact.getByTestId('contact-identity');
  await expect(identities).toHaveCount(3);
  await expect(identities.nth(0)).toHaveAttribute('data-channel', 'whatsapp');
  await expect(identities.nth(1)).toHaveAttribute('data-channel', 'messenger');
  await expect(identities.nth(1)).toContainText('Messenger PSID');
  await expect(identities.nth(1).getByTestId('contact-identity-value')).toHaveText(PSID);
  await expect(identities.nth(2)).toHaveAttribute('data-channel', 'instagram');
  await expect(identities.nth(2).getByTestId('contact-identity-value')).toHaveText(IGSID);
  await expect(contact.getByTestId('contact-panel-avatar').locator('img')).toBeVisible();

  // The three conversations, newest first, the open one marked.
  const conversations = contact.getByRole('list', { name: '3 conversations' }).getByRole('listitem');
  await expect(conversations).toHaveCount(3);
  const rows = contact.getByTestId('contact-conversation');
  await expect(rows.getByTestId('contact-conversation-preview')).toHaveText([
    'Hola, my order is late',
    'Hello on Instagram',
    'Hi from Messenger',
  ]);
  await expect(rows.nth(0)).toHaveAttribute('aria-current', 'true');
  await expect(rows.nth(0)).toContainText('WhatsApp');
  await expect(rows.nth(2)).toContainText('Messenger');

  // One click opens the Messenger conversation; the panel follows it.
  await rows.nth(2).click();
  await expect(page.getByTestId('message-text')).toHaveText(['Hi from Messenger']);
  await expect(rows.nth(2)).toHaveAttribute('aria-current', 'true');
  await expect(rows.nth(0)).not.toHaveAttribute('aria-current', 'true');

  // Enter opens one too, from the keyboard.
  await rows.nth(1).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('message-text')).toHaveText(['Hello on Instagram']);
  await expect(rows.nth(1)).toHaveAttribute('aria-current', 'true');

  await contact.getByTestId('contact-panel-body').evaluate((body) => body.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).include('[data-testid="contact-panel"]').analyze();
    const serious = results.violations.filter(
      (violation) => violation.impact === 'serious' || violation.impact === 'critical',
    );
    const said = serious.map((violation) => `${violation.id}: ${violation.help}`).join('; ');
    expect(serious, `${scheme}: ${said}`).toEqual([]);
    await page.screenshot({ path: `test-results/contact-panel-${scheme}.png` });
  }

  await contact.getByRole('button', { name: 'Hide the contact panel' }).click();
  await expect(page.getByTestId('contact-panel')).toHaveCount(0);
});

test('the note about a contact saves when the agent leaves the field, and survives a reload', async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000);
  await signIn(page, server.url);
  await customerWritesEverywhere();
  await page.getByTestId('conversation-item').filter({ hasText: 'Hola, my order is late' }).click();
  const contact = panel(page);
  await expect(contact.getByRole('heading', { level: 2 })).toHaveText(CUSTOMER.name);
  // An agent does not merge contacts.
  await expect(contact.getByRole('heading', { name: 'Merge contacts' })).toHaveCount(0);

  const note = contact.getByRole('textbox', { name: 'Notes about this contact' });
  const text = 'Prefers French.\n<script>alert(1)</script> is how they sign.';
  await note.fill(text);
  await expect(contact.getByTestId('contact-note-count')).toHaveText(`${text.length} / 4000`);
  await note.blur();
  await expect(contact.getByTestId('contact-note-status')).toHaveText('Saved');
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await openConversation(page, 'Hola, my order is late');
  await expect(panel(page).getByRole('textbox', { name: 'Notes about this contact' })).toHaveValue(text);

  // The server has it: a colleague on another device, with an empty cache, reads it.
  const colleague = await browser.newPage();
  await signIn(colleague, server.url, SUPERVISOR);
  await openConversation(colleague, 'Hola, my order is late');
  await expect(panel(colleague).getByRole('textbox', { name: 'Notes about this contact' })).toHaveValue(text);
  await colleague.close();
});

test('a note written while the server is down waits in the outbox, then is sent when it is back', async ({ page }) => {
  test.setTimeout(150_000);
  await signIn(page, server.url);
  await customerWritesEverywhere();
  await openConversation(page, 'Hola, my order is late');

  const { dataDir, url } = server;
  await server.close();
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  const note = panel(page).getByRole('textbox', { name: 'Notes about this contact' });
  await note.fill('Call after 6 pm.');
  // A pause in typing saves it, without leaving the field.
  await expect(panel(page).getByTestId('contact-note-status')).toHaveText('Waiting to send');
  await expect(note).toHaveValue('Call after 6 pm.');

  // The same server, on the same port and data folder, comes back; the outbox drains.
  server = await startTestServer({
    dataDir,
    port: Number(new URL(url).port),
    graph: { baseUrl: graph.url, version: loadConfig({}).graph.version },
  });
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
  await expect(panel(page).getByTestId('contact-note-status')).toHaveText('Saved');
  await expect(note).toHaveValue('Call after 6 pm.');
});
