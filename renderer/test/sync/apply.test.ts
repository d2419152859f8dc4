import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Change, Message } from '@parley/protocol';
import { ParleyDb, readMeta } from '../../src/data/db.js';
import { applyChanges, applyEntities } from '../../src/sync/apply.js';
import { conversationAt, message } from '../fixtures.js';

let count = 0;
function freshDb(): ParleyDb {
  count += 1;
  return new ParleyDb(`apply-test-${count}`);
}

function conversation(seq: number, preview: string): Change {
  const data = conversationAt('whatsapp', seq * 1000, {
    channelAccountId: 'p1',
    preview: { kind: 'text', direction: 'inbound', text: preview, name: null, voice: false, count: 0 },
    windowOpenUntil: null,
    humanAgentUntil: null,
    unreadCount: seq,
    seq,
  });
  return { entity: 'conversation', data };
}

describe('applyChanges', () => {
  it('stores changes and moves the cursor in one step', async () => {
    const db = freshDb();
    await applyChanges(db, [conversation(3, 'hello')], 3);
    expect((await db.conversations.get('c1'))?.preview?.text).toBe('hello');
    expect(await readMeta(db, 'cursor')).toBe(3);
    expect(await readMeta(db, 'lastSyncedAt')).toBeGreaterThan(0);
  });

  it('is idempotent: replaying the same change changes nothing', async () => {
    const db = freshDb();
    await applyChanges(db, [conversation(3, 'hello')], 3);
    await applyChanges(db, [conversation(3, 'hello')], 3);
    expect(await db.conversations.count()).toBe(1);
    expect(await db.conversations.get('c1')).toMatchObject({ seq: 3, preview: { text: 'hello' } });
  });

  it('never lets an older version overwrite a newer one, nor the cursor move back', async () => {
    const db = freshDb();
    await applyChanges(db, [conversation(9, 'newer')], 9);
    await applyChanges(db, [conversation(4, 'older')], 4);
    expect(await db.conversations.get('c1')).toMatchObject({ seq: 9, preview: { text: 'newer' } });
    expect(await readMeta(db, 'cursor')).toBe(9);
  });

  it('keeps the newest of duplicates within one batch, whatever their order', async () => {
    const db = freshDb();
    await applyChanges(db, [conversation(7, 'seven'), conversation(5, 'five')], 7);
    expect((await db.conversations.get('c1'))?.preview?.text).toBe('seven');
  });

  it('stores channel accounts and templates, newest version first', async () => {
    const db = freshDb();
    const account: Change = {
      entity: 'channelAccount',
      data: {
        id: 'a1',
        channel: 'messenger',
        externalId: 'page-1',
        name: 'Acme',
        displayPhoneNumber: null,
        humanAgentEnabled: true,
        seq: 4,
      },
    };
    const template = (seq: number, status: string): Change => ({
      entity: 'template',
      data: {
        id: 't1',
        channelAccountId: 'a1',
        name: 'order_update',
        language: 'en_US',
        category: 'UTILITY',
        status,
        components: [],
        seq,
      },
    });
    await applyChanges(db, [account, template(6, 'APPROVED'), template(5, 'PENDING')], 6);
    expect(await db.channelAccounts.get('a1')).toMatchObject({ humanAgentEnabled: true });
    expect(await db.templates.where('channelAccountId').equals('a1').toArray()).toMatchObject([{ status: 'APPROVED' }]);
  });

  it('stores a mutation’s answer without moving the cursor, and never over a newer version', async () => {
    const db = freshDb();
    await applyChanges(db, [conversation(3, 'hello')], 3);
    await applyEntities(db, [{ entity: 'message', data: message({ id: 'm9', status: 'pending', seq: 10 }) }]);
    expect(await db.messages.get('m9')).toMatchObject({ status: 'pending' });
    expect(await readMeta(db, 'cursor')).toBe(3);
    await applyChanges(db, [{ entity: 'message', data: message({ id: 'm9', status: 'sent', seq: 11 }) }], 11);
    await applyEntities(db, [{ entity: 'message', data: message({ id: 'm9', status: 'pending', seq: 10 }) }]);
    expect(await db.messages.get('m9')).toMatchObject({ status: 'sent' });
  });
});

function messageChange(index: number, seq: number, overrides: Partial<Message> = {}): Change {
  return {
    entity: 'message',
    data: message({ id: `m${String(index).padStart(5, '0')}`, seq, text: `v${seq}`, ...overrides }),
  };
}

/** More changes than one burst of puts, so rows land in several bursts of one transaction. */
const MANY = 1_234;

