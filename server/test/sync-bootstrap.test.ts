import { HistoryReplySchema, type PullReply } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EVENT_TIMEOUT_MS,
  connectReady,
  deliver,
  pullChanges,
  signIn,
  startTestServer,
  whatsappText,
  type ClientSocket,
  type TestServer,
} from './helpers.js';

let server: TestServer;
let socket: ClientSocket;
const DAY_S = 24 * 60 * 60;
const now = Math.floor(Date.now() / 1000);

beforeEach(async () => {
  server = await startTestServer();
  socket = (await connectReady(server, (await signIn(server)).token)).socket;
});

afterEach(async () => {
  await server.cleanup();
});

async function pullAll(
  bootstrap: { messagesPerConversation: number; closedDays: number } | undefined,
): Promise<PullReply[]> {
  const pages: PullReply[] = [];
  let cursor = 0;
  for (;;) {
    const page = await pullChanges(socket, { cursor, limit: 4, ...(bootstrap === undefined ? {} : { bootstrap }) });
    pages.push(page);
    if (!page.ok) throw new Error(`refused: ${page.code} ${page.reason ?? ''}`);
    cursor = page.cursor;
    if (!page.hasMore) return pages;
  }
}

function messageTexts(pages: PullReply[]): string[] {
  return pages.flatMap((page) =>
    page.ok ? page.changes.flatMap((change) => (change.entity === 'message' ? [change.data.text ?? ''] : [])) : [],
  );
}

describe('bounded bootstrap and older history', () => {
  beforeEach(async () => {
    // Oliver: 8 messages in an open conversation. Camille: resolved 40 days ago. Mariana: resolved yesterday.
    for (let i = 1; i <= 8; i += 1) {
      await deliver(
        server,
        'whatsapp',
        whatsappText({
          from: '447700900123',
          name: 'Oliver',
          id: `wamid.O${i}`,
          text: `oliver ${i}`,
          timestampSeconds: now - 100 + i,
        }),
      );
    }
    await deliver(
      server,
      'whatsapp',
      whatsappText({
        from: '33612345678',
        name: 'Camille',
        id: 'wamid.C1',
        text: 'camille old',
        timestampSeconds: now - 40 * DAY_S,
      }),
    );
    await deliver(
      server,
      'whatsapp',
      whatsappText({
        from: '5511987650001',
        name: 'Mariana',
        id: 'wamid.M1',
        text: 'mariana recent',
        timestampSeconds: now - DAY_S,
      }),
    );
    await server.store.db
      .updateTable('conversations')
      .set({ status: 'resolved' })
      .where('last_message_at', '<', (now - 3600) * 1000)
      .execute();
  });

  it('brings every open conversation, recent closed ones, and only the last messages of each', async () => {
    const pages = await pullAll({ messagesPerConversation: 3, closedDays: 30 });
    const texts = messageTexts(pages).sort();
    expect(texts).toEqual(['mariana recent', 'oliver 6', 'oliver 7', 'oliver 8']);
    const conversations = pages.flatMap((page) =>
      page.ok ? page.changes.filter((c) => c.entity === 'conversation') : [],
    );
    expect(conversations).toHaveLength(2);
    const last = pages.at(-1);
    expect(last?.ok === true && last.cursor).toBe(await server.store.head());
  });

  it('without bounds, pulls everything', async () => {
    expect(messageTexts(await pullAll(undefined))).toHaveLength(10);
  });

  it('fetches older messages of a conversation on demand, newest first, in pages', async () => {
    const conversationId = (
      await server.store.db
        .selectFrom('conversations')
        .select('id')
        .where('status', '=', 'open')
        .executeTakeFirstOrThrow()
    ).id;
    const fetch = async (before: number): Promise<ReturnType<typeof HistoryReplySchema.parse>> =>
      HistoryReplySchema.parse(
        await socket.timeout(EVENT_TIMEOUT_MS).emitWithAck('history:fetch', { conversationId, before, limit: 3 }),
      );
    const first = await fetch((now - 100 + 6) * 1000);
    expect(first.ok && first.messages.map((m) => m.text)).toEqual(['oliver 5', 'oliver 4', 'oliver 3']);
    expect(first.ok && first.hasMore).toBe(true);
    const second = await fetch((now - 100 + 3) * 1000);
    expect(second.ok && second.messages.map((m) => m.text)).toEqual(['oliver 2', 'oliver 1']);
    expect(second.ok && second.hasMore).toBe(false);
  });

  it('refuses a malformed history request in words', async () => {
    const reply = HistoryReplySchema.parse(
      await socket.timeout(EVENT_TIMEOUT_MS).emitWithAck('history:fetch', { conversationId: '', before: -1, limit: 3 }),
    );
    expect(reply).toMatchObject({ ok: false, code: 'bad_request' });
  });
});
