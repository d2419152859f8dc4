import type { ConversationPeers } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_TIMEOUT_MS, connectReady, startTestServer, type ClientSocket, type TestServer } from './helpers.js';
import { customerWrites, makeUser, type User } from './team-support.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.cleanup();
});

/** Every `conversation:peers` a socket gets, and a way to wait for one that matches. */
function recordPeers(socket: ClientSocket): {
  all: ConversationPeers[];
  waitFor(match: (peers: ConversationPeers) => boolean, what: string): Promise<ConversationPeers>;
} {
  const all: ConversationPeers[] = [];
  socket.on('conversation:peers', (peers) => all.push(peers));
  return {
    all,
    waitFor: async (match, what) => {
      const deadline = Date.now() + EVENT_TIMEOUT_MS;
      for (;;) {
        const found = all.find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no peers event with ${what} (got ${JSON.stringify(all)})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

async function viewer(user: User): Promise<{ socket: ClientSocket; peers: ReturnType<typeof recordPeers> }> {
  const { socket } = await connectReady(server, user.token);
  return { socket, peers: recordPeers(socket) };
}

describe('who else views and types in a thread', () => {
  it('tells each viewer who views and who types, and forgets a socket that leaves', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const ben = await makeUser(server, 'Ben', 'agent');
    const conversation = await customerWrites(server, '447700900401', 'hello');
    const a = await viewer(ana);
    const b = await viewer(ben);
    a.socket.emit('conversation:view', { conversationId: conversation });
    await a.peers.waitFor((p) => p.viewerIds.includes(ana.id), 'Ana viewing');
    b.socket.emit('conversation:view', { conversationId: conversation });
    const both = await a.peers.waitFor((p) => p.viewerIds.length === 2, 'both viewing');
    expect(both).toEqual({ conversationId: conversation, viewerIds: [ana.id, ben.id].sort(), typingIds: [] });

    b.socket.emit('typing', { conversationId: conversation });
    await a.peers.waitFor((p) => p.typingIds.includes(ben.id), 'Ben typing');

    b.socket.disconnect();
    const left = await a.peers.waitFor(
      (p) => p.viewerIds.length === 1 && p.typingIds.length === 0 && a.peers.all.indexOf(p) > 0,
      'Ben gone',
    );
    expect(left.viewerIds).toEqual([ana.id]);
  });

  it('moving to another thread (or none) leaves the first', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const ben = await makeUser(server, 'Ben', 'agent');
    const first = await customerWrites(server, '447700900411', 'hello');
    const second = await customerWrites(server, '447700900412', 'hello');
    const a = await viewer(ana);
    const b = await viewer(ben);
    a.socket.emit('conversation:view', { conversationId: first });
    b.socket.emit('conversation:view', { conversationId: first });
    await a.peers.waitFor((p) => p.viewerIds.length === 2, 'both on the first');
    b.socket.emit('conversation:view', { conversationId: second });
    await a.peers.waitFor((p) => p.conversationId === first && p.viewerIds.length === 1, 'Ben left the first');
    await b.peers.waitFor((p) => p.conversationId === second && p.viewerIds.includes(ben.id), 'Ben on the second');
    a.socket.emit('conversation:view', { conversationId: null });
    await b.peers.waitFor(() => true, 'anything');
    // Typing in a thread one does not view is not announced.
    a.socket.emit('typing', { conversationId: second });
    b.socket.emit('conversation:view', { conversationId: second });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(b.peers.all.some((p) => p.typingIds.includes(ana.id))).toBe(false);
  });

  it('ignores a view of a conversation the user cannot see, and malformed requests', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const eve = await makeUser(server, 'Eve', 'agent');
    // Eve is in no team: she sees nothing unassigned.
    await server.store.db.deleteFrom('team_members').where('agent_id', '=', eve.id).execute();
    const conversation = await customerWrites(server, '447700900421', 'private');
    const a = await viewer(ana);
    const e = await viewer(eve);
    e.socket.emit('conversation:view', { conversationId: conversation });
    e.socket.emit('conversation:view', { conversationId: 42 } as never);
    e.socket.emit('conversation:view', null as never);
    a.socket.emit('conversation:view', { conversationId: conversation });
    const seen = await a.peers.waitFor((p) => p.viewerIds.includes(ana.id), 'Ana viewing');
    expect(seen.viewerIds).toEqual([ana.id]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(e.peers.all).toEqual([]);
  });
});
