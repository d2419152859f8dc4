import { randomUUID } from 'node:crypto';
import type { Change, LiveBatch, Mutation } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnoozeSweeper } from '../src/modules/assignment/index.js';
import { createTeam, updateTeam } from '../src/modules/teams/index.js';
import {
  connectReady,
  pullChanges,
  startTestServer,
  type BatchRecorder,
  type ClientSocket,
  type TestServer,
} from './helpers.js';
import { activities, clientId, conversationRow, customerWrites, makeUser, mutate, type User } from './team-support.js';

/**
 * The inbox's mutations end to end through the socket: notes that mention colleagues,
 * snoozing and its return (by time and by the customer), marking unread, the note about a
 * contact, and canned responses with their scopes, all through the one mutation path.
 *
 * Ana and Ben are agents of the default team, Sue its supervisor, Ada an admin; Zed is an
 * agent of another team only, who does not see the default team's conversations.
 */

type Connected = { user: User; socket: ClientSocket; batches: BatchRecorder };

let server: TestServer;
let ana: Connected;
let ben: Connected;
let sue: Connected;
let ada: Connected;
let zed: Connected;
let conversationId: string;
let customers = 0;

const DAY = 24 * 60 * 60 * 1000;

async function connected(name: string, role: 'agent' | 'supervisor' | 'admin'): Promise<Connected> {
  const user = await makeUser(server, name, role);
  const { socket, batches } = await connectReady(server, user.token);
  return { user, socket, batches };
}

/** Moves the agent to a team of their own; the team's change makes the live fan-out read who sees what again. */
async function otherTeamOnly(agentId: string): Promise<void> {
  const team = await createTeam(server.store, { name: 'Other' });
  if ('ok' in team) throw new Error('team refused');
  await server.store.db.deleteFrom('team_members').where('agent_id', '=', agentId).execute();
  await server.store.db.insertInto('team_members').values({ team_id: team.id, agent_id: agentId }).execute();
  await updateTeam(server.store, team.id, { name: 'Other team' });
}

function newCustomer(): string {
  customers += 1;
  return `4477009${String(customers).padStart(5, '0')}`;
}

function hasChange(predicate: (change: Change) => boolean): (batch: LiveBatch) => boolean {
  return (batch) => batch.changes.some(predicate);
}

beforeEach(async () => {
  server = await startTestServer();
  ana = await connected('Ana', 'agent');
  ben = await connected('Ben', 'agent');
  sue = await connected('Sue', 'supervisor');
  ada = await connected('Ada', 'admin');
  zed = await connected('Zed', 'agent');
  await otherTeamOnly(zed.user.id);
  conversationId = await customerWrites(server, newCustomer(), 'Where is my parcel?');
});

afterEach(async () => {
  await server.cleanup();
});

describe('a note that mentions colleagues', () => {
  it('keeps each mention once, drops the author, and reaches the mentioned colleague live', async () => {
    const result = await mutate(ana.socket, {
      type: 'message.note',
      clientId: clientId(),
      conversationId,
      text: '@Ben can you check the warehouse? @Sue fyi',
      mentions: [ben.user.id, sue.user.id, ben.user.id, ana.user.id],
    });
    expect(result).toMatchObject({ ok: true, message: { kind: 'note', mentions: [ben.user.id, sue.user.id] } });
    const id = result.ok ? result.message?.id : undefined;
    const batch = await ben.batches.waitFor(
      hasChange((change) => change.entity === 'message' && change.data.id === id),
      'the note',
    );
    const note = batch.changes.find((change) => change.entity === 'message' && change.data.id === id);
    expect(note?.data).toMatchObject({ mentions: [ben.user.id, sue.user.id], authorAgentId: ana.user.id });
    const stored = await server.store.db
      .selectFrom('messages')
      .select('mentions')
      .where('id', '=', id ?? '')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.mentions)).toEqual([ben.user.id, sue.user.id]);
  });

  it('refuses to mention someone who cannot read it, and stores nothing', async () => {
    const notes = async (): Promise<number> =>
      (
        await server.store.db
          .selectFrom('messages')
          .select('id')
          .where('conversation_id', '=', conversationId)
          .where('kind', '=', 'note')
          .execute()
      ).length;
    const note = (mentions: string[]): Mutation => ({
      type: 'message.note',
      clientId: clientId(),
      conversationId,
      text: 'Look at this',
      mentions,
    });
    // Zed does not see the default team's conversations.
    expect(await mutate(ana.socket, note([ben.user.id, zed.user.id]))).toEqual({
      ok: false,
      code: 'bad_request',
      reason: 'mention_unavailable',
      params: { agentId: zed.user.id, name: 'Zed' },
    });
    expect(await mutate(ana.socket, note(['no-such-agent']))).toMatchObject({
      reason: 'mention_unavailable',
      params: { agentId: 'no-such-agent', name: null },
    });
    await server.store.db.updateTable('agents').set({ active: 0 }).where('id', '=', ben.user.id).execute();
    expect(await mutate(ana.socket, note([ben.user.id]))).toMatchObject({
      reason: 'mention_unavailable',
      params: { name: 'Ben' },
    });
    await server.store.db.updateTable('agents').set({ kind: 'integration' }).where('id', '=', sue.user.id).execute();
    expect(await mutate(ana.socket, note([sue.user.id]))).toMatchObject({ reason: 'mention_unavailable' });
    expect(await notes()).toBe(0);
  });
});

