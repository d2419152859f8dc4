import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * A supervisor and an agent signed in at once, in separate browser contexts: the supervisor
 * sees the waiting conversations in the queue and hands them to the agent, by the menu with
 * the keyboard and by drag and drop; the agent sees each become theirs.
 */

const SUPERVISOR = { email: 'sam@example.com', name: 'Sam Supervisor', password: 'correct horse battery' };

let server: TestServer;
let agentId: string;

test.beforeEach(async () => {
  server = await startTestServer();
  agentId = (await server.agents.createAgent({ ...AGENT, role: 'agent' })).id;
  await server.agents.createAgent({ ...SUPERVISOR, role: 'supervisor' });
});

/** The other people's browsers a test opened: closed after it, so none keeps running into the next test. */
const contexts: BrowserContext[] = [];

test.afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
  await server.cleanup();
});

async function signedInPage(browser: Browser, who: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, server.url, who);
  return page;
}

async function assigneeOf(name: string): Promise<string | null> {
  const row = await server.store.db
    .selectFrom('conversations')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select('conversations.assignee_id')
    .where('contacts.name', '=', name)
    .executeTakeFirst();
  return row?.assignee_id ?? null;
}

/** Whether this server answers `presence:set` (presence and peers are served by the same socket work). */
test('a supervisor assigns waiting conversations by the menu and by drag and drop; the agent gets them', async ({
  browser,
}) => {
  await customerWrites(server.url, { from: '447700900201', name: 'Oliver Bennett', id: 'wamid.SUP1', text: 'Hello?' });
  await customerWrites(server.url, { from: '447700900202', name: 'Maya Okafor', id: 'wamid.SUP2', text: 'Refund' });

  const agent = await signedInPage(browser, AGENT);
  const supervisor = await signedInPage(browser, SUPERVISOR);

  // Agents have no supervisor's view.
  await expect(agent.getByTestId('nav-supervisor')).toHaveCount(0);

  await supervisor.getByTestId('nav-supervisor').click();
  const queue = supervisor.getByTestId('queue');
  await expect(queue.getByTestId('queue-row')).toHaveCount(2);
  await expect(queue.getByTestId('queue-customer')).toHaveText(['Oliver Bennett', 'Maya Okafor']);
  await expect(queue.getByTestId('waiting-timer').first()).toHaveAttribute('role', 'timer');
  const alexRow = supervisor.getByTestId('agent-row').filter({ hasText: AGENT.name });
  await expect(alexRow.getByTestId('agent-load')).toHaveText('0 / 5');

  // The keyboard way: Tab to the row's "Assign to…", Enter, then choose the agent with the keyboard.
  const oliverRow = queue.getByTestId('queue-row').filter({ hasText: 'Oliver Bennett' });
  await oliverRow.getByRole('checkbox').focus();
  await supervisor.keyboard.press('Tab');
  await expect(oliverRow.getByTestId('queue-customer')).toBeFocused();
  await supervisor.keyboard.press('Tab');
  await expect(oliverRow.getByTestId('assign-menu-button')).toBeFocused();
  await supervisor.keyboard.press('Enter');
  const choice = supervisor.getByRole('menuitem').filter({ hasText: AGENT.name });
  await expect(choice).toBeVisible();
  await choice.focus();
  await supervisor.keyboard.press('Enter');
  await expect.poll(() => assigneeOf('Oliver Bennett')).toBe(agentId);
  await expect(queue.getByTestId('queue-row')).toHaveCount(1);
  await expect(alexRow.getByTestId('agent-load')).toHaveText('1 / 5');

  // The agent sees it become theirs.
  await agent.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).click();
  await expect(agent.getByTestId('assignee-button')).toHaveText('Assigned to you');
  await expect(agent.getByTestId('assignee-button')).toHaveAttribute('data-assignee', agentId);

  // Drag and drop: the second row onto the agent.
  await queue.getByTestId('queue-row').filter({ hasText: 'Maya Okafor' }).dragTo(alexRow);
  await expect.poll(() => assigneeOf('Maya Okafor')).toBe(agentId);
  await expect(supervisor.getByTestId('queue-empty')).toBeVisible();
  await expect(alexRow.getByTestId('agent-load')).toHaveText('2 / 5');
  await agent.getByTestId('conversation-item').filter({ hasText: 'Maya Okafor' }).click();
  await expect(agent.getByTestId('assignee-button')).toHaveText('Assigned to you');

  await supervisor.screenshot({ path: 'test-results/supervisor-view.png' });
});

