import { expect, test, type Page } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * Assignment, status and labels are outbox mutations like a reply: they show at once,
 * wait while the server is away, and reach it in order when it is back.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

async function serverSide(): Promise<{ assignee: string | null; status: string; labels: string[] }> {
  const row = await server.store.db
    .selectFrom('conversations')
    .select(['assignee_id', 'status', 'labels'])
    .executeTakeFirstOrThrow();
  return { assignee: row.assignee_id, status: row.status, labels: JSON.parse(row.labels) as string[] };
}

async function openConversation(page: Page): Promise<void> {
  await signIn(page, server.url);
  await customerWrites(server.url, {
    from: '447700900123',
    name: 'Oliver Bennett',
    id: 'wamid.CTRL1',
    text: 'Where is my parcel?',
  });
  await page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).click();
}

test('assign, label and resolve: online at once, and offline in order once the server is back', async ({ page }) => {
  await openConversation(page);
  const me = (await server.store.db.selectFrom('agents').select('id').executeTakeFirstOrThrow()).id;

  await page.getByTestId('assignee-button').click();
  await page.getByRole('menuitem', { name: 'Assign to me' }).click();
  await expect(page.getByTestId('assignee-button')).toHaveText('Assigned to you');
  await page.getByTestId('label-input').fill('vip');
  await page.getByTestId('label-input').press('Enter');
  await expect(page.getByTestId('label-chip').locator('.MuiChip-label')).toHaveText(['vip']);
  await expect.poll(serverSide).toEqual({ assignee: me, status: 'open', labels: ['vip'] });
  await page.screenshot({ path: 'test-results/conversation-controls.png' });

  // The server goes away; the agent carries on.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const { dataDir, url } = server;
  await server.close();
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  await page.getByTestId('label-input').fill('refund');
  await page.getByTestId('label-input').press('Enter');
  await page.getByRole('img', { name: 'Remove the label vip' }).click();
  await page.getByRole('button', { name: 'Resolved' }).click();
  await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'resolved');
  await expect(page.getByTestId('label-chip').locator('.MuiChip-label')).toHaveText(['refund']);

  server = await startTestServer({ dataDir, port: Number(new URL(url).port) });
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online', { timeout: 40_000 });
  await expect.poll(serverSide).toEqual({ assignee: me, status: 'resolved', labels: ['refund'] });
  await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'resolved');
});
