import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mutation } from '@parley/protocol';
import { ParleyDb, SCHEMA_VERSIONS, readMeta, type SchemaVersion } from '../../src/data/db.js';
import { openLocalDatabase } from '../../src/data/open.js';
import { optimisticMessageId } from '../../src/data/optimistic.js';
import { enqueue } from '../../src/sync/outbox.js';
import { conversationAt, message } from '../fixtures.js';

/** The local cache's life: upgrades that migrate, upgrades that re-download, stores that cannot be opened. */

let count = 0;
const names: string[] = [];

function newName(): string {
  count += 1;
  const name = `local-data-test-${count}`;
  names.push(name);
  return name;
}

afterEach(async () => {
  for (const name of names.splice(0)) await Dexie.delete(name);
});

function reply(clientId: string, text: string): Mutation {
  return {
    type: 'message.send',
    clientId,
    conversationId: 'c1',
    content: { kind: 'text', text },
    replyToMessageId: null,
    humanAgentTag: false,
  };
}

/** A cache as version 1 of the app left it: a finished sync and one reply waiting. */
async function versionOneCache(name: string): Promise<void> {
  const old = new ParleyDb(name, SCHEMA_VERSIONS.slice(0, 1));
  await old.conversations.put(conversationAt('whatsapp', 1000));
  await old.messages.bulkPut([message({ id: 'm1', createdAt: 1000 }), message({ id: 'm2', createdAt: 2000 })]);
  await old.meta.put({ key: 'cursor', value: 42 });
  await enqueue(old, reply('reply-0001', 'still waiting'));
  old.close();
}

describe('schema upgrades', () => {
  it('migrate a version 1 cache in place: nothing is downloaded again and nothing is lost', async () => {
    const name = newName();
    await versionOneCache(name);

    const { db, notice } = await openLocalDatabase(name, SCHEMA_VERSIONS.slice(0, 2));
    expect(notice).toBeNull();
    expect(db.verno).toBe(2);
    expect(await db.messages.count()).toBe(3);
    expect(await readMeta(db, 'cursor')).toBe(42);
    // Version 1 finished its first sync without marking it; the upgrade marks it.
    expect(await readMeta(db, 'bootstrapped')).toBeGreaterThan(0);
    // The new index works on the old rows: the oldest message first.
    expect((await db.messages.orderBy('createdAt').first())?.id).toBe('m1');
    expect((await db.outbox.toArray()).map((row) => row.clientId)).toEqual(['reply-0001']);
    db.close();
  });

  it('to version 3 download the conversations again, for their previews, and keep the outbox', async () => {
    const name = newName();
    await versionOneCache(name);
    (await openLocalDatabase(name, SCHEMA_VERSIONS.slice(0, 2))).db.close();

    const { db, notice } = await openLocalDatabase(name, SCHEMA_VERSIONS.slice(0, 3));
    expect(notice).toEqual({ kind: 'resynced' });
    expect(db.verno).toBe(3);
    expect(await db.conversations.count()).toBe(0);
    expect(await readMeta(db, 'cursor')).toBeUndefined();
    expect((await db.outbox.toArray()).map((row) => row.clientId)).toEqual(['reply-0001']);
    db.close();
  });

  it('that cannot migrate empty the cache to download it again, keep the outbox, and say so', async () => {
    const name = newName();
    await versionOneCache(name);
    const unmigratable: SchemaVersion = {
      version: 99,
      stores: { messages: 'id, [conversationId+createdAt], &clientId, externalId, createdAt, kind' },
      upgrade: { kind: 'resync' },
    };

    const { db, notice } = await openLocalDatabase(name, [...SCHEMA_VERSIONS, unmigratable]);
    expect(notice).toEqual({ kind: 'resynced' });
    expect(await db.conversations.count()).toBe(0);
    expect(await readMeta(db, 'cursor')).toBeUndefined();
    expect(await readMeta(db, 'bootstrapped')).toBeUndefined();
    // The reply is still queued, and still shows in its thread.
    expect((await db.outbox.toArray()).map((row) => row.clientId)).toEqual(['reply-0001']);
    const kept = await db.messages.toArray();
    expect(kept.map((row) => [row.id, row.text, row.status])).toEqual([
      [optimisticMessageId('reply-0001'), 'still waiting', 'pending'],
    ]);
    db.close();

    // Said once: the next start opens normally.
    const again = await openLocalDatabase(name, [...SCHEMA_VERSIONS, unmigratable]);
    expect(again.notice).toBeNull();
    again.db.close();
  });
});

/**
 * Runs `work` while every versioned open of `name` fails the way Chromium's does over a
 * damaged store ("Internal error opening backing store"), until the store is deleted.
 * Unversioned opens (reading what is there) still go through, as they may on real damage.
 */
async function withCorruptOpen<T>(name: string, work: () => Promise<T>): Promise<T> {
  const open = indexedDB.open.bind(indexedDB);
  const remove = indexedDB.deleteDatabase.bind(indexedDB);
  let damaged = true;
  indexedDB.open = (openName: string, version?: number): IDBOpenDBRequest =>
    damaged && openName === name && version !== undefined
      ? (new FailedOpen() as unknown as IDBOpenDBRequest)
      : open(openName, version);
  indexedDB.deleteDatabase = (deleteName: string): IDBOpenDBRequest => {
    if (deleteName === name) damaged = false;
    return remove(deleteName);
  };
  try {
    return await work();
  } finally {
    indexedDB.open = open;
    indexedDB.deleteDatabase = remove;
  }
}

