/**
 * A `parley://conversation/<id>` link in the launch command line reaches the page once it
 * is signed in: the link waits in the main process until the page takes it. Runs only
 * where Electron's binary exists (see app.spec.ts); elsewhere it is skipped and says why.
 *
 * Needs a build first: `npm run build` (main/dist, preload/dist, renderer/dist).
 */
import { _electron, expect, test } from '@playwright/test';
import { electronBinary, repoRoot, skipPrinting } from './electron-binary.js';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';

test.describe('deep links in the desktop app', () => {
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

  test('a link given at launch opens its conversation once the agent is signed in', async () => {
    if (!electronBinary.found) return;
    await customerWrites(server.url, { from: '447700900301', name: 'Oliver Bennett', id: 'wamid.EL1', text: 'Hi' });
    const { conversation_id: id } = await server.store.db
      .selectFrom('messages')
      .select('conversation_id')
      .where('text', '=', 'Hi')
      .executeTakeFirstOrThrow();
    const app = await _electron.launch({
      executablePath: electronBinary.executablePath,
      args: ['.', `parley://conversation/${id}`],
      cwd: repoRoot,
      env: { ...process.env, PARLEY_SERVER_URL: server.url },
    });
    try {
      const page = await app.firstWindow();
      await page.getByLabel('Email').fill(AGENT.email);
      await page.getByLabel('Password').fill(AGENT.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('thread-title')).toHaveText('Oliver Bennett');
      // Handed over once: the page finds nothing waiting any more.
      const again = await page.evaluate(() =>
        (Reflect.get(window, 'parleyDesktop') as { invoke(channel: string): Promise<unknown> }).invoke('deepLink:take'),
      );
      expect(again).toBeNull();
    } finally {
      await app.close();
    }
  });
});
