import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Change, Conversation } from '@parley/protocol';
import { ParleyDb, readMeta } from '../src/data/db.js';
import { applyChanges, applyEntities } from '../src/sync/apply.js';
import { message } from './fixtures.js';

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
