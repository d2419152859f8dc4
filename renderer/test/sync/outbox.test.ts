import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mutation, MutationResult } from '@parley/protocol';
import { ParleyDb } from '../../src/data/db.js';
import {
  backoffMs,
  decide,
  discardOutbox,
  drainOutbox,
  enqueue,
  optimisticMessageId,
  retryOutbox,
} from '../../src/sync/outbox.js';
import { applyChanges } from '../../src/sync/apply.js';
import { conversationAt, message } from '../fixtures.js';

let count = 0;
const dbs: ParleyDb[] = [];

function newDb(): ParleyDb {
  count += 1;
  const db = new ParleyDb(`outbox-test-${count}`);
  dbs.push(db);
  return db;
}

afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

function reply(clientId: string, conversationId = 'c1', text = 'hello'): Mutation {
  return {
    type: 'message.send',
    clientId,
    conversationId,
    content: { kind: 'text', text },
    replyToMessageId: null,
    humanAgentTag: false,
  };
}

const refused: MutationResult = {
  ok: false,
  code: 'window_closed',
  reason: 'window_closed_until_customer_writes',
  params: { channel: 'whatsapp' },
};

describe('enqueue', () => {
  it('writes the outbox row and the optimistic message together', async () => {
    const db = newDb();
    await enqueue(db, reply('client-0001'), { now: 1000 });
    const row = await db.outbox.get('client-0001');
    expect(row).toMatchObject({ state: 'queued', attempts: 0, conversationId: 'c1', lastError: null });
    const optimistic = await db.messages.get(optimisticMessageId('client-0001'));
    expect(optimistic).toMatchObject({ status: 'pending', clientId: 'client-0001', text: 'hello', seq: 0 });
  });

  it('leaves neither when the transaction fails', async () => {
    const db = newDb();
    await enqueue(db, reply('client-0001'));
    // The same client id again: the outbox key refuses it, and the message must not stay.
    await expect(enqueue(db, reply('client-0001', 'c2', 'other'))).rejects.toThrow();
    expect(await db.outbox.count()).toBe(1);
    expect(await db.messages.where('conversationId').equals('c2').count()).toBe(0);
  });

  it('applies conversation fields at once', async () => {
    const db = newDb();
    await db.conversations.put(conversationAt('whatsapp', 0, { unreadCount: 3, status: 'open' }));
    await enqueue(db, { type: 'conversation.markRead', clientId: 'client-0002', conversationId: 'c1' });
    await enqueue(db, {
      type: 'conversation.setStatus',
      clientId: 'client-0003',
      conversationId: 'c1',
      status: 'resolved',
    });
    expect(await db.conversations.get('c1')).toMatchObject({ unreadCount: 0, status: 'resolved' });
  });
});