describe('snoozing', () => {
  it('snoozes until a time, with a line, and refuses a time past, too far, or none', async () => {
    const until = Date.now() + 2 * 60 * 60 * 1000;
    expect(
      await mutate(ana.socket, { type: 'conversation.snooze', clientId: clientId(), conversationId, until }),
    ).toEqual({ ok: true });
    const row = await conversationRow(server, conversationId);
    expect({ status: row.status, snoozedUntil: Number(row.snoozed_until) }).toEqual({
      status: 'snoozed',
      snoozedUntil: until,
    });
    const live = await ben.batches.waitFor(
      hasChange((change) => change.entity === 'conversation' && change.data.status === 'snoozed'),
      'the snoozed conversation',
    );
    expect(live.changes.find((change) => change.entity === 'conversation')?.data).toMatchObject({
      snoozedUntil: until,
    });
    expect((await activities(server, conversationId)).at(-1)).toMatchObject({
      type: 'status',
      byAgentId: ana.user.id,
      from: 'open',
      to: 'snoozed',
    });

    const snooze = (at: number): Mutation => ({
      type: 'conversation.snooze',
      clientId: clientId(),
      conversationId,
      until: at,
    });
    expect(await mutate(ana.socket, snooze(Date.now() - 1000))).toEqual({
      ok: false,
      code: 'bad_request',
      reason: 'snooze_in_past',
    });
    expect(await mutate(ana.socket, snooze(Date.now() + 366 * DAY))).toEqual({
      ok: false,
      code: 'bad_request',
      reason: 'snooze_too_far',
      params: { maxDays: 365 },
    });
    expect(
      await mutate(ana.socket, {
        type: 'conversation.setStatus',
        clientId: clientId(),
        conversationId,
        status: 'snoozed',
      }),
    ).toEqual({ ok: false, code: 'bad_request', reason: 'snooze_needs_time' });
    // Nothing refused moved the time.
    expect(Number((await conversationRow(server, conversationId)).snoozed_until)).toBe(until);

    // Snoozed again: the time moves, and no second line says snoozed → snoozed.
    const lines = (await activities(server, conversationId)).length;
    const later = until + DAY;
    expect(await mutate(ana.socket, snooze(later))).toEqual({ ok: true });
    expect(Number((await conversationRow(server, conversationId)).snoozed_until)).toBe(later);
    expect(await activities(server, conversationId)).toHaveLength(lines);

    // Any other status ends the snooze.
    expect(
      await mutate(ana.socket, {
        type: 'conversation.setStatus',
        clientId: clientId(),
        conversationId,
        status: 'pending',
      }),
    ).toEqual({ ok: true });
    const pending = await conversationRow(server, conversationId);
    expect({ status: pending.status, snoozedUntil: pending.snoozed_until }).toEqual({
      status: 'pending',
      snoozedUntil: null,
    });
  });

  it('brings the conversation back as open when the time comes, for everyone live', async () => {
    const until = Date.now() + 60 * 60 * 1000;
    await mutate(ana.socket, { type: 'conversation.snooze', clientId: clientId(), conversationId, until });
    let now = until - 1;
    const sweeper = new SnoozeSweeper(server.store, { clock: { now: () => now } });
    expect(await sweeper.sweep()).toBe(0);
    expect((await conversationRow(server, conversationId)).status).toBe('snoozed');
    now = until;
    expect(await sweeper.sweep()).toBe(1);
    const row = await conversationRow(server, conversationId);
    expect({ status: row.status, snoozedUntil: row.snoozed_until }).toEqual({ status: 'open', snoozedUntil: null });
    expect((await activities(server, conversationId)).at(-1)).toMatchObject({
      type: 'status',
      byAgentId: null,
      from: 'snoozed',
      to: 'open',
    });
    const live = await ben.batches.waitFor(
      hasChange(
        (change) =>
          change.entity === 'conversation' &&
          change.data.id === conversationId &&
          change.data.status === 'open' &&
          change.data.seq === Number(row.seq),
      ),
      'the conversation back as open',
    );
    expect(live.changes.find((change) => change.entity === 'conversation')?.data.snoozedUntil).toBeNull();
    expect(await sweeper.sweep()).toBe(0);
  });

  it('brings the conversation back as open when the customer writes first', async () => {
    const until = Date.now() + 3 * DAY;
    const from = newCustomer();
    const id = await customerWrites(server, from, 'Hello');
    await mutate(ana.socket, { type: 'conversation.snooze', clientId: clientId(), conversationId: id, until });
    expect((await conversationRow(server, id)).status).toBe('snoozed');
    await customerWrites(server, from, 'Any news?');
    const row = await conversationRow(server, id);
    expect({ status: row.status, snoozedUntil: row.snoozed_until, unread: Number(row.unread_count) }).toEqual({
      status: 'open',
      snoozedUntil: null,
      unread: 2,
    });
    expect((await activities(server, id)).at(-1)).toMatchObject({
      type: 'status',
      byAgentId: null,
      from: 'snoozed',
      to: 'open',
    });
    await ben.batches.waitFor(
      hasChange(
        (change) =>
          change.entity === 'conversation' &&
          change.data.id === id &&
          change.data.status === 'open' &&
          change.data.seq === Number(row.seq),
      ),
      'the conversation back as open',
    );
  });
});

