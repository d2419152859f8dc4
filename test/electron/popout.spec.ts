/**
 * A conversation popped out into its own window gets the main window's protections: seen
 * from its own page, no Node and only the desktop bridge; seen from the main process, an
 * isolated, sandboxed renderer. Runs only where Electron's binary exists (see app.spec.ts);
 * elsewhere it is skipped and says why.
 *
 * Needs a build first: `npm run build` (main/dist, preload/dist, renderer/dist).
 */
import { _electron, expect, test } from '@playwright/test';
import { electronBinary, repoRoot, skipPrinting } from './electron-binary.js';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';

test.describe('pop-out windows in the desktop app', () => {
  skipPrinting(!electronBinary.found, electronBinary.found ? '' : electronBinary.reason);
  test.setTimeout(180_000);

  let server: TestServer;
  test.beforeEach(async () => {
    server = await startTestServer();
    await server.agents.createAgent({ ...AGENT, role: 'agent' });
  });
  test.afterEach(async () => {
    await server.cleanup();
  });

  test('a pop-out window is one per conversation, isolated and sandboxed like the main one', async () => {
    if (!electronBinary.found) return;
    await customerWrites(server.url, { from: '447700900401', name: 'Camille Durand', id: 'wamid.EL2', text: 'Salut' });
    const app = await _electron.launch({
      executablePath: electronBinary.executablePath,
      args: ['.'],
      cwd: repoRoot,
      env: { ...process.env, PARLEY_SERVER_URL: server.url },
    });
    try {
      const page = await app.firstWindow();
      await page.getByLabel('Email').fill(AGENT.email);
      await page.getByLabel('Password').fill(AGENT.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('conversation-item').filter({ hasText: 'Camille Durand' }).click();
      const [popOut] = await Promise.all([app.waitForEvent('window'), page.getByTestId('popout-button').click()]);
      await expect(popOut.getByTestId('popout-layout')).toBeVisible();
      expect(popOut.url()).toMatch(/^app:\/\/parley\/index\.html\?popout=/);
      await expect(popOut.getByTestId('thread-title')).toHaveText('Camille Durand');

      const exposure = await popOut.evaluate(() => {
        const bridge: unknown = Reflect.get(window, 'parleyDesktop');
        return {
          require: typeof Reflect.get(window, 'require'),
          process: typeof Reflect.get(window, 'process'),
          bridgeKeys: typeof bridge === 'object' && bridge !== null ? Object.keys(bridge).sort() : null,
        };
      });
      expect(exposure).toEqual({ require: 'undefined', process: 'undefined', bridgeKeys: ['invoke', 'on'] });

      const preferences = await app.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows().map((window) => {
          type WithPreferences = { getLastWebPreferences?: () => Electron.WebPreferences | null };
          const last = (window.webContents as WithPreferences).getLastWebPreferences?.();
          return {
            url: window.webContents.getURL(),
            contextIsolation: last?.contextIsolation,
            sandbox: last?.sandbox,
            nodeIntegration: last?.nodeIntegration,
            webSecurity: last?.webSecurity,
          };
        }),
      );
      expect(preferences).toHaveLength(2);
      for (const window of preferences) {
        expect(window).toMatchObject({
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          webSecurity: true,
        });
      }

      // Asking again brings the same window forward.
      await page.getByTestId('popout-button').click();
      await expect.poll(() => app.windows().length).toBe(2);
    } finally {
      await app.close();
    }
  });
});