describe('drainOutbox', () => {
  it('sends in creation order within a conversation, one at a time', async () => {
    const db = newDb();
    for (const [index, lane] of ['c1', 'c2', 'c1', 'c2', 'c1'].entries()) {
      await enqueue(db, reply(`client-000${index}`, lane, `m${index}`));
    }
    const sent: string[] = [];
    const inFlight = new Set<string>();
    const result = await drainOutbox(db, async (mutation) => {
      const lane = mutation.type === 'message.send' ? mutation.conversationId : '';
      expect(inFlight.has(lane)).toBe(false);
      inFlight.add(lane);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight.delete(lane);
      sent.push(mutation.clientId);
      return { ok: true };
    });
    expect(result).toBeNull();
    expect(sent.filter((id) => ['client-0000', 'client-0002', 'client-0004'].includes(id))).toEqual([
      'client-0000',
      'client-0002',
      'client-0004',
    ]);
    expect(sent).toHaveLength(5);
    expect(await db.outbox.count()).toBe(0);
  });

  it('replaces the optimistic message with the server one on success', async () => {
    const db = newDb();
    await enqueue(db, reply('client-0001'));
    const stored = message({ id: 'srv-1', clientId: 'client-0001', direction: 'outbound', status: 'sent', seq: 9 });
    await drainOutbox(db, () => Promise.resolve({ ok: true, message: stored }));
    expect(await db.messages.toArray()).toEqual([stored]);
  });

  it('lets the change feed replace the optimistic message too', async () => {
    const db = newDb();
    await enqueue(db, reply('client-0001'));
    const stored = message({ id: 'srv-1', clientId: 'client-0001', direction: 'outbound', status: 'sent', seq: 9 });
    await applyChanges(db, [{ entity: 'message', data: stored }], 9);
    expect(await db.messages.toArray()).toEqual([stored]);
  });

  it('rolls back and fails the row on a refusal, and goes on with the next', async () => {
    const db = newDb();
    await db.conversations.put(conversationAt('whatsapp', 0, { unreadCount: 2 }));
    await enqueue(db, reply('client-0001'));
    await enqueue(db, { type: 'conversation.markRead', clientId: 'client-0002', conversationId: 'c1' });
    await drainOutbox(db, (mutation) =>
      Promise.resolve(mutation.type === 'message.send' ? refused : { ok: false, code: 'forbidden', message: 'No.' }),
    );
    expect(await db.messages.count()).toBe(0);
    expect(await db.outbox.get('client-0001')).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastError: {
        code: 'window_closed',
        reason: 'window_closed_until_customer_writes',
        params: { channel: 'whatsapp' },
      },
    });
    expect(await db.outbox.get('client-0002')).toMatchObject({ state: 'failed' });
    expect((await db.conversations.get('c1'))?.unreadCount).toBe(2);
  });

  it('keeps a row queued with backoff on internal errors and stops its lane', async () => {
    const db = newDb();
    await enqueue(db, reply('client-0001'));
    await enqueue(db, reply('client-0002'));
    const sent: string[] = [];
    const wakeAt = await drainOutbox(
      db,
      (mutation) => {
        sent.push(mutation.clientId);
        return Promise.resolve({ ok: false, code: 'internal', message: 'timeout' });
      },
      () => 10_000,
      () => 1,
    );
    expect(sent).toEqual(['client-0001']);
    expect(wakeAt).toBe(11_000);
    expect(await db.outbox.get('client-0001')).toMatchObject({ state: 'queued', attempts: 1, nextAttemptAt: 11_000 });
    expect(await db.messages.count()).toBe(2);
    // Not due yet: nothing is sent.
    expect(
      await drainOutbox(
        db,
        () => Promise.reject(new Error('sent too early')),
        () => 10_500,
      ),
    ).toBe(11_000);
  });
});

describe('retry decisions', () => {
  it('fails recorded refusals, retries the rest with growing backoff', () => {
    expect(decide({ ok: true }, 1)).toEqual({ kind: 'done' });
    expect(decide(refused, 1)).toEqual({ kind: 'failed' });
    expect(decide({ ok: false, code: 'send_failed' }, 1)).toEqual({ kind: 'failed' });
    expect(decide({ ok: false, code: 'internal' }, 3, () => 1)).toEqual({ kind: 'retry', delayMs: 4000 });
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(30, () => 1)).toBe(60_000);
  });

  it('retries a refused row with a new client id, a queued one with the same', async () => {
    const db = newDb();
    await enqueue(db, reply('client-0001'));
    await drainOutbox(db, () => Promise.resolve(refused));
    await retryOutbox(db, 'client-0001', 'client-0009');
    expect(await db.outbox.get('client-0001')).toBeUndefined();
    expect(await db.outbox.get('client-0009')).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await db.messages.get(optimisticMessageId('client-0009'))).toMatchObject({ status: 'pending' });

    await retryOutbox(db, 'client-0009', 'client-0010');
    expect(await db.outbox.get('client-0009')).toMatchObject({ state: 'queued', nextAttemptAt: 0 });
    expect(await db.outbox.get('client-0010')).toBeUndefined();
  });

  it('discards a queued row and its optimistic message', async () => {
    const db = newDb();
    await enqueue(db, reply('client-0001'));
    await discardOutbox(db, 'client-0001');
    expect(await db.outbox.count()).toBe(0);
    expect(await db.messages.count()).toBe(0);
  });
});
