import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Change, Conversation } from '@parley/protocol';
import { ParleyDb, readMeta } from '../src/data/db.js';
import { applyChanges } from '../src/sync/apply.js';

let count = 0;
function freshDb(): ParleyDb {
  count += 1;
  return new ParleyDb(`apply-test-${count}`);
}

function conversation(seq: number, preview: string): Change {
  const data: Conversation = {
    id: 'c1',
    channel: 'whatsapp',
    channelAccountId: 'p1',
    contactId: 'k1',
    status: 'open',
    assigneeId: null,
    teamId: null,
    labels: [],
    lastMessageAt: seq * 1000,
    lastMessagePreview: preview,
    lastInboundAt: seq * 1000,
    windowOpenUntil: null,
    humanAgentUntil: null,
    unreadCount: seq,
    createdAt: 0,
    seq,
  };
  return { entity: 'conversation', data };
}

describe('applyChanges', () => {
  it('stores changes and moves the cursor in one step', async () => {
    const db = freshDb();
    await applyChanges(db, [conversation(3, 'hello')], 3);
    expect((await db.conversations.get('c1'))?.lastMessagePreview).toBe('hello');
    expect(await readMeta(db, 'cursor')).toBe(3);
    expect(await readMeta(db, 'lastSyncedAt')).toBeGreaterThan(0);
  });

  it('is idempotent: replaying the same change changes nothing', async () => {
    const db = freshDb();
    await applyChanges(db, [conversation(3, 'hello')], 3);
    await applyChanges(db, [conversation(3, 'hello')], 3);
    expect(await db.conversations.count()).toBe(1);
    expect(await db.conversations.get('c1')).toMatchObject({ seq: 3, lastMessagePreview: 'hello' });
  });

  it('never lets an older version overwrite a newer one, nor the cursor move back', async () => {
    const db = freshDb();
    await applyChanges(db, [conversation(9, 'newer')], 9);
    await applyChanges(db, [conversation(4, 'older')], 4);
    expect(await db.conversations.get('c1')).toMatchObject({ seq: 9, lastMessagePreview: 'newer' });
    expect(await readMeta(db, 'cursor')).toBe(9);
  });

  it('keeps the newest of duplicates within one batch, whatever their order', async () => {
    const db = freshDb();
    await applyChanges(db, [conversation(7, 'seven'), conversation(5, 'five')], 7);
    expect((await db.conversations.get('c1'))?.lastMessagePreview).toBe('seven');
  });
});
