import { expect, test, type Page } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * Keyboard-only triage: five new conversations are opened, taken, labelled and resolved
 * or snoozed without touching the mouse, each change reaching the server.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

// A real server, a real browser and two shared cores: more than the default minute.
test.setTimeout(180_000);

test.afterEach(async () => {
  await server.cleanup();
});

const CUSTOMERS = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'];

async function serverRows(): Promise<{ name: string; assignee: string | null; status: string; labels: string[] }[]> {
  const rows = await server.store.db
    .selectFrom('conversations')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select(['contacts.name as name', 'assignee_id', 'status', 'labels'])
    .orderBy('contacts.name')
    .execute();
  return rows.map((row) => ({
    name: row.name,
    assignee: row.assignee_id,
    status: row.status,
    labels: JSON.parse(row.labels) as string[],
  }));
}

/** The name on the list's current row: the focused one, or the one the list points at. */
async function currentRow(page: Page): Promise<string> {
  await expect
    .poll(() =>
      page.evaluate(() => {
        const active = document.activeElement;
        const pointed = active?.getAttribute('aria-activedescendant');
        const row = (pointed ? document.getElementById(pointed) : active)?.closest('[data-testid="conversation-item"]');
        return row?.querySelector('[data-testid="conversation-name"]')?.textContent ?? '';
      }),
    )
    .not.toBe('');
  return page.evaluate(() => {
    const active = document.activeElement;
    const pointed = active?.getAttribute('aria-activedescendant');
    const row = (pointed ? document.getElementById(pointed) : active)?.closest('[data-testid="conversation-item"]');
    return row?.querySelector('[data-testid="conversation-name"]')?.textContent ?? '';
  });
}

async function press(page: Page, ...keys: string[]): Promise<void> {
  for (const key of keys) await page.keyboard.press(key);
}

test('five conversations triaged with the keyboard alone', async ({ page }) => {
  await signIn(page, server.url);
  for (const [index, name] of CUSTOMERS.entries()) {
    await customerWrites(server.url, {
      from: `44770090020${index}`,
      name,
      id: `wamid.KEY${index}`,
      text: `Question number ${index + 1}`,
    });
  }
  await expect(page.getByTestId('conversation-item')).toHaveCount(5);
  const me = (await server.store.db.selectFrom('agents').select('id').executeTakeFirstOrThrow()).id;

  // The queue of unassigned conversations: G then U.
  await page.locator('body').press('g');
  await page.keyboard.press('u');
  await expect(page.getByRole('navigation').first()).toHaveAttribute('data-view', 'unassigned');

  const title = page.getByTestId('thread-title');
  const done: string[] = [];
  for (let round = 0; round < 5; round += 1) {
    // Back to the list, at its top, then down to the first one not done yet: the list
    // may reorder (or drop a conversation from the view) as each one changes.
    await press(page, 'Escape', 'k', 'k', 'k', 'k', 'k', 'k');
    let name = '';
    for (let step = 0; step < 6; step += 1) {
      name = await currentRow(page);
      if (!done.includes(name)) break;
      await page.keyboard.press('j');
    }
    expect(done).not.toContain(name);
    await page.keyboard.press('Enter');
    await expect(title).toHaveText(name);

    // I: assign to me.
    await page.keyboard.press('i');
    await expect(page.getByTestId('assignee-button')).toHaveText('Assigned to you');

    // L: the label picker; type, Enter, Escape.
    await page.keyboard.press('l');
    await expect(page.getByTestId('label-picker-input')).toBeFocused();
    await page.keyboard.type('triaged');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('label-chip').locator('.MuiChip-label')).toHaveText(['triaged']);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('label-menu')).toBeHidden();

    if (round % 2 === 0) {
      // E: resolve.
      await page.keyboard.press('e');
      await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'resolved');
    } else {
      // Z: snooze, the first of the presets.
      await page.keyboard.press('z');
      await expect(page.getByTestId('snooze-menu')).toBeVisible();
      if (round === 1) {
        await page.screenshot({ path: 'test-results/snooze-menu-light.png' });
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.screenshot({ path: 'test-results/snooze-menu-dark.png' });
        await page.emulateMedia({ colorScheme: 'light' });
      }
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('snooze-menu')).toBeHidden();
      await expect(page.getByTestId('snoozed-until')).toBeVisible();
    }
    done.push(name);
  }

  expect([...done].sort()).toEqual([...CUSTOMERS].sort());
  const snoozed = done.filter((_, index) => index % 2 === 1);
  await expect.poll(serverRows, { timeout: 20_000 }).toEqual(
    [...CUSTOMERS].sort().map((name) => ({
      name,
      assignee: me,
      status: snoozed.includes(name) ? 'snoozed' : 'resolved',
      labels: ['triaged'],
    })),
  );
  await page.screenshot({ path: 'test-results/keyboard-triage.png' });
});

