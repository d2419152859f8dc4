import { expect, test, type Page } from '@playwright/test';
import { AGENT, TEST_ACCOUNTS, postWebhook, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

let server: TestServer;

// Seeding hundreds of messages through signed webhooks takes a while on a shared machine.
test.setTimeout(150_000);

test.beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
});

const CUSTOMER = { name: 'Harriet Long', waId: '447700900777' };
const DAY = 24 * 60 * 60;

type Inbound = { id: string; text: string; at: number; quotes?: string };

/** Signed WhatsApp webhooks from one customer, a batch of messages in each, as Meta sends them. */
async function customerSends(messages: Inbound[], customer = CUSTOMER): Promise<void> {
  for (let start = 0; start < messages.length; start += 50) {
    const batch = messages.slice(start, start + 50);
    const response = await postWebhook(server.url, 'whatsapp', {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA_ID',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000000', phone_number_id: TEST_ACCOUNTS.whatsapp },
                contacts: [{ profile: { name: customer.name }, wa_id: customer.waId }],
                messages: batch.map((message) => ({
                  from: customer.waId,
                  id: message.id,
                  timestamp: String(message.at),
                  type: 'text',
                  text: { body: message.text },
                  ...(message.quotes === undefined ? {} : { context: { from: customer.waId, id: message.quotes } }),
                })),
              },
            },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
  }
}

/** When the long thread's first day begins: two days ago, early enough that the day stays the same. */
function longThreadStart(): number {
  const now = new Date();
  return Math.floor(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 2, 6, 0).getTime() / 1000);
}

/** 300 messages over the last three days, a minute apart; the last one quotes the fifth. */
function longThread(): Inbound[] {
  const now = Math.floor(Date.now() / 1000);
  const start = longThreadStart();
  return Array.from({ length: 300 }, (_, index) => {
    const n = index + 1;
    // Over three calendar days: the first 100 two days ago, then yesterday, the last four today.
    const at = n <= 100 ? start + n * 60 : n <= 296 ? start + DAY + n * 60 : now - (300 - n) * 10 - 5;
    return {
      id: `wamid.LONG${String(n).padStart(4, '0')}`,
      text: `Message number ${n}`,
      at,
      ...(n === 300 ? { quotes: 'wamid.LONG0005' } : {}),
    };
  });
}

function message(page: Page, n: number): ReturnType<Page['getByTestId']> {
  return page
    .getByTestId('message')
    .filter({ has: page.getByTestId('message-text').filter({ hasText: new RegExp(`^Message number ${n}$`) }) });
}

async function openConversation(page: Page, name: string): Promise<void> {
  await page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await expect(page.getByTestId('thread-title')).toHaveText(name);
}

