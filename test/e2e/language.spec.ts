import { expect, test, type Page } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * The app follows the system's language while it runs: when the window says its languages
 * changed, the words on screen switch without a reload, and what the agent typed stays.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

/** As the system does when the agent changes its language: new languages, then the event. */
async function systemLanguage(page: Page, languages: string[]): Promise<void> {
  await page.evaluate((next) => {
    Object.defineProperty(navigator, 'languages', { configurable: true, get: () => next });
    Object.defineProperty(navigator, 'language', { configurable: true, get: () => next[0] });
    window.dispatchEvent(new Event('languagechange'));
  }, languages);
}

test('the words switch to French when the system does, without a reload or losing a draft', async ({ page }) => {
  await signIn(page, server.url);
  await customerWrites(server.url, {
    from: '447700900321',
    name: 'Chloé Martin',
    id: 'wamid.LANG1',
    text: 'Bonjour, où est ma commande ?',
  });
  await page.getByTestId('conversation-item').filter({ hasText: 'Chloé Martin' }).click();
  const composer = page.getByTestId('composer-input');
  await composer.fill('Je regarde tout de suite');

  const status = page.getByTestId('connection-status');
  await expect(status).toContainText('Online');
  await expect(page.getByRole('button', { name: 'Account' })).toBeVisible();
  await expect(composer).toHaveAttribute('aria-label', 'Reply');
  // Marks this document: a reload or a navigation would lose the mark.
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));

  await systemLanguage(page, ['fr-FR']);

  await expect(status).toContainText('En ligne');
  await expect(page.getByRole('button', { name: 'Compte' })).toBeVisible();
  await expect(composer).toHaveAttribute('aria-label', 'Réponse');
  await expect(page.getByTestId('search-input')).toHaveAttribute('placeholder', /^Rechercher/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(composer).toHaveValue('Je regarde tout de suite');
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

  // And back.
  await systemLanguage(page, ['en-GB', 'fr-FR']);
  await expect(status).toContainText('Online');
  await expect(composer).toHaveValue('Je regarde tout de suite');
});

test("a server's refusal is worded from its code, in the language of the moment", async ({ page }) => {
  await page.goto(server.url);
  await page.getByLabel('Email').fill(AGENT.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const error = page.getByRole('alert');
  await expect(error).toHaveText('That email and password do not match an account.');

  // Words the server might have sent could not follow; words made from the code do.
  await systemLanguage(page, ['fr-FR']);
  await expect(error).toHaveText('Cet e-mail et ce mot de passe ne correspondent à aucun compte.');
  await expect(page.getByRole('button', { name: 'Se connecter' })).toBeVisible();
});
