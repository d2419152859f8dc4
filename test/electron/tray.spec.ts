/**
 * The tray in the real desktop shell: its presence switch asks the page for a presence
 * and follows what the page reports; closing the window keeps the app running in the tray.
 * Skipped, saying why, where Electron's binary is missing (see app.spec.ts).
 *
 * Needs a build first: `npm run build`.
 */
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { electronBinary, repoRoot, skipPrinting } from './electron-binary.js';

type Bridge = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
};

test.describe('the tray', () => {
  skipPrinting(!electronBinary.found, electronBinary.found ? '' : electronBinary.reason);

  let app: ElectronApplication;
  let page: Page;

  test.beforeAll(async () => {
    if (!electronBinary.found) return;
    // The tray's menu is recorded as the shell builds it, so a test can click its items.
    app = await _electron.launch({ executablePath: electronBinary.executablePath, args: ['.'], cwd: repoRoot });
    await app.evaluate(({ Tray }) => {
      const setContextMenu = Reflect.get(Tray.prototype, 'setContextMenu');
      Tray.prototype.setContextMenu = function (this: Electron.Tray, menu: Electron.Menu | null) {
        Object.assign(globalThis, { parleyTrayMenu: menu });
        setContextMenu.call(this, menu);
      };
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterAll(async () => {
    await app?.close();
  });

  /** The tray menu's radio items, as the shell last built them. */
  function presenceItems(): Promise<{ id: string; checked: boolean; enabled: boolean }[]> {
    return app.evaluate(() => {
      const menu = Reflect.get(globalThis, 'parleyTrayMenu') as Electron.Menu | undefined;
      return (menu?.items ?? [])
        .filter((item) => item.type === 'radio')
        .map((item) => ({ id: item.id, checked: item.checked, enabled: item.enabled }));
    });
  }

  test('checks the presence the page reports, and asks the page for the one chosen', async () => {
    await page.evaluate(async () => {
      const bridge = Reflect.get(window, 'parleyDesktop') as Bridge;
      const heard: unknown[] = [];
      Object.assign(window, { parleyHeard: heard });
      bridge.on('presence:set', (payload) => heard.push(payload));
      await bridge.invoke('presence:changed', 'online');
    });
    const hasTray = await app.evaluate(() => Reflect.get(globalThis, 'parleyTrayMenu') !== undefined);
    skipPrinting(!hasTray, 'This desktop shows no tray');
    await expect.poll(presenceItems).toEqual([
      { id: 'presence-online', checked: true, enabled: true },
      { id: 'presence-away', checked: false, enabled: true },
      { id: 'presence-offline', checked: false, enabled: false },
    ]);

    await app.evaluate(() => {
      const menu = Reflect.get(globalThis, 'parleyTrayMenu') as Electron.Menu;
      menu.getMenuItemById('presence-away')?.click();
    });
    await expect
      .poll(() => page.evaluate(() => Reflect.get(window, 'parleyHeard') as unknown[]))
      .toEqual([{ presence: 'away', reason: 'tray' }]);

    await page.evaluate(() => (Reflect.get(window, 'parleyDesktop') as Bridge).invoke('presence:changed', 'away'));
    await expect.poll(async () => (await presenceItems()).find((item) => item.checked)?.id).toBe('presence-away');
  });

  test('puts the unread count on the Linux launcher', async () => {
    await page.evaluate(() => (Reflect.get(window, 'parleyDesktop') as Bridge).invoke('shell:setBadge', 3));
    const platform = await app.evaluate(() => process.platform);
    if (platform === 'linux') {
      await expect.poll(() => app.evaluate(({ app: electronApp }) => electronApp.getBadgeCount())).toBe(3);
    }
  });

  test('keeps running in the tray when the window is closed (Windows and Linux)', async () => {
    const platform = await app.evaluate(() => process.platform);
    skipPrinting(platform === 'darwin', 'macOS keeps its dock behaviour');
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
    await expect
      .poll(() =>
        app.evaluate(({ BrowserWindow }) =>
          BrowserWindow.getAllWindows().map((window) => ({ visible: window.isVisible() })),
        ),
      )
      .toEqual([{ visible: false }]);
    // Open in the tray brings it back.
    await app.evaluate(() => {
      const menu = Reflect.get(globalThis, 'parleyTrayMenu') as Electron.Menu;
      menu.getMenuItemById('open')?.click();
    });
    await expect
      .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible()))
      .toBe(true);
  });
});
