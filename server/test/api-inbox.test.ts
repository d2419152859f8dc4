import type { CannedResponse, Contact, Conversation } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';
import { call, key, person, team, thread, type Person } from './api-support.js';

/**
 * The inbox's actions over /api/v1: snooze, mark unread, the contact's note and canned
 * responses, under the same rules as the socket (they run through the same mutation path).
 */

let server: TestServer;
let sales: string;
let agent: Person;
let colleague: Person;
let supervisor: Person;
let admin: Person;
let outsider: Person;

beforeAll(async () => {
  server = await startTestServer();
  sales = await team(server, 'Sales');
  const elsewhere = await team(server, 'Elsewhere');
  agent = await person(server, { role: 'agent', teamIds: [sales] });
  colleague = await person(server, { role: 'agent', teamIds: [sales] });
  supervisor = await person(server, { role: 'supervisor', teamIds: [sales] });
  admin = await person(server, { role: 'admin' });
  outsider = await person(server, { role: 'agent', teamIds: [elsewhere] });
});

afterAll(async () => {
  await server.cleanup();
});

describe('conversations', () => {
  it('snoozes and marks unread, answering the conversation, with the socket’s refusals', async () => {
    const { conversationId } = await thread(server, { teamId: sales, assigneeId: agent.id });
    const until = Date.now() + 60 * 60 * 1000;
    const snoozed = await call<{ conversation: Conversation }>(
      server,
      agent.token,
      'POST',
      `/conversations/${conversationId}/snooze`,
      { body: { until }, key: key() },
    );
    expect(snoozed.status).toBe(200);
    expect(snoozed.body.conversation).toMatchObject({ status: 'snoozed', snoozedUntil: until });
    const past = await call(server, agent.token, 'POST', `/conversations/${conversationId}/snooze`, {
      body: { until: Date.now() - 1 },
      key: key(),
    });
    expect({ status: past.status, body: past.body }).toEqual({
      status: 400,
      body: { code: 'bad_request', reason: 'snooze_in_past' },
    });
    const notHers = await call(server, colleague.token, 'POST', `/conversations/${conversationId}/snooze`, {
      body: { until },
      key: key(),
    });
    expect(notHers.status).toBe(403);
    expect(notHers.body).toMatchObject({ code: 'forbidden', reason: 'not_assignee' });
    const needsTime = await call(server, agent.token, 'POST', `/conversations/${conversationId}/status`, {
      body: { status: 'snoozed' },
      key: key(),
    });
    expect(needsTime.body).toMatchObject({ reason: 'snooze_needs_time' });

    await server.store.db
      .updateTable('conversations')
      .set({ unread_count: 0 })
      .where('id', '=', conversationId)
      .execute();
    const unread = await call<{ conversation: Conversation }>(
      server,
      agent.token,
      'POST',
      `/conversations/${conversationId}/unread`,
      { key: key() },
    );
    expect(unread.status).toBe(200);
    expect(unread.body.conversation.unreadCount).toBe(1);
    const hidden = await call(server, outsider.token, 'POST', `/conversations/${conversationId}/unread`, {
      key: key(),
    });
    expect(hidden.status).toBe(404);
  });

  it('adds a note that mentions a colleague, and refuses one who cannot see it', async () => {
    const { conversationId } = await thread(server, { teamId: sales });
    const note = await call<{ message: { mentions: string[] } }>(
      server,
      agent.token,
      'POST',
      `/conversations/${conversationId}/notes`,
      { body: { text: 'Can you look?', mentions: [colleague.id] }, key: key() },
    );
    expect(note.status).toBe(201);
    expect(note.body.message.mentions).toEqual([colleague.id]);
    const refused = await call(server, agent.token, 'POST', `/conversations/${conversationId}/notes`, {
      body: { text: 'Can you look?', mentions: [outsider.id] },
      key: key(),
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ reason: 'mention_unavailable', params: { agentId: outsider.id } });
  });
});

describe('contacts', () => {
  it('replaces the note of a contact the caller sees; to others it is missing', async () => {
    const { contactId } = await thread(server, { teamId: sales });
    const written = await call<{ contact: Contact }>(server, colleague.token, 'PUT', `/contacts/${contactId}/note`, {
      body: { note: 'VIP since 2021.' },
      key: key(),
    });
    expect(written.status).toBe(200);
    expect(written.body.contact).toMatchObject({ id: contactId, note: 'VIP since 2021.' });
    const hidden = await call(server, outsider.token, 'PUT', `/contacts/${contactId}/note`, {
      body: { note: 'Mine' },
      key: key(),
    });
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({ code: 'not_found', reason: 'contact_missing' });
  });
});

