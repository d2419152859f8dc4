import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { signIn } from '../support/app.js';
import { AGENT } from '../support/server.js';
import {
  LATE_CUSTOMER,
  NOTE_TEXT,
  PICTURE_CUSTOMER,
  SUPERVISOR,
  startScene,
  writeNote,
  type Scene,
} from '../support/scene.js';

/**
 * The README's pictures, taken from the running app against a real server: the inbox in
 * light and dark, a thread with a picture and a note, the template picker, the command
 * palette and the supervisor's view. Written to docs/*.png under the names the README uses.
 * A fixed viewport, fixed data, and each picture waits for what it shows.
 */

const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs');
const VIEWPORT = { width: 1280, height: 900 };

let scene: Scene;

test.describe.configure({ timeout: 120_000 });

test.beforeAll(async () => {
  scene = await startScene();
  await writeNote(scene.server, PICTURE_CUSTOMER.name, NOTE_TEXT);
});

test.afterAll(async () => {
  await scene.close();
});

async function signedIn(page: Page, scheme: 'light' | 'dark', who = AGENT): Promise<void> {
  await page.setViewportSize(VIEWPORT);
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
  await signIn(page, scene.server.url, who);
}

async function openThread(page: Page, name: string): Promise<void> {
  await page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await expect(page.getByTestId('thread-title')).toHaveText(name);
}

/** No hover, no caret blinking into the picture, images decoded. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(async () => {
    await Promise.all(Array.from(document.images).map((image) => image.decode().catch(() => undefined)));
  });
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(docs, name), caret: 'hide', animations: 'disabled' });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`the inbox with a thread open (${scheme})`, async ({ page }) => {
    await signedIn(page, scheme);
    await openThread(page, PICTURE_CUSTOMER.name);
    await expect(page.locator('[data-testid="message"][data-kind="image"] img')).toBeVisible();
    await page.getByTestId('composer-input').fill('Yes! We have it in sizes 36 to 42. I can set a pair aside for you.');
    await shoot(page, `inbox-${scheme}.png`);
  });
}

test('a thread with a picture and a private note', async ({ page }) => {
  await signedIn(page, 'light');
  await openThread(page, PICTURE_CUSTOMER.name);
  await expect(page.locator('[data-testid="message"][data-kind="image"] img')).toBeVisible();
  await expect(page.getByTestId('thread').getByText(NOTE_TEXT)).toBeVisible();
  await shoot(page, 'thread-light.png');
});

test('the template picker, once the WhatsApp window has closed', async ({ page }) => {
  await signedIn(page, 'light');
  await openThread(page, LATE_CUSTOMER.name);
  const picker = page.getByTestId('template-picker');
  await expect(picker).toBeVisible();
  await picker.getByRole('combobox').click();
  await page.getByRole('option', { name: /^order_update/ }).click();
  const parameters = picker.getByTestId('template-parameter');
  await parameters.nth(0).fill('Mariana');
  await parameters.nth(1).fill('#4821');
  await expect(picker.getByTestId('template-preview')).toContainText('Hi Mariana, your order #4821 has shipped');
  await shoot(page, 'templates-light.png');
});

test('the command palette', async ({ page }) => {
  await signedIn(page, 'light');
  await openThread(page, PICTURE_CUSTOMER.name);
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog');
  await expect(palette, 'the palette opens on Ctrl+K').toBeVisible();
  await page.keyboard.type('assign');
  await expect(palette.getByRole('option').first()).toBeVisible();
  await shoot(page, 'palette-light.png');
});

for (const scheme of ['light', 'dark'] as const) {
  test(`the supervisor's view (${scheme})`, async ({ page }) => {
    await signedIn(page, scheme, SUPERVISOR);
    await page.getByTestId('nav-supervisor').click();
    await expect(page.getByTestId('queue-row').first()).toBeVisible();
    await expect(page.getByTestId('metrics-panel').locator('svg').first()).toBeVisible();
    await shoot(page, `supervisor-${scheme}.png`);
  });
}
