import { expect, test } from '@playwright/test';
import { whatsappTextWebhook } from '@parley/server/testing';
import { AGENT, postWebhook, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

function whatsappMessage(id: string, text: string, name = 'Mariana Souza', from = '5511987650001'): object {
  return whatsappTextWebhook({
    phoneNumberId: '100000000000001',
    from,
    name,
    id,
    text,
    timestampSeconds: Math.floor(Date.now() / 1000),
  });
}

test('a signed WhatsApp webhook reaches the conversation list and the thread', async ({ page }) => {
  await signIn(page, server.url);
  await expect(page.getByTestId('inbox-empty')).toBeVisible();

  const response = await postWebhook(
    server.url,
    'whatsapp',
    whatsappMessage('wamid.E2E1', 'Olá! Is my order on its way? 📦'),
  );
  expect(response.status).toBe(200);

  const item = page.getByTestId('conversation-item');
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId('conversation-name')).toHaveText('Mariana Souza');
  await expect(item.getByTestId('conversation-preview')).toHaveText('Olá! Is my order on its way? 📦');

  await item.click();
  await expect(page.getByTestId('thread-title')).toHaveText('Mariana Souza');
  await expect(page.getByTestId('message-text')).toHaveText(['Olá! Is my order on its way? 📦']);

  // A second message arrives live in the open thread, and the same webhook redelivered adds nothing.
  await postWebhook(server.url, 'whatsapp', whatsappMessage('wamid.E2E2', 'Order #4821'));
  await postWebhook(server.url, 'whatsapp', whatsappMessage('wamid.E2E2', 'Order #4821'));
  await expect(page.getByTestId('message-text')).toHaveText(['Olá! Is my order on its way? 📦', 'Order #4821']);
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
});

test('with the server stopped, a reload shows the cached inbox and says it is offline', async ({ page }) => {
  await signIn(page, server.url);
  await postWebhook(
    server.url,
    'whatsapp',
    whatsappMessage('wamid.OFF1', 'First question', 'Oliver Bennett', '447700900123'),
  );
  await postWebhook(
    server.url,
    'whatsapp',
    whatsappMessage('wamid.OFF2', 'Bonjour !', 'Camille Durand', '33612345678'),
  );
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);
  // The app's files must be cached before the server goes away.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await server.close();
  await expect(page.getByTestId('offline-banner')).toBeVisible();

  await page.reload();
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  await expect(page.getByTestId('offline-banner')).toContainText('Offline');
  await expect(page.getByTestId('conversation-name')).toHaveText(['Camille Durand', 'Oliver Bennett']);
  await page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).click();
  await expect(page.getByTestId('message-text')).toHaveText(['First question']);
});
