import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { LiveBatchSchema, type Change, type PullPage } from '@parley/protocol';
import {
  IG_ACCOUNT_ID,
  PAGE_ID,
  batchHasMessage,
  connectReady,
  connectSocket,
  deliver,
  messagingText,
  pullChanges,
  recordBatches,
  signIn,
  startTestServer,
  whatsappText,
  type ClientSocket,
  type TestServer,
} from './helpers.js';
import { createTeam, setTeamMembers } from '../src/modules/teams/index.js';

const T0 = 1_749_416_383;

let server: TestServer;
let token: string;

beforeEach(async () => {
  server = await startTestServer();
  ({ token } = await signIn(server));
});

afterEach(async () => {
  await server.cleanup();
});

async function pull(socket: ClientSocket, cursor: number, limit: number): Promise<PullPage> {
  const reply = await pullChanges(socket, { cursor, limit });
  if (!reply.ok) throw new Error(`pull refused: ${reply.code} ${reply.reason ?? ''}`);
  const { ok: _ok, ...page } = reply;
  return page;
}

/** Stores 7 messages from 4 customers over the three channels, in 5 webhooks. */
async function storeMessages(): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const id = `wamid.SYNC${i}`;
    ids.push(id);
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '16505551234', name: 'Sheena', id, text: `wa ${i}`, timestampSeconds: T0 + i }),
    );
  }
  await deliver(
    server,
    'whatsapp',
    whatsappText({ from: '16505550002', name: 'Bo', id: 'wamid.SYNC_BO', text: 'bo', timestampSeconds: T0 + 5 }),
  );
  ids.push('wamid.SYNC_BO');
  for (const [channel, object, accountId] of [
    ['messenger', 'page', PAGE_ID],
    ['instagram', 'instagram', IG_ACCOUNT_ID],
  ] as const) {
    for (let i = 0; i < (channel === 'messenger' ? 2 : 1); i += 1) {
      const mid = `m_${channel}_${i}`;
      ids.push(mid);
      await deliver(
        server,
        channel,
        messagingText({ object, accountId, senderId: '1254459154682919', mid, text: mid, timestampMs: T0 * 1000 + i }),
      );
    }
  }
  return ids;
}

