/**
 * Native notifications in the real desktop shell: the page's notification goes through
 * the shell, and clicking it brings the window forward and asks the page for its
 * conversation. Skipped, saying why, where Electron's binary is missing (see app.spec.ts).
 *
 * Needs a build first: `npm run build`.
 */
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { electronBinary, repoRoot, skipPrinting } from './electron-binary.js';

type Bridge = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
};

test.describe('native notifications', () => {
  skipPrinting(!electronBinary.found, electronBinary.found ? '' : electronBinary.reason);

  let app: ElectronApplication;
  let page: Page;

  test.beforeAll(async () => {
    if (!electronBinary.found) return;
    app = await _electron.launch({ executablePath: electronBinary.executablePath, args: ['.'], cwd: repoRoot });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    // Each Notification the shell makes is recorded, and can be clicked from here.
    await app.evaluate(({ Notification }) => {
      const made: Electron.Notification[] = [];
      Object.assign(globalThis, { parleyNotifications: made });
      const show = Reflect.get(Notification.prototype, 'show');
      Notification.prototype.show = function (this: Electron.Notification) {
        made.push(this);
        show.call(this);
      };
    });
  });

  test.afterAll(async () => {
    await app?.close();
  });

  test("shows the page's notification and, on a click, brings the window forward and opens the conversation", async () => {
    await page.evaluate(() => {
      const bridge = Reflect.get(window, 'parleyDesktop') as Bridge;
      const heard: unknown[] = [];
      Object.assign(window, { parleyHeard: heard });
      bridge.on('conversation:open', (payload) => heard.push(payload));
    });
    const shown = await page.evaluate(() =>
      (Reflect.get(window, 'parleyDesktop') as Bridge).invoke('notification:show', {
        id: 'parley:conversation-42',
        title: 'New message from Ada',
        body: 'Hello',
        conversationId: 'conversation-42',
        silent: true,
      }),
    );
    const supported = await app.evaluate(({ Notification }) => Notification.isSupported());
    expect(shown).toBe(supported);
    skipPrinting(!supported, 'This system has no notification service (on Linux, no notification daemon)');

    // The window goes to the background, then the notification is clicked.
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.minimize());
    const made = await app.evaluate(() => {
      const list = Reflect.get(globalThis, 'parleyNotifications') as Electron.Notification[];
      const last = list.at(-1);
      last?.emit('click');
      return { count: list.length, title: last?.title, body: last?.body, silent: last?.silent };
    });
    expect(made).toEqual({ count: 1, title: 'New message from Ada', body: 'Hello', silent: true });
    await expect
      .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isMinimized()))
      .toBe(false);
    await expect
      .poll(() => page.evaluate(() => Reflect.get(window, 'parleyHeard') as unknown[]))
      .toEqual([{ conversationId: 'conversation-42' }]);
  });

  test('reports what became of a test notification', async () => {
    const outcome = await page.evaluate(() =>
      (Reflect.get(window, 'parleyDesktop') as Bridge).invoke('notification:test', { title: 'Test', body: 'Works' }),
    );
    expect(['shown', 'unsupported', 'failed', 'noShow']).toContain(outcome);
  });
});