describe('canned responses', () => {
  it('lists, creates, edits and deletes them under the same rules as the app', async () => {
    const sharedKey = key();
    const shared = await call<{ cannedResponse: CannedResponse }>(
      server,
      supervisor.token,
      'POST',
      '/canned-responses',
      {
        body: { shortcut: 'welcome', title: 'Welcome', body: 'Hello {{contact.name}}!', shared: true },
        key: sharedKey,
      },
    );
    expect(shared.status).toBe(201);
    expect(shared.body.cannedResponse).toMatchObject({ shortcut: 'welcome', ownerId: null, deleted: false });
    // The same key makes nothing twice and answers the same one.
    const again = await call<{ cannedResponse: CannedResponse }>(
      server,
      supervisor.token,
      'POST',
      '/canned-responses',
      {
        body: { shortcut: 'welcome', title: 'Welcome', body: 'Hello {{contact.name}}!', shared: true },
        key: sharedKey,
      },
    );
    expect(again.body.cannedResponse.id).toBe(shared.body.cannedResponse.id);

    const agentsShared = await call(server, agent.token, 'POST', '/canned-responses', {
      body: { shortcut: 'promo', title: 'Promo', body: 'Ten percent off', shared: true },
      key: key(),
    });
    expect(agentsShared.status).toBe(403);
    expect(agentsShared.body).toMatchObject({ reason: 'supervisor_only' });
    const clash = await call(server, agent.token, 'POST', '/canned-responses', {
      body: { shortcut: 'welcome', title: 'Mine', body: 'Hi', shared: false },
      key: key(),
    });
    expect(clash.status).toBe(409);
    expect(clash.body).toEqual({ code: 'conflict', reason: 'canned_shortcut_taken', params: { shortcut: 'welcome' } });

    const own = await call<{ cannedResponse: CannedResponse }>(server, agent.token, 'POST', '/canned-responses', {
      body: { shortcut: 'sign', title: 'Signature', body: 'Best, {{agent.name}}', shared: false },
      key: key(),
    });
    expect(own.body.cannedResponse.ownerId).toBe(agent.id);
    const ownId = own.body.cannedResponse.id;

    const list = async (who: Person): Promise<string[]> =>
      (
        await call<{ cannedResponses: CannedResponse[] }>(server, who.token, 'GET', '/canned-responses')
      ).body.cannedResponses
        .map((response) => response.shortcut)
        .filter((shortcut) => ['welcome', 'sign'].includes(shortcut));
    expect(await list(agent)).toEqual(['sign', 'welcome']);
    expect(await list(colleague)).toEqual(['welcome']);
    expect(await list(admin)).toEqual(['welcome']);

    // Another user's own does not exist for anyone else, admins included.
    for (const other of [colleague, admin]) {
      const edit = await call(server, other.token, 'PUT', `/canned-responses/${ownId}`, {
        body: { shortcut: 'sign', title: 'Taken', body: 'Taken' },
        key: key(),
      });
      expect(edit.status).toBe(404);
      const gone = await call(server, other.token, 'DELETE', `/canned-responses/${ownId}`, { key: key() });
      expect(gone.status).toBe(404);
    }
    const edited = await call<{ cannedResponse: CannedResponse }>(
      server,
      agent.token,
      'PUT',
      `/canned-responses/${ownId}`,
      { body: { shortcut: 'sig', title: 'Signature', body: 'Kind regards, {{agent.name}}' }, key: key() },
    );
    expect(edited.status).toBe(200);
    expect(edited.body.cannedResponse).toMatchObject({ shortcut: 'sig', ownerId: agent.id });
    const sharedEdit = await call(server, agent.token, 'PUT', `/canned-responses/${shared.body.cannedResponse.id}`, {
      body: { shortcut: 'welcome', title: 'Mine', body: 'Mine' },
      key: key(),
    });
    expect(sharedEdit.status).toBe(403);

    const deleted = await call(server, agent.token, 'DELETE', `/canned-responses/${ownId}`, { key: key() });
    expect(deleted.status).toBe(204);
    expect(
      (
        await call<{ cannedResponses: CannedResponse[] }>(server, agent.token, 'GET', '/canned-responses')
      ).body.cannedResponses.some((response) => response.id === ownId),
    ).toBe(false);
    const stored = await server.store.db
      .selectFrom('canned_responses')
      .select('deleted')
      .where('id', '=', ownId)
      .executeTakeFirstOrThrow();
    expect(stored.deleted).toBe(1);
  });
});