describe('sync:pull paging', () => {
  test('small pages from cursor 0 return every change once, in seq order, ending at head', async () => {
    const externalIds = await storeMessages();
    const { socket } = await connectReady(server, token);
    const head = await server.store.head();

    const seen: Change[] = [];
    const pages: PullPage[] = [];
    let cursor = 0;
    for (let guard = 0; guard < 100; guard += 1) {
      const page = await pull(socket, cursor, 3);
      pages.push(page);
      expect(page.changes.length).toBeLessThanOrEqual(3);
      expect(page.head).toBe(head);
      if (page.changes.length > 0) expect(page.cursor).toBe(page.changes.at(-1)?.data.seq);
      seen.push(...page.changes);
      cursor = page.cursor;
      if (!page.hasMore) break;
      expect(page.changes).toHaveLength(3);
    }
    expect(pages.at(-1)?.hasMore).toBe(false);
    expect(pages.slice(0, -1).every((page) => page.hasMore)).toBe(true);
    expect(cursor).toBe(head);

    // Ascending and each entity once.
    const seqs = seen.map((change) => change.data.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const keys = seen.map((change) => `${change.entity}:${change.data.id}`);
    expect(new Set(keys).size).toBe(keys.length);

    // Every row the store holds, at its current seq.
    const db = server.store.db;
    const rows = [
      ...(await db.selectFrom('agents').select(['id', 'seq']).execute()).map((r) => ({ ...r, entity: 'agent' })),
      ...(await db.selectFrom('channel_accounts').select(['id', 'seq']).execute()).map((r) => ({
        ...r,
        entity: 'channelAccount',
      })),
      ...(await db.selectFrom('contacts').select(['id', 'seq']).execute()).map((r) => ({ ...r, entity: 'contact' })),
      ...(await db.selectFrom('conversations').select(['id', 'seq']).execute()).map((r) => ({
        ...r,
        entity: 'conversation',
      })),
      ...(await db.selectFrom('messages').select(['id', 'seq']).execute()).map((r) => ({ ...r, entity: 'message' })),
      ...(await db.selectFrom('teams').select(['id', 'seq']).execute()).map((r) => ({ ...r, entity: 'team' })),
    ];
    expect(new Map(seen.map((change) => [`${change.entity}:${change.data.id}`, change.data.seq]))).toEqual(
      new Map(rows.map((row) => [`${row.entity}:${row.id}`, Number(row.seq)])),
    );
    const pulledExternalIds = seen.flatMap((change) => (change.entity === 'message' ? [change.data.externalId] : []));
    expect(pulledExternalIds.sort()).toEqual([...externalIds].sort());
    expect(pages.length).toBe(Math.ceil(seen.length / 3));

    // Nothing more from the final cursor.
    const after = await pull(socket, cursor, 3);
    expect(after).toEqual({ changes: [], cursor: head, hasMore: false, head });
  });

  test('a page size that divides the changes exactly ends with hasMore false, not an empty page', async () => {
    await storeMessages();
    const { socket } = await connectReady(server, token);
    const all = await pull(socket, 0, 1000);
    expect(all.hasMore).toBe(false);
    const total = all.changes.length;
    const exact = await pull(socket, 0, total);
    expect(exact.hasMore).toBe(false);
    expect(exact.cursor).toBe(exact.head);
    const minusOne = await pull(socket, 0, total - 1);
    expect(minusOne.hasMore).toBe(true);
    const rest = await pull(socket, minusOne.cursor, total);
    expect(rest.changes).toHaveLength(1);
    expect(rest.hasMore).toBe(false);
  });

  test('pages are right when the remaining changes all sit in one table', async () => {
    // Four more agents: after the default team (which each channel account joined), the
    // last five changes are all agent rows.
    for (const name of ['Bea', 'Cal', 'Dee', 'Eli']) {
      await server.agents.createAgent({ email: `${name}@example.com`, name, role: 'agent', password: 'pw' });
    }
    const { socket } = await connectReady(server, token);
    const head = await server.store.head();
    // The test server's channel accounts come first; the agents are everything after them.
    const accounts = await server.store.db.selectFrom('channel_accounts').select('seq').execute();
    const afterAccounts = Math.max(...accounts.map((row) => Number(row.seq)));
    expect(accounts).toHaveLength(3);
    const fromStart = await pull(socket, 0, 3);
    expect(fromStart.changes.map((change) => change.entity)).toEqual([
      'channelAccount',
      'channelAccount',
      'channelAccount',
    ]);
    expect(fromStart).toMatchObject({ cursor: afterAccounts, hasMore: true });
    const first = await pull(socket, fromStart.cursor, 3);
    expect(first.changes.map((change) => change.entity)).toEqual(['team', 'agent', 'agent']);
    expect(first.hasMore).toBe(true);
    const second = await pull(socket, first.cursor, 3);
    expect(second.changes.map((change) => change.entity)).toEqual(['agent', 'agent', 'agent']);
    expect(second.hasMore).toBe(false);
    expect(second.cursor).toBe(head);
  });

  test('pulling from the middle returns only what came after', async () => {
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '16505551234', name: 'Sheena', id: 'wamid.BEFORE', text: 'one', timestampSeconds: T0 }),
    );
    const middle = await server.store.head();
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '16505551234', name: 'Sheena', id: 'wamid.AFTER', text: 'two', timestampSeconds: T0 + 1 }),
    );
    const { socket } = await connectReady(server, token);
    const page = await pull(socket, middle, 100);
    expect(page.changes.every((change) => change.data.seq > middle)).toBe(true);
    const messages = page.changes.flatMap((change) => (change.entity === 'message' ? [change.data.externalId] : []));
    expect(messages).toEqual(['wamid.AFTER']);
    // The conversation changed too: its preview is now the second message.
    const conversation = page.changes.find((change) => change.entity === 'conversation');
    expect(conversation?.entity === 'conversation' && conversation.data.preview?.text).toBe('two');
  });

  test('an agent read again by a pull is the agent as it is now: its presence and its teams', async () => {
    const { socket } = await connectReady(server, token);
    const colleague = await server.agents.createAgent({
      email: 'colleague@example.com',
      name: 'Cole',
      role: 'agent',
      password: 'colleague password 123',
    });
    const agentIn = (page: PullPage) =>
      page.changes.flatMap((change) =>
        change.entity === 'agent' && change.data.id === colleague.id ? [change.data] : [],
      );
    const first = agentIn(await pull(socket, 0, 1000));
    expect(first).toHaveLength(1);
    // The same agent at the same seq: the second read may come from memory, and is equal.
    expect(agentIn(await pull(socket, 0, 1000))).toEqual(first);
    const team = await createTeam(server.store, { name: 'Night shift' });
    if (!('id' in team)) throw new Error('team refused');
    await setTeamMembers(server.store, team.id, [colleague.id]);
    await server.store.write(async (trx, changes) => {
      await trx
        .updateTable('agents')
        .set({ presence: 'away', seq: await changes.nextSeq('agent', colleague.id) })
        .where('id', '=', colleague.id)
        .execute();
    });
    const [now] = agentIn(await pull(socket, 0, 1000));
    expect(now?.presence).toBe('away');
    expect(now?.teamIds).toContain(team.id);
    expect(now?.seq).toBeGreaterThan(first[0]?.seq ?? Infinity);
  });
});

