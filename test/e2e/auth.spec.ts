import { expect, test } from '@playwright/test';
import { AGENT, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * Signing in as a person would: the words for a throttled or deactivated sign-in, an invite
 * link that lets a new user choose a password, and a session that renews itself when its
 * access token runs out, with no token ever in the page's storage.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

test('too many wrong passwords: the form says how long to wait', async ({ page }) => {
  await page.goto(server.url);
  await page.getByLabel('Email').fill(AGENT.email);
  await page.getByLabel('Password').fill('not the password');
  const statuses: number[] = [];
  // After 5 failures each try waits (1 s, then 2 s, 4 s…): a slow machine may pass the first wait.
  for (let i = 0; i < 9 && !statuses.includes(429); i += 1) {
    const answered = page.waitForResponse((response) => response.url().endsWith('/api/auth/login'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    statuses.push((await answered).status());
  }
  expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
  expect(statuses.at(-1)).toBe(429);
  await expect(page.getByRole('alert')).toContainText(/Too many attempts\. Try again in \d+ seconds?\./);
});

test('a deactivated user is told so after the right password', async ({ page }) => {
  await server.store.db.updateTable('agents').set({ active: 0 }).where('email', '=', AGENT.email).execute();
  await page.goto(server.url);
  await page.getByLabel('Email').fill(AGENT.email);
  await page.getByLabel('Password').fill(AGENT.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Your account has been deactivated. Ask an admin to reactivate it.');
});

test('an invite link opens "choose your password" and signs the new user in', async ({ page }) => {
  const invited = await server.agents.inviteUser({ email: 'nia@example.com', name: 'Nia New', role: 'agent' });
  if (!invited.ok) throw new Error('invite refused');
  await page.goto(`${server.url}/?invite=${encodeURIComponent(invited.invite.token)}`);
  await expect(page.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  await page.getByLabel('New password').fill('a long enough password');
  await page.getByLabel('The same password again').fill('a different password');
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The two passwords differ.');
  await page.getByLabel('The same password again').fill('a long enough password');
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  expect(new URL(page.url()).searchParams.has('invite')).toBe(false);
});

test('a used invite link says so', async ({ page }) => {
  const invited = await server.agents.inviteUser({ email: 'nia@example.com', name: 'Nia New', role: 'agent' });
  if (!invited.ok) throw new Error('invite refused');
  await server.agents.acceptInvite(invited.invite.token, 'the first password');
  await page.goto(`${server.url}/?invite=${encodeURIComponent(invited.invite.token)}`);
  await page.getByLabel('New password').fill('another long password');
  await page.getByLabel('The same password again').fill('another long password');
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'This invite link has expired or was already used. Ask an admin for a new one.',
  );
});

test('an expired access token is renewed with the refresh cookie; no token is in page storage', async ({ page }) => {
  await signIn(page, server.url);
  const before = await server.store.db.selectFrom('sessions').select('token_hash').executeTakeFirstOrThrow();
  await server.store.db
    .updateTable('sessions')
    .set({ expires_at: Date.now() - 1000 })
    .execute();
  // A reload reconnects with the expired access token: refused, renewed, connected again.
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  const after = await server.store.db.selectFrom('sessions').select(['token_hash', 'revoked_at']).execute();
  expect(after).toHaveLength(1);
  expect(after[0]?.token_hash).not.toBe(before.token_hash);
  expect(after[0]?.revoked_at).toBeNull();
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  expect(storage).not.toMatch(/parley_session|parley_refresh/);
  const cookies = await page.context().cookies();
  expect(cookies.filter((cookie) => cookie.name.startsWith('parley_')).every((cookie) => cookie.httpOnly)).toBe(true);
  expect(await page.evaluate(() => document.cookie)).toBe('');
});
