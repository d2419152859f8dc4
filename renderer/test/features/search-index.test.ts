import 'fake-indexeddb/auto';
import type { Contact, Conversation, Message } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { ParleyDb } from '../../src/data/db.js';
import { readNewestFirst } from '../../src/features/search/readNewestFirst.js';
import { SearchIndex, fold, highlight, parseQuery, tokenize } from '../../src/features/search/searchIndex.js';

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

/** A deterministic generator, so a failure shows the same corpus again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type Expected = { conversationId: string; contactMatch: boolean; hits: string[] };

/** What a search must find, by brute force over every message: the meaning the index keeps. */
function reference(
  contacts: Map<string, Contact>,
  conversations: Map<string, Conversation>,
  messages: Map<string, Message>,
  query: string,
  maxGroups = 50,
  maxHits = 3,
): Expected[] {
  const { exact, prefix } = parseQuery(query);
  if (prefix === null) return [];
  const matches = (words: readonly string[]): boolean =>
    exact.every((word) => words.includes(word)) && words.some((word) => word.startsWith(prefix));
  const hits = new Map<string, Message[]>();
  for (const message of messages.values()) {
    if (message.text === null || message.deletedAt !== null || message.kind === 'system') continue;
    if (!conversations.has(message.conversationId) || !matches(tokenize(message.text))) continue;
    hits.set(message.conversationId, [...(hits.get(message.conversationId) ?? []), message]);
  }
  const latest = new Map<string, number>();
  for (const [id, found] of hits) latest.set(id, Math.max(...found.map((message) => message.createdAt)));
  const named = new Set<string>();
  for (const conversation of conversations.values()) {
    let shown = contacts.get(conversation.contactId);
    if (shown !== undefined && shown.mergedInto !== null) shown = contacts.get(shown.mergedInto) ?? shown;
    if (!matches(tokenize(shown?.name ?? ''))) continue;
    named.add(conversation.id);
    latest.set(conversation.id, Math.max(latest.get(conversation.id) ?? 0, conversation.lastMessageAt));
  }
  return [...latest]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxGroups)
    .map(([conversationId]) => ({
      conversationId,
      contactMatch: named.has(conversationId),
      hits: (hits.get(conversationId) ?? [])
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, maxHits)
        .map((message) => message.id),
    }));
}

