import { expect, test, type Page } from '@playwright/test';
import { loadConfig, whatsappTextWebhook } from '@parley/server/testing';
import { startFakeGraph, type FakeGraph } from '../fake-graph/server.js';
import { AGENT, TEST_ACCOUNTS, postWebhook, startTestServer, type TestServer } from '../support/server.js';

/**
 * Two tabs on one database: what one queues, the other shows at once, and when the server
 * comes back it goes out once (one drainer holds the outbox lock; the server would also
 * answer a repeated client id with its first answer).
 */

let graph: FakeGraph;
let server: TestServer;

test.beforeEach(async () => {
  graph = await startFakeGraph();
  server = await startTestServer({ graph: { baseUrl: graph.url, version: loadConfig({}).graph.version } });
  await server.accounts.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
  await graph.close();
});

async function openThread(page: Page): Promise<void> {
  await page.goto(server.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).click();
  await expect(page.getByTestId('message-text')).toHaveText(['Is my order on its way?']);
}

test('two tabs stay consistent, and a reply queued in one goes out once', async ({ page, context }) => {
  await page.goto(server.url);
  await page.getByLabel('Email').fill(AGENT.email);
  await page.getByLabel('Password').fill(AGENT.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  const response = await postWebhook(
    server.url,
    'whatsapp',
    whatsappTextWebhook({
      phoneNumberId: TEST_ACCOUNTS.whatsapp,
      from: '447700900123',
      name: 'Oliver Bennett',
      id: 'wamid.TABS1',
      text: 'Is my order on its way?',
      timestampSeconds: Math.floor(Date.now() / 1000),
    }),
  );
  expect(response.status).toBe(200);
  await openThread(page);
  const second = await context.newPage();
  await openThread(second);

  const { dataDir, url } = server;
  await server.close();
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  await expect(second.getByTestId('offline-banner')).toBeVisible();

  // Queued in the first tab, shown by the second from the shared database.
  await page.getByTestId('composer-input').fill('It left the warehouse this morning.');
  await page.getByTestId('composer-input').press('Enter');
  const inSecond = second.getByTestId('message').filter({ hasText: 'It left the warehouse this morning.' });
  await expect(inSecond.getByTestId('message-status')).toHaveAttribute('data-status', 'queued');

  server = await startTestServer({
    dataDir,
    port: Number(new URL(url).port),
    graph: { baseUrl: graph.url, version: loadConfig({}).graph.version },
  });
  // Both tabs reconnect by themselves; both see it sent, and it went out once.
  await expect(inSecond.getByTestId('message-status')).toHaveAttribute('data-status', /sent|delivered|read/, {
    timeout: 30_000,
  });
  const inFirst = page.getByTestId('message').filter({ hasText: 'It left the warehouse this morning.' });
  await expect(inFirst.getByTestId('message-status')).toHaveAttribute('data-status', /sent|delivered|read/);
  const sends = graph
    .callsTo({ method: 'POST', path: `/${TEST_ACCOUNTS.whatsapp}/messages` })
    .filter((call) => (call.body as { type?: string }).type === 'text');
  expect(sends).toHaveLength(1);
  await expect(second.getByTestId('message')).toHaveCount(2);
});
