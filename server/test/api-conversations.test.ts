import type { Conversation, Message } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { connectReady, startTestServer, type TestServer } from './helpers.js';
import {
  FAST_TUNING,
  MESSAGES_PATH,
  mutate,
  sendText,
  startFakeGraph,
  waitForMessage,
  type FakeGraph,
} from './outbound-support.js';
import { call, key, person, team, thread, type Person } from './api-support.js';

/**
 * /api/v1/conversations: the socket's visibility and permissions over HTTP, and the
 * idempotency of writes (a repeated key changes nothing and never reaches Meta twice).
 */

let server: TestServer | undefined;
let fake: FakeGraph | undefined;
afterEach(async () => {
  await server?.cleanup();
  await fake?.close();
  server = undefined;
  fake = undefined;
});

type World = {
  server: TestServer;
  fake: FakeGraph;
  sales: string;
  support: string;
  ana: Person;
  ben: Person;
  sam: Person;
  admin: Person;
};

async function world(): Promise<World> {
  fake = await startFakeGraph();
  server = await startTestServer({ graph: { baseUrl: fake.url, version: 'v21.0' } });
  server.outbound.tune(FAST_TUNING);
  const sales = await team(server, 'Sales');
  const support = await team(server, 'Support');
  return {
    server,
    fake,
    sales,
    support,
    ana: await person(server, { role: 'agent', name: 'Ana', teamIds: [sales] }),
    ben: await person(server, { role: 'agent', name: 'Ben', teamIds: [sales] }),
    sam: await person(server, { role: 'supervisor', name: 'Sam', teamIds: [sales] }),
    admin: await person(server, { role: 'admin', name: 'Ada' }),
  };
}

type Page = { conversations: Conversation[]; nextCursor: string | null };

