import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { BUSY_MACHINE, signIn } from '../support/app.js';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';

/**
 * A conversation asked for from outside the list. The desktop app hands the page a
 * `parley://conversation/<id>` link; a browser reaches the same handler with
 * `?conversation=<id>`. A conversation the agent may see opens; one they may not (another
 * team's, or none at all) is said in words, never a blank screen.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

// A real server, a real browser and two shared cores: more than the default minute.
test.setTimeout(180_000);

async function conversationOf(text: string): Promise<string> {
  const row = await server.store.db
    .selectFrom('messages')
    .select('conversation_id')
    .where('text', '=', text)
    .executeTakeFirstOrThrow();
  return row.conversation_id;
}

test('a link to a conversation the agent sees opens it, and leaves the address', async ({ page }) => {
  await customerWrites(server.url, { from: '447700900101', name: 'Oliver Bennett', id: 'wamid.DL1', text: 'Hello' });
  await customerWrites(server.url, { from: '447700900102', name: 'Camille Durand', id: 'wamid.DL2', text: 'Bonjour' });
  const camille = await conversationOf('Bonjour');
  await signIn(page, server.url, AGENT, BUSY_MACHINE);
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);

  await page.goto(`${server.url}/?conversation=${camille}`);
  await expect(page.getByTestId('thread-title')).toHaveText('Camille Durand', { timeout: 30_000 });
  await expect(page.getByTestId('conversation-request-notice')).toHaveCount(0);
  // Taken once: a reload does not open it again.
  expect(new URL(page.url()).searchParams.has('conversation')).toBe(false);
});

test('a link to a conversation the agent may not see says so, in English and in French', async ({ page }) => {
  await customerWrites(server.url, { from: '447700900103', name: 'Secret Sam', id: 'wamid.DL3', text: 'private' });
  const hidden = await conversationOf('private');
  // Sam's conversation moves to a team the agent is not in.
  const other = randomUUID();
  await server.store.write(async (trx, changes) => {
    await trx
      .insertInto('teams')
      .values({
        id: other,
        name: 'Billing',
        auto_assign: 0,
        offline_grace_minutes: 10,
        first_response_target_seconds: 300,
        waiting_target_seconds: 900,
        rules: '[]',
        created_at: Date.now(),
        seq: await changes.nextSeq('team', other),
      })
      .execute();
    await trx
      .updateTable('conversations')
      .set({ team_id: other, seq: await changes.nextSeq('conversation', hidden) })
      .where('id', '=', hidden)
      .execute();
  });
  await signIn(page, server.url, AGENT, BUSY_MACHINE);
  await expect(page.getByTestId('view-mine')).toBeVisible();

  await page.goto(`${server.url}/?conversation=${hidden}`);
  const notice = page.getByTestId('conversation-request-notice');
  await expect(notice).toHaveAttribute('data-outcome', 'notVisible');
  await expect(notice).toContainText('does not exist or is not shared with you');
  await expect(page.getByTestId('thread')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/deeplink-refused-light.png' });

  // An id nobody has, in French this time.
  await page.evaluate(() => localStorage.setItem('parley:settings', JSON.stringify({ language: 'fr', theme: 'dark' })));
  await page.goto(`${server.url}/?conversation=${randomUUID()}`);
  await expect(page.getByTestId('conversation-request-notice')).toContainText(
    'n’existe pas ou n’est pas partagée avec vous',
  );
  await page.screenshot({ path: 'test-results/deeplink-refused-dark-fr.png' });

  // A malformed id is no request at all.
  await page.goto(`${server.url}/?conversation=${encodeURIComponent('../../etc')}`);
  await expect(page.getByTestId('view-mine')).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online', { timeout: 60_000 });
  await expect(page.getByTestId('conversation-request-notice')).toHaveCount(0);
});