test('the conversation on its way out takes no typing while the chosen one opens', async ({ page }) => {
  await signIn(page, server.url);
  for (const [index, name] of CUSTOMERS.slice(0, 2).entries()) {
    await customerWrites(server.url, {
      from: `44770090030${index}`,
      name,
      id: `wamid.OUT${index}`,
      text: `Question number ${index + 1}`,
    });
  }
  const [first, second] = CUSTOMERS;
  await page.getByTestId('conversation-item').filter({ hasText: first }).click();
  await expect(page.getByTestId('thread-title')).toHaveText(first ?? '');
  const pane = page.getByTestId('thread-pane');
  await expect(pane).toHaveAttribute('aria-busy', 'false');
  // Its composer comes a moment after its messages.
  await expect(page.getByTestId('composer-area')).toHaveAttribute('data-mode', 'reply');
  await page.mouse.move(900, 500);

  // Enter on the other row (never pointed at, so its first screen is not read ahead): in the
  // moments before that screen is read, the first conversation is still shown, and inert.
  const during = await page.evaluate(async (name) => {
    const row = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="conversation-item"]')).find(
      (item) => item.querySelector('[data-testid="conversation-name"]')?.textContent === name,
    );
    row?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    // React renders a key press's change in a microtask; reading the chosen thread takes longer.
    await Promise.resolve();
    await Promise.resolve();
    const shownPane = document.querySelector('[data-testid="thread-pane"]');
    const input = document.querySelector<HTMLTextAreaElement>('[data-testid="composer-input"]');
    input?.focus();
    // The note shortcut (Ctrl+Alt+N, ⌘⌥N on a Mac) listens on the document: not for this composer.
    const mac = /Mac/.test(navigator.platform);
    document.dispatchEvent(
      new KeyboardEvent('keydown', {
        code: 'KeyN',
        key: 'n',
        altKey: true,
        ctrlKey: !mac,
        metaKey: mac,
        bubbles: true,
        cancelable: true,
      }),
    );
    await Promise.resolve();
    return {
      title: document.querySelector('[data-testid="thread-title"]')?.textContent ?? '',
      busy: shownPane?.getAttribute('aria-busy'),
      inert: shownPane?.hasAttribute('inert'),
      typingPossible: input !== null && document.activeElement === input,
      mode: document.querySelector('[data-testid="composer-area"]')?.getAttribute('data-mode'),
    };
  }, second);
  expect(during).toEqual({ title: first, busy: 'true', inert: true, typingPossible: false, mode: 'reply' });

  // Then the chosen one, ready to type in.
  await expect(page.getByTestId('thread-title')).toHaveText(second ?? '');
  await expect(pane).toHaveAttribute('aria-busy', 'false');
  await page.getByTestId('composer-input').focus();
  await expect(page.getByTestId('composer-input')).toBeFocused();
  // The first conversation's draft kept its mode: going back, it is still a reply.
  await page.getByTestId('conversation-item').filter({ hasText: first }).click();
  await expect(page.getByTestId('thread-title')).toHaveText(first ?? '');
  await expect(page.getByTestId('composer-area')).toHaveAttribute('data-mode', 'reply');
});

test('n starts a private note and r a reply, each with the cursor in the field', async ({ page }) => {
  await signIn(page, server.url);
  await customerWrites(server.url, { from: '447700900310', name: 'Ada Lovelace', id: 'wamid.KEYS0', text: 'Hello' });
  await page.getByTestId('conversation-item').filter({ hasText: 'Ada Lovelace' }).click();
  await expect(page.getByTestId('thread-title')).toHaveText('Ada Lovelace');
  const area = page.getByTestId('composer-area');
  const input = page.getByTestId('composer-input');
  await expect(area).toHaveAttribute('data-mode', 'reply');

  // From the thread, not a field: the keys are commands.
  await page.getByTestId('message-log').focus();
  await page.keyboard.press('n');
  await expect(area).toHaveAttribute('data-mode', 'note');
  await expect(input).toBeFocused();
  await expect(input).toHaveValue('');

  await page.getByTestId('message-log').focus();
  await page.keyboard.press('r');
  await expect(area).toHaveAttribute('data-mode', 'reply');
  await expect(input).toBeFocused();
  await expect(input).toHaveValue('');
});
