import { expect, test, type Locator, type Page } from '@playwright/test';
import { BUSY_MACHINE, signIn } from '../support/app.js';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';

/**
 * A conversation in a window of its own. In a browser the thread header's button opens a
 * named window (the desktop app makes a window through its shell instead): the page renders
 * the conversation's thread and composer alone, from the same cache as the inbox.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

test.setTimeout(180_000);

test('the pop-out window shows the thread alone and shares the cache with the inbox', async ({ page, context }) => {
  await customerWrites(server.url, { from: '447700900201', name: 'Oliver Bennett', id: 'wamid.PO1', text: 'Hello' });
  await signIn(page, server.url, AGENT, BUSY_MACHINE);
  await page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).click();
  await expect(page.getByTestId('thread-title')).toHaveText('Oliver Bennett');

  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('popout-button').click()]);
  await expect(popup.getByTestId('popout-layout')).toBeVisible();
  expect(new URL(popup.url()).searchParams.get('popout')).toMatch(/.+/);
  await expect(popup.getByTestId('thread-title')).toHaveText('Oliver Bennett');
  await expect(popup.getByTestId('composer-input')).toHaveAttribute('spellcheck', 'true');
  // The thread alone: no list, no app bar, no way to pop out again.
  await expect(popup.getByTestId('conversation-item')).toHaveCount(0);
  await expect(popup.getByTestId('palette-button')).toHaveCount(0);
  await expect(popup.getByTestId('popout-button')).toHaveCount(0);

  // What is written there shows in the inbox's thread at once: one cache.
  await popup.getByTestId('composer-input').fill('Written in its own window');
  await popup.getByTestId('composer-send').click();
  await expect(page.getByTestId('message-log').getByText('Written in its own window')).toBeVisible();

  // The same conversation again: the same window, not a second one.
  await page.getByTestId('popout-button').click();
  await expect.poll(() => context.pages().length).toBe(2);

  // And from the palette.
  await page.getByTestId('palette-button').click();
  await expect(page.getByRole('option', { name: /Open conversation in new window/ })).toBeVisible();
  await page.keyboard.press('Escape');
});

test('the pop-out layout in light and dark, and a conversation it does not have', async ({ page }) => {
  await customerWrites(server.url, { from: '447700900202', name: 'Camille Durand', id: 'wamid.PO2', text: 'Bonjour' });
  const row = await server.store.db
    .selectFrom('messages')
    .select('conversation_id')
    .where('text', '=', 'Bonjour')
    .executeTakeFirstOrThrow();
  await signIn(page, server.url, AGENT, BUSY_MACHINE);
  await page.setViewportSize({ width: 560, height: 760 });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${server.url}/?popout=${row.conversation_id}`);
    await expect(page.getByTestId('thread-title')).toHaveText('Camille Durand');
    await expect(page.getByText('Bonjour')).toBeVisible();
    await page.screenshot({ path: `test-results/popout-${scheme}.png` });
  }
  await page.goto(`${server.url}/?popout=not-a-conversation`);
  await expect(page.getByTestId('popout-missing')).toContainText('not on this computer');
});

/** Opens the settings at one of its sections. */
async function openSection(page: Page, name: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('tab', { name }).click();
  return dialog;
}

test('the Spelling and Updates settings say what a browser does', async ({ page }) => {
  await signIn(page, server.url, AGENT, BUSY_MACHINE);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const dialog = await openSection(page, 'Updates');
    await expect(dialog.getByTestId('updates-section')).toHaveAttribute('data-host', 'browser');
    await expect(dialog).toContainText('Updates come with the desktop app');
    await page.screenshot({ path: `test-results/settings-updates-browser-${scheme}.png` });
    await dialog.getByRole('tab', { name: 'Spelling' }).click();
    await expect(dialog.getByTestId('spelling-section')).toContainText('Your browser checks your spelling');
    await page.keyboard.press('Escape');
  }
});

/**
 * The desktop app's side of the same sections, with a stand-in for the preload's bridge:
 * the shell's answers and its `update:status` events are what the page would receive.
 */
