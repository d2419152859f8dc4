import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OfflineSweeper, pickFairly } from '../src/modules/assignment/index.js';
import { createTeam, setTeamMembers } from '../src/modules/teams/index.js';
import { EVENT_TIMEOUT_MS, connectReady, startTestServer, type TestServer } from './helpers.js';
import {
  activities,
  clientId,
  conversationRow,
  customerWrites,
  goOnline,
  makeUser,
  mutate,
  until,
  whatsappInbox,
  type User,
} from './team-support.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.cleanup();
});

/** A team answering the WhatsApp inbox, with these members. */
async function team(members: readonly User[], options: { autoAssign?: boolean; grace?: number } = {}): Promise<string> {
  const made = await createTeam(server.store, {
    name: 'Sales',
    channelAccountIds: [await whatsappInbox(server)],
    autoAssign: options.autoAssign ?? true,
    offlineGraceMinutes: options.grace ?? 10,
  });
  if ('ok' in made) throw new Error('team not made');
  await setTeamMembers(
    server.store,
    made.id,
    members.map((member) => member.id),
  );
  return made.id;
}

async function assigneeOf(conversationId: string): Promise<string | null> {
  return (await conversationRow(server, conversationId)).assignee_id;
}

describe('the fair pick', () => {
  it('takes the least loaded, and goes round among ties after the last pick', () => {
    const pool = [
      { id: 'a', load: 1 },
      { id: 'b', load: 0 },
      { id: 'c', load: 0 },
    ];
    expect(pickFairly(pool, undefined)).toBe('b');
    expect(pickFairly(pool, 'b')).toBe('c');
    expect(pickFairly(pool, 'c')).toBe('b');
    expect(pickFairly([], undefined)).toBeNull();
  });
});