describe('live batches (sync:changes)', () => {
  test('a hello’d client gets each write as a batch whose `after` is the previous head', async () => {
    const { head, batches } = await connectReady(server, token);

    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '16505551234', name: 'Sheena', id: 'wamid.LIVE1', text: 'first', timestampSeconds: T0 }),
    );
    const first = LiveBatchSchema.parse(await batches.waitFor(batchHasMessage('wamid.LIVE1'), 'wamid.LIVE1'));
    expect(first.after).toBe(head);
    const firstHead = await server.store.head();
    expect(Math.max(...first.changes.map((change) => change.data.seq))).toBe(firstHead);
    expect(first.changes.map((change) => change.entity).sort()).toEqual(['contact', 'conversation', 'message']);
    const message = first.changes.find((change) => change.entity === 'message');
    expect(message?.entity === 'message' && message.data).toMatchObject({
      direction: 'inbound',
      kind: 'text',
      text: 'first',
      externalId: 'wamid.LIVE1',
      createdAt: T0 * 1000,
    });

    await deliver(
      server,
      'messenger',
      messagingText({
        object: 'page',
        accountId: PAGE_ID,
        senderId: '1254459154682919',
        mid: 'm_LIVE2',
        text: 'second',
        timestampMs: T0 * 1000 + 1,
      }),
    );
    const second = LiveBatchSchema.parse(await batches.waitFor(batchHasMessage('m_LIVE2'), 'm_LIVE2'));
    expect(second.after).toBe(firstHead);
    expect(batches.all).toHaveLength(2);

    // A client that applied both batches is exactly at head: pulling from there gives nothing.
    const secondHead = Math.max(...second.changes.map((change) => change.data.seq));
    expect(secondHead).toBe(await server.store.head());
  });

  test('a batch carries the updated conversation, not only the new message', async () => {
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '16505551234', name: 'Sheena', id: 'wamid.OLD', text: 'old', timestampSeconds: T0 }),
    );
    const { head, batches } = await connectReady(server, token);
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '16505551234', name: 'Sheena', id: 'wamid.NEW', text: 'new', timestampSeconds: T0 + 9 }),
    );
    const batch = LiveBatchSchema.parse(await batches.waitFor(batchHasMessage('wamid.NEW'), 'wamid.NEW'));
    expect(batch.after).toBe(head);
    const conversation = batch.changes.find((change) => change.entity === 'conversation');
    expect(conversation?.entity === 'conversation' && conversation.data).toMatchObject({
      preview: { text: 'new' },
      lastMessageAt: (T0 + 9) * 1000,
      unreadCount: 2,
    });
    // The contact did not change, so it is not resent.
    expect(batch.changes.some((change) => change.entity === 'contact')).toBe(false);
  });

  test('concurrent webhooks arrive as a gap-free chain of batches, in seq order', async () => {
    const { head, batches } = await connectReady(server, token);
    const ids = Array.from({ length: 12 }, (_, i) => `wamid.CONCURRENT${i}`);
    await Promise.all(
      ids.map((id, i) =>
        deliver(
          server,
          'whatsapp',
          whatsappText({
            from: `1650555${String(1000 + (i % 4))}`,
            name: `C${i % 4}`,
            id,
            text: id,
            timestampSeconds: T0 + i,
          }),
        ),
      ),
    );
    for (const id of ids) await batches.waitFor(batchHasMessage(id), id);
    // Webhooks that arrive together may be stored in one transaction (group commit), and so
    // come in one batch: each message once, in as many batches as there were transactions.
    const delivered = batches.all.flatMap((batch) =>
      batch.changes.flatMap((change) => (change.entity === 'message' ? [change.data.externalId] : [])),
    );
    expect(delivered.filter((id) => ids.includes(id ?? '')).sort()).toEqual([...ids].sort());
    expect(batches.all.length).toBeLessThanOrEqual(ids.length);
    let cursor = head;
    for (const batch of batches.all) {
      // Applied in arrival order, each batch starts where the previous one ended.
      expect(batch.after).toBe(cursor);
      cursor = Math.max(...batch.changes.map((change) => change.data.seq));
    }
    expect(cursor).toBe(await server.store.head());
  });

  test('a socket that has not said hello gets no live batches', async () => {
    const ready = await connectReady(server, token);
    const silent = await connectSocket(server, { token });
    const silentBatches = recordBatches(silent);
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '16505551234', name: 'S', id: 'wamid.QUIET', text: 'x', timestampSeconds: T0 }),
    );
    await ready.batches.waitFor(batchHasMessage('wamid.QUIET'), 'wamid.QUIET');
    // A round trip on the silent socket: a batch sent to it would have arrived before this ack.
    const reply = await pullChanges(silent, { cursor: 0 });
    expect(reply.ok).toBe(false);
    expect(silentBatches.all).toEqual([]);
  });

  test('one webhook with several messages is one batch, and every connected agent gets it', async () => {
    const one = await connectReady(server, token);
    const two = await connectReady(server, token);
    await deliver(server, 'whatsapp', {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
                contacts: [{ profile: { name: 'Ada' }, wa_id: '16505550001' }],
                messages: [
                  { from: '16505550001', id: 'wamid.M1', timestamp: String(T0), type: 'text', text: { body: 'a' } },
                  { from: '16505550001', id: 'wamid.M2', timestamp: String(T0 + 1), type: 'text', text: { body: 'b' } },
                ],
              },
            },
          ],
        },
      ],
    });
    for (const client of [one, two]) {
      const batch = await client.batches.waitFor(batchHasMessage('wamid.M2'), 'wamid.M2');
      expect(batchHasMessage('wamid.M1')(batch)).toBe(true);
      expect(batch.after).toBe(client.head);
      expect(client.batches.all).toHaveLength(1);
    }
  });
});
