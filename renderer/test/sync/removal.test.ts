import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Change, Contact } from '@parley/protocol';
import { ParleyDb, readMeta } from '../../src/data/db.js';
import { applyChanges } from '../../src/sync/apply.js';
import { contact, conversationAt, message } from '../fixtures.js';

let count = 0;
function freshDb(): ParleyDb {
  count += 1;
  return new ParleyDb(`removal-test-${count}`);
}

function contactChange(id: string, overrides: Partial<Contact> = {}): Change {
  return { entity: 'contact', data: contact(id, overrides) };
}

/** Two customers' threads (c1 of k1, c2 of k2), a third (c3) of k2 too, and k0 merged into k1. */
async function seeded(): Promise<ParleyDb> {
  const db = freshDb();
  await applyChanges(
    db,
    [
      contactChange('k0', { mergedInto: 'k1' }),
      contactChange('k1'),
      contactChange('k2'),
      { entity: 'conversation', data: conversationAt('whatsapp', 1000, { id: 'c1', contactId: 'k1', seq: 2 }) },
      { entity: 'conversation', data: conversationAt('whatsapp', 1000, { id: 'c2', contactId: 'k2', seq: 3 }) },
      { entity: 'conversation', data: conversationAt('messenger', 1000, { id: 'c3', contactId: 'k2', seq: 4 }) },
      ...[1, 2, 3].map((n): Change => ({
        entity: 'message',
        data: message({ id: `m1-${n}`, conversationId: 'c1', text: 'my card ends 4242', createdAt: n, seq: 4 + n }),
      })),
      { entity: 'message', data: message({ id: 'm2-1', conversationId: 'c2', text: 'hello', seq: 8 }) },
    ],
    8,
  );
  await db.history.bulkPut([
    { conversationId: 'c1', hasMore: true, requestedAt: null },
    { conversationId: 'c2', hasMore: false, requestedAt: null },
  ]);
  return db;
}

describe('a removal', () => {
  it('deletes the conversation, its messages, its history and a contact left without conversations', async () => {
    const db = await seeded();
    await applyChanges(db, [{ entity: 'removal', data: { id: 'c1', seq: 9 } }], 9);
    expect(await db.conversations.get('c1')).toBeUndefined();
    expect(await db.messages.where('conversationId').equals('c1').count()).toBe(0);
    expect(await db.messages.count()).toBe(1);
    expect(await db.history.get('c1')).toBeUndefined();
    // The customer's contact, and the one merged into it, are nobody's here any more.
    expect(await db.contacts.get('k1')).toBeUndefined();
    expect(await db.contacts.get('k0')).toBeUndefined();
    expect(await readMeta(db, 'cursor')).toBe(9);
  });

  it('leaves what the user still sees: other conversations, their messages, a contact with another thread', async () => {
    const db = await seeded();
    await applyChanges(db, [{ entity: 'removal', data: { id: 'c2', seq: 9 } }], 9);
    expect(await db.conversations.get('c2')).toBeUndefined();
    expect(await db.history.get('c2')).toBeUndefined();
    expect(await db.conversations.get('c1')).toBeDefined();
    expect(await db.conversations.get('c3')).toBeDefined();
    expect(await db.messages.where('conversationId').equals('c1').count()).toBe(3);
    expect(await db.history.get('c1')).toBeDefined();
    // k2 still has c3.
    expect(await db.contacts.get('k2')).toBeDefined();
    expect(await db.contacts.get('k1')).toBeDefined();
  });

  it('wins over a change to the same conversation in the same batch', async () => {
    const db = await seeded();
    await applyChanges(
      db,
      [
        { entity: 'removal', data: { id: 'c1', seq: 9 } },
        { entity: 'message', data: message({ id: 'm1-4', conversationId: 'c1', text: 'late', createdAt: 4, seq: 10 }) },
        {
          entity: 'conversation',
          data: conversationAt('whatsapp', 2000, { id: 'c1', contactId: 'k1', seq: 10 }),
        },
      ],
      10,
    );
    expect(await db.conversations.get('c1')).toBeUndefined();
    expect(await db.messages.where('conversationId').equals('c1').count()).toBe(0);
  });

  it('of a conversation not cached changes nothing else', async () => {
    const db = await seeded();
    await applyChanges(db, [{ entity: 'removal', data: { id: 'elsewhere', seq: 9 } }], 9);
    expect(await db.conversations.count()).toBe(3);
    expect(await db.messages.count()).toBe(4);
    expect(await db.contacts.count()).toBe(3);
  });
});