describe('auto-assignment', () => {
  it('respects capacity: nobody with room queues the chat, which is offered when someone frees up', async () => {
    const ana = await makeUser(server, 'Ana', 'agent', { capacity: 1 });
    const ben = await makeUser(server, 'Ben', 'agent', { capacity: 1 });
    await team([ana, ben]);
    const anaSocket = await goOnline(server, ana);
    const benSocket = await goOnline(server, ben);

    const first = await customerWrites(server, '447700900101', 'hello');
    const second = await customerWrites(server, '447700900102', 'hello');
    const owners = [await assigneeOf(first), await assigneeOf(second)];
    expect(owners.sort()).toEqual([ana.id, ben.id].sort());

    const third = await customerWrites(server, '447700900103', 'hello');
    expect(await assigneeOf(third)).toBeNull();

    // Whoever has the first resolves it: the queued chat goes to them.
    const owner = owners[0] === ana.id ? { user: ana, socket: anaSocket } : { user: ben, socket: benSocket };
    const ownersFirst = (await assigneeOf(first)) === owner.user.id ? first : second;
    const resolved = await mutate(owner.socket, {
      type: 'conversation.setStatus',
      clientId: clientId(),
      conversationId: ownersFirst,
      status: 'resolved',
    });
    expect(resolved).toEqual({ ok: true });
    expect(await assigneeOf(third)).toBe(owner.user.id);
    expect(await activities(server, third)).toContainEqual(
      expect.objectContaining({ type: 'assignment', reason: 'auto', toAgentId: owner.user.id, byAgentId: null }),
    );
  });

  it('skips an Away agent: the next chat goes to another', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const ben = await makeUser(server, 'Ben', 'agent');
    await team([ana, ben]);
    await goOnline(server, ana);
    const benSocket = await goOnline(server, ben);
    const away: unknown = await benSocket.timeout(EVENT_TIMEOUT_MS).emitWithAck('presence:set', { presence: 'away' });
    expect(away).toEqual({ ok: true });
    const first = await customerWrites(server, '447700900111', 'hello');
    const second = await customerWrites(server, '447700900112', 'hello');
    expect(await assigneeOf(first)).toBe(ana.id);
    expect(await assigneeOf(second)).toBe(ana.id);
    // Back Online: Ben gets the next one (he has fewer).
    await benSocket.timeout(EVENT_TIMEOUT_MS).emitWithAck('presence:set', { presence: 'online' });
    const third = await customerWrites(server, '447700900113', 'hello');
    expect(await assigneeOf(third)).toBe(ben.id);
  });

  it('goes round among equally loaded agents, and to the least loaded first', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const ben = await makeUser(server, 'Ben', 'agent');
    const cy = await makeUser(server, 'Cy', 'agent');
    await team([ana, ben, cy]);
    for (const user of [ana, ben, cy]) await goOnline(server, user);
    const picks: (string | null)[] = [];
    for (let i = 0; i < 6; i += 1) picks.push(await assigneeOf(await customerWrites(server, `4477009002${i}`, 'hi')));
    // Each of the three gets one of every three, never two before the others have one.
    expect(new Set(picks.slice(0, 3)).size).toBe(3);
    expect(new Set(picks.slice(3, 6)).size).toBe(3);
    expect(picks.slice(3, 6)).toEqual(picks.slice(0, 3));
  });

  it('leaves the queue alone when the team assigns by hand, and skips Offline members', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const ben = await makeUser(server, 'Ben', 'agent');
    await team([ana, ben], { autoAssign: false });
    await goOnline(server, ana);
    const conversation = await customerWrites(server, '447700900121', 'hello');
    expect(await assigneeOf(conversation)).toBeNull();
    await server.store.db.updateTable('teams').set({ auto_assign: 1 }).execute();
    const next = await customerWrites(server, '447700900122', 'hello');
    // Ben never connected: Offline, skipped.
    expect(await assigneeOf(next)).toBe(ana.id);
  });

  it('an agent coming Online is offered the oldest waiting chats, up to their capacity', async () => {
    const ana = await makeUser(server, 'Ana', 'agent', { capacity: 2 });
    await team([ana]);
    const oldest = await customerWrites(server, '447700900181', 'first');
    const middle = await customerWrites(server, '447700900182', 'second');
    const newest = await customerWrites(server, '447700900183', 'third');
    expect([await assigneeOf(oldest), await assigneeOf(middle), await assigneeOf(newest)]).toEqual([null, null, null]);
    await goOnline(server, ana);
    await until(async () => (await assigneeOf(middle)) === ana.id, 'the queue offered');
    expect(await assigneeOf(oldest)).toBe(ana.id);
    expect(await assigneeOf(newest)).toBeNull();
  });

  it('a reopened conversation is offered again', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    await team([ana]);
    const socket = await goOnline(server, ana);
    const conversation = await customerWrites(server, '447700900131', 'hello');
    expect(await assigneeOf(conversation)).toBe(ana.id);
    await mutate(socket, {
      type: 'conversation.assign',
      clientId: clientId(),
      conversationId: conversation,
      assigneeId: null,
    });
    await mutate(socket, {
      type: 'conversation.setStatus',
      clientId: clientId(),
      conversationId: conversation,
      status: 'resolved',
    });
    expect(await assigneeOf(conversation)).toBeNull();
    await customerWrites(server, '447700900131', 'me again');
    const row = await conversationRow(server, conversation);
    expect(row.status).toBe('open');
    expect(row.resolved_at).toBeNull();
    expect(row.assignee_id).toBe(ana.id);
    expect(await activities(server, conversation)).toContainEqual(
      expect.objectContaining({ type: 'status', from: 'resolved', to: 'open', byAgentId: null }),
    );
  });
});

