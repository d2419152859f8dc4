import { expect, test, type Page } from '@playwright/test';
import { AGENT, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * The settings, reached from the avatar menu: the theme and the language switch at once,
 * without a reload, and stay so after one.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

// A real server, a real browser and two shared cores: more than the default minute.
test.setTimeout(180_000);

test.afterEach(async () => {
  await server.cleanup();
});

function background(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

test('theme and language switch at once, without a reload, and are kept', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await signIn(page, server.url);
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));
  const light = await background(page);

  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Follow the system' }).first()).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await page.screenshot({ path: 'test-results/settings-light.png' });

  // Dark, although the system is light.
  await dialog.getByRole('button', { name: 'Dark' }).click();
  await expect(page.locator('html')).toHaveClass(/dark/);
  await expect.poll(() => background(page)).not.toBe(light);
  const dark = await background(page);
  await page.screenshot({ path: 'test-results/settings-dark.png' });

  // French, at once.
  await dialog.getByRole('button', { name: 'Français' }).click();
  const french = page.getByRole('dialog', { name: 'Paramètres' });
  await expect(french).toBeVisible();
  await expect(french.getByRole('button', { name: 'Sombre' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByTestId('connection-status')).toContainText('En ligne');

  // Notifications and the signature are kept as they are typed.
  await french.getByRole('tab', { name: 'Notifications' }).click();
  await french.getByRole('switch', { name: 'Ne pas déranger' }).check();
  await french.getByRole('tab', { name: 'Signature' }).click();
  await french.getByTestId('settings-signature').fill('Alex, support Parley');
  await french.getByRole('switch', { name: 'Ajouter ma signature aux réponses' }).check();
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  await page.keyboard.press('Escape');
  await expect(french).toBeHidden();

  // A reload keeps all of it, from the first frame.
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.locator('html')).toHaveClass(/dark/);
  expect(await background(page)).toBe(dark);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('parley:settings') ?? '{}') as unknown);
  expect(stored).toMatchObject({
    theme: 'dark',
    language: 'fr',
    signature: 'Alex, support Parley',
    useSignature: true,
    notifications: { doNotDisturb: { enabled: true } },
  });

  // Back to following the system, by the palette this time: the theme toggles at once.
  await page.keyboard.press('Control+,');
  await page
    .getByRole('dialog', { name: 'Paramètres' })
    .getByRole('button', { name: 'Suivre le système' })
    .first()
    .click();
  await expect(page.locator('html')).toHaveClass(/light/);
  await page.getByRole('dialog', { name: 'Paramètres' }).getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+k');
  await page.keyboard.type('dark theme');
  await page.keyboard.press('Enter');
  await expect(page.locator('html')).toHaveClass(/dark/);
});
