import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * Several people signed in at once, each in their own browser context: what one may do,
 * what the server refuses and how the app says so, and who gets which conversation.
 */

const PASSWORD = 'correct horse battery';
const ANA = { email: 'ana@example.com', name: 'Ana Lima', password: PASSWORD };
const BEN = { email: 'ben@example.com', name: 'Ben Okafor', password: PASSWORD };
const ADA = { email: 'ada@example.com', name: 'Ada Admin', password: PASSWORD };

let server: TestServer;
const ids: Record<string, string> = {};

test.beforeEach(async () => {
  server = await startTestServer();
  for (const [person, role] of [
    [ANA, 'agent'],
    [BEN, 'agent'],
    [ADA, 'admin'],
  ] as const) {
    ids[person.email] = (await server.agents.createAgent({ ...person, role })).id;
  }
});

/** The other people's browsers a test opened: closed after it, so none keeps running into the next test. */
const contexts: BrowserContext[] = [];

test.afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
  await server.cleanup();
});

async function signedIn(browser: Browser, person: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, server.url, person);
  return page;
}

/** A REST call as a person, with their own session (not through any page). */
async function api(
  person: { email: string; password: string },
  method: string,
  route: string,
  body?: unknown,
): Promise<Response> {
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: person.email, password: person.password }),
  });
  const { token } = (await login.json()) as { token: string };
  return fetch(`${server.url}/api/v1${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      'idempotency-key': `e2e-${Math.random().toString(36).slice(2, 12)}`,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The customer's conversation on the server; its assignee is undefined until it exists. */
async function conversationOf(name: string): Promise<{ id: string; assignee_id: string | null | undefined }> {
  const row = await server.store.db
    .selectFrom('conversations')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select(['conversations.id', 'conversations.assignee_id'])
    .where('contacts.name', '=', name)
    .executeTakeFirst();
  return row ?? { id: '', assignee_id: undefined };
}

test('an agent acting on a colleague’s conversation is refused, and the app says whose it is', async ({ browser }) => {
  await customerWrites(server.url, { from: '447700900201', name: 'Grace Hopper', id: 'wamid.ROLE1', text: 'Hello?' });
  const conversation = await conversationOf('Grace Hopper');
  const assigned = await api(ADA, 'POST', `/conversations/${conversation.id}/assign`, { assigneeId: ids[ANA.email] });
  expect(assigned.status).toBe(200);

  const ben = await signedIn(browser, BEN);
  await ben.getByTestId('conversation-item').filter({ hasText: 'Grace Hopper' }).click();
  await ben.getByTestId('composer-input').fill('I can help with that.');
  await ben.getByTestId('composer-input').press('Enter');
  // The reply's own notice: on a busy machine another change to the conversation may be
  // refused beside it, in the same words.
  const refused = ben.getByTestId('outbox-failure').filter({ hasText: 'I can help with that.' });
  await expect(refused).toBeVisible();
  await expect(refused).toContainText('This conversation is Ana Lima’s. Ask them or a supervisor to hand it over.');
  // Nothing reached the customer, and the conversation is still Ana's.
  const outbound = await server.store.db
    .selectFrom('messages')
    .select('id')
    .where('conversation_id', '=', conversation.id)
    .where('direction', '=', 'outbound')
    .where('kind', '<>', 'activity')
    .execute();
  expect(outbound).toEqual([]);
  expect((await conversationOf('Grace Hopper')).assignee_id).toBe(ids[ANA.email]);
  await ben.screenshot({ path: 'test-results/roles-refused.png' });
});

test('two agents take the same conversation at once: one has it, the other reads who did', async ({ browser }) => {
  await customerWrites(server.url, { from: '447700900202', name: 'Alan Turing', id: 'wamid.ROLE2', text: 'Hi there' });
  const [ana, ben] = await Promise.all([signedIn(browser, ANA), signedIn(browser, BEN)]);
  for (const page of [ana, ben]) {
    await page.getByTestId('conversation-item').filter({ hasText: 'Alan Turing' }).click();
    await page.getByTestId('assignee-button').click();
  }
  await Promise.all([ana, ben].map((page) => page.getByRole('menuitem', { name: 'Assign to me' }).click()));

  await expect.poll(async () => (await conversationOf('Alan Turing')).assignee_id ?? null).not.toBeNull();
  const winner = (await conversationOf('Alan Turing')).assignee_id;
  const [winnerPage, loserPage, winnerName] = winner === ids[ANA.email] ? [ana, ben, ANA.name] : [ben, ana, BEN.name];
  await expect(winnerPage.getByTestId('assignee-button')).toHaveText('Assigned to you');
  await expect(loserPage.getByText(`${winnerName} took this conversation just before you.`)).toBeVisible();
  await expect(loserPage.getByTestId('assignee-button')).toContainText(winnerName);
});

test('auto-assignment gives each new chat to the least busy Online agent with room, and skips the Away', async ({
  browser,
}) => {
  const team = (await server.store.db.selectFrom('teams').select('id').executeTakeFirstOrThrow()).id;
  expect((await api(ADA, 'PATCH', `/teams/${team}`, { autoAssign: true })).status).toBe(200);
  for (const person of [ANA, BEN]) {
    expect((await api(ADA, 'PATCH', `/users/${ids[person.email]}`, { capacity: 2 })).status).toBe(200);
  }
  // Ada is an admin in the team too: she takes no chats while she is not signed in.
  const [ana, ben] = await Promise.all([signedIn(browser, ANA), signedIn(browser, BEN)]);
  await expect
    .poll(async () =>
      (
        await server.store.db
          .selectFrom('agents')
          .select('presence')
          .where('email', 'in', [ANA.email, BEN.email])
          .execute()
      ).map((row) => row.presence),
    )
    .toEqual(['online', 'online']);

  await customerWrites(server.url, { from: '447700900301', name: 'Chat One', id: 'wamid.AUTO1', text: 'one' });
  await expect.poll(async () => (await conversationOf('Chat One')).assignee_id ?? null).not.toBeNull();
  await customerWrites(server.url, { from: '447700900302', name: 'Chat Two', id: 'wamid.AUTO2', text: 'two' });
  await expect.poll(async () => (await conversationOf('Chat Two')).assignee_id ?? null).not.toBeNull();
  // One each: the fewest open conversations wins.
  expect(
    new Set([(await conversationOf('Chat One')).assignee_id, (await conversationOf('Chat Two')).assignee_id]),
  ).toEqual(new Set([ids[ANA.email], ids[BEN.email]]));

  // Ben steps away: the next chat goes to Ana, and the one after waits in the queue (Ana is full).
  expect((await api(BEN, 'PUT', '/me/presence', { presence: 'away' })).status).toBe(200);
  await customerWrites(server.url, { from: '447700900303', name: 'Chat Three', id: 'wamid.AUTO3', text: 'three' });
  await expect.poll(async () => (await conversationOf('Chat Three')).assignee_id).toBe(ids[ANA.email]);
  await customerWrites(server.url, { from: '447700900304', name: 'Chat Four', id: 'wamid.AUTO4', text: 'four' });
  await expect.poll(async () => (await conversationOf('Chat Four')).assignee_id).toBeNull();
  // Not merely not yet: it stays in the queue while nobody has room.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect((await conversationOf('Chat Four')).assignee_id).toBeNull();

  // Ana sees the chat she was given as hers.
  await ana.getByTestId('conversation-item').filter({ hasText: 'Chat Three' }).click();
  await expect(ana.getByTestId('assignee-button')).toHaveText('Assigned to you');
  // Ben comes back: the waiting chat is offered to him.
  expect((await api(BEN, 'PUT', '/me/presence', { presence: 'online' })).status).toBe(200);
  await expect.poll(async () => (await conversationOf('Chat Four')).assignee_id).toBe(ids[BEN.email]);
  await ben.getByTestId('conversation-item').filter({ hasText: 'Chat Four' }).click();
  await expect(ben.getByTestId('assignee-button')).toHaveText('Assigned to you');
});

test('a deactivated agent is signed out, and the device no longer holds the team’s conversations', async ({
  browser,
}) => {
  await customerWrites(server.url, { from: '447700900401', name: 'Marie Curie', id: 'wamid.ROLE4', text: 'Bonjour' });
  const ben = await signedIn(browser, BEN);
  await expect(ben.getByTestId('conversation-item').filter({ hasText: 'Marie Curie' })).toBeVisible();

  const deactivated = await api(ADA, 'PATCH', `/users/${ids[BEN.email]}`, { active: false });
  expect(deactivated.status).toBe(200);
  await expect(ben.getByLabel('Email')).toBeVisible({ timeout: 5_000 });
  await expect(ben.getByText('Your account has been deactivated. Ask an admin to reactivate it.')).toBeVisible();
  const cached = await ben.evaluate(async () => {
    const names = (await indexedDB.databases()).map((info) => info.name ?? '');
    return names.filter((name) => name.startsWith('parley:'));
  });
  expect(cached).toEqual([]);
});
