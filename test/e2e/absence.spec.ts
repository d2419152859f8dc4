import { expect, test, type Page } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * Coming back after a long absence: one summary of what arrived, not a notification for
 * each message; while the agent is here, each new message is announced on its own.
 */

let server: TestServer;

test.use({ permissions: ['notifications'] });

test.beforeEach(async ({ context }) => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
  // Keep the browser's own notifications, and note each one the app shows. The customers'
  // new conversations wait in the queue: the agent asked to hear of those.
  await context.addInitScript(() => {
    localStorage.setItem('parley:settings', JSON.stringify({ notifications: { teamQueue: true } }));
    const shown: { title: string; body: string }[] = [];
    Object.assign(window, { parleyNotifications: shown });
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? '' });
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true });
  });
});

test.afterEach(async () => {
  await server.cleanup();
});

function notifications(page: Page): Promise<{ title: string; body: string }[]> {
  return page.evaluate(
    () => (window as unknown as { parleyNotifications: { title: string; body: string }[] }).parleyNotifications,
  );
}

/** Customer `index` of a few writes `text`. */
async function customerNumberWrites(index: number, text: string): Promise<void> {
  await customerWrites(server.url, {
    from: `4477009001${String(index).padStart(2, '0')}`,
    name: `Customer ${index}`,
    id: `wamid.AWAY.${index}.${text.length}.${Date.now()}`,
    text,
  });
}

test('after an absence, one summary instead of a flood; then each new message on its own', async ({ context }) => {
  const first = await context.newPage();
  await signIn(first, server.url);
  await customerNumberWrites(0, 'Hello before the break');
  await expect(first.getByTestId('conversation-item')).toHaveCount(1);
  // The agent closes the app for the night.
  await first.close();

  // 14 messages in 6 conversations arrive while nobody is looking.
  for (let i = 0; i < 14; i += 1) await customerNumberWrites(i % 6, `Message ${i} while away`);

  const page = await context.newPage();
  await page.goto(server.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await expect(page.getByTestId('conversation-item')).toHaveCount(6);
  await expect(page.getByTestId('arrivals-summary')).toContainText('14 new messages in 6 conversations');
  await page.screenshot({ path: 'test-results/absence-summary.png' });

  // At most one system notification for the whole absence (none while the app has focus).
  const focused = await page.evaluate(() => document.hasFocus());
  const afterAbsence = await notifications(page);
  expect(afterAbsence).toHaveLength(focused ? 0 : 1);
  if (!focused) expect(afterAbsence[0]?.body).toBe('14 new messages in 6 conversations');

  // Back at work: a message in a conversation that is not open is announced by itself.
  await customerNumberWrites(3, 'Are you there?');
  await expect.poll(async () => (await notifications(page)).length).toBe(afterAbsence.length + 1);
  expect((await notifications(page)).at(-1)).toEqual({ title: 'New message from Customer 3', body: 'Are you there?' });
});
