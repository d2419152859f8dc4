import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveBatch } from '@parley/protocol';
import { ParleyDb, readMeta } from '../../src/data/db.js';
import type { ParleySocket, SyncLink } from '../../src/sync/link.js';
import { LiveFeed } from '../../src/sync/live.js';
import type { Puller } from '../../src/sync/pull.js';
import { message } from '../fixtures.js';
import { withRoomFor } from '../roomFor.js';

/** Live batches that cannot be stored are fetched again by a pull, a bounded number of times. */

let count = 0;
const dbs: ParleyDb[] = [];

beforeEach(() => {
  // Only the feed's own timers: fake-indexeddb schedules its work with setImmediate.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(async () => {
  vi.useRealTimers();
  for (const db of dbs.splice(0)) await db.delete();
});

/** A device out of storage, with nothing left to evict: every message write is refused. */
function fullDb(): ParleyDb {
  count += 1;
  const db = withRoomFor(new ParleyDb(`live-test-${count}`), 0);
  dbs.push(db);
  return db;
}

function batch(): LiveBatch {
  const changes = [1, 2, 3].map((seq) => ({
    entity: 'message' as const,
    data: message({ id: `m${seq}`, seq, createdAt: 1_000 + seq, text: `message ${seq}` }),
  }));
  return { after: 0, upTo: 3, changes };
}

/** A feed over `db`, with one batch pushed and drained; `pull` stands for the server's pages. */
async function feed(
  db: ParleyDb,
  pull: () => Promise<void>,
): Promise<{ live: LiveFeed; pulls: string[]; reports: string[]; states: string[] }> {
  let ready = false;
  const pulls: string[] = [];
  const reports: string[] = [];
  const states: string[] = [];
  // A connected socket: the feed only asks whether it is.
  const socket = { connected: true } as unknown as ParleySocket;
  const link: SyncLink = {
    options: { db, serverUrl: 'http://127.0.0.1:9', token: null, clientName: 'parley-test/0' },
    db,
    timeoutMs: 1000,
    socket: () => socket,
    ready: () => ready,
    setState: (state) => states.push(state.kind),
    report: (what) => reports.push(what),
  };
  const puller = {
    pull: (during: string) => {
      pulls.push(during);
      return pull();
    },
  } as unknown as Puller;
  const live = new LiveFeed(link, puller);
  live.push(batch());
  ready = true;
  await live.drain();
  return { live, pulls, reports, states };
}

describe('LiveFeed', () => {
  it('fetches again, with a pull, a batch it could not store', async () => {
    const db = fullDb();
    const { pulls, reports, states } = await feed(db, () => Promise.resolve());
    expect(reports).toEqual(['sync']);
    expect(await readMeta(db, 'cursor')).toBeUndefined();
    expect(pulls).toEqual([]);

    await vi.advanceTimersByTimeAsync(1000);
    expect(pulls).toEqual(['live']);
    // A pull of several pages shows as catching up: once over, the feed is live again.
    expect(states).toEqual(['online']);
    // The pull succeeded: nothing more is asked.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(pulls).toEqual(['live']);
  });

  it('asks a bounded number of times, each later, while the device stays full', async () => {
    const db = fullDb();
    const { pulls } = await feed(db, () => Promise.reject(new Error('still full')));
    await vi.advanceTimersByTimeAsync(999);
    expect(pulls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(pulls).toHaveLength(1);
    // The second waits twice as long as the first.
    await vi.advanceTimersByTimeAsync(1999);
    expect(pulls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(pulls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(pulls).toHaveLength(5);
  });

  it('asks nothing once stopped', async () => {
    const db = fullDb();
    const { live, pulls } = await feed(db, () => Promise.resolve());
    live.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(pulls).toEqual([]);
  });

  it('asks nothing more once stopped while a pull was under way', async () => {
    const db = fullDb();
    let fail: (error: Error) => void = () => undefined;
    const { live, pulls } = await feed(
      db,
      () =>
        new Promise<void>((_, reject) => {
          fail = reject;
        }),
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(pulls).toHaveLength(1);
    // Stopping closes the socket, and the pull under way fails.
    live.stop();
    fail(new Error('disconnected'));
    await vi.advanceTimersByTimeAsync(0);
    // No timer is left to keep the stopped engine alive.
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(pulls).toHaveLength(1);
  });
});
