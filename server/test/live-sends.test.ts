import { afterEach, describe, expect, it } from 'vitest';
import type { Change, LiveBatch, Message } from '@parley/protocol';
import { LiveSends, QUIET_BATCH_EVERY_MS } from '../src/modules/sync/index.js';
import { createTeam, setTeamMembers } from '../src/modules/teams/index.js';
import {
  PAGE_ID,
  batchHasMessage,
  connectReady,
  deliver,
  messagingText,
  startTestServer,
  whatsappText,
  type TestServer,
} from './helpers.js';
import { makeUser } from './team-support.js';

/**
 * What a node sends each socket of the live batches: nothing of a batch the socket sees
 * nothing of, a next batch that starts where the last one sent ended, and now and then the
 * empty batch that catches a socket up. Checked against a client that reads batches as
 * the app does (renderer/src/sync/live.ts): one that starts past its cursor makes it pull.
 */

function message(seq: number): Change {
  return { entity: 'message', data: { id: `m${seq}`, conversationId: 'c', seq } as Message };
}

/** A client's cursor, what it was sent, and the pulls it had to make. */
class Client {
  cursor = 0;
  pulls = 0;
  readonly received: LiveBatch[] = [];
  constructor(readonly name: string) {}
  receive(batch: LiveBatch): void {
    this.received.push(batch);
    if (batch.after > this.cursor) this.pulls += 1;
    this.cursor = Math.max(this.cursor, batch.upTo);
  }
  /** The seqs of the changes it was sent. */
  seqs(): number[] {
    return this.received.flatMap((batch) => batch.changes.map((change) => change.data.seq));
  }
}

function setup(quietMs = 1000) {
  let now = 0;
  const sends = new LiveSends<Client>(quietMs, () => now);
  return {
    sends,
    tick: (ms: number) => (now += ms),
    /** One committed batch (after, upTo], cut for each client: `sees` says who gets its change. */
    commit: (after: number, upTo: number, clients: Client[], sees: (client: Client) => boolean): void => {
      sends.begin({ after, upTo });
      for (const client of clients) {
        const cut: LiveBatch = { after, upTo, changes: sees(client) ? [message(upTo)] : [] };
        const batch = sends.cut(client, cut, after);
        if (batch !== null) client.receive(batch);
      }
    },
    quiet: (): void => {
      for (const [client, batch] of sends.quiet()) client.receive(batch);
    },
  };
}

describe('live sends', () => {
  it('does not send a socket the batches it sees nothing of, and the next one starts where its last ended', () => {
    const { commit } = setup();
    const ana = new Client('ana');
    const ben = new Client('ben');
    commit(0, 1, [ana, ben], () => true);
    for (let seq = 1; seq < 50; seq += 1) commit(seq, seq + 1, [ana, ben], (client) => client === ana);
    expect(ana.cursor).toBe(50);
    // Ben saw nothing of 49 batches and was sent none of them.
    expect(ben.received).toHaveLength(1);
    commit(50, 51, [ana, ben], () => true);
    expect(ben.received.at(-1)).toEqual({ after: 1, upTo: 51, changes: [message(51)] });
    expect(ben.cursor).toBe(51);
    expect(ana.pulls + ben.pulls).toBe(0);
  });

  it('catches up a socket left behind with one empty batch once it has waited the quiet time', () => {
    const { commit, tick, quiet } = setup(1000);
    const ana = new Client('ana');
    const ben = new Client('ben');
    commit(0, 1, [ana, ben], () => true);
    for (let seq = 1; seq < 10; seq += 1) {
      tick(100);
      commit(seq, seq + 1, [ana, ben], (client) => client === ana);
      quiet();
    }
    // The first batch ben was not sent came at 100 ms: at 1,099 ms, not yet.
    tick(199);
    quiet();
    expect(ben.cursor).toBe(1);
    tick(1);
    quiet();
    expect(ben.cursor).toBe(10);
    expect(ben.pulls).toBe(0);
    // Nothing more to send once caught up.
    const sent = ben.received.length;
    tick(5000);
    quiet();
    expect(ben.received).toHaveLength(sent);
    commit(10, 11, [ana, ben], () => true);
    expect(ben.cursor).toBe(11);
    expect(ben.pulls).toBe(0);
  });

  it('after a gap in the node’s own batches, the next batch starts where it says, so the client pulls', () => {
    const { sends, commit, tick, quiet } = setup();
    const ben = new Client('ben');
    commit(0, 1, [ben], () => true);
    commit(1, 2, [ben], () => false);
    // The node missed (2, 5]: the next batch it delivers starts at 5.
    commit(5, 6, [ben], () => true);
    expect(ben.pulls).toBe(1);
    // A left-behind socket of the old chain is not caught up past a gap.
    commit(6, 7, [ben], () => false);
    sends.begin({ after: 9, upTo: 10 });
    tick(5000);
    quiet();
    expect(ben.cursor).toBe(6);
  });

  it('a batch that asks its user to pull (more came into sight than it carries) is always sent', () => {
    const { sends } = setup();
    const ben = new Client('ben');
    sends.begin({ after: 0, upTo: 1 });
    expect(sends.cut(ben, { after: 0, upTo: 1, changes: [message(1)] }, 0)).not.toBeNull();
    sends.begin({ after: 1, upTo: 3 });
    // batchFor moves `after` to the end when grants are missing; the changes may be empty.
    const asksToPull = sends.cut(ben, { after: 3, upTo: 3, changes: [] }, 1);
    expect(asksToPull).toEqual({ after: 3, upTo: 3, changes: [] });
  });

  it('a first batch to a socket is sent as it is, and a forgotten socket starts again', () => {
    const { sends } = setup();
    const ben = new Client('ben');
    sends.begin({ after: 4, upTo: 5 });
    expect(sends.cut(ben, { after: 4, upTo: 5, changes: [] }, 4)).toEqual({ after: 4, upTo: 5, changes: [] });
    sends.begin({ after: 5, upTo: 6 });
    expect(sends.cut(ben, { after: 5, upTo: 6, changes: [] }, 5)).toBeNull();
    sends.forget(ben);
    sends.begin({ after: 6, upTo: 7 });
    expect(sends.cut(ben, { after: 6, upTo: 7, changes: [] }, 6)).toEqual({ after: 6, upTo: 7, changes: [] });
    expect(sends.quiet()).toEqual([]);
  });

  it('over a random run, every client gets every change it sees and never pulls', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const { commit, tick, quiet } = setup(1000);
    const clients = Array.from({ length: 20 }, (_, i) => new Client(`c${i}`));
    const wanted = new Map(clients.map((client) => [client, [] as number[]]));
    for (let seq = 0; seq < 2000; seq += 1) {
      const team = Math.floor(random() * 5);
      const sees = (client: Client): boolean => Number(client.name.slice(1)) % 5 === team;
      for (const client of clients) if (sees(client)) wanted.get(client)?.push(seq + 1);
      commit(seq, seq + 1, clients, sees);
      tick(Math.floor(random() * 20));
      quiet();
    }
    tick(1000);
    quiet();
    for (const client of clients) {
      expect(client.seqs()).toEqual(wanted.get(client));
      // Far fewer sends than batches: about a fifth of them, and the catching up.
      expect(client.received.length).toBeLessThan(1000);
      expect(client.pulls).toBe(0);
      expect(client.cursor).toBe(2000);
    }
  });
});

