import { expect, test } from '@playwright/test';
import { loadConfig } from '@parley/server/testing';
import { startFakeGraph, type FakeGraph } from '../fake-graph/server.js';
import { AGENT, customerWrites, TEST_ACCOUNTS, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * The durable outbox in a real browser: a reply written while the server is down says it
 * is queued, survives a reload, and goes out once when the server is back.
 */

let graph: FakeGraph;
let server: TestServer;

test.beforeEach(async () => {
  graph = await startFakeGraph();
  server = await startTestServer({ graph: { baseUrl: graph.url, version: loadConfig({}).graph.version } });
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
  await graph.close();
});

test('a reply written while the server is down is queued, then goes out once', async ({ page }) => {
  await signIn(page, server.url);
  await customerWrites(server.url, {
    from: '447700900123',
    name: 'Oliver Bennett',
    id: 'wamid.Q1',
    text: 'Is my order on its way?',
  });
  await page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).click();
  await expect(page.getByTestId('message-text')).toHaveText(['Is my order on its way?']);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  const { dataDir, url } = server;
  await server.close();
  await expect(page.getByTestId('offline-banner')).toBeVisible();

  await page.getByTestId('composer-input').fill('Yes, it ships today.');
  await page.getByTestId('composer-input').press('Enter');
  const reply = page.getByTestId('message').filter({ hasText: 'Yes, it ships today.' });
  await expect(reply.getByTestId('message-status')).toHaveAttribute('data-status', 'queued');
  await expect(reply.getByTestId('message-status')).toContainText('Queued');

  // The same server, on the same port and data folder, comes back.
  server = await startTestServer({
    dataDir,
    port: Number(new URL(url).port),
    graph: { baseUrl: graph.url, version: loadConfig({}).graph.version },
  });
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).click();
  await expect(reply.getByTestId('message-status')).toHaveAttribute('data-status', /sent|delivered|read/);
  const sends = graph
    .callsTo({ method: 'POST', path: `/${TEST_ACCOUNTS.whatsapp}/messages` })
    .filter((call) => (call.body as { type?: string }).type === 'text');
  expect(sends).toHaveLength(1);
  // The customer's message, the line saying the reply took the conversation, and the reply once.
  await expect(page.getByTestId('message-text')).toHaveText(['Is my order on its way?', 'Yes, it ships today.']);
  await expect(page.getByTestId('activity-line')).toHaveCount(1);
});
