import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { ParleyDb } from '../../src/data/db.js';
import {
  collectMerged,
  identityValue,
  initials,
  labelsOf,
  mayMerge,
  noteStatus,
  personConversations,
  sortedIdentities,
} from '../../src/features/contacts/panelRules.js';
import { readPersonConversations, searchContacts } from '../../src/features/contacts/usePanelData.js';
import { enqueue } from '../../src/sync/outbox.js';
import { contact, conversationAt } from '../fixtures.js';

const preview = { kind: 'text', direction: 'inbound', text: 'hi', name: null, voice: false, count: 0 } as const;

let count = 0;
const dbs: ParleyDb[] = [];
function newDb(): ParleyDb {
  count += 1;
  const db = new ParleyDb(`contact-panel-test-${count}`);
  dbs.push(db);
  return db;
}
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

describe('the people behind a contact', () => {
  it('collects every contact merged into one, through chains, once each, and stops at a cycle', async () => {
    const into: Record<string, string[]> = { k: ['a', 'b'], a: ['c'], c: ['k'], b: [] };
    const asked: string[][] = [];
    const ids = await collectMerged('k', (frontier) => {
      asked.push([...frontier]);
      return Promise.resolve(frontier.flatMap((id) => into[id] ?? []));
    });
    expect(ids.sort()).toEqual(['a', 'b', 'c', 'k']);
    // One read a level, and the cycle back to k is not followed.
    expect(asked).toEqual([['k'], ['a', 'b'], ['c']]);
  });

  it('reads the conversations of the contact and of every contact merged into it, newest first', async () => {
    const db = newDb();
    await db.contacts.bulkPut([
      contact('k'),
      contact('a', { mergedInto: 'k' }),
      contact('b', { mergedInto: 'a' }),
      contact('other'),
    ]);
    await db.conversations.bulkPut([
      conversationAt('whatsapp', 1_000, { id: 'w', contactId: 'k', lastMessageAt: 1_000, preview, labels: ['vip'] }),
      conversationAt('messenger', 3_000, {
        id: 'm',
        contactId: 'a',
        lastMessageAt: 3_000,
        preview,
        labels: ['Refund'],
      }),
      conversationAt('instagram', 2_000, { id: 'i', contactId: 'b', lastMessageAt: 2_000, preview, labels: ['vip'] }),
      // Emptied by a merge: stays under the merged contact with no last message.
      conversationAt('whatsapp', 500, { id: 'empty', contactId: 'a', lastMessageAt: 500, preview: null }),
      conversationAt('whatsapp', 9_000, { id: 'x', contactId: 'other', lastMessageAt: 9_000, preview }),
    ]);
    const all = await readPersonConversations(db, 'k', 20, 'en');
    expect(all.shown.map((conversation) => conversation.id)).toEqual(['m', 'i', 'w']);
    expect(all.total).toBe(3);
    expect(all.labels).toEqual(['Refund', 'vip']);

    const page = await readPersonConversations(db, 'k', 2, 'en');
    expect(page.shown.map((conversation) => conversation.id)).toEqual(['m', 'i']);
    expect(page.total).toBe(3);
  });

  it('keeps an empty conversation of the contact itself, and orders ties by id', () => {
    const list = personConversations(
      [
        conversationAt('whatsapp', 5, { id: 'b', contactId: 'k', lastMessageAt: 5, preview: null }),
        conversationAt('whatsapp', 5, { id: 'a', contactId: 'k', lastMessageAt: 5, preview }),
        conversationAt('whatsapp', 7, { id: 'gone', contactId: 'old', lastMessageAt: 7, preview: null }),
      ],
      'k',
    );
    expect(list.map((conversation) => conversation.id)).toEqual(['a', 'b']);
  });
});

describe('what the panel shows', () => {
  it('joins the labels of all the conversations, each once, alphabetically without regard to case', () => {
    const labels = labelsOf(
      [
        conversationAt('whatsapp', 1, { labels: ['vip', 'billing'] }),
        conversationAt('messenger', 1, { labels: ['Billing', 'vip', 'Abroad'] }),
        conversationAt('instagram', 1, { labels: [] }),
      ],
      'en',
    );
    expect(labels).toEqual(['Abroad', 'billing', 'Billing', 'vip']);
  });

  it('writes identities as agents read them, in channel order', () => {
    const identities = sortedIdentities([
      { channel: 'instagram', kind: 'igsid', externalId: '17841' },
      { channel: 'whatsapp', kind: 'bsuid', externalId: 'US.1234' },
      { channel: 'messenger', kind: 'psid', externalId: '24018' },
      { channel: 'whatsapp', kind: 'wa_id', externalId: '5511987650001' },
    ]);
    expect(identities.map(identityValue)).toEqual(['+5511987650001', 'US.1234', '24018', '17841']);
  });

  it('makes initials from letters and digits only', () => {
    expect(initials('Mariana Souza')).toBe('MS');
    expect(initials('<img onerror=x> ana')).toBe('IO');
    expect(initials('  ')).toBe('?');
    expect(initials('élodie')).toBe('É');
  });

  it('offers merging to supervisors and admins only, as the server allows', () => {
    expect(mayMerge({ role: 'agent' })).toBe(false);
    expect(mayMerge({ role: 'supervisor' })).toBe(true);
    expect(mayMerge({ role: 'admin' })).toBe(true);
  });

  it('finds other contacts by name, not merged ones nor the contact itself, a few at most', async () => {
    const db = newDb();
    await db.contacts.bulkPut([
      contact('k', { name: 'Ana Silva' }),
      contact('a', { name: 'ANA S.' }),
      contact('m', { name: 'Ana Merged', mergedInto: 'k' }),
      contact('z', { name: 'Zoe' }),
      ...Array.from({ length: 20 }, (_, index) => contact(`n${index}`, { name: `Nana ${index}` })),
    ]);
    expect((await searchContacts(db, ' ana s', 'k')).map((found) => found.id)).toEqual(['a']);
    expect(await searchContacts(db, '', 'k')).toEqual([]);
    expect((await searchContacts(db, 'ana', 'k')).length).toBe(8);
  });
});

describe('the note status', () => {
  it('says editing, waiting, refused or saved from the field and the outbox', () => {
    expect(noteStatus({ dirty: false, outbox: [], changedHere: false })).toBe('idle');
    expect(noteStatus({ dirty: true, outbox: ['queued'], changedHere: true })).toBe('editing');
    expect(noteStatus({ dirty: false, outbox: ['failed', 'queued'], changedHere: true })).toBe('waiting');
    expect(noteStatus({ dirty: false, outbox: ['failed'], changedHere: true })).toBe('failed');
    expect(noteStatus({ dirty: false, outbox: [], changedHere: true })).toBe('saved');
  });

  it('queues a note change offline with its optimistic text, in the contact’s lane', async () => {
    const db = newDb();
    await db.contacts.put(contact('k', { note: 'old' }));
    const row = await enqueue(db, {
      type: 'contact.setNote',
      clientId: 'note-1',
      contactId: 'k',
      note: 'Prefers French',
    });
    expect(row.lane).toBe('contact:k');
    expect((await db.contacts.get('k'))?.note).toBe('Prefers French');
  });
});
