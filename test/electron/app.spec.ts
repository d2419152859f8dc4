/**
 * Launches the real desktop shell and checks what only a real Electron can show: the page
 * is isolated and sandboxed, the preload bridge is there, the app protocol serves the
 * renderer with its CSP. Electron's binary cannot be downloaded everywhere (it is installed
 * with ELECTRON_SKIP_BINARY_DOWNLOAD=1 on machines without a route to its release host);
 * there the suite is skipped and says why.
 *
 * Needs a build first: `npm run build` (main/dist, preload/dist, renderer/dist).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { electronBinary, repoRoot, skipPrinting } from './electron-binary.js';

test.describe('the desktop shell', () => {
  skipPrinting(!electronBinary.found, electronBinary.found ? '' : electronBinary.reason);

  let app: ElectronApplication;
  let page: Page;

  test.beforeAll(async () => {
    if (!electronBinary.found) return;
    for (const built of ['main/dist/index.js', 'preload/dist/preload.cjs', 'renderer/dist/index.html']) {
      expect(existsSync(path.join(repoRoot, built)), `${built} is missing: run npm run build`).toBe(true);
    }
    app = await _electron.launch({
      executablePath: electronBinary.executablePath,
      args: ['.'],
      cwd: repoRoot,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterAll(async () => {
    await app?.close();
  });

  test('loads the renderer from the app protocol', async () => {
    expect(page.url()).toMatch(/^app:\/\/parley\//);
    await expect(page).toHaveTitle(/Parley/);
  });

  test('serves the page with the Content-Security-Policy', async () => {
    const policy = await page.evaluate(async () => {
      const response = await fetch(location.href);
      return response.headers.get('content-security-policy');
    });
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("object-src 'none'");
  });

  test('gives the page no Node and only the desktop bridge', async () => {
    const exposure = await page.evaluate(() => {
      const bridge: unknown = Reflect.get(window, 'parleyDesktop');
      return {
        require: typeof Reflect.get(window, 'require'),
        process: typeof Reflect.get(window, 'process'),
        module: typeof Reflect.get(window, 'module'),
        bridgeKeys: typeof bridge === 'object' && bridge !== null ? Object.keys(bridge).sort() : null,
        invoke: typeof (bridge as { invoke?: unknown } | undefined)?.invoke,
        on: typeof (bridge as { on?: unknown } | undefined)?.on,
      };
    });
    expect(exposure).toEqual({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      bridgeKeys: ['invoke', 'on'],
      invoke: 'function',
      on: 'function',
    });
  });

  test('runs the window isolated and sandboxed', async () => {
    const preferences = await app.evaluate(({ BrowserWindow }) => {
      // Undocumented but what Electron's own specs use to read back a window's preferences.
      type WithPreferences = { getLastWebPreferences?: () => Electron.WebPreferences | null };
      const contents = BrowserWindow.getAllWindows()[0]?.webContents as WithPreferences | undefined;
      const last = contents?.getLastWebPreferences?.();
      return {
        contextIsolation: last?.contextIsolation,
        sandbox: last?.sandbox,
        nodeIntegration: last?.nodeIntegration,
        webSecurity: last?.webSecurity,
      };
    });
    expect(preferences).toEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
  });

  test('answers desktop channels and refuses others', async () => {
    const answers = await page.evaluate(async () => {
      const bridge = Reflect.get(window, 'parleyDesktop') as {
        invoke(channel: string, ...args: unknown[]): Promise<unknown>;
      };
      const info = await bridge.invoke('app:getInfo');
      const unknownChannel = await bridge.invoke('fs:readFile', '/etc/passwd').then(
        () => 'resolved',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      const badArguments = await bridge.invoke('session:setToken', 'not a url', '').then(
        () => 'resolved',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      return { info, unknownChannel, badArguments };
    });
    expect(answers.info).toMatchObject({
      platform: expect.any(String),
      appVersion: expect.any(String),
      serverUrl: expect.any(String),
      secureStorage: expect.any(Boolean),
    });
    expect(answers.unknownChannel).toMatch(/Unknown desktop channel/);
    expect(answers.badArguments).toMatch(/Invalid arguments for session:setToken/);
  });

  test('stays on the app when the page tries to navigate to a file', async () => {
    const before = page.url();
    await page.evaluate(() => {
      location.href = 'file:///etc/passwd';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
  });
});
