import { expect, test, type Page } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * The inbox list's views and filters against a real server: each view's count, the
 * filters and the order, the choice kept on the device, and live updates that wait while
 * the pointer is on the list.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

const names = (page: Page) => page.getByTestId('conversation-item').getByTestId('conversation-name');

async function teamKey(): Promise<string> {
  const team = await server.store.db
    .selectFrom('teams')
    .select('id')
    .where('name', '=', 'Everyone')
    .executeTakeFirstOrThrow();
  return `team:${team.id}`;
}

test('views count their conversations, filters and order narrow them, and the choice stays on the device', async ({
  page,
}) => {
  // A long walk through the list: give it the time a loaded machine needs.
  test.setTimeout(180_000);
  await signIn(page, server.url);
  const seconds = Math.floor(Date.now() / 1000);
  // Oliver has waited longest; Iris wrote last.
  await customerWrites(server.url, {
    from: '447700900501',
    name: 'Oliver Bennett',
    id: 'wamid.V1',
    text: 'Parcel?',
    timestampSeconds: seconds - 300,
  });
  await customerWrites(server.url, {
    from: '447700900502',
    name: 'Maya Okafor',
    id: 'wamid.V2',
    text: 'Refund',
    timestampSeconds: seconds - 200,
  });
  await customerWrites(server.url, {
    from: '447700900503',
    name: 'Iris Park',
    id: 'wamid.V3',
    text: 'Hello',
    timestampSeconds: seconds - 100,
  });

  // A new device starts on the agent's team: everything coming in, newest first.
  const team = await teamKey();
  await expect(page.getByTestId(`view-${team}`)).toHaveAttribute('aria-selected', 'true');
  await expect(names(page)).toHaveText(['Iris Park', 'Maya Okafor', 'Oliver Bennett']);
  await expect(page.getByTestId(`view-count-${team}`)).toHaveText('3');
  await expect(page.getByTestId('view-count-unassigned')).toHaveText('3');
  await expect(page.getByTestId('view-count-mine')).toHaveText('0');
  await expect(page.getByTestId('view-all')).toHaveCount(0);
  await expect(page.getByTestId('view-unassigned')).toHaveAccessibleName('Unassigned: 3 conversations');

  // Longest waiting first.
  await page.getByRole('combobox', { name: 'Sort' }).click();
  await page.getByRole('option', { name: 'Longest waiting' }).click();
  await expect(names(page)).toHaveText(['Oliver Bennett', 'Maya Okafor', 'Iris Park']);

  // Taking Oliver moves him from the queue to Mine.
  await page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).click();
  await expect(page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await page.getByTestId('assignee-button').click();
  await page.getByRole('menuitem', { name: 'Assign to me' }).click();
  await expect(page.getByTestId('assignee-button')).toHaveText('Assigned to you');
  await expect(page.getByTestId('view-count-mine')).toHaveText('1');
  await expect(page.getByTestId('view-count-unassigned')).toHaveText('2');
  await page.getByTestId('label-input').fill('vip');
  await page.getByTestId('label-input').press('Enter');
  await expect(page.getByTestId('label-chip').locator('.MuiChip-label')).toHaveText(['vip']);

  await page.getByTestId('view-unassigned').click();
  await expect(names(page)).toHaveText(['Maya Okafor', 'Iris Park']);
  await page.getByTestId('view-mine').click();
  await expect(names(page)).toHaveText(['Oliver Bennett']);
  await expect(page.getByTestId('conversation-assignee')).toHaveAccessibleName('Assigned to you');

  // Resolved, he leaves Mine, which shows the work still to do unless asked otherwise.
  await page.getByRole('button', { name: 'Resolved' }).click();
  await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'resolved');
  await page.mouse.move(900, 500);
  await expect(page.getByTestId('view-count-mine')).toHaveText('0');
  await expect(page.getByTestId('inbox-view-empty')).toBeVisible();
  await page.getByTestId('list-filters').click();
  await page.getByTestId('filter-status-resolved').click();
  await expect(page.getByTestId('filter-status-resolved')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Escape');
  await expect(names(page)).toHaveText(['Oliver Bennett']);
  await expect(page.getByTestId('list-filters')).toHaveAccessibleName('Filters: 1 chosen');

  // Channel and label narrow the team's view.
  await page.getByTestId(`view-${team}`).click();
  await page.getByTestId('list-filters').click();
  await page.getByTestId('filter-clear').click();
  await page.getByTestId('filter-channel-instagram').click();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('inbox-view-empty')).toBeVisible();
  await page.getByTestId('list-filters').click();
  await page.getByTestId('filter-channel-instagram').click();
  await page.getByTestId('filter-channel-whatsapp').click();
  await page.getByTestId('filter-status-resolved').click();
  await page.getByTestId('filter-status-open').click();
  await page.getByTestId('filter-label-vip').click();
  await page.keyboard.press('Escape');
  await expect(names(page)).toHaveText(['Oliver Bennett']);

  // The view, filters and order are this device's: a reload keeps them.
  await page.reload();
  await expect(page.getByTestId(`view-${team}`)).toHaveAttribute('aria-selected', 'true');
  await expect(names(page)).toHaveText(['Oliver Bennett']);
  await expect(page.getByTestId('list-filters')).toHaveAccessibleName('Filters: 4 chosen');
  await page.getByTestId('list-filters').click();
  await page.getByTestId('filter-clear').click();
  await page.keyboard.press('Escape');
  await expect(names(page)).toHaveText(['Maya Okafor', 'Iris Park']);
});

