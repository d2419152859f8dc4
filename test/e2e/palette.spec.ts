import { expect, test, type Page } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * Ctrl+K opens the command palette: one filtered list, worked by keyboard, that reaches
 * every view, every conversation by its contact's name, and every action on the open one.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

async function openPalette(page: Page): Promise<void> {
  await page.keyboard.press('Control+k');
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Type a command, a view or a name' })).toBeFocused();
}

async function serverAssignee(): Promise<{ assignee: string | null; labels: string[] }> {
  const row = await server.store.db
    .selectFrom('conversations')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select(['assignee_id', 'labels'])
    .where('contacts.name', '=', 'Maria Garcia')
    .executeTakeFirstOrThrow();
  return { assignee: row.assignee_id, labels: JSON.parse(row.labels) as string[] };
}

test('the palette reaches a view, a conversation by name and an action, by keyboard alone', async ({ page }) => {
  await signIn(page, server.url);
  await customerWrites(server.url, { from: '447700900101', name: 'Oliver Bennett', id: 'wamid.PAL1', text: 'Hello' });
  await customerWrites(server.url, { from: '447700900102', name: 'Maria Garcia', id: 'wamid.PAL2', text: 'Hola' });
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);
  const me = (await server.store.db.selectFrom('agents').select('id').executeTakeFirstOrThrow()).id;

  // A view: filtered as typed, chosen with Enter.
  await openPalette(page);
  const options = page.getByRole('option');
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await page.screenshot({ path: 'test-results/palette-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/palette-dark.png' });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.keyboard.type('mentio');
  await expect(options.first()).toHaveAttribute('data-command', 'view.mentions');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toBeHidden();
  await expect(page.getByRole('navigation').first()).toHaveAttribute('data-view', 'mentions');

  // A conversation, by its contact's name; arrows move through the list.
  await openPalette(page);
  await page.keyboard.type('maria');
  const maria = options.filter({ hasText: 'Maria Garcia' });
  await expect(maria).toHaveCount(1);
  await expect(options.filter({ hasText: 'Oliver Bennett' })).toHaveCount(0);
  // Move onto it, whatever commands happen to match too.
  for (let step = 0; step < 10 && (await maria.getAttribute('aria-selected')) !== 'true'; step += 1) {
    await page.keyboard.press('ArrowDown');
  }
  await expect(maria).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('combobox')).toHaveAttribute(
    'aria-activedescendant',
    (await maria.getAttribute('id')) ?? '',
  );
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('thread-title')).toHaveText('Maria Garcia');

  // An action on the open conversation, with its shortcut shown beside it.
  await openPalette(page);
  await page.keyboard.type('assign to me');
  await expect(options.first()).toContainText('Assign to me');
  await expect(options.first().locator('kbd')).toHaveText('I');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('assignee-button')).toHaveText('Assigned to you');
  await expect.poll(serverAssignee).toEqual({ assignee: me, labels: [] });

  // An action that opens a picker: labels, created as typed.
  await openPalette(page);
  await page.keyboard.type('label');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('label-picker-input')).toBeFocused();
  await page.keyboard.type('vip');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('label-chip').locator('.MuiChip-label')).toHaveText(['vip']);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('label-menu')).toBeHidden();
  await expect.poll(serverAssignee).toEqual({ assignee: me, labels: ['vip'] });

  // "Search messages" puts the cursor in the list's search.
  await openPalette(page);
  await page.keyboard.type('search mess');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('search-input')).toBeFocused();

  // Nothing found says so; Escape closes without doing anything.
  await openPalette(page);
  await page.keyboard.type('zzzzqqq');
  await expect(page.getByText('Nothing matches.')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();
});

test('? lists every shortcut, grouped', async ({ page }) => {
  await signIn(page, server.url);
  await page.locator('body').press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const group of ['This conversation', 'Navigation', 'Views', 'Parley']) {
    await expect(help.getByRole('heading', { name: group })).toBeVisible();
  }
  for (const action of ['Assign to me', 'Resolve', 'Snooze', 'Mark as unread', 'Next conversation', 'Mentions']) {
    await expect(help.getByText(action, { exact: true })).toBeVisible();
  }
  await page.screenshot({ path: 'test-results/shortcuts-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/shortcuts-dark.png' });
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('what is typed right after Ctrl+K, before the palette has shown, is kept and run', async ({ page }) => {
  // The palette's code arrives late, as on a slow start: nothing typed meanwhile is lost,
  // and none of it is taken by the list as a shortcut.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(/\/assets\/CommandPalette-[^/]+\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  await signIn(page, server.url);
  await expect(page.getByRole('navigation').first()).not.toHaveAttribute('data-view', 'mentions');
  await page.keyboard.press('Control+k');
  await page.keyboard.type('mentio');
  await page.keyboard.press('Enter');
  release();
  await expect(page.getByRole('navigation').first()).toHaveAttribute('data-view', 'mentions');
  await expect(page.getByRole('dialog')).toBeHidden();

  // Once loaded, the palette shows in the same frame as the key.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('zzzzqqq');
  await expect(page.getByRole('combobox')).toHaveValue('zzzzqqq');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();
});
