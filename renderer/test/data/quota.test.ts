import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change, Mutation } from '@parley/protocol';
import { ParleyDb } from '../../src/data/db.js';
import { optimisticMessageId } from '../../src/data/optimistic.js';
import { evictOldestMessages, isQuotaError, withQuotaRecovery } from '../../src/data/quota.js';
import { applyChanges, applyChangesFitting } from '../../src/sync/apply.js';
import { enqueue } from '../../src/sync/outbox.js';
import { conversationAt, message } from '../fixtures.js';
import { withRoomFor } from '../roomFor.js';

/** Running out of storage: the oldest cached messages make room, the outbox never does. */

let count = 0;
const dbs: ParleyDb[] = [];

afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

/** A database whose messages table holds at most `limit` rows. */
function dbWithRoomFor(limit: number): ParleyDb {
  count += 1;
  const db = withRoomFor(new ParleyDb(`quota-test-${count}`), limit);
  dbs.push(db);
  return db;
}

function inbound(index: number, conversationId = 'c1'): Change {
  return {
    entity: 'message',
    data: message({
      id: `m${index}`,
      conversationId,
      createdAt: 1_000 + index,
      seq: index + 1,
      text: `message ${index}`,
    }),
  };
}

function reply(clientId: string): Mutation {
  return {
    type: 'message.send',
    clientId,
    conversationId: 'c1',
    content: { kind: 'text', text: 'a reply that must not be lost' },
    replyToMessageId: null,
    humanAgentTag: false,
  };
}

describe('quota', () => {
  it('recognises the error however IndexedDB or Dexie wraps it', () => {
    expect(isQuotaError(new DOMException('full', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new Dexie.QuotaExceededError('full'))).toBe(true);
    expect(isQuotaError({ name: 'AbortError', inner: { name: 'QuotaExceededError' } })).toBe(true);
    expect(isQuotaError(new DOMException('gone', 'NotFoundError'))).toBe(false);
    expect(isQuotaError(undefined)).toBe(false);
  });

  it('evicts the oldest messages to store a sync page, and says how many went', async () => {
    const db = dbWithRoomFor(1000);
    await db.conversations.bulkPut([conversationAt('whatsapp', 1), conversationAt('whatsapp', 1, { id: 'c2' })]);
    const first = Array.from({ length: 900 }, (_, i) => inbound(i, i < 450 ? 'c1' : 'c2'));
    await applyChanges(db, first, 900);

    // The server had said c1 has no older history than what is cached.
    await db.history.put({ conversationId: 'c1', hasMore: false, requestedAt: null });
    const next = Array.from({ length: 300 }, (_, i) => inbound(900 + i, 'c2'));
    await expect(applyChanges(db, next, 1200)).rejects.toSatisfy(isQuotaError);
    await withQuotaRecovery(db, () => applyChanges(db, next, 1200));

    // A quarter went, the oldest first; the page and its cursor are stored.
    expect(await db.messages.count()).toBe(900 - 225 + 300);
    expect(await db.messages.get('m0')).toBeUndefined();
    expect(await db.messages.get('m224')).toBeUndefined();
    expect(await db.messages.get('m225')).toBeDefined();
    expect(await db.messages.get('m1199')).toBeDefined();
    expect((await db.meta.get('cursor'))?.value).toBe(1200);
    expect(await db.meta.get('evicted')).toMatchObject({ key: 'evicted', count: 225 });
    // That is no longer true: scrolling back in c1 asks the server for what left the cache.
    expect(await db.history.get('c1')).toBeUndefined();
  });

  it('never evicts the outbox, an optimistic message, or a message a queued change refers to', async () => {
    const db = dbWithRoomFor(400);
    await db.conversations.bulkPut([conversationAt('whatsapp', 1), conversationAt('whatsapp', 1, { id: 'c2' })]);
    await applyChanges(
      db,
      Array.from({ length: 398 }, (_, i) => inbound(i, i < 200 ? 'c1' : 'c2')),
      398,
    );
    // A queued reaction is about m150: it stays, and so does all of c1 after it, or
    // scrolling back could never fill the hole (history loads before the oldest cached).
    await enqueue(db, { type: 'message.react', clientId: 'reaction-0001', messageId: 'm150', emoji: '👍' });
    await enqueue(db, reply('reply-0001'));

    // Full: the next reply needs room, and gets it.
    await enqueue(db, reply('reply-0002'));
    await enqueue(db, reply('reply-0003'));

    expect((await db.outbox.toArray()).map((row) => row.clientId).sort()).toEqual([
      'reaction-0001',
      'reply-0001',
      'reply-0002',
      'reply-0003',
    ]);
    expect(await db.messages.get('m149')).toBeUndefined();
    expect(await db.messages.get('m150')).toBeDefined();
    expect(await db.messages.get('m151')).toBeDefined();
    expect(await db.messages.get('m199')).toBeDefined();
    // The rest of the room came from c2, oldest first.
    expect(await db.messages.get('m200')).toBeUndefined();
    expect(await db.messages.get('m397')).toBeDefined();
    for (const clientId of ['reply-0001', 'reply-0002', 'reply-0003']) {
      expect((await db.messages.get(optimisticMessageId(clientId)))?.status).toBe('pending');
    }
  });

  it('leaves every conversation its newest messages, however old they are', async () => {
    const db = dbWithRoomFor(10_000);
    // A quiet conversation, all of it older than a busy one.
    const quiet = Array.from({ length: 30 }, (_, i) => inbound(i, 'quiet'));
    const busy = Array.from({ length: 400 }, (_, i) => inbound(100 + i, 'busy'));
    await applyChanges(db, [...quiet, ...busy], 500);

    expect(await evictOldestMessages(db)).toBe(200);
    const left = await db.messages
      .where('[conversationId+createdAt]')
      .between(['quiet', 0], ['quiet', Infinity])
      .toArray();
    expect(left.map((message) => message.id)).toEqual(Array.from({ length: 20 }, (_, i) => `m${10 + i}`));
    expect(await db.messages.where('[conversationId+createdAt]').between(['busy', 0], ['busy', Infinity]).count()).toBe(
      400 - 190,
    );
  });

  it('stores a burst larger than the whole room in smaller steps, keeping the newest', async () => {
    // Room for 500 messages; 1,200 arrive at once, as coalesced live batches do on a slow machine.
    const db = dbWithRoomFor(500);
    const conversations = Array.from({ length: 10 }, (_, i) => `c${i}`);
    await db.conversations.bulkPut(conversations.map((id) => conversationAt('whatsapp', 1, { id })));
    const burst = Array.from({ length: 1200 }, (_, i) => inbound(i, conversations[i % 10]));
    await expect(withQuotaRecovery(db, () => applyChanges(db, burst, 1200))).rejects.toSatisfy(isQuotaError);

    await applyChangesFitting(db, burst, 1200);
    expect(await db.messages.get('m1199')).toBeDefined();
    expect(await db.messages.get('m0')).toBeUndefined();
    expect(await db.messages.count()).toBeLessThanOrEqual(500);
    expect((await db.meta.get('cursor'))?.value).toBe(1200);
  });

  it('gives up, and says the quota is the reason, when nothing is left to evict', async () => {
    const db = dbWithRoomFor(2);
    await db.conversations.put(conversationAt('whatsapp', 1));
    await enqueue(db, reply('reply-0001'));
    await enqueue(db, reply('reply-0002'));
    await expect(enqueue(db, reply('reply-0003'))).rejects.toSatisfy(isQuotaError);
    expect(await evictOldestMessages(db)).toBe(0);
    expect(await db.outbox.count()).toBe(2);
  });
});
