import 'fake-indexeddb/auto';
import type { Contact, Conversation, Message } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { ParleyDb } from '../../src/data/db.js';
import { readNewestFirst } from '../../src/features/search/readNewestFirst.js';
import { SearchIndex, fold, highlight, parseQuery } from '../../src/features/search/searchIndex.js';

function contact(id: string, name: string, overrides: Partial<Contact> = {}): Contact {
  return {
    id,
    name,
    avatarMediaId: null,
    phone: null,
    identities: [],
    mergedInto: null,
    possibleDuplicates: [],
    note: '',
    createdAt: 0,
    seq: 1,
    ...overrides,
  };
}

function conversation(id: string, contactId: string, overrides: Partial<Conversation> = {}): Conversation {
  return {
    id,
    channel: 'whatsapp',
    channelAccountId: 'acc',
    contactId,
    status: 'open',
    assigneeId: null,
    teamId: null,
    labels: [],
    lastMessageAt: 0,
    preview: null,
    lastInboundAt: null,
    windowOpenUntil: null,
    humanAgentUntil: null,
    unreadCount: 0,
    waitingSince: null,
    firstResponseAt: null,
    resolvedAt: null,
    assignedAt: null,
    snoozedUntil: null,
    createdAt: 0,
    seq: 1,
    ...overrides,
  };
}

let seq = 0;
function message(id: string, conversationId: string, text: string, overrides: Partial<Message> = {}): Message {
  seq += 1;
  return {
    id,
    conversationId,
    clientId: null,
    externalId: null,
    direction: 'inbound',
    kind: 'text',
    text,
    authorAgentId: null,
    status: 'delivered',
    attachments: [],
    location: null,
    sharedContacts: [],
    replyTo: null,
    interactive: null,
    reactions: [],
    forwarded: 'no',
    template: null,
    humanAgentTag: false,
    error: null,
    editedAt: null,
    deletedAt: null,
    mentions: [],
    createdAt: seq,
    seq,
    ...overrides,
  };
}

function sample(): SearchIndex {
  const index = new SearchIndex();
  index.putContact(contact('k1', 'Élodie Martin'));
  index.putContact(contact('k2', 'Oliver Bennett'));
  index.putConversation(conversation('c1', 'k1'));
  index.putConversation(conversation('c2', 'k2', { channel: 'messenger' }));
  index.putMessage(message('m1', 'c1', 'Où est ma commande ?'));
  index.putMessage(message('m2', 'c1', 'La commande #4821 est arrivée'));
  index.putMessage(message('m3', 'c2', 'Is my order coming today?'));
  index.putMessage(message('m4', 'c2', 'Customer asked for a refund', { kind: 'note', direction: 'outbound' }));
  return index;
}

describe('search index', () => {
  it('folds case and accents', () => {
    expect(fold('ÉLODIE où')).toBe('elodie ou');
    expect(parseQuery('Où est  COMM')).toEqual({ exact: ['ou', 'est'], prefix: 'comm' });
  });

  it('matches the last word as a prefix and the others exactly', () => {
    const index = sample();
    expect(index.search('co').map((group) => group.conversationId)).toEqual(['c2', 'c1']);
    // "comm" is only a prefix when it is the last word typed.
    expect(index.search('comm est')).toEqual([]);
    expect(index.search('commande est')[0]?.hits.map((hit) => hit.messageId)).toEqual(['m2', 'm1']);
  });

  it('groups hits by conversation, newest first, with the channel and contact name', () => {
    const groups = sample().search('commande');
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ conversationId: 'c1', channel: 'whatsapp', contactName: 'Élodie Martin' });
    expect(groups[0]?.hits.map((hit) => hit.messageId)).toEqual(['m2', 'm1']);
  });

  it('finds accented words from unaccented queries and the other way round', () => {
    const index = sample();
    expect(index.search('arrivee')[0]?.hits.map((hit) => hit.messageId)).toEqual(['m2']);
    expect(index.search('OÙ')[0]?.hits.map((hit) => hit.messageId)).toEqual(['m1']);
  });

  it('includes notes and contact names', () => {
    const index = sample();
    const notes = index.search('refu');
    expect(notes[0]?.hits).toMatchObject([{ messageId: 'm4', kind: 'note' }]);
    const named = index.search('elod');
    expect(named).toMatchObject([{ conversationId: 'c1', contactMatch: true, hits: [] }]);
    expect(index.search('oliver ben')).toMatchObject([{ conversationId: 'c2', contactMatch: true }]);
  });

  it('re-indexes edited messages and drops deleted ones', () => {
    const index = sample();
    index.putMessage(message('m3', 'c2', 'Where is my parcel?'));
    expect(index.search('order')).toEqual([]);
    expect(index.search('parc')[0]?.hits.map((hit) => hit.messageId)).toEqual(['m3']);
    index.putMessage(message('m3', 'c2', 'Where is my parcel?', { deletedAt: 5 }));
    expect(index.search('parc')).toEqual([]);
    expect(index.size).toBe(3);
  });

  it('forgets a removed conversation with its messages, and nothing else', () => {
    const index = sample();
    expect(index.search('commande').map((group) => group.conversationId)).toEqual(['c1']);
    index.removeConversations(new Set(['c1']));
    expect(index.search('commande')).toEqual([]);
    expect(index.search('elodie')).toEqual([]);
    expect([...index.conversationIds()]).toEqual(['c2']);
    expect(index.size).toBe(2);
    expect(index.search('order').map((group) => group.conversationId)).toEqual(['c2']);
  });

  it('highlights the matching part of each word in a short snippet', () => {
    expect(highlight('La commande est arrivée', ['la'], 'arr')).toEqual([
      { text: 'La', match: true },
      { text: ' commande est ', match: false },
      { text: 'arr', match: true },
      { text: 'ivée', match: false },
    ]);
    const long = `${'word '.repeat(40)}needle ${'tail '.repeat(40)}`;
    const parts = highlight(long, [], 'need');
    expect(parts[0]).toEqual({ text: '…', match: false });
    expect(parts.filter((part) => part.match)).toEqual([{ text: 'need', match: true }]);
    expect(parts.at(-1)).toEqual({ text: '…', match: false });
  });
});

describe('reading the cache for the index', () => {
  it('reads every message once, newest first, even when a page ends among equal times', async () => {
    const db = new ParleyDb('search-read-newest-first');
    // Seven messages per millisecond, so most pages of ten end inside a run of equal times.
    const stored = Array.from({ length: 103 }, (_, i) =>
      message(`r${String(i).padStart(3, '0')}`, 'c1', `text ${i}`, { createdAt: Math.floor(i / 7) }),
    );
    await db.messages.bulkPut(stored);
    const pages: Message[][] = [];
    await readNewestFirst(db, 10, (page) => {
      pages.push(page);
      return true;
    });
    const read = pages.flat();
    expect(read.map((m) => m.id).sort()).toEqual(stored.map((m) => m.id).sort());
    const times = read.map((m) => m.createdAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    let calls = 0;
    await readNewestFirst(db, 10, () => {
      calls += 1;
      return false;
    });
    expect(calls).toBe(1);
    db.close();
    await ParleyDb.delete('search-read-newest-first');
  });
});
