import { expect, test, type Page } from '@playwright/test';
import { MutationSchema, type Mutation } from '@parley/protocol';
import { loadConfig } from '@parley/server/testing';
import { startFakeGraph, type FakeGraph } from '../fake-graph/server.js';
import { AGENT, customerWrites, TEST_ACCOUNTS, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * Two tabs on one database: what one queues, the other shows at once, and when the server
 * comes back it goes out once. Once on the wire too, not only at Meta: one tab holds the
 * outbox's Web Lock and sends it while the other waits its turn (the server would also
 * answer a repeated client id with its first answer, which would hide a second sender).
 */

let graph: FakeGraph;
let server: TestServer;

test.beforeEach(async () => {
  graph = await startFakeGraph();
  server = await startTestServer({ graph: { baseUrl: graph.url, version: loadConfig({}).graph.version } });
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
});

test.afterEach(async () => {
  await server.cleanup();
  await graph.close();
});

type Tab = 'first' | 'second';
type SentMutation = { tab: Tab; mutation: Mutation };

/** The mutation in a socket.io frame `42["mutate",{…}]` (with an ack id: `421["mutate",…]`), if it is one. */
function mutationIn(payload: string | Buffer): Mutation | null {
  if (typeof payload !== 'string') return null;
  const frame = /^42\d*(\[.*)$/s.exec(payload);
  if (frame?.[1] === undefined) return null;
  const packet: unknown = JSON.parse(frame[1]);
  if (!Array.isArray(packet) || packet[0] !== 'mutate') return null;
  const mutation = MutationSchema.safeParse(packet[1]);
  return mutation.success ? mutation.data : null;
}

/** Records every mutation the tab sends, on every socket it opens (reconnects included). */
function recordMutations(tab: Tab, target: Page, sent: SentMutation[]): void {
  target.on('websocket', (socket) => {
    socket.on('framesent', (frame) => {
      const mutation = mutationIn(frame.payload);
      if (mutation !== null) sent.push({ tab, mutation });
    });
  });
}

/** The mutations in the tab's outbox, read from IndexedDB directly rather than through the app. */
async function outboxRows(target: Page): Promise<Mutation[]> {
  const rows = await target.evaluate(async () => {
    const names = (await indexedDB.databases()).flatMap((info) =>
      info.name?.startsWith('parley:') === true ? [info.name] : [],
    );
    const found: unknown[] = [];
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error(`cannot open ${name}`));
      });
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const request = db.transaction('outbox').objectStore('outbox').getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('cannot read the outbox'));
      });
      db.close();
      found.push(...all.map((row) => (row as { mutation?: unknown }).mutation));
    }
    return found;
  });
  return rows.map((row) => MutationSchema.parse(row));
}

type OutboxLocks = { held: string[]; pending: string[] };

/** Who holds and who waits for the outbox lock, by client (tab) id, as the browser reports it. */
function outboxLocks(target: Page): Promise<OutboxLocks> {
  return target.evaluate(async () => {
    const snapshot = await navigator.locks.query();
    const clients = (locks: LockInfo[] | undefined): string[] =>
      (locks ?? [])
        .filter((lock) => lock.name?.startsWith('parley-outbox:') === true)
        .map((lock) => lock.clientId ?? '');
    return { held: clients(snapshot.held), pending: clients(snapshot.pending) };
  });
}

/**
 * Holds the server's handling of every `mutate` for `clientId` until released, so the
 * first send is still in flight when the other tab is back online and tries to drain.
 */
function holdMutations(io: TestServer['realtime']['io'], clientId: string): { held(): number; release(): void } {
  const waiting: (() => void)[] = [];
  let open = false;
  let held = 0;
  const sockets = io.sockets.sockets;
  const hold = (socket: typeof sockets extends Map<string, infer S> ? S : never): void => {
    socket.use((packet, next) => {
      const mutation = packet[0] === 'mutate' ? MutationSchema.safeParse(packet[1]) : null;
      if (open || mutation?.success !== true || mutation.data.clientId !== clientId) {
        next();
        return;
      }
      held += 1;
      waiting.push(() => next());
    });
  };
  // A tab may have reconnected while the restarted server was still being set up.
  for (const socket of sockets.values()) hold(socket);
  io.on('connection', hold);
  return {
    held: () => held,
    release: () => {
      open = true;
      for (const resume of waiting.splice(0)) resume();
    },
  };
}

