/**
 * A `parley://conversation/<id>` link in the launch command line reaches the page once it
 * is signed in: the link waits in the main process until the page takes it. Runs only
 * where Electron's binary exists (see app.spec.ts); elsewhere it is skipped and says why.
 *
 * Needs a build first: `npm run build` (main/dist, preload/dist, renderer/dist).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { _electron, expect, test } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function electronPath(): { path: string } | { reason: string } {
  try {
    const exported: unknown = createRequire(import.meta.url)('electron');
    if (typeof exported === 'string' && existsSync(exported)) return { path: exported };
    return { reason: `Electron binary is not installed: no executable at ${String(exported)}` };
  } catch (error) {
    return { reason: `Electron binary is not installed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

const electron = electronPath();
if ('reason' in electron) console.log(`[test/electron] skipped: ${electron.reason}`);

test.describe('deep links in the desktop app', () => {
  if ('reason' in electron) test.skip(true, electron.reason);
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
    if ('reason' in electron) return;
    await customerWrites(server.url, { from: '447700900301', name: 'Oliver Bennett', id: 'wamid.EL1', text: 'Hi' });
    const { conversation_id: id } = await server.store.db
      .selectFrom('messages')
      .select('conversation_id')
      .where('text', '=', 'Hi')
      .executeTakeFirstOrThrow();
    const app = await _electron.launch({
      executablePath: electron.path,
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