describe('taking and assigning', () => {
  it('two agents taking one conversation at once: exactly one wins, the other is told who', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const ben = await makeUser(server, 'Ben', 'agent');
    await team([ana, ben], { autoAssign: false });
    const anaSocket = await goOnline(server, ana);
    const benSocket = await goOnline(server, ben);
    const conversation = await customerWrites(server, '447700900141', 'hello');
    const results = await Promise.all([
      mutate(anaSocket, {
        type: 'conversation.assign',
        clientId: clientId(),
        conversationId: conversation,
        assigneeId: ana.id,
      }),
      mutate(benSocket, {
        type: 'conversation.assign',
        clientId: clientId(),
        conversationId: conversation,
        assigneeId: ben.id,
      }),
    ]);
    const wins = results.filter((result) => result.ok);
    expect(wins).toHaveLength(1);
    const winner = results[0]?.ok === true ? ana : ben;
    const loser = results.find((result) => !result.ok);
    expect(loser).toEqual({
      ok: false,
      code: 'conflict',
      reason: 'already_taken',
      params: { assigneeName: winner.name },
    });
    expect(await assigneeOf(conversation)).toBe(winner.id);
    const lines = await activities(server, conversation);
    expect(lines).toEqual([
      expect.objectContaining({ type: 'assignment', reason: 'take', toAgentId: winner.id, byAgentId: winner.id }),
    ]);
  });

  it('a supervisor reassigns with a note: an activity line that leaves the preview, time and unread count alone', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const ben = await makeUser(server, 'Ben', 'agent');
    const sam = await makeUser(server, 'Sam', 'supervisor');
    await team([ana, ben, sam], { autoAssign: false });
    const samSocket = (await connectReady(server, sam.token)).socket;
    const conversation = await customerWrites(server, '447700900151', 'where is my parcel');
    const before = await conversationRow(server, conversation);
    const given = await mutate(samSocket, {
      type: 'conversation.assign',
      clientId: clientId(),
      conversationId: conversation,
      assigneeId: ana.id,
      note: 'VIP, be quick',
    });
    expect(given).toEqual({ ok: true });
    await mutate(samSocket, {
      type: 'conversation.assign',
      clientId: clientId(),
      conversationId: conversation,
      assigneeId: ben.id,
    });
    await mutate(samSocket, {
      type: 'conversation.setStatus',
      clientId: clientId(),
      conversationId: conversation,
      status: 'pending',
    });
    const after = await conversationRow(server, conversation);
    expect(after.assignee_id).toBe(ben.id);
    expect(after.assigned_at).not.toBeNull();
    expect(after.preview).toBe(before.preview);
    expect(after.last_message_at).toBe(before.last_message_at);
    expect(after.unread_count).toBe(before.unread_count);
    expect(await activities(server, conversation)).toEqual([
      {
        type: 'assignment',
        byAgentId: sam.id,
        fromAgentId: null,
        toAgentId: ana.id,
        reason: 'manual',
        note: 'VIP, be quick',
        authorAgentId: sam.id,
        direction: 'outbound',
        status: 'sent',
      },
      {
        type: 'assignment',
        byAgentId: sam.id,
        fromAgentId: ana.id,
        toAgentId: ben.id,
        reason: 'manual',
        note: null,
        authorAgentId: sam.id,
        direction: 'outbound',
        status: 'sent',
      },
      {
        type: 'status',
        byAgentId: sam.id,
        from: 'open',
        to: 'pending',
        authorAgentId: sam.id,
        direction: 'outbound',
        status: 'sent',
      },
    ]);
  });

  it('an agent replying to an unassigned conversation takes it; the reply stamps the first response', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    await team([ana], { autoAssign: false });
    const socket = await goOnline(server, ana);
    const conversation = await customerWrites(server, '447700900161', 'hello?');
    const waiting = await conversationRow(server, conversation);
    expect(waiting.waiting_since).not.toBeNull();
    expect(waiting.first_response_at).toBeNull();
    const sent = await mutate(socket, {
      type: 'message.send',
      clientId: clientId(),
      conversationId: conversation,
      content: { kind: 'text', text: 'Hi! Looking into it.' },
      replyToMessageId: null,
      humanAgentTag: false,
    });
    expect(sent.ok).toBe(true);
    const after = await conversationRow(server, conversation);
    expect(after.assignee_id).toBe(ana.id);
    expect(after.waiting_since).toBeNull();
    expect(after.first_response_at).not.toBeNull();
    expect(await activities(server, conversation)).toEqual([
      expect.objectContaining({ type: 'assignment', reason: 'take', toAgentId: ana.id, byAgentId: ana.id }),
    ]);
    // The customer writes again: waiting from then; the first response stays the first.
    await customerWrites(server, '447700900161', 'thanks, and?');
    const again = await conversationRow(server, conversation);
    expect(again.waiting_since).not.toBeNull();
    expect(again.first_response_at).toBe(after.first_response_at);
  });
});