describe('search index against a brute-force search', () => {
  const WORDS = 'order ordered orders refund return retour réduction commande colis où élodie parcel package'.split(
    ' ',
  );
  const NAMES = 'Élodie Oliver Olivia Orla Renée René Paco'.split(' ');

  /** A cache big enough that common prefixes match thousands of messages, written out of order. */
  function corpus(): {
    index: SearchIndex;
    contacts: Map<string, Contact>;
    conversations: Map<string, Conversation>;
    messages: Map<string, Message>;
  } {
    const next = random(7);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const index = new SearchIndex();
    const contacts = new Map<string, Contact>();
    const conversations = new Map<string, Conversation>();
    const messages = new Map<string, Message>();
    for (let i = 0; i < 300; i += 1) {
      const person = contact(`k${i}`, `${pick(NAMES)} ${pick(NAMES)}`);
      const thread = conversation(`c${i}`, person.id, { lastMessageAt: 1_000_000 + i * 97 });
      contacts.set(person.id, person);
      conversations.set(thread.id, thread);
      index.putContact(person);
      index.putConversation(thread);
    }
    // Times are unique and shuffled, so the index cannot rely on arriving newest first.
    const count = 12_000;
    const times = Array.from({ length: count }, (_, i) => i * 3 + 1);
    for (let i = times.length - 1; i > 0; i -= 1) {
      const j = Math.floor(next() * (i + 1));
      [times[i], times[j]] = [times[j] ?? 0, times[i] ?? 0];
    }
    for (let i = 0; i < count; i += 1) {
      const words = Array.from({ length: 2 + Math.floor(next() * 5) }, () => pick(WORDS));
      const written = message(`x${i}`, `c${Math.floor(next() ** 2 * 300)}`, words.join(' '), {
        createdAt: times[i] ?? 0,
        ...(i % 9 === 0 ? { kind: 'note' as const, direction: 'outbound' as const } : {}),
      });
      messages.set(written.id, written);
      index.putMessage(written);
    }
    return { index, contacts, conversations, messages };
  }

  const QUERIES = [
    'or',
    'ord',
    'order',
    're',
    'ret',
    'reduc',
    'co',
    'commande co',
    'ou',
    'OÙ',
    'elo',
    'Élodie',
    'order re',
    'refund order pa',
    'oli',
    'olivia re',
    'rene',
    'paco ol',
    'zz',
    'order zz',
    'pa',
  ];

  const shape = (index: SearchIndex, query: string): Expected[] =>
    index.search(query).map((group) => ({
      conversationId: group.conversationId,
      contactMatch: group.contactMatch,
      hits: group.hits.map((hit) => hit.messageId),
    }));

  it('finds the same groups and hits for prefixes, several words, accents, notes and names', () => {
    const { index, contacts, conversations, messages } = corpus();
    // The common prefixes match far more messages than a postings walk takes: the newest-first walk answers them.
    const common = [...messages.values()].filter((m) => tokenize(m.text ?? '').some((word) => word.startsWith('or')));
    expect(common.length).toBeGreaterThan(5_000);
    for (const query of QUERIES) {
      expect({ query, groups: shape(index, query) }).toEqual({
        query,
        groups: reference(contacts, conversations, messages, query),
      });
    }
    expect(shape(index, 'or')).toHaveLength(50);
    expect(shape(index, 'or').every((group) => group.hits.length === 3)).toBe(true);
  });

  it('stays the same after edits, deletes, newer messages and a forgotten conversation', () => {
    const { index, contacts, conversations, messages } = corpus();
    // Answer once first, so the changes land on an index that has already ordered its messages.
    index.search('or');
    const next = random(11);
    for (let i = 0; i < 3_000; i += 1) {
      const id = `x${Math.floor(next() * 12_000)}`;
      const existing = messages.get(id);
      if (existing === undefined) continue;
      const changed =
        i % 3 === 0
          ? { ...existing, deletedAt: 1 }
          : { ...existing, text: i % 3 === 1 ? 'parcel package' : 'colis retour élodie' };
      messages.set(id, changed);
      index.putMessage(changed);
    }
    for (let i = 0; i < 200; i += 1) {
      const newer = message(`n${i}`, `c${i % 300}`, i % 2 === 0 ? 'order refund' : 'return parcel', {
        createdAt: 100_000 + i,
      });
      messages.set(newer.id, newer);
      index.putMessage(newer);
    }
    index.removeConversations(new Set(['c0', 'c1', 'c2']));
    for (const id of ['c0', 'c1', 'c2']) conversations.delete(id);
    const renamed = contact('k5', 'Zora Quinn');
    contacts.set(renamed.id, renamed);
    index.putContact(renamed);
    for (const query of [...QUERIES, 'zor', 'quinn z', 'parcel pa']) {
      expect({ query, groups: shape(index, query) }).toEqual({
        query,
        groups: reference(contacts, conversations, messages, query),
      });
    }
  });

  it('shows a group all of its newest hits even when they are older than where the walk stopped', () => {
    const index = new SearchIndex();
    index.putContact(contact('k1', 'Ana'));
    index.putConversation(conversation('old', 'k1'));
    // One conversation's three hits span the whole history...
    index.putMessage(message('old-3', 'old', 'order one', { createdAt: 10 }));
    index.putMessage(message('old-2', 'old', 'order two', { createdAt: 50_000 }));
    index.putMessage(message('old-1', 'old', 'order three', { createdAt: 99_000 }));
    // ...while thousands of newer hits in other conversations end the walk long before the oldest.
    for (let i = 0; i < 6_000; i += 1) {
      const id = `c${i % 49}`;
      index.putConversation(conversation(id, 'k1'));
      index.putMessage(message(`m${i}`, id, 'order again', { createdAt: 100_000 + i }));
    }
    const groups = index.search('ord');
    expect(groups).toHaveLength(50);
    expect(groups.at(-1)).toMatchObject({ conversationId: 'old' });
    expect(groups.at(-1)?.hits.map((hit) => hit.messageId)).toEqual(['old-1', 'old-2', 'old-3']);
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