test('a long thread opens at its end, keeps few rows in the page, and loads older history without moving', async ({
  page,
}) => {
  await customerSends(longThread());
  // The app's requests for older history wait here while `holding`, so the older page comes
  // only once the watch below has started, however fast the server answers.
  let holding = false;
  const held: string[] = [];
  let toServer: ((frame: string) => void) | undefined;
  await page.routeWebSocket(/\/socket\.io\//, (socket) => {
    const upstream = socket.connectToServer();
    toServer = (frame) => upstream.send(frame);
    socket.onMessage((frame) => {
      if (holding && typeof frame === 'string' && frame.includes('"history:fetch"')) held.push(frame);
      else upstream.send(frame);
    });
  });
  // Signing in after the messages: the first sync brings only the newest ones of the conversation.
  await signIn(page, server.url);
  await openConversation(page, CUSTOMER.name);

  await expect(message(page, 300)).toBeInViewport();
  await expect(page.getByRole('log', { name: `Messages with ${CUSTOMER.name}` })).toBeVisible();
  const rendered = await page.getByTestId('message').count();
  expect(rendered).toBeGreaterThan(3);
  expect(rendered).toBeLessThan(60);
  await expect(page.getByTestId('day-separator').filter({ hasText: 'Today' })).toHaveCount(1);

  // Scroll up to the oldest cached message, then watch the message in the middle of the view
  // frame by frame while the server's older page is added above it: it must not move.
  const log = page.getByTestId('message-log');
  holding = true;
  const start = await log.evaluate(async (element) => {
    const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const numberOf = (row: Element): number =>
      Number(/(\d+)$/.exec(row.querySelector('[data-testid="message-text"]')?.textContent ?? '')?.[1] ?? NaN);
    const rows = (): Element[] => Array.from(element.querySelectorAll('[data-testid="message"]'));
    const view = element.getBoundingClientRect();
    // Until the first cached message is in the view itself, not only rendered above it.
    const firstShown = (): boolean =>
      rows().some((row) => numberOf(row) === 251 && row.getBoundingClientRect().top >= view.top - 1);
    for (let step = 0; step < 300 && !firstShown(); step += 1) {
      element.scrollBy({ top: -150 });
      await frame();
    }
    const middle = rows().find((row) => {
      const box = row.getBoundingClientRect();
      return box.top > view.top + 40 && box.bottom < view.bottom - 40;
    });
    return { id: middle?.getAttribute('data-message-id') ?? '' };
  });
  // The app asked for the older page once its first row came near the view.
  await expect.poll(() => held.length).toBeGreaterThan(0);
  expect(start.id).not.toBe('');
  const watching = log.evaluate(async (element, id) => {
    const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const numberOf = (row: Element): number =>
      Number(/(\d+)$/.exec(row.querySelector('[data-testid="message-text"]')?.textContent ?? '')?.[1] ?? NaN);
    const oldest = (): number =>
      Math.min(...Array.from(element.querySelectorAll('[data-testid="message"]')).map(numberOf));
    const before = oldest();
    const top = (): number => element.querySelector(`[data-message-id="${id}"]`)?.getBoundingClientRect().top ?? NaN;
    const samples: number[] = [];
    for (let step = 0; step < 1500 && oldest() >= before; step += 1) {
      samples.push(top());
      // A few frames watched: the held request may go.
      if (step === 5) document.body.dataset['watching'] = 'yes';
      await frame();
    }
    for (let step = 0; step < 20; step += 1) {
      samples.push(top());
      await frame();
    }
    return { before, after: oldest(), samples };
  }, start.id);
  // The server has the request only once the watch has begun.
  await page.waitForFunction(() => document.body.dataset['watching'] === 'yes');
  holding = false;
  for (const frame of held.splice(0)) toServer?.(frame);
  const watched = await watching;
  // The older page did come during the watch…
  expect(watched.before).toBe(251);
  expect(watched.after).toBeLessThan(251);
  // …and the watched message stayed where it was, on every frame.
  expect(watched.samples.length).toBeGreaterThan(2);
  expect(Math.max(...watched.samples) - Math.min(...watched.samples)).toBeLessThan(3);

  // The page still holds only the rows near the view.
  expect(await page.getByTestId('message').count()).toBeLessThan(80);
});

test('a quote jumps to its original, fetching older history to reach it, and lights it up', async ({ page }) => {
  await customerSends(longThread());
  await signIn(page, server.url);
  await openConversation(page, CUSTOMER.name);

  const last = message(page, 300);
  await expect(last).toBeInViewport();
  const quote = last.getByTestId('quoted-message');
  await expect(quote).toBeVisible();
  await quote.click();

  const original = message(page, 5);
  await expect(original).toBeInViewport({ timeout: 20_000 });
  await expect(original).toHaveAttribute('data-highlighted', 'true');
  // The first message's day is named by its date, in the agent's language.
  const firstDay = new Intl.DateTimeFormat('en', { weekday: 'long', day: 'numeric', month: 'long' }).format(
    new Date((longThreadStart() + 60) * 1000),
  );
  await expect(page.getByTestId('day-separator').filter({ hasText: firstDay })).toHaveCount(1);
  // Its preview now shows in the quote, read from the cache.
  await page.getByTestId('message-log').evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
  await expect(last.getByTestId('quoted-message')).toContainText('Message number 5');
});