describe('moving to another team', () => {
  it('a supervisor transfers a conversation: a team line, and the new team may assign it', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const sam = await makeUser(server, 'Sam', 'supervisor');
    await team([sam], { autoAssign: false });
    const other = await createTeam(server.store, { name: 'Support', autoAssign: true });
    if ('ok' in other) throw new Error('team not made');
    await setTeamMembers(server.store, other.id, [ana.id, sam.id]);
    await goOnline(server, ana);
    const samSocket = (await connectReady(server, sam.token)).socket;
    const conversation = await customerWrites(server, '447700900191', 'hello');
    const from = (await conversationRow(server, conversation)).team_id;
    const agentRefused = await mutate((await connectReady(server, ana.token)).socket, {
      type: 'conversation.transfer',
      clientId: clientId(),
      conversationId: conversation,
      teamId: other.id,
    });
    expect(agentRefused).toMatchObject({ ok: false });
    const moved = await mutate(samSocket, {
      type: 'conversation.transfer',
      clientId: clientId(),
      conversationId: conversation,
      teamId: other.id,
    });
    expect(moved).toEqual({ ok: true });
    const row = await conversationRow(server, conversation);
    expect(row.team_id).toBe(other.id);
    expect(row.assignee_id).toBe(ana.id);
    expect(await activities(server, conversation)).toEqual([
      expect.objectContaining({ type: 'team', byAgentId: sam.id, fromTeamId: from, toTeamId: other.id }),
      expect.objectContaining({ type: 'assignment', reason: 'auto', toAgentId: ana.id }),
    ]);
  });
});

describe('offline grace', () => {
  it('requeues the conversations of an assignee Offline beyond the grace, and offers them again', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const ben = await makeUser(server, 'Ben', 'agent');
    await team([ana, ben], { grace: 5 });
    const anaSocket = await goOnline(server, ana);
    const conversation = await customerWrites(server, '447700900171', 'hello');
    expect(await assigneeOf(conversation)).toBe(ana.id);
    anaSocket.disconnect();
    // Ana went Offline at T (the grace after the socket closed is presence's, tested there).
    const offlineAt = 1_800_000_000_000;
    await server.store.db
      .updateTable('agents')
      .set({ presence: 'offline', presence_at: offlineAt })
      .where('id', '=', ana.id)
      .execute();
    await goOnline(server, ben);
    let now = offlineAt + 5 * 60_000;
    const sweeper = new OfflineSweeper(server.store, { clock: { now: () => now } });
    expect(await sweeper.sweep()).toBe(0);
    expect(await assigneeOf(conversation)).toBe(ana.id);
    now += 1;
    expect(await sweeper.sweep()).toBe(1);
    expect(await assigneeOf(conversation)).toBe(ben.id);
    const lines = await activities(server, conversation);
    expect(lines.slice(-2)).toEqual([
      expect.objectContaining({
        type: 'assignment',
        reason: 'offline',
        fromAgentId: ana.id,
        toAgentId: null,
        byAgentId: null,
      }),
      expect.objectContaining({ type: 'assignment', reason: 'auto', fromAgentId: null, toAgentId: ben.id }),
    ]);
  });
});
