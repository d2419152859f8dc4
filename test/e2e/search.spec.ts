import { expect, test } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

test('with the server stopped, search finds cached messages grouped by conversation', async ({ page }) => {
  await signIn(page, server.url);
  await customerWrites(server.url, {
    id: 'wamid.S1',
    text: 'Where is my order #4821?',
    name: 'Oliver Bennett',
    from: '447700900123',
  });
  await customerWrites(server.url, {
    id: 'wamid.S2',
    text: 'The order arrived damaged',
    name: 'Oliver Bennett',
    from: '447700900123',
  });
  await customerWrites(server.url, {
    id: 'wamid.S3',
    text: 'Où est ma commande ? Order 77',
    name: 'Élodie Durand',
    from: '33612345678',
  });
  await customerWrites(server.url, {
    id: 'wamid.S4',
    text: 'Thanks for the help',
    name: 'Camille Martin',
    from: '33698765432',
  });
  await expect(page.getByTestId('conversation-item')).toHaveCount(3);

  await server.close();
  await expect(page.getByTestId('offline-banner')).toBeVisible();

  // "/" focuses the search (Ctrl+K is the command palette); the last word matches as a prefix.
  await page.keyboard.press('/');
  await expect(page.getByTestId('search-input')).toBeFocused();
  await page.keyboard.type('ord');
  const groups = page.getByTestId('search-group');
  await expect(groups).toHaveCount(2);
  // The messages arrive within one second, so the groups' order is not asserted.
  await expect
    .poll(async () => (await page.getByTestId('search-group-name').allTextContents()).sort())
    .toEqual(['Oliver Bennett', 'Élodie Durand']);
  await expect(groups.filter({ hasText: 'Oliver Bennett' }).getByTestId('search-hit')).toHaveCount(2);
  await expect(groups.filter({ hasText: 'Élodie Durand' }).locator('mark')).toHaveText(['Ord']);

  // Accents fold, and contact names match too.
  await page.getByTestId('search-input').fill('elodie');
  await expect(page.getByTestId('search-group-name')).toHaveText(['Élodie Durand']);
  await page.getByTestId('search-input').fill('ou est');
  await expect(page.getByTestId('search-hit')).toHaveCount(1);

  await page.getByTestId('search-input').fill('order arr');
  await expect(page.getByTestId('search-hit')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/search-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/search-dark.png' });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByTestId('search-hit').click();
  await expect(page.getByTestId('thread-title')).toHaveText('Oliver Bennett');
  // The thread opens at the message found, highlighted for a moment.
  const found = page.getByTestId('message').filter({ hasText: 'The order arrived damaged' });
  await expect(found).toHaveAttribute('data-highlighted', 'true');
  await expect(found).toBeInViewport();

  // Esc clears the query and brings the conversation list back.
  await page.getByTestId('search-input').press('Escape');
  await expect(page.getByTestId('conversation-item')).toHaveCount(3);
});