describe('applyChanges, fast paths', () => {
  it('stores a first sync (empty table) whole, in several bursts, and moves the cursor', async () => {
    const db = freshDb();
    const changes = Array.from({ length: MANY }, (_, i) => messageChange(i, i + 1));
    await applyChanges(db, changes, MANY);
    expect(await db.messages.count()).toBe(MANY);
    expect(await db.messages.get('m01233')).toMatchObject({ seq: MANY, text: `v${MANY}` });
    expect(await readMeta(db, 'cursor')).toBe(MANY);
  });

  it('is idempotent on a large replay, and never moves a row back when an older batch comes after', async () => {
    const db = freshDb();
    const newer = Array.from({ length: MANY }, (_, i) => messageChange(i, 5_000 + i));
    const older = Array.from({ length: MANY }, (_, i) => messageChange(i, 1 + i));
    await applyChanges(db, newer, 6_000);
    const before = await db.messages.toArray();
    await applyChanges(db, newer, 6_000);
    expect(await db.messages.toArray()).toEqual(before);
    await applyChanges(db, older, 2_000);
    expect(await db.messages.toArray()).toEqual(before);
    expect(await readMeta(db, 'cursor')).toBe(6_000);
  });

  it('keeps the seq rule where stored rows interleave with the batch (a key range too full to read)', async () => {
    const db = freshDb();
    // Every even index stored at seq 100; the batch spans them all, with odd (new) ids,
    // older and newer versions of stored ones, and duplicates of its own.
    await applyChanges(
      db,
      Array.from({ length: 1_000 }, (_, i) => messageChange(2 * i, 100)),
      100,
    );
    const batch: Change[] = [];
    for (let i = 0; i < 2_000; i += 7) {
      batch.push(messageChange(i, i % 2 === 1 ? 200 : i % 3 === 0 ? 50 : 150));
    }
    batch.push(messageChange(7, 300), messageChange(7, 250));
    await applyChanges(db, batch, 300);
    expect(await db.messages.get('m00007')).toMatchObject({ seq: 300 });
    for (let i = 0; i < 2_000; i += 7) {
      const stored = await db.messages.get(`m${String(i).padStart(5, '0')}`);
      const expected = i === 7 ? 300 : i % 2 === 1 ? 200 : i % 3 === 0 ? 100 : 150;
      expect(stored?.seq, `m${i}`).toBe(expected);
    }
    expect(await db.messages.count()).toBe(1_000 + Math.ceil(2_000 / 14));
  });

  it('keeps the seq rule for a few old ids among many new ones (the range split until they are apart)', async () => {
    const db = freshDb();
    await applyChanges(
      db,
      Array.from({ length: 1_000 }, (_, i) => messageChange(i, 100)),
      100,
    );
    // A later page: 400 new messages, and updates to 10 old ones, older and newer than stored.
    const batch = Array.from({ length: 400 }, (_, i) => messageChange(2_000 + i, 200));
    for (let i = 0; i < 1_000; i += 100) batch.push(messageChange(i, i % 200 === 0 ? 50 : 150));
    await applyChanges(db, batch, 200);
    expect(await db.messages.count()).toBe(1_400);
    for (let i = 0; i < 1_000; i += 100) {
      expect((await db.messages.get(`m${String(i).padStart(5, '0')}`))?.seq, `m${i}`).toBe(i % 200 === 0 ? 100 : 150);
    }
    expect(await db.messages.get('m02399')).toMatchObject({ seq: 200 });
  });

  it('replaces optimistic copies with the server versions of the same clientId, in any burst', async () => {
    const db = freshDb();
    // Copies as the outbox makes them: the local id, the clientId of the send.
    const clientIds = ['c-0001', 'c-0002', 'c-0003'];
    await applyEntities(
      db,
      clientIds.map((clientId) => ({
        entity: 'message',
        data: message({ id: `local:${clientId}`, clientId, status: 'pending', seq: 0 }),
      })),
    );
    // The server versions come in one large page: the first, one in the middle, the last.
    const changes = Array.from({ length: MANY }, (_, i) => messageChange(i, i + 1));
    const positions = [0, 700, MANY - 1];
    positions.forEach((position, n) => {
      changes[position] = messageChange(position, position + 1, { clientId: clientIds[n] ?? null, status: 'sent' });
    });
    await applyChanges(db, changes, MANY);
    expect(await db.messages.count()).toBe(MANY);
    for (const [n, position] of positions.entries()) {
      expect(await db.messages.get(`local:${clientIds[n]}`)).toBeUndefined();
      expect(
        await db.messages
          .where('clientId')
          .equals(clientIds[n] ?? '')
          .toArray(),
      ).toMatchObject([{ id: `m${String(position).padStart(5, '0')}`, status: 'sent' }]);
    }
    expect(await readMeta(db, 'cursor')).toBe(MANY);
  });

  it('replaces an optimistic copy with a request’s answer, and a replay of it changes nothing', async () => {
    const db = freshDb();
    await applyEntities(db, [
      { entity: 'message', data: message({ id: 'local:c-9', clientId: 'c-9', status: 'pending', seq: 0 }) },
    ]);
    const sent: Change = { entity: 'message', data: message({ id: 'm9', clientId: 'c-9', status: 'sent', seq: 12 }) };
    await applyEntities(db, [sent]);
    await applyChanges(db, [sent], 12);
    await applyChanges(db, [{ ...sent, data: { ...sent.data, status: 'pending', seq: 11 } }], 12);
    expect(await db.messages.toArray()).toMatchObject([{ id: 'm9', clientId: 'c-9', status: 'sent', seq: 12 }]);
  });

  it('stores nothing and keeps the cursor when a page cannot be stored whole', async () => {
    const db = freshDb();
    await applyChanges(db, [messageChange(1, 1)], 1);
    // Two different messages with one clientId: the unique index refuses the second.
    const changes = Array.from({ length: MANY }, (_, i) => messageChange(i + 10, i + 10));
    changes[3] = messageChange(13, 13, { clientId: 'twice' });
    changes[900] = messageChange(910, 910, { clientId: 'twice' });
    await expect(applyChanges(db, changes, 2_000)).rejects.toThrow();
    expect(await db.messages.count()).toBe(1);
    expect(await readMeta(db, 'cursor')).toBe(1);
  });
});