test('a customer’s markup shows as text, in the thread, the name and the quote', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await signIn(page, server.url);
  const now = Math.floor(Date.now() / 1000);
  const evil = { name: '<img src=x onerror=alert(1)>', waId: '447700900666' };
  await customerSends(
    [
      { id: 'wamid.X1', text: '<script>alert(1)</script>', at: now - 30 },
      { id: 'wamid.X2', text: '<img src=x onerror=alert(1)>', at: now - 20 },
      { id: 'wamid.X3', text: 'see javascript:alert(1) and https://example.com/a', at: now - 10, quotes: 'wamid.X1' },
    ],
    evil,
  );
  await openConversation(page, evil.name);
  const texts = page.getByTestId('message-text');
  await expect(texts.filter({ hasText: '<script>alert(1)</script>' })).toHaveCount(1);
  await expect(texts.filter({ hasText: '<img src=x onerror=alert(1)>' })).toHaveCount(1);
  await expect(page.getByTestId('quoted-message')).toContainText('<script>alert(1)</script>');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('script', { hasText: 'alert(1)' })).toHaveCount(0);
  // Only the plain https address is a link.
  const links = page.getByTestId('message-log').getByRole('link');
  await expect(links).toHaveCount(1);
  await expect(links).toHaveAttribute('href', 'https://example.com/a');
  expect(dialogs).toEqual([]);
});

test('a reply growing by a line keeps the thread at its very end', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const start = Math.floor(Date.now() / 1000) - 3600;
  await customerSends(
    Array.from({ length: 12 }, (_, index) => ({
      id: `wamid.END${index}`,
      text: `Message number ${index + 1}`,
      at: start + index * 60,
    })),
  );
  await signIn(page, server.url);
  await page.getByTestId('conversation-item').filter({ hasText: CUSTOMER.name }).click();
  await expect(page.getByTestId('thread-title')).toHaveText(CUSTOMER.name);
  const log = page.getByTestId('message-log');
  const below = (): Promise<number> =>
    log.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight);
  const height = (): Promise<number> => log.evaluate((element) => element.clientHeight);
  // The composer comes a moment after the messages, and the view keeps its end.
  await expect(page.getByTestId('composer-input')).toBeVisible();
  await expect.poll(below).toBeLessThanOrEqual(1);

  // A second line in the composer makes the view a line shorter: less than the distance
  // that still counts as "at the end", yet enough to cut the last message.
  const tall = await height();
  await page.getByTestId('composer-input').fill('One line of the reply\nand a second one');
  await expect.poll(height).toBeLessThan(tall);
  expect(tall - (await height())).toBeLessThanOrEqual(48);
  await expect.poll(below).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('message-text').filter({ hasText: 'Message number 12' })).toBeInViewport({ ratio: 1 });
});

test("after a reload, the conversations at the top of the list open in the click's frame", async ({ page }) => {
  const names = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra'];
  const now = Math.floor(Date.now() / 1000);
  // One message each, a minute apart: the last to write is the top row, the first the last.
  for (const [index, name] of names.entries()) {
    await customerSends([{ id: `wamid.TOP${index}`, text: `Hello from ${name}`, at: now - (10 - index) * 60 }], {
      name,
      waId: `44770090080${index}`,
    });
  }
  await signIn(page, server.url);
  await expect(page.getByTestId('conversation-item')).toHaveCount(names.length);
  // A new page: nothing opened or pointed at is in its memory.
  await page.mouse.move(900, 500);
  await page.reload();
  await expect(page.getByTestId('conversation-item')).toHaveCount(names.length);
  // The thread's code is loaded (it shows what to do with no conversation chosen)…
  await expect(page.getByText('Pick a conversation to read it.')).toBeVisible();
  // …and the top rows are read ahead once the page is idle, within a second of the rows showing.
  await page.waitForFunction(() => performance.getEntriesByName('parley:list:read-ahead').length > 0);

  /** Clicks a row, and tells whether its message is in the page before anything else could be read. */
  const inClickFrame = (name: string): Promise<boolean> =>
    page.evaluate(async (chosen) => {
      const row = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="conversation-item"]')).find(
        (item) => item.querySelector('[data-testid="conversation-name"]')?.textContent === chosen,
      );
      if (row === undefined) throw new Error(`no row for ${chosen}`);
      row.click();
      // React renders a click's change in a microtask; a read from IndexedDB takes longer.
      await Promise.resolve();
      await Promise.resolve();
      return Array.from(document.querySelectorAll('[data-testid="message-text"]')).some(
        (text) => text.textContent === `Hello from ${chosen}`,
      );
    }, name);
  expect(await inClickFrame('Edsger Dijkstra')).toBe(true);
  // The last row was not read ahead: its message comes once read.
  expect(await inClickFrame('Ada Lovelace')).toBe(false);
  await expect(page.getByTestId('message-text').filter({ hasText: 'Hello from Ada Lovelace' })).toBeVisible();
});