/** An open request that fails as Chromium's does when the store on disk is damaged. */
class FailedOpen extends EventTarget {
  readonly error = new DOMException('Internal error opening backing store for indexedDB.open.', 'UnknownError');
  readonly readyState = 'done';
  onerror: ((event: Event) => void) | null = null;
  onsuccess: ((event: Event) => void) | null = null;
  onupgradeneeded: ((event: Event) => void) | null = null;
  onblocked: ((event: Event) => void) | null = null;

  constructor() {
    super();
    setTimeout(() => {
      const event = new Event('error', { cancelable: true });
      this.dispatchEvent(event);
      this.onerror?.(event);
    }, 0);
  }

  get result(): never {
    throw new DOMException('The request failed.', 'InvalidStateError');
  }
}

describe('a cache that cannot be opened', () => {
  it('left by a newer version of the app opens as it is, losing nothing', async () => {
    const name = newName();
    const newer = new ParleyDb(name, [
      ...SCHEMA_VERSIONS,
      { version: 500, stores: { future: 'id' }, upgrade: { kind: 'none' } },
    ]);
    await newer.conversations.put(conversationAt('whatsapp', 1000));
    await enqueue(newer, reply('reply-0001', 'first'));
    newer.close();

    const { db, notice } = await openLocalDatabase(name);
    expect(notice).toBeNull();
    expect(await db.conversations.count()).toBe(1);
    expect(await db.outbox.count()).toBe(1);
    db.close();
  });

  it('corrupt on disk, is rebuilt with its outbox', async () => {
    const name = newName();
    const old = new ParleyDb(name);
    await old.conversations.put(conversationAt('whatsapp', 1000));
    await enqueue(old, reply('reply-0001', 'first'));
    await enqueue(old, { type: 'conversation.markRead', clientId: 'reply-0002', conversationId: 'c1' });
    await old.outbox.update('reply-0002', { state: 'sending' });
    old.close();

    const { db, notice } = await withCorruptOpen(name, () => openLocalDatabase(name));
    expect(notice).toMatchObject({ kind: 'rebuilt', keptOutbox: 2, lostOutbox: 0 });
    expect(notice?.kind === 'rebuilt' ? notice.detail : '').toContain('backing store');
    expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)?.version);
    // Everything else comes again from the server.
    expect(await db.conversations.count()).toBe(0);
    const restored = await db.outbox.orderBy('order').toArray();
    expect(restored.map((row) => [row.clientId, row.state])).toEqual([
      ['reply-0001', 'queued'],
      // It may have reached the server: it goes again with the same id, answered once.
      ['reply-0002', 'queued'],
    ]);
    expect((await db.messages.get(optimisticMessageId('reply-0001')))?.text).toBe('first');
    db.close();
  });

  it('opened twice at once (two windows), is rebuilt once and keeps its outbox', async () => {
    const name = newName();
    const old = new ParleyDb(name);
    await enqueue(old, reply('reply-0001', 'first'));
    await enqueue(old, reply('reply-0002', 'second'));
    old.close();

    const [one, two] = await withCorruptOpen(name, () =>
      Promise.all([openLocalDatabase(name), openLocalDatabase(name)]),
    );
    // The first rebuilt it; the second found it rebuilt.
    expect(one.notice).toMatchObject({ kind: 'rebuilt', keptOutbox: 2 });
    expect(two.notice).toBeNull();
    expect((await two.db.outbox.orderBy('order').toArray()).map((row) => row.clientId)).toEqual([
      'reply-0001',
      'reply-0002',
    ]);
    one.db.close();
    two.db.close();
  });

  it('counts the outbox rows it could not read as lost, and keeps the others', async () => {
    const name = newName();
    const old = new ParleyDb(name);
    await enqueue(old, reply('reply-0001', 'kept'));
    // A row in a shape this app cannot trust.
    await old.table('outbox').put({ clientId: 'broken', order: 2, lane: 'c1', mutation: { type: 'nonsense' } });
    old.close();

    const { db, notice } = await withCorruptOpen(name, () => openLocalDatabase(name));
    expect(notice).toMatchObject({ kind: 'rebuilt', keptOutbox: 1, lostOutbox: 1 });
    expect((await db.outbox.toArray()).map((row) => row.clientId)).toEqual(['reply-0001']);
    db.close();
  });

  it('whose upgrade fails, is rebuilt rather than left unusable', async () => {
    const name = newName();
    await versionOneCache(name);
    const failing: SchemaVersion = {
      version: 3,
      stores: {},
      upgrade: {
        kind: 'migrate',
        run: () => Promise.reject(new Error('a migration that throws')),
      },
    };

    const { db, notice } = await openLocalDatabase(name, [...SCHEMA_VERSIONS, failing]);
    expect(notice).toMatchObject({ kind: 'rebuilt', keptOutbox: 1 });
    expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)?.version);
    expect((await db.outbox.toArray()).map((row) => row.clientId)).toEqual(['reply-0001']);
    db.close();
  });
});
