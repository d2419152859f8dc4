import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OFFLINE_AFTER_MS, PresenceTracker, type PresenceClock } from '../src/modules/presence/index.js';
import { EVENT_TIMEOUT_MS, connectReady, startTestServer, type TestServer } from './helpers.js';
import { api, goOnline, makeUser, presenceOf, until, type User } from './team-support.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.cleanup();
});

/** A clock whose timers run only when the test says so. */
function manualClock(): PresenceClock & { at: number; fire(): void; pending(): number } {
  const timers = new Map<number, () => void>();
  let next = 0;
  return {
    at: 1_900_000_000_000,
    now() {
      return this.at;
    },
    setTimeout(run) {
      next += 1;
      timers.set(next, run);
      return next;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    fire() {
      const due = [...timers.values()];
      timers.clear();
      for (const run of due) run();
    },
    pending: () => timers.size,
  };
}

async function agentRow(id: string): Promise<{ presence: string; presence_at: number | null; seq: number }> {
  return server.store.db
    .selectFrom('agents')
    .select(['presence', 'presence_at', 'seq'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('presence follows the connection', () => {
  let ana: User;
  let clock: ReturnType<typeof manualClock>;
  let tracker: PresenceTracker;

  beforeEach(async () => {
    ana = await makeUser(server, 'Ana', 'agent');
    clock = manualClock();
    tracker = new PresenceTracker(server.store, { clock, offlineAfterMs: 30_000 });
  });

  it('Online with a socket, Away by hand, Offline only when the grace after the last socket ends', async () => {
    expect((await agentRow(ana.id)).presence).toBe('offline');
    await tracker.connected(ana.id, 's1');
    const online = await agentRow(ana.id);
    expect(online).toMatchObject({ presence: 'online', presence_at: clock.at });
    await tracker.connected(ana.id, 's2');
    const away = await tracker.set(ana.id, 'away');
    expect(away).toMatchObject({ id: ana.id, presence: 'away' });
    const awayRow = await agentRow(ana.id);
    expect(awayRow.seq).toBeGreaterThan(online.seq);
    tracker.disconnected(ana.id, 's1');
    expect(clock.pending()).toBe(0);
    tracker.disconnected(ana.id, 's2');
    expect(clock.pending()).toBe(1);
    expect(tracker.current(ana.id)).toBe('away');
    clock.at += 30_000;
    clock.fire();
    await until(async () => (await agentRow(ana.id)).presence === 'offline', 'offline');
    expect((await agentRow(ana.id)).presence_at).toBe(clock.at);
    // Away was for that connection: the next one is Online.
    await tracker.connected(ana.id, 's3');
    expect((await agentRow(ana.id)).presence).toBe('online');
  });

  it('a reload within the grace does not flap', async () => {
    await tracker.connected(ana.id, 's1');
    const before = await agentRow(ana.id);
    tracker.disconnected(ana.id, 's1');
    await tracker.connected(ana.id, 's2');
    expect(clock.pending()).toBe(0);
    clock.fire();
    const after = await agentRow(ana.id);
    expect(after).toEqual(before);
  });

  it('a restart does not flap anyone: the present keep their presence for the grace, then go Offline', async () => {
    const bea = await makeUser(server, 'Bea', 'agent');
    const cy = await makeUser(server, 'Cy', 'agent');
    await server.store.db
      .updateTable('agents')
      .set({ presence: 'online' })
      .where('id', 'in', [ana.id, cy.id])
      .execute();
    await server.store.db.updateTable('agents').set({ presence: 'away' }).where('id', '=', bea.id).execute();
    const before = { ana: await agentRow(ana.id), bea: await agentRow(bea.id), cy: await agentRow(cy.id) };
    await tracker.reset();
    expect(clock.pending()).toBe(3);
    expect([tracker.current(ana.id), tracker.current(bea.id), tracker.current(cy.id)]).toEqual([
      'online',
      'away',
      'online',
    ]);
    // Ana and Bea's apps reconnect within the grace: nothing is written, Bea is still Away.
    await tracker.connected(ana.id, 's1');
    await tracker.connected(bea.id, 's2');
    expect(await agentRow(ana.id)).toEqual(before.ana);
    expect(await agentRow(bea.id)).toEqual(before.bea);
    expect(tracker.current(bea.id)).toBe('away');
    expect(clock.pending()).toBe(1);
    // Cy does not come back: Offline when the grace ends.
    clock.at += 30_000;
    clock.fire();
    await until(async () => (await agentRow(cy.id)).presence === 'offline', 'Cy offline');
    expect((await agentRow(cy.id)).seq).toBeGreaterThan(before.cy.seq);
    expect((await agentRow(ana.id)).presence).toBe('online');
  });
});

describe('presence over the socket and the API', () => {
  it('a connected agent is Online; Away set by hand reaches a supervisor live', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const sam = await makeUser(server, 'Sam', 'supervisor');
    const watcher = await connectReady(server, sam.token);
    const socket = await goOnline(server, ana);
    const answer: unknown = await socket.timeout(EVENT_TIMEOUT_MS).emitWithAck('presence:set', { presence: 'away' });
    expect(answer).toEqual({ ok: true });
    await watcher.batches.waitFor(
      (batch) =>
        batch.changes.some(
          (change) => change.entity === 'agent' && change.data.id === ana.id && change.data.presence === 'away',
        ),
      "Ana's Away",
    );
    expect(await presenceOf(server, ana.id)).toBe('away');
  });

  it('refuses a malformed presence:set and changes nothing', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    const socket = await goOnline(server, ana);
    for (const payload of [{ presence: 'offline' }, { presence: 'busy' }, {}, 'away', null]) {
      const answer = (await socket.timeout(EVENT_TIMEOUT_MS).emitWithAck('presence:set', payload as never)) as unknown;
      expect(answer).toMatchObject({ ok: false, code: 'bad_request', reason: 'malformed' });
    }
    expect(await presenceOf(server, ana.id)).toBe('online');
  });

  it('PUT /me/presence sets Away and back; bad input is refused', async () => {
    const ana = await makeUser(server, 'Ana', 'agent');
    await goOnline(server, ana);
    const away = await api(server, ana, 'PUT', '/me/presence', { presence: 'away' });
    expect(away.status).toBe(200);
    expect(away.body.agent).toMatchObject({ id: ana.id, presence: 'away' });
    const back = await api(server, ana, 'PUT', '/me/presence', { presence: 'online' });
    expect(back.body.agent).toMatchObject({ presence: 'online' });
    for (const body of [{ presence: 'offline' }, {}, { presence: 'away', agentId: 'someone-else' }]) {
      const answer = await api(server, ana, 'PUT', '/me/presence', body);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('bad_request');
    }
    expect(await presenceOf(server, ana.id)).toBe('online');
    expect((await api(server, null, 'PUT', '/me/presence', { presence: 'away' })).status).toBe(401);
  });

  it('notices a dropped network and goes Offline within 30 s', () => {
    const { pingInterval, pingTimeout } = server.realtime.io.engine.opts;
    expect(pingInterval).toBeDefined();
    expect(pingTimeout).toBeDefined();
    expect((pingInterval ?? Infinity) + (pingTimeout ?? Infinity) + OFFLINE_AFTER_MS).toBeLessThanOrEqual(30_000);
  });
});