async function openThread(page: Page): Promise<void> {
  await page.goto(server.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await page.getByTestId('conversation-item').filter({ hasText: 'Oliver Bennett' }).click();
  await expect(page.getByTestId('message-text')).toHaveText(['Is my order on its way?']);
}

test('two tabs stay consistent, and a reply queued in one goes out once', async ({ page, context }) => {
  const sent: SentMutation[] = [];
  recordMutations('first', page, sent);
  await signIn(page, server.url);
  await customerWrites(server.url, {
    from: '447700900123',
    name: 'Oliver Bennett',
    id: 'wamid.TABS1',
    text: 'Is my order on its way?',
  });
  await openThread(page);
  const second = await context.newPage();
  recordMutations('second', second, sent);
  await openThread(second);

  const { dataDir, url } = server;
  await server.close();
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  await expect(second.getByTestId('offline-banner')).toBeVisible();

  // Queued in the first tab, shown by the second from the shared database.
  await page.getByTestId('composer-input').fill('It left the warehouse this morning.');
  await page.getByTestId('composer-input').press('Enter');
  const inSecond = second.getByTestId('message').filter({ hasText: 'It left the warehouse this morning.' });
  await expect(inSecond.getByTestId('message-status')).toHaveAttribute('data-status', 'queued');
  const queued = (await outboxRows(second)).filter((mutation) => mutation.type === 'message.send');
  expect(queued).toHaveLength(1);
  const clientId = queued[0]?.clientId ?? '';
  expect(await outboxRows(page)).toEqual(await outboxRows(second));

  server = await startTestServer({
    dataDir,
    port: Number(new URL(url).port),
    graph: { baseUrl: graph.url, version: loadConfig({}).graph.version },
  });
  const gate = holdMutations(server.realtime.io, clientId);
  // Both tabs are back and want to drain while the first send is held: with the lock, one
  // holds it and the other waits; without it, the second would send the row again.
  let whileDraining: OutboxLocks = { held: [], pending: [] };
  await expect
    .poll(
      async () => {
        whileDraining = await outboxLocks(page);
        const { held, pending } = whileDraining;
        return gate.held() >= 2 || (gate.held() === 1 && held.length === 1 && pending.length === 1);
      },
      // Under the 15 s a tab waits for an answer, after which it would send again.
      { timeout: 12_000 },
    )
    .toBe(true);
  const heldSends = gate.held();
  gate.release();
  // Both tabs reconnect by themselves; both see it sent, and it went out once.
  await expect(inSecond.getByTestId('message-status')).toHaveAttribute('data-status', /sent|delivered|read/, {
    timeout: 30_000,
  });
  const inFirst = page.getByTestId('message').filter({ hasText: 'It left the warehouse this morning.' });
  await expect(inFirst.getByTestId('message-status')).toHaveAttribute('data-status', /sent|delivered|read/);
  const sends = graph
    .callsTo({ method: 'POST', path: `/${TEST_ACCOUNTS.whatsapp}/messages` })
    .filter((call) => (call.body as { type?: string }).type === 'text');
  expect(sends).toHaveLength(1);
  // The customer's message and the reply, once; the reply also took the conversation.
  await expect(second.getByTestId('message').filter({ hasNot: second.getByTestId('activity-line') })).toHaveCount(2);
  await expect(second.getByTestId('activity-line')).toHaveCount(1);

  // The tab that waited has had its turn and found nothing left to send.
  await expect.poll(() => outboxLocks(second)).toEqual({ held: [], pending: [] });
  expect(sent.filter((entry) => entry.mutation.clientId === clientId)).toHaveLength(1);
  expect(sent.filter((entry) => entry.mutation.type === 'message.send')).toHaveLength(1);
  expect(heldSends).toBe(1);
  // One drainer, the other queued behind it, each a different tab.
  expect(whileDraining.held).toHaveLength(1);
  expect(whileDraining.pending).toHaveLength(1);
  expect(whileDraining.held[0]).not.toBe(whileDraining.pending[0]);
});

test('signing out in one tab deletes the data under the other, which shows the sign-in screen', async ({
  page,
  context,
}) => {
  await signIn(page, server.url);
  const second = await context.newPage();
  await second.goto(server.url);
  await expect(second.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');

  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // The session ended for both tabs, and the data of both went with it.
  await expect(second.getByRole('button', { name: 'Sign in' })).toBeVisible();
  const left = await page.evaluate(async () =>
    (await indexedDB.databases()).flatMap((info) => (info.name?.startsWith('parley:') === true ? [info.name] : [])),
  );
  expect(left).toEqual([]);
});

test('a tab whose database another window upgrades starts again on the new one, and stays live', async ({
  page,
  context,
}) => {
  await signIn(page, server.url);
  const second = await context.newPage();
  await second.goto(server.url);
  await expect(second.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');

  // A newer version of the app, in another window, upgrades the store under both tabs. It
  // runs in a page of the same origin that is not the app, so the tabs reloading onto the
  // new store cannot cut the upgrade short.
  const newer = await context.newPage();
  await newer.goto(`${server.url}/healthz`);
  await newer.evaluate(async () => {
    const info = (await indexedDB.databases()).find((candidate) => candidate.name?.startsWith('parley:') === true);
    if (info?.name === undefined || info.version === undefined) throw new Error('no Parley database');
    const { name, version } = info;
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(name, version + 10);
      request.onupgradeneeded = () => request.result.createObjectStore('addedByANewerVersion');
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error ?? new Error('upgrade failed'));
    });
  });

  await newer.close();

  // Both tabs let go of the old connection, started again, and still receive what arrives.
  await expect(second.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await customerWrites(server.url, {
    from: '447700900555',
    name: 'Nadia Rahman',
    id: 'wamid.TABS-UPGRADE',
    text: 'Hello after the upgrade',
  });
  await expect(second.getByTestId('conversation-item').filter({ hasText: 'Nadia Rahman' })).toBeVisible();
  await expect(page.getByTestId('conversation-item').filter({ hasText: 'Nadia Rahman' })).toBeVisible();
});