describe('marking unread', () => {
  it('makes a read conversation unread, and leaves an unread count as it is', async () => {
    const unread = async (): Promise<number> => Number((await conversationRow(server, conversationId)).unread_count);
    expect(await unread()).toBe(1);
    expect(await mutate(ana.socket, { type: 'conversation.markUnread', clientId: clientId(), conversationId })).toEqual(
      {
        ok: true,
      },
    );
    expect(await unread()).toBe(1);
    await mutate(ana.socket, { type: 'conversation.markRead', clientId: clientId(), conversationId });
    expect(await unread()).toBe(0);
    expect(await mutate(ana.socket, { type: 'conversation.markUnread', clientId: clientId(), conversationId })).toEqual(
      {
        ok: true,
      },
    );
    expect(await unread()).toBe(1);
    const seq = Number((await conversationRow(server, conversationId)).seq);
    await ben.batches.waitFor(
      hasChange(
        (change) => change.entity === 'conversation' && change.data.seq === seq && change.data.unreadCount === 1,
      ),
      'the unread conversation',
    );
  });
});

describe('the note about a contact', () => {
  it('is written by anyone who sees the contact, reaches them live, and is refused to others', async () => {
    const { contact_id: contactId } = await conversationRow(server, conversationId);
    const note = 'Prefers French. Ordered twice in May.';
    expect(await mutate(ben.socket, { type: 'contact.setNote', clientId: clientId(), contactId, note })).toEqual({
      ok: true,
    });
    const live = await ana.batches.waitFor(
      hasChange((change) => change.entity === 'contact' && change.data.id === contactId && change.data.note === note),
      'the contact with its note',
    );
    expect(live.changes.some((change) => change.entity === 'contact')).toBe(true);
    const stored = await server.store.db
      .selectFrom('contacts')
      .select(['note', 'seq'])
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(stored.note).toBe(note);
    expect(
      await mutate(zed.socket, { type: 'contact.setNote', clientId: clientId(), contactId, note: 'mine' }),
    ).toEqual({
      ok: false,
      code: 'not_found',
      reason: 'contact_missing',
    });
    expect(
      await mutate(ada.socket, { type: 'contact.setNote', clientId: clientId(), contactId: 'nobody', note: 'x' }),
    ).toMatchObject({ ok: false, reason: 'contact_missing' });
    const after = await server.store.db
      .selectFrom('contacts')
      .select(['note', 'seq'])
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(stored);
    // Zed, who does not see it, was never sent it.
    expect(zed.batches.all.flatMap((batch) => batch.changes).some((change) => change.data.id === contactId)).toBe(
      false,
    );
    // A pull brings the note too.
    const page = await pullChanges(ana.socket, { cursor: 0 });
    expect(
      page.ok && page.changes.find((change) => change.entity === 'contact' && change.data.id === contactId),
    ).toMatchObject({
      data: { note },
    });
  });
});