test('the order holds while the pointer is on the list; new rows wait behind a button', async ({ page }) => {
  await signIn(page, server.url);
  const now = Math.floor(Date.now() / 1000);
  await customerWrites(server.url, {
    from: '447700900601',
    name: 'Oliver Bennett',
    id: 'wamid.F1',
    timestampSeconds: now + -50,
    text: 'One',
  });
  await customerWrites(server.url, {
    from: '447700900602',
    name: 'Maya Okafor',
    id: 'wamid.F2',
    timestampSeconds: now + -40,
    text: 'Two',
  });
  await expect(names(page)).toHaveText(['Maya Okafor', 'Oliver Bennett']);

  // The agent is about to click Oliver: a new customer and a new message must not move him.
  await page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).hover();
  await customerWrites(server.url, {
    from: '447700900603',
    name: 'Iris Park',
    id: 'wamid.F3',
    timestampSeconds: now + -30,
    text: 'Three',
  });
  await customerWrites(server.url, {
    from: '447700900601',
    name: 'Oliver Bennett',
    id: 'wamid.F4',
    timestampSeconds: now + -20,
    text: 'Again',
  });
  await expect(page.getByTestId('list-updates')).toHaveText('2 updates — show');
  await expect(names(page)).toHaveText(['Maya Okafor', 'Oliver Bennett']);
  // Contents change in place.
  await expect(
    page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).getByTestId('conversation-preview'),
  ).toHaveText('Again');

  await page.getByTestId('list-updates').click();
  await expect(names(page)).toHaveText(['Oliver Bennett', 'Iris Park', 'Maya Okafor']);
  await expect(page.getByTestId('list-updates')).toHaveCount(0);

  // Once the pointer leaves, changes apply at once.
  await page.mouse.move(900, 500);
  await customerWrites(server.url, {
    from: '447700900602',
    name: 'Maya Okafor',
    id: 'wamid.F5',
    timestampSeconds: now + -10,
    text: 'Hello?',
  });
  await expect(names(page)).toHaveText(['Maya Okafor', 'Oliver Bennett', 'Iris Park']);
});

test('the keyboard moves through the list and opens a conversation; / goes to the search', async ({ page }) => {
  await signIn(page, server.url);
  const now = Math.floor(Date.now() / 1000);
  await customerWrites(server.url, {
    from: '447700900701',
    name: 'Oliver Bennett',
    id: 'wamid.K1',
    timestampSeconds: now + -30,
    text: 'One',
  });
  await customerWrites(server.url, {
    from: '447700900702',
    name: 'Maya Okafor',
    id: 'wamid.K2',
    timestampSeconds: now + -20,
    text: 'Two',
  });
  await customerWrites(server.url, {
    from: '447700900703',
    name: 'Iris Park',
    id: 'wamid.K3',
    timestampSeconds: now + -10,
    text: 'Three',
  });
  await expect(names(page)).toHaveText(['Iris Park', 'Maya Okafor', 'Oliver Bennett']);

  await page.getByTestId('conversation-item').first().focus();
  await page.keyboard.press('j');
  await expect(page.getByTestId('conversation-item').filter({ hasText: 'Maya Okafor' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' })).toBeFocused();
  await page.keyboard.press('k');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('thread-title')).toHaveText('Maya Okafor');
  await expect(page.getByRole('option', { name: /Maya Okafor/ })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' })).toBeFocused();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('conversation-item').filter({ hasText: 'Iris Park' })).toBeFocused();

  await page.keyboard.press('/');
  await expect(page.getByTestId('search-input')).toBeFocused();
});