describe('live batches over the socket', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.cleanup();
    server = undefined;
  });

  it('an agent is not sent the other team’s traffic, is caught up once, and never finds a gap', async () => {
    server = await startTestServer();
    const accounts = await server.store.db.selectFrom('channel_accounts').select(['id', 'channel']).execute();
    const inbox = (channel: string): string => accounts.find((account) => account.channel === channel)?.id ?? '';
    const sales = await createTeam(server.store, { name: 'Sales', channelAccountIds: [inbox('whatsapp')] });
    const care = await createTeam(server.store, { name: 'Care', channelAccountIds: [inbox('messenger')] });
    if (!('id' in sales) || !('id' in care)) throw new Error('teams refused');
    const ana = await makeUser(server, 'Ana', 'agent');
    const ben = await makeUser(server, 'Ben', 'agent');
    await setTeamMembers(server.store, sales.id, [ana.id]);
    await setTeamMembers(server.store, care.id, [ben.id]);
    const anaSocket = await connectReady(server, ana.token);
    const benSocket = await connectReady(server, ben.token);
    // Ben's cursor starts at the head he was told; his first batch may start there.
    let cursor = benSocket.head;
    let pulls = 0;
    benSocket.socket.on('sync:changes', (batch: LiveBatch) => {
      if (batch.after > cursor) pulls += 1;
      cursor = Math.max(cursor, batch.upTo);
    });

    const burstAt = Date.now();
    for (let i = 0; i < 10; i += 1) {
      await deliver(
        server,
        'whatsapp',
        whatsappText({
          from: '447700900001',
          name: 'Kim',
          id: `wamid.SALES${i}`,
          text: `order ${i}`,
          timestampSeconds: 1_700_000_000 + i,
        }),
      );
    }
    await anaSocket.batches.waitFor(batchHasMessage('wamid.SALES9'), 'the last sales message');
    const head = await server.store.head();
    const sentDuringBurst = benSocket.batches.all.filter((batch) => batch.changes.length === 0).length;
    // Ten commits of Sales' traffic: Ben was sent the first, and a catching-up batch a
    // second at most (a slow machine makes the burst last), not one a commit.
    const quietSeconds = Math.ceil((Date.now() - burstAt) / QUIET_BATCH_EVERY_MS);
    expect(sentDuringBurst).toBeLessThanOrEqual(Math.min(9, 1 + quietSeconds));
    // Then one empty batch catches him up to the head, about a second after.
    const caughtUp = await benSocket.batches.waitFor((batch) => batch.upTo === head, 'the catching up');
    expect(caughtUp.changes).toEqual([]);
    expect(Date.now() - burstAt).toBeGreaterThanOrEqual(QUIET_BATCH_EVERY_MS / 2);
    expect(cursor).toBe(head);

    // His own team's customer: a batch that follows on from his cursor.
    await deliver(
      server,
      'messenger',
      messagingText({
        object: 'page',
        accountId: PAGE_ID,
        senderId: '24000000001',
        mid: 'm_CARE1',
        text: 'help',
        timestampMs: 1_700_000_100_000,
      }),
    );
    const own = await benSocket.batches.waitFor(batchHasMessage('m_CARE1'), 'his customer’s message');
    expect(own.after).toBeLessThanOrEqual(head);
    expect(pulls).toBe(0);
    expect(benSocket.batches.all.some((batch) => batchHasMessage('wamid.SALES0')(batch))).toBe(false);
  });
});