async function conversationState(s: TestServer, id: string) {
  return s.store.db
    .selectFrom('conversations')
    .select(['assignee_id', 'status', 'seq'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('/api/v1/conversations reads', () => {
  it('lists only what the caller sees, filtered, in stable pages', async () => {
    const w = await world();
    const now = Date.now();
    const salesOpen = await thread(w.server, { teamId: w.sales, lastMessageAt: now - 1_000 });
    const salesAna = await thread(w.server, { teamId: w.sales, assigneeId: w.ana.id, lastMessageAt: now - 2_000 });
    const supportOnly = await thread(w.server, { teamId: w.support, lastMessageAt: now - 3_000 });
    // Assigned to Ana in another team: hers to see, not Ben's.
    const supportAna = await thread(w.server, { teamId: w.support, assigneeId: w.ana.id, lastMessageAt: now - 4_000 });

    const ids = (page: Page): string[] => page.conversations.map((c) => c.id);
    const ben = await call<Page>(w.server, w.ben.token, 'GET', '/conversations');
    expect(ben.status).toBe(200);
    expect(ids(ben.body)).toEqual([salesOpen.conversationId, salesAna.conversationId]);
    const ana = await call<Page>(w.server, w.ana.token, 'GET', '/conversations');
    expect(ids(ana.body)).toEqual([salesOpen.conversationId, salesAna.conversationId, supportAna.conversationId]);
    // The supervisor sees their team's and their agents' (Ana's in Support), not Support's own.
    const sam = await call<Page>(w.server, w.sam.token, 'GET', '/conversations');
    expect(ids(sam.body)).toEqual([salesOpen.conversationId, salesAna.conversationId, supportAna.conversationId]);
    const admin = await call<Page>(w.server, w.admin.token, 'GET', '/conversations');
    expect(ids(admin.body)).toEqual([
      salesOpen.conversationId,
      salesAna.conversationId,
      supportOnly.conversationId,
      supportAna.conversationId,
    ]);

    // Filters narrow within what is visible, never past it.
    const benSupport = await call<Page>(w.server, w.ben.token, 'GET', `/conversations?teamId=${w.support}`);
    expect(ids(benSupport.body)).toEqual([]);
    const unassigned = await call<Page>(w.server, w.admin.token, 'GET', '/conversations?assigneeId=none');
    expect(ids(unassigned.body)).toEqual([salesOpen.conversationId, supportOnly.conversationId]);
    const anas = await call<Page>(
      w.server,
      w.admin.token,
      'GET',
      `/conversations?assigneeId=${w.ana.id}&teamId=${w.support}`,
    );
    expect(ids(anas.body)).toEqual([supportAna.conversationId]);
    const messenger = await call<Page>(w.server, w.admin.token, 'GET', '/conversations?channel=messenger');
    expect(ids(messenger.body)).toEqual([]);

    // Pages of one follow last_message_at desc, then id, without gaps or repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof call<Page>>> = await call<Page>(
        w.server,
        w.admin.token,
        'GET',
        `/conversations?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      expect(page.status).toBe(200);
      seen.push(...ids(page.body));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(ids(admin.body));
    expect(pages).toBe(4);

    // Bad input is refused with a code naming the field.
    const tooMany = await call(w.server, w.admin.token, 'GET', '/conversations?limit=201');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ code: 'bad_request', reason: 'malformed', params: { part: 'querystring' } });
    const badCursor = await call(w.server, w.admin.token, 'GET', '/conversations?cursor=nonsense');
    expect(badCursor.body).toEqual({
      code: 'bad_request',
      reason: 'malformed',
      params: { request: 'http', part: 'querystring', path: 'cursor' },
    });
  });

  it('reads one conversation and its messages only when visible', async () => {
    const w = await world();
    const mine = await thread(w.server, { teamId: w.sales });
    const theirs = await thread(w.server, { teamId: w.support });
    const one = await call<{ conversation: Conversation; contact: { id: string } }>(
      w.server,
      w.ben.token,
      'GET',
      `/conversations/${mine.conversationId}`,
    );
    expect(one.status).toBe(200);
    expect(one.body.conversation.id).toBe(mine.conversationId);
    expect(one.body.contact.id).toBe(mine.contactId);
    const messages = await call<{ messages: Message[]; hasMore: boolean }>(
      w.server,
      w.ben.token,
      'GET',
      `/conversations/${mine.conversationId}/messages`,
    );
    expect(messages.body).toMatchObject({ hasMore: false, messages: [{ id: mine.inboundMessageId }] });

    // Invisible and missing look the same.
    for (const path of [
      `/conversations/${theirs.conversationId}`,
      `/conversations/${theirs.conversationId}/messages`,
    ]) {
      const refused = await call(w.server, w.ben.token, 'GET', path);
      expect(refused.status).toBe(404);
      expect(refused.body).toEqual({ code: 'not_found', reason: 'conversation_missing' });
    }
    const missing = await call(w.server, w.ben.token, 'GET', '/conversations/nope');
    expect(missing.body).toEqual({ code: 'not_found', reason: 'conversation_missing' });
    const anonymous = await call(w.server, null, 'GET', `/conversations/${mine.conversationId}`);
    expect(anonymous.status).toBe(401);
  });
});

describe('/api/v1/conversations writes', () => {
  it('sends once per idempotency key, and the message goes out through the worker', async () => {
    const w = await world();
    const open = await thread(w.server, { teamId: w.sales });
    const idempotencyKey = key();
    const body = { content: { kind: 'text', text: 'Your order shipped.' } };
    const first = await call<{ message: Message }>(
      w.server,
      w.ben.token,
      'POST',
      `/conversations/${open.conversationId}/messages`,
      { body, key: idempotencyKey },
    );
    expect(first.status).toBe(202);
    expect(first.body.message).toMatchObject({
      conversationId: open.conversationId,
      text: 'Your order shipped.',
      status: 'pending',
      authorAgentId: w.ben.id,
    });
    await waitForMessage(w.server, first.body.message.id, (m) => m.status === 'sent', 'sent');

    const again = await call<{ message: Message }>(
      w.server,
      w.ben.token,
      'POST',
      `/conversations/${open.conversationId}/messages`,
      { body, key: idempotencyKey },
    );
    expect(again.status).toBe(202);
    expect(again.body.message.id).toBe(first.body.message.id);
    // The same key for something else is a conflict, not a second message.
    const reused = await call(w.server, w.ben.token, 'POST', `/conversations/${open.conversationId}/messages`, {
      body: { content: { kind: 'text', text: 'Something else' } },
      key: idempotencyKey,
    });
    expect(reused.status).toBe(409);
    expect(reused.body).toEqual({ code: 'conflict', reason: 'client_id_reused' });
    expect(w.fake.callsTo({ method: 'POST', path: MESSAGES_PATH.whatsapp })).toHaveLength(1);
    const stored = await w.server.store.db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', open.conversationId)
      .where('direction', '=', 'outbound')
      // Replying took the conversation: that line is not a message to the customer.
      .where('kind', '<>', 'activity')
      .execute();
    expect(stored).toHaveLength(1);
  });

  it("refuses an agent's forbidden writes with the socket's codes, changing nothing and sending nothing", async () => {
    const w = await world();
    const anas = await thread(w.server, { teamId: w.sales, assigneeId: w.ana.id });
    const support = await thread(w.server, { teamId: w.support });
    const before = await conversationState(w.server, anas.conversationId);
    const messagesBefore = await w.server.store.db.selectFrom('messages').select('id').execute();

    const send = await call(w.server, w.ben.token, 'POST', `/conversations/${anas.conversationId}/messages`, {
      body: { content: { kind: 'text', text: 'Hi, Ben here' } },
      key: key(),
    });
    expect(send.status).toBe(403);
    expect(send.body).toEqual({ code: 'forbidden', reason: 'not_assignee', params: { assigneeName: 'Ana' } });
    // The socket refuses the same change with the same code, reason and params.
    const { socket } = await connectReady(w.server, w.ben.token);
    const overSocket = await mutate({ socket, received: [] }, sendText(anas.conversationId, 'Hi, Ben here'));
    expect(overSocket).toEqual({ ok: false, ...(send.body as object) });
    const status = await call(w.server, w.ben.token, 'POST', `/conversations/${anas.conversationId}/status`, {
      body: { status: 'resolved' },
      key: key(),
    });
    expect(status.status).toBe(403);
    expect(status.body).toMatchObject({ code: 'forbidden', reason: 'not_assignee' });
    const take = await call(w.server, w.ben.token, 'POST', `/conversations/${anas.conversationId}/assign`, {
      body: { assigneeId: w.ben.id },
      key: key(),
    });
    expect(take.status).toBe(409);
    expect(take.body).toEqual({ code: 'conflict', reason: 'already_taken', params: { assigneeName: 'Ana' } });
    const handOver = await call(w.server, w.ben.token, 'POST', `/conversations/${anas.conversationId}/assign`, {
      body: { assigneeId: w.ana.id },
      key: key(),
    });
    expect(handOver.status).toBe(403);
    // A conversation of another team is answered as missing, for writes too.
    const note = await call(w.server, w.ben.token, 'POST', `/conversations/${support.conversationId}/notes`, {
      body: { text: 'peek' },
      key: key(),
    });
    expect(note.status).toBe(404);
    expect(note.body).toEqual({ code: 'not_found', reason: 'conversation_missing' });

    // A conversation that does not exist answers the same as one not seen.
    for (const [path, body] of [
      ['messages', { content: { kind: 'text', text: 'Hello?' } }],
      ['notes', { text: 'Hello?' }],
      ['assign', { assigneeId: null }],
      ['status', { status: 'open' }],
    ] as const) {
      const nowhere = await call(w.server, w.ben.token, 'POST', `/conversations/nope/${path}`, { body, key: key() });
      expect(nowhere.status, path).toBe(404);
      expect(nowhere.body, path).toEqual({ code: 'not_found', reason: 'conversation_missing' });
    }

    expect(await conversationState(w.server, anas.conversationId)).toEqual(before);
    expect(await w.server.store.db.selectFrom('messages').select('id').execute()).toEqual(messagesBefore);
    expect(w.fake.calls).toEqual([]);
  });

  it('takes, notes, assigns and resolves through the mutation path', async () => {
    const w = await world();
    const open = await thread(w.server, { teamId: w.sales });
    const path = `/conversations/${open.conversationId}`;

    const take = await call<{ conversation: Conversation }>(w.server, w.ben.token, 'POST', `${path}/assign`, {
      body: { assigneeId: w.ben.id },
      key: key(),
    });
    expect(take.status).toBe(200);
    expect(take.body.conversation).toMatchObject({ id: open.conversationId, assigneeId: w.ben.id });

    const note = await call<{ message: Message }>(w.server, w.ana.token, 'POST', `${path}/notes`, {
      body: { text: 'VIP customer' },
      key: key(),
    });
    expect(note.status).toBe(201);
    expect(note.body.message).toMatchObject({ kind: 'note', text: 'VIP customer', authorAgentId: w.ana.id });

    const statusKey = key();
    const resolved = await call<{ conversation: Conversation }>(w.server, w.ben.token, 'POST', `${path}/status`, {
      body: { status: 'resolved' },
      key: statusKey,
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.conversation.status).toBe('resolved');
    const seqAfter = (await conversationState(w.server, open.conversationId)).seq;
    const repeated = await call<{ conversation: Conversation }>(w.server, w.ben.token, 'POST', `${path}/status`, {
      body: { status: 'resolved' },
      key: statusKey,
    });
    expect(repeated.status).toBe(200);
    expect((await conversationState(w.server, open.conversationId)).seq).toBe(seqAfter);

    // A supervisor hands it to Ana with a note; an agent may not.
    const assigned = await call<{ conversation: Conversation }>(w.server, w.sam.token, 'POST', `${path}/assign`, {
      body: { assigneeId: w.ana.id, note: 'Please follow up' },
      key: key(),
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.conversation.assigneeId).toBe(w.ana.id);
  });

  it('refuses malformed writes with a code and changes nothing', async () => {
    const w = await world();
    const open = await thread(w.server, { teamId: w.sales });
    const path = `/conversations/${open.conversationId}`;
    const before = await conversationState(w.server, open.conversationId);

    const noKey = await call(w.server, w.ben.token, 'POST', `${path}/status`, { body: { status: 'resolved' } });
    expect(noKey.status).toBe(400);
    expect(noKey.body).toEqual({
      code: 'bad_request',
      reason: 'malformed',
      params: { request: 'http', part: 'headers', path: 'idempotency-key' },
    });
    const shortKey = await call(w.server, w.ben.token, 'POST', `${path}/status`, {
      body: { status: 'resolved' },
      key: 'short',
    });
    expect(shortKey.body).toMatchObject({ params: { part: 'headers', path: 'idempotency-key' } });
    const badStatus = await call(w.server, w.ben.token, 'POST', `${path}/status`, {
      body: { status: 'closed' },
      key: key(),
    });
    expect(badStatus.body).toMatchObject({ code: 'bad_request', params: { part: 'body', path: 'status' } });
    const extra = await call(w.server, w.ben.token, 'POST', `${path}/assign`, {
      body: { assigneeId: w.ben.id, role: 'admin' },
      key: key(),
    });
    expect(extra.status).toBe(400);
    const emptyText = await call(w.server, w.ben.token, 'POST', `${path}/messages`, {
      body: { content: { kind: 'text', text: '   ' } },
      key: key(),
    });
    expect(emptyText.status).toBe(400);
    // An integration is never an assignee.
    const unassignable = await call(w.server, w.admin.token, 'POST', '/tokens', {
      body: { name: 'CRM', role: 'agent' },
    });
    const integration = (unassignable.body as { token: { agentId: string } }).token.agentId;
    const toBot = await call(w.server, w.sam.token, 'POST', `${path}/assign`, {
      body: { assigneeId: integration },
      key: key(),
    });
    expect(toBot.status).toBe(400);
    expect(toBot.body).toMatchObject({ code: 'bad_request', reason: 'assignee_unavailable' });

    expect(await conversationState(w.server, open.conversationId)).toEqual(before);
    expect(w.fake.calls).toEqual([]);
  });
});
