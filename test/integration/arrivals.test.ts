import 'fake-indexeddb/auto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Server, type Socket } from 'socket.io';
import type { Change, LiveBatch, PullPage } from '@parley/protocol';
import { ParleyDb } from '../../renderer/src/data/db.js';
import { SyncEngine, type Arrivals, type ConnectionState } from '../../renderer/src/sync/engine.js';
import { conversationAt, message } from '../../renderer/test/fixtures.js';
import { answerHello, untilState as until } from '../support/engine.js';

/**
 * What the engine reports as news, against a scripted server: only messages written since
 * the device last synced, told as live while the agent is here, and stored pages reported
 * even when a catch-up breaks off.
 */

type Script = {
  pull: (cursor: number, socket: Socket) => PullPage | 'drop';
};

let http: HttpServer;
let io: Server;
let url: string;
let script: Script;
let dbCount = 0;
const engines: SyncEngine[] = [];

beforeEach(async () => {
  http = createServer();
  io = new Server(http);
  io.on('connection', (socket) => {
    answerHello(socket);
    socket.on('sync:pull', (request: { cursor: number }, ack: (reply: unknown) => void) => {
      const page = script.pull(request.cursor, socket);
      if (page === 'drop') {
        socket.disconnect(true);
        return;
      }
      ack({ ok: true, ...page });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const engine of engines.splice(0)) engine.stop();
  await io.close();
});

function start(db: ParleyDb, arrivals: Arrivals[], states: ConnectionState['kind'][] = []): SyncEngine {
  const engine = new SyncEngine({
    db,
    serverUrl: url,
    token: 't',
    clientName: 'test',
    requestTimeoutMs: 2000,
    onArrivals: (batch) => arrivals.push(batch),
  });
  engine.subscribe(() => states.push(engine.getState().kind));
  engines.push(engine);
  engine.start();
  return engine;
}

const NOW = Date.now();

function inbound(id: string, seq: number, createdAt: number, conversationId = 'c1'): Change {
  return { entity: 'message', data: message({ id, conversationId, seq, createdAt, text: id }) };
}

function conversation(seq: number, id = 'c1'): Change {
  return { entity: 'conversation', data: conversationAt('whatsapp', NOW, { id, seq }) };
}

/** A device that finished its first sync an hour ago, at cursor 2. */
async function syncedAnHourAgo(): Promise<ParleyDb> {
  dbCount += 1;
  const db = new ParleyDb(`arrivals-test-${dbCount}`);
  await db.conversations.bulkPut([
    conversationAt('whatsapp', NOW - 3_600_000, { seq: 1 }),
    conversationAt('whatsapp', NOW - 5 * 3_600_000, { id: 'c3', seq: 1 }),
  ]);
  await db.messages.put(message({ id: 'seen', seq: 2, createdAt: NOW - 3_600_000 }));
  await db.meta.bulkPut([
    { key: 'cursor', value: 2 },
    { key: 'bootstrapped', value: NOW - 3_600_000 },
    { key: 'lastSyncedAt', value: NOW - 3_600_000 },
  ]);
  return db;
}

function emitLive(batch: LiveBatch): void {
  io.emit('sync:changes', batch);
}

describe('arrivals', () => {
  it('reports what was written since the last sync, not old messages that come again', async () => {
    const db = await syncedAnHourAgo();
    script = {
      pull: (cursor) =>
        cursor < 6
          ? {
              changes: [
                conversation(3),
                // Written while the device was away: news.
                inbound('new-1', 4, NOW - 60_000),
                // A week old, never cached (before what the first sync brought), back with a
                // new seq after a contact merge: not news.
                inbound('old-1', 5, NOW - 7 * 86_400_000),
                // Already here: not news either.
                inbound('seen', 6, NOW - 3_600_000),
                // Delivered hours late by the platform, but newer than anything known of its
                // conversation, or in a conversation this device has never seen: news.
                inbound('late-1', 6, NOW - 2 * 3_600_000, 'c3'),
                inbound('late-2', 6, NOW - 3 * 3_600_000, 'c9'),
              ],
              cursor: 6,
              hasMore: false,
              head: 6,
            }
          : { changes: [], cursor, hasMore: false, head: cursor },
    };
    const arrivals: Arrivals[] = [];
    const engine = start(db, arrivals);
    await until(engine, (state) => state.kind === 'online');
    expect(arrivals.map((batch) => [batch.during, batch.messages.map((m) => m.id)])).toEqual([
      ['catchUp', ['new-1', 'late-1', 'late-2']],
    ]);

    // Live: the same rule.
    emitLive({
      after: 6,
      upTo: 8,
      changes: [inbound('old-2', 7, NOW - 7 * 86_400_000), inbound('new-2', 8, Date.now())],
    });
    await expect.poll(() => arrivals.length).toBe(2);
    expect(arrivals[1]).toMatchObject({ during: 'live', messages: [{ id: 'new-2' }] });
    expect(await db.messages.get('old-2')).toBeDefined();
  });

  it('does not announce the older messages a conversation brings when it comes into sight', async () => {
    const db = await syncedAnHourAgo();
    script = {
      pull: (cursor) =>
        cursor < 5
          ? {
              changes: [
                // c7 came into sight: it brings messages stamped before this device's cursor.
                inbound('granted-old', 1, NOW - 10 * 60_000, 'c7'),
                conversation(4, 'c7'),
                // Written since the cursor: news.
                inbound('granted-new', 5, NOW - 60_000, 'c7'),
              ],
              cursor: 5,
              hasMore: false,
              head: 5,
            }
          : { changes: [], cursor, hasMore: false, head: cursor },
    };
    const arrivals: Arrivals[] = [];
    const engine = start(db, arrivals);
    await until(engine, (state) => state.kind === 'online');
    expect(arrivals.map((batch) => batch.messages.map((m) => m.id))).toEqual([['granted-new']]);
    expect(await db.messages.get('granted-old')).toBeDefined();

    // Live, the same: c8 comes into sight with a message written before the batch.
    emitLive({ after: 5, upTo: 6, changes: [conversation(6, 'c8'), inbound('granted-live', 2, NOW - 60_000, 'c8')] });
    await expect.poll(async () => (await db.messages.get('granted-live')) !== undefined).toBe(true);
    expect(arrivals).toHaveLength(1);
  });

  it('tells a gap filled while the agent is here as live, and is online again after it', async () => {
    const db = await syncedAnHourAgo();
    let head = 2;
    const pages: Change[][] = [];
    script = {
      pull: (cursor) => {
        const page = pages.find((changes) => (changes[0]?.data.seq ?? 0) > cursor);
        if (page === undefined) return { changes: [], cursor: Math.max(cursor, head), hasMore: false, head };
        const last = page.at(-1)?.data.seq ?? cursor;
        return { changes: page, cursor: last, hasMore: last < head, head };
      },
    };
    const arrivals: Arrivals[] = [];
    const states: ConnectionState['kind'][] = [];
    const engine = start(db, arrivals, states);
    await until(engine, (state) => state.kind === 'online');

    // Two pages of changes the live feed never delivered, then a batch after them.
    pages.push([inbound('gap-1', 3, Date.now()), inbound('gap-2', 4, Date.now())]);
    pages.push([inbound('gap-3', 5, Date.now(), 'c2'), conversation(6, 'c2')]);
    head = 6;
    emitLive({ after: 6, upTo: 7, changes: [inbound('after-gap', 7, Date.now())] });
    head = 7;
    pages.push([inbound('after-gap', 7, Date.now())]);

    await expect.poll(async () => (await db.messages.get('after-gap')) !== undefined).toBe(true);
    await expect.poll(() => engine.getState().kind).toBe('online');
    expect(states).toContain('catchingUp');
    expect(arrivals.every((batch) => batch.during === 'live')).toBe(true);
    expect(arrivals.flatMap((batch) => batch.messages.map((m) => m.id)).sort()).toEqual([
      'after-gap',
      'gap-1',
      'gap-2',
      'gap-3',
    ]);
  });

  it('reports the pages a broken-off catch-up stored, once', async () => {
    const db = await syncedAnHourAgo();
    let dropped = false;
    script = {
      pull: (cursor) => {
        if (cursor === 2) {
          return { changes: [inbound('first-page', 3, NOW - 1000)], cursor: 3, hasMore: true, head: 4 };
        }
        if (!dropped) {
          dropped = true;
          return 'drop';
        }
        return cursor < 4
          ? { changes: [inbound('second-page', 4, NOW - 500)], cursor: 4, hasMore: false, head: 4 }
          : { changes: [], cursor, hasMore: false, head: 4 };
      },
    };
    const arrivals: Arrivals[] = [];
    const engine = start(db, arrivals);
    await until(engine, (state) => dropped && state.kind === 'online');
    expect(arrivals.flatMap((batch) => batch.messages.map((m) => m.id))).toEqual(['first-page', 'second-page']);
  });

  it('says reconnecting for as long as it tries, not offline between tries', async () => {
    const db = await syncedAnHourAgo();
    script = { pull: (cursor) => ({ changes: [], cursor, hasMore: false, head: cursor }) };
    const states: ConnectionState['kind'][] = [];
    const engine = start(db, [], states);
    await until(engine, (state) => state.kind === 'online');

    // The server goes away for good: every try is refused.
    io.disconnectSockets(true);
    await io.close();
    await until(engine, (state) => state.kind === 'reconnecting');
    const from = states.length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(states.slice(from).every((kind) => kind === 'reconnecting')).toBe(true);
    expect(engine.getState().kind).toBe('reconnecting');
  });
});
