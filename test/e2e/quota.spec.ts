import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * A device short of storage, for real: Chromium is told this origin may use only a little,
 * and the cache has to make room for what keeps arriving and for what the agent writes.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

/** The bytes of the built app the service worker keeps a copy of. */
function appFilesSize(): number {
  const dist = fileURLToPath(new URL('../../renderer/dist/', import.meta.url));
  return fs
    .readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.map'))
    .reduce((total, entry) => total + fs.statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

/** How many messages the customers write: about 6 MB of text, half again the room given. */
const MESSAGES = 1500;

/**
 * Text that does not compress, so what the cache stores is as large as it looks: 4,000
 * characters, near WhatsApp's longest text (fewer, longer messages fill the room sooner
 * than many short ones).
 */
function filler(): string {
  return randomBytes(3000).toString('base64');
}

async function customersWrite(from: number, count: number): Promise<void> {
  const start = Math.floor(Date.now() / 1000) - 10_000;
  let next = from;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < from + count; i = next++) {
      await customerWrites(server.url, {
        from: `44770090${String(i % 20).padStart(4, '0')}`,
        name: `Customer ${i % 20}`,
        id: `wamid.QUOTA.${i}`,
        text: `#${i} ${filler()}`,
        timestampSeconds: start + i,
      });
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}

test('out of storage, the oldest cached messages make room and the agent is told', async ({ page }) => {
  // Fifteen hundred signed webhooks and a cache that keeps evicting: a minute or more on a busy machine.
  test.setTimeout(180_000);
  const cdp = await page.context().newCDPSession(page);
  // Room for a few thousand of these messages in IndexedDB, not for all that will come, on
  // top of the app's own files, which its service worker keeps in the same origin's storage.
  await cdp.send('Storage.overrideQuotaForOrigin', {
    origin: new URL(server.url).origin,
    quotaSize: appFilesSize() + 4 * 1024 * 1024,
  });
  await signIn(page, server.url);

  await customersWrite(0, MESSAGES);
  await expect(page.getByTestId('eviction-notice')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('eviction-notice')).toContainText('oldest cached messages');
  await page.screenshot({ path: 'test-results/quota-eviction.png' });

  const cached = (): Promise<{ count: number; newest: boolean; oldest: boolean }> =>
    page.evaluate(
      async (newestPrefix) => {
        const names = (await indexedDB.databases()).map((info) => info.name ?? '');
        const name = names.find((candidate) => candidate.startsWith('parley:'));
        if (name === undefined) throw new Error('no Parley database');
        return new Promise<{ count: number; newest: boolean; oldest: boolean }>((resolve, reject) => {
          const open = indexedDB.open(name);
          open.onerror = () => reject(open.error ?? new Error('open failed'));
          open.onsuccess = () => {
            const messages = open.result.transaction('messages').objectStore('messages');
            const all = messages.getAll();
            all.onsuccess = () => {
              const texts = (all.result as { text: string | null }[]).map((message) => message.text ?? '');
              open.result.close();
              resolve({
                count: texts.length,
                newest: texts.some((text) => text.startsWith(newestPrefix)),
                oldest: texts.some((text) => text.startsWith('#0 ')),
              });
            };
          };
        });
      },
      `#${MESSAGES - 1} `,
    );
  // Everything that arrived last reaches the device; the oldest went to make room.
  await expect.poll(async () => (await cached()).newest, { timeout: 30_000 }).toBe(true);
  const stored = await cached();
  expect(stored.oldest).toBe(false);
  expect(stored.count).toBeLessThan(MESSAGES);

  // The agent can still write: the reply is stored and sent.
  await page.getByTestId('conversation-item').first().click();
  await page.getByTestId('composer-input').fill('Sorry for the wait, it is on its way.');
  await page.getByTestId('composer-input').press('Enter');
  await expect(page.getByTestId('message').filter({ hasText: 'Sorry for the wait' })).toBeVisible();
});
