import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * Notifications in a browser, by the same policy as the desktop app's native ones: the
 * settings' test notification says what the browser blocks, and do-not-disturb hours keep
 * new messages quiet.
 */

let server: TestServer;

test.setTimeout(180_000);

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

/** The browser's permission, as the page sees it, and each notification the app makes. */
async function browserNotifications(context: BrowserContext, permission: NotificationPermission): Promise<void> {
  await context.addInitScript((answer: NotificationPermission) => {
    const shown: { title: string; body: string }[] = [];
    Object.assign(window, { parleyNotifications: shown });
    class Recorded {
      static get permission(): NotificationPermission {
        return answer;
      }
      static requestPermission(): Promise<NotificationPermission> {
        return Promise.resolve(answer);
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options?: NotificationOptions) {
        shown.push({ title, body: options?.body ?? '' });
      }
      close(): void {}
    }
    Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true });
  }, permission);
}

function notifications(page: Page): Promise<{ title: string; body: string }[]> {
  return page.evaluate(
    () => (window as unknown as { parleyNotifications: { title: string; body: string }[] }).parleyNotifications,
  );
}

async function openNotificationSettings(page: Page) {
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('tab', { name: 'Notifications' }).click();
  return dialog;
}

test('the test notification says what a browser that blocks notifications should change', async ({ page, context }) => {
  await browserNotifications(context, 'denied');
  await page.emulateMedia({ colorScheme: 'light' });
  await signIn(page, server.url);
  const dialog = await openNotificationSettings(page);
  // In a browser the shell's own settings (tray, idle) are not offered.
  await expect(dialog.getByTestId('idle-minutes')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Send a test notification' }).click();
  const result = dialog.getByRole('status');
  await expect(result).toContainText('This browser blocks notifications from Parley');
  await expect(dialog.getByTestId('test-notification-result')).toHaveAttribute('data-outcome', 'denied');
  expect(await notifications(page)).toEqual([]);
  await dialog.getByTestId('desktop-settings').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/notifications-test-denied-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/notifications-test-denied-dark.png' });

  // In French too.
  await page.evaluate(() => {
    localStorage.setItem('parley:settings', JSON.stringify({ language: 'fr' }));
  });
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await page.getByRole('button', { name: 'Compte' }).click();
  await page.getByRole('menuitem', { name: 'Paramètres' }).click();
  const french = page.getByRole('dialog', { name: 'Paramètres' });
  await french.getByRole('tab', { name: 'Notifications' }).click();
  await french.getByRole('button', { name: 'Envoyer une notification de test' }).click();
  await expect(french.getByRole('status')).toContainText('Ce navigateur bloque les notifications de Parley');
});

test('a granted test notification shows; do-not-disturb hours keep new messages quiet', async ({ page, context }) => {
  await browserNotifications(context, 'granted');
  await signIn(page, server.url);
  const dialog = await openNotificationSettings(page);
  await dialog.getByRole('button', { name: 'Send a test notification' }).click();
  await expect(dialog.getByTestId('test-notification-result')).toHaveAttribute('data-outcome', 'shown');
  expect(await notifications(page)).toEqual([
    { title: 'Parley notifications work', body: 'This is how new messages will reach you.' },
  ]);

  // New conversations in the queue, do not disturb all day (from and to equal).
  await dialog.getByRole('switch', { name: 'New conversations in my teams’ queues' }).check();
  await dialog.getByRole('switch', { name: 'Do not disturb' }).check();
  await dialog.getByLabel('From', { exact: true }).fill('09:00');
  await dialog.getByLabel('To', { exact: true }).fill('09:00');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  await customerWrites(server.url, { from: '447700900111', name: 'Quiet Customer', id: 'wamid.DND.1', text: 'Hush' });
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  // The same message outside quiet hours would have notified: see absence.spec.ts.
  expect(await notifications(page)).toHaveLength(1);

  // Quiet hours off: the next message is told.
  await openNotificationSettings(page);
  await page.getByRole('switch', { name: 'Do not disturb' }).uncheck();
  await page.keyboard.press('Escape');
  await customerWrites(server.url, { from: '447700900112', name: 'Loud Customer', id: 'wamid.DND.2', text: 'Hello?' });
  await expect.poll(async () => (await notifications(page)).length).toBe(2);
  expect((await notifications(page)).at(-1)).toEqual({ title: 'New message from Loud Customer', body: 'Hello?' });
});