test('assigning several at once with a note sends one assignment each', async ({ browser }) => {
  await customerWrites(server.url, { from: '447700900211', name: 'Lena Novak', id: 'wamid.SUP11', text: 'Hi' });
  await customerWrites(server.url, { from: '447700900212', name: 'Tom Reyes', id: 'wamid.SUP12', text: 'Hey' });
  const supervisor = await signedInPage(browser, SUPERVISOR);
  await supervisor.getByTestId('nav-supervisor').click();
  await expect(supervisor.getByTestId('queue-row')).toHaveCount(2);
  await supervisor.getByRole('checkbox', { name: 'Select every waiting conversation' }).check();
  await supervisor.getByTestId('assign-selected').click();
  await supervisor.getByRole('combobox', { name: 'Agent', exact: true }).click();
  await supervisor.getByRole('option').filter({ hasText: AGENT.name }).click();
  await supervisor.getByTestId('assign-note').fill('VIP customers, be quick');
  await supervisor.getByTestId('assign-confirm').click();
  await expect
    .poll(async () => [await assigneeOf('Lena Novak'), await assigneeOf('Tom Reyes')])
    .toEqual([agentId, agentId]);
  await expect(supervisor.getByTestId('queue-empty')).toBeVisible();
  await expect(supervisor.getByTestId('assign-notice')).toContainText(AGENT.name);
});

test('presence and who else views a thread reach the other user live', async ({ browser }) => {
  await customerWrites(server.url, { from: '447700900221', name: 'Iris Park', id: 'wamid.SUP21', text: 'Anyone?' });
  const agent = await signedInPage(browser, AGENT);
  const supervisor = await signedInPage(browser, SUPERVISOR);

  // The agent goes Away by hand; the supervisor's agents panel says so.
  await expect(agent.getByTestId('presence-select')).toHaveAttribute('data-presence', 'online');
  await agent.getByTestId('presence-select').click();
  await agent.getByRole('option', { name: 'Away' }).click();
  await expect(agent.getByTestId('presence-select')).toHaveAttribute('data-presence', 'away');
  await supervisor.getByTestId('nav-supervisor').click();
  const alexRow = supervisor.getByTestId('agent-row').filter({ hasText: AGENT.name });
  await expect(alexRow.getByTestId('presence')).toHaveAttribute('data-presence', 'away');
  await expect(alexRow).toContainText('Away');

  // Both open the same thread: each sees the other there.
  await supervisor.getByTestId('nav-inbox').click();
  await agent.getByTestId('conversation-item').filter({ hasText: 'Iris Park' }).click();
  await supervisor.getByTestId('conversation-item').filter({ hasText: 'Iris Park' }).click();
  await expect(supervisor.getByTestId('thread-viewers')).toHaveText(`${AGENT.name} is also viewing`);
  await expect(agent.getByTestId('thread-viewers')).toHaveText(`${SUPERVISOR.name} is also viewing`);
});

test('a reply is held when the customer wrote after the agent began it, until the agent reviews', async ({ page }) => {
  await customerWrites(server.url, { from: '447700900231', name: 'Noah Fischer', id: 'wamid.SUP31', text: 'Hi' });
  await signIn(page, server.url);
  await page.getByTestId('conversation-item').filter({ hasText: 'Noah Fischer' }).click();
  const input = page.getByTestId('composer-input');
  await input.fill('Hello Noah, how can I help?');

  await customerWrites(server.url, {
    from: '447700900231',
    name: 'Noah Fischer',
    id: 'wamid.SUP32',
    text: 'Never mind, I found it',
  });
  await expect(page.getByTestId('message').filter({ hasText: 'Never mind, I found it' })).toBeVisible();
  await input.press('Enter');
  await expect(page.getByTestId('new-messages-hold')).toContainText('New messages arrived — review before sending.');
  // Nothing went out.
  await expect(page.getByTestId('message').filter({ hasText: 'Hello Noah' })).toHaveCount(0);
  await expect(input).toHaveValue('Hello Noah, how can I help?');

  await page.getByTestId('hold-review').click();
  await expect(page.getByTestId('new-messages-hold')).toHaveCount(0);
  await input.fill('Glad you found it!');
  await input.press('Enter');
  await expect(page.getByTestId('message').filter({ hasText: 'Glad you found it!' })).toBeVisible();
  await expect(page.getByTestId('new-messages-hold')).toHaveCount(0);
});