describe('canned responses', () => {
  const save = (
    who: Connected,
    fields: { id?: string; shortcut: string; shared: boolean; title?: string; body?: string },
  ): ReturnType<typeof mutate> =>
    mutate(who.socket, {
      type: 'cannedResponse.save',
      clientId: clientId(),
      id: fields.id ?? randomUUID(),
      shortcut: fields.shortcut,
      title: fields.title ?? fields.shortcut,
      body: fields.body ?? 'Hello {{contact.name}}, this is {{agent.name}}.',
      shared: fields.shared,
    });
  const remove = (who: Connected, id: string): ReturnType<typeof mutate> =>
    mutate(who.socket, { type: 'cannedResponse.delete', clientId: clientId(), id });
  const row = (id: string) =>
    server.store.db.selectFrom('canned_responses').selectAll().where('id', '=', id).executeTakeFirst();

  it('lets supervisors and admins keep the shared ones, and each user their own', async () => {
    const shared = randomUUID();
    expect(await save(sue, { id: shared, shortcut: 'hello', shared: true })).toEqual({ ok: true });
    expect(await row(shared)).toMatchObject({ owner_id: null, shortcut: 'hello', deleted: 0 });
    expect(await save(ana, { shortcut: 'thanks', shared: true })).toEqual({
      ok: false,
      code: 'forbidden',
      reason: 'supervisor_only',
    });
    expect(await save(ana, { id: shared, shortcut: 'hello', shared: true, body: 'Mine now' })).toMatchObject({
      reason: 'supervisor_only',
    });
    expect(await remove(ben, shared)).toMatchObject({ reason: 'supervisor_only' });
    expect(await save(ada, { id: shared, shortcut: 'hi', shared: true, title: 'Greeting' })).toEqual({ ok: true });
    expect(await row(shared)).toMatchObject({ shortcut: 'hi', title: 'Greeting' });

    const own = randomUUID();
    expect(await save(ana, { id: own, shortcut: 'sig', shared: false })).toEqual({ ok: true });
    expect(await row(own)).toMatchObject({ owner_id: ana.user.id });
    // Nobody else touches it, admins included: to them it does not exist.
    for (const other of [ben, sue, ada]) {
      expect(await save(other, { id: own, shortcut: 'sig', shared: false, body: 'taken over' })).toEqual({
        ok: false,
        code: 'not_found',
        reason: 'canned_response_missing',
      });
      expect(await remove(other, own)).toMatchObject({ reason: 'canned_response_missing' });
    }
    expect(await row(own)).toMatchObject({ owner_id: ana.user.id, deleted: 0 });
    // A scope is for good.
    expect(await save(ana, { id: own, shortcut: 'sig', shared: true })).toEqual({
      ok: false,
      code: 'bad_request',
      reason: 'canned_scope_fixed',
      params: { shared: false },
    });
    expect(await save(sue, { id: shared, shortcut: 'hi', shared: false })).toMatchObject({
      reason: 'canned_scope_fixed',
      params: { shared: true },
    });
  });

  it('keeps a shortcut unique among what each user sees', async () => {
    expect(await save(sue, { shortcut: 'shipping', shared: true })).toEqual({ ok: true });
    expect(await save(ana, { shortcut: 'Shipping', shared: false })).toEqual({
      ok: false,
      code: 'conflict',
      reason: 'canned_shortcut_taken',
      params: { shortcut: 'Shipping' },
    });
    const anas = randomUUID();
    expect(await save(ana, { id: anas, shortcut: 'refund', shared: false })).toEqual({ ok: true });
    // Ben does not see Ana's own: he may use the same shortcut for his.
    expect(await save(ben, { shortcut: 'refund', shared: false })).toEqual({ ok: true });
    // A shared one is seen next to everyone's own.
    expect(await save(sue, { shortcut: 'refund', shared: true })).toMatchObject({ reason: 'canned_shortcut_taken' });
    // Editing one under its own shortcut is no clash; a deleted one frees its shortcut.
    expect(await save(ana, { id: anas, shortcut: 'refund', shared: false, body: 'Refunds take 5 days.' })).toEqual({
      ok: true,
    });
    expect(await remove(ana, anas)).toEqual({ ok: true });
    expect(await save(ana, { shortcut: 'refund', shared: false })).toMatchObject({ ok: true });
  });

  it('deletes as a tombstone with a new seq, and answers a second delete as done', async () => {
    const id = randomUUID();
    await save(ana, { id, shortcut: 'bye', shared: false });
    const before = await row(id);
    expect(await remove(ana, id)).toEqual({ ok: true });
    const after = await row(id);
    expect(after).toMatchObject({ deleted: 1, shortcut: 'bye' });
    expect(Number(after?.seq)).toBeGreaterThan(Number(before?.seq));
    expect(await remove(ana, id)).toEqual({ ok: true });
    expect(Number((await row(id))?.seq)).toBe(Number(after?.seq));
    // A deleted one cannot be edited back to life.
    expect(await save(ana, { id, shortcut: 'bye', shared: false })).toMatchObject({
      reason: 'canned_response_missing',
    });
    expect(await remove(ana, randomUUID())).toMatchObject({ reason: 'canned_response_missing' });
  });

  it('reaches exactly the users who see it, live and in pulls; a personal one never reaches another user', async () => {
    const own = randomUUID();
    const shared = randomUUID();
    expect(await save(ana, { id: own, shortcut: 'mine', shared: false })).toEqual({ ok: true });
    expect(await save(sue, { id: shared, shortcut: 'ours', shared: true })).toEqual({ ok: true });
    const isCanned = (id: string) => hasChange((change) => change.entity === 'cannedResponse' && change.data.id === id);
    await ana.batches.waitFor(isCanned(own), 'Ana’s own response');
    // Batches arrive in order: once the shared one is there, the personal one would have been too.
    for (const other of [ben, sue, ada, zed]) {
      await other.batches.waitFor(isCanned(shared), 'the shared response');
      expect(other.batches.all.some(isCanned(own)), `${other.user.name} was sent Ana’s own`).toBe(false);
    }
    await ana.batches.waitFor(isCanned(shared), 'the shared response');

    const cannedIn = async (who: Connected, cursor: number): Promise<Change[]> => {
      const page = await pullChanges(who.socket, { cursor, limit: 1000 });
      if (!page.ok) throw new Error('pull refused');
      return page.changes.filter((change) => change.entity === 'cannedResponse');
    };
    expect((await cannedIn(ana, 0)).map((change) => change.data.id).sort()).toEqual([own, shared].sort());
    for (const other of [ben, sue, ada, zed]) {
      expect((await cannedIn(other, 0)).map((change) => change.data.id)).toEqual([shared]);
    }
    // A first sync with bootstrap bounds applies the same rule.
    const first = await pullChanges(ada.socket, {
      cursor: 0,
      limit: 1000,
      bootstrap: { messagesPerConversation: 50, closedDays: 30 },
    });
    expect(
      first.ok && first.changes.filter((change) => change.entity === 'cannedResponse').map((change) => change.data.id),
    ).toEqual([shared]);

    // Deleted: the tombstone reaches devices that hold it; a new install is not sent it.
    const head = await server.store.head();
    expect(await remove(ana, own)).toEqual({ ok: true });
    await ana.batches.waitFor(
      hasChange((change) => change.entity === 'cannedResponse' && change.data.id === own && change.data.deleted),
      'the tombstone',
    );
    const tombstones = await cannedIn(ana, head);
    expect(tombstones).toHaveLength(1);
    expect(tombstones[0]).toMatchObject({ entity: 'cannedResponse', data: { id: own, deleted: true } });
    expect((await cannedIn(ana, 0)).map((change) => change.data.id)).toEqual([shared]);
    expect(await cannedIn(ben, head)).toEqual([]);
  });
});