test('the Updates and Spelling settings of the desktop app follow the updater', async ({ page }) => {
  await signIn(page, server.url, AGENT, BUSY_MACHINE);
  await page.addInitScript(() => {
    const listeners = new Map<string, Set<(payload: unknown) => void>>();
    const calls: unknown[][] = [];
    let languages = ['en-US'];
    const answers: Record<string, (...args: unknown[]) => unknown> = {
      'app:getInfo': () => ({
        platform: 'linux',
        appVersion: '1.4.0',
        serverUrl: location.origin,
        secureStorage: true,
      }),
      'app:setLanguage': () => undefined,
      'session:getToken': () => null,
      'deepLink:take': () => null,
      'update:getStatus': () => ({
        version: '1.4.0',
        channel: 'stable',
        phase: { kind: 'upToDate', checkedAt: Date.now() },
      }),
      'update:check': () => undefined,
      'update:install': () => true,
      'update:setChannel': () => undefined,
      'spellcheck:getLanguages': () => ({
        systemManaged: false,
        available: ['de-DE', 'en-GB', 'en-US', 'fr-FR'],
        selected: languages,
      }),
      'spellcheck:setLanguages': (wanted) => (languages = wanted as string[]),
    };
    Object.assign(window, {
      parleyCalls: calls,
      parleyEmit: (event: string, payload: unknown) => listeners.get(event)?.forEach((listener) => listener(payload)),
      parleyDesktop: {
        invoke: (channel: string, ...args: unknown[]) => {
          calls.push([channel, ...args]);
          const answer = answers[channel];
          return answer === undefined ? Promise.reject(new Error(channel)) : Promise.resolve(answer(...args));
        },
        on: (event: string, listener: (payload: unknown) => void) => {
          const set = listeners.get(event) ?? new Set();
          set.add(listener);
          listeners.set(event, set);
          return () => set.delete(listener);
        },
      },
    });
  });
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online', { timeout: 60_000 });
  const emit = (phase: unknown, channel = 'stable'): Promise<void> =>
    page.evaluate(
      ([next, on]) =>
        (window as unknown as { parleyEmit: (e: string, p: unknown) => void }).parleyEmit('update:status', {
          version: '1.4.0',
          channel: on,
          phase: next,
        }),
      [phase, channel] as const,
    );
  const calls = (): Promise<unknown[][]> =>
    page.evaluate(() => (window as unknown as { parleyCalls: unknown[][] }).parleyCalls);

  const dialog = await openSection(page, 'Updates');
  const section = dialog.getByTestId('updates-section');
  await expect(section).toHaveAttribute('data-host', 'electron');
  await expect(dialog.getByTestId('app-version')).toHaveText('Parley 1.4.0');
  await expect(dialog.getByTestId('update-state')).toContainText('Parley is up to date');
  await dialog.getByTestId('update-check').click();

  await emit({ kind: 'downloading', version: '1.5.0', percent: 42 });
  await expect(dialog.getByTestId('update-state')).toHaveText('Downloading version 1.5.0: 42 %');
  await expect(dialog.getByRole('progressbar', { name: 'Download of the update' })).toHaveAttribute(
    'aria-valuenow',
    '42',
  );
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await emit({ kind: 'ready', version: '1.5.0' });
    await expect(dialog.getByTestId('update-restart')).toBeVisible();
    await page.screenshot({ path: `test-results/settings-updates-ready-${scheme}.png` });
    await emit({ kind: 'failed', code: 'unreachable', retryAt: Date.now() + 5 * 60_000 });
    await expect(dialog.getByTestId('update-state')).toContainText(
      'the update server could not be reached. Parley tries again by itself at',
    );
    await page.screenshot({ path: `test-results/settings-updates-failed-${scheme}.png` });
  }
  await emit({ kind: 'ready', version: '1.5.0' });
  await dialog.getByTestId('update-restart').click();
  await dialog.getByRole('button', { name: 'Beta' }).click();
  await expect(dialog.getByRole('button', { name: 'Beta' })).toHaveAttribute('aria-pressed', 'true');

  await dialog.getByRole('tab', { name: 'Spelling' }).click();
  const languages = dialog.getByRole('combobox', { name: 'Check my spelling in' });
  await languages.click();
  await page.getByRole('option', { name: /French/ }).click();
  await expect(dialog.getByRole('button', { name: /French \(France\)/ })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'American English' })).toBeVisible();
  await dialog.getByRole('heading', { name: 'Spelling' }).click();
  await page.screenshot({ path: 'test-results/settings-spelling-dark.png' });
  expect(await calls()).toEqual(
    expect.arrayContaining([
      ['update:check'],
      ['update:install'],
      ['update:setChannel', 'beta'],
      ['spellcheck:setLanguages', ['en-US', 'fr-FR']],
    ]),
  );
});
