import type { Channel, Contact, Conversation, Message } from '@parley/protocol';

/**
 * A compact inverted index over the cached message texts, notes and contact names. Pure
 * logic, so it runs in the search worker and in unit tests alike. Terms are folded (case
 * and accents) and the last word of a query matches as a prefix, the others exactly.
 */

export type SnippetPart = { text: string; match: boolean };

export type SearchHit = {
  messageId: string;
  kind: 'message' | 'note';
  createdAt: number;
  snippet: SnippetPart[];
};

export type SearchGroup = {
  conversationId: string;
  channel: Channel;
  contactName: string;
  /** The contact's name matched every word of the query. */
  contactMatch: boolean;
  hits: SearchHit[];
  /** The newest match, so groups sort newest first. */
  latestAt: number;
};

export type SearchOptions = { maxGroups?: number; maxHitsPerGroup?: number };

type IndexedMessage = {
  id: string;
  conversationId: string;
  text: string;
  kind: 'message' | 'note';
  createdAt: number;
  terms: string[];
  /** The query that last visited it, so a message with two matching words counts once. */
  visited: number;
};

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}/gu;
const SNIPPET_BEFORE = 30;
const SNIPPET_LENGTH = 120;

/** Lower case without accents: "Élodie" and "elodie" are the same word. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(MARKS, '').toLowerCase();
}

export function tokenize(text: string): string[] {
  return fold(text).match(WORD) ?? [];
}

/** The query's words: all but the last must match whole words, the last one a word's start. */
export function parseQuery(query: string): { exact: string[]; prefix: string | null } {
  const words = tokenize(query);
  const prefix = words.pop() ?? null;
  return { exact: words, prefix };
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? '') < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** How many characters of `word` fold to its first `foldedLength` characters. */
function originalLength(word: string, foldedLength: number): number {
  let length = 0;
  for (const char of word) {
    if (fold(word.slice(0, length)).length >= foldedLength) break;
    length += char.length;
  }
  return length;
}

/**
 * Splits `text` around the words that start with a query word, as a short window around
 * the first match. Folding keeps one output per input character group, so positions are
 * mapped character by character.
 */
export function highlight(text: string, exact: readonly string[], prefix: string | null): SnippetPart[] {
  const ranges: [number, number][] = [];
  for (const match of text.matchAll(WORD)) {
    const folded = fold(match[0]);
    let hit = 0;
    if (exact.includes(folded)) hit = match[0].length;
    else if (prefix !== null && folded.startsWith(prefix)) hit = originalLength(match[0], prefix.length);
    if (hit > 0) ranges.push([match.index, match.index + hit]);
  }
  const first = ranges[0];
  const start = first === undefined ? 0 : Math.max(0, first[0] - SNIPPET_BEFORE);
  const end = Math.min(text.length, start + SNIPPET_LENGTH);
  const parts: SnippetPart[] = [];
  let at = start;
  if (start > 0) parts.push({ text: '…', match: false });
  for (const [from, to] of ranges) {
    if (from >= end) break;
    if (from > at) parts.push({ text: text.slice(at, from), match: false });
    parts.push({ text: text.slice(from, Math.min(to, end)), match: true });
    at = Math.min(to, end);
  }
  if (at < end) parts.push({ text: text.slice(at, end), match: false });
  if (end < text.length) parts.push({ text: '…', match: false });
  return parts;
}

/** Adds `message` to `newest` (newest first, at most `max`) if it is among the newest. */
function keepNewest(newest: IndexedMessage[], message: IndexedMessage, max: number): void {
  let at = newest.length;
  while (at > 0 && (newest[at - 1]?.createdAt ?? 0) < message.createdAt) at -= 1;
  if (at >= max) return;
  newest.splice(at, 0, message);
  if (newest.length > max) newest.pop();
}

export class SearchIndex {
  private readonly messages = new Map<string, IndexedMessage>();
  private readonly postings = new Map<string, Set<IndexedMessage>>();
  private generation = 0;
  private sortedTerms: string[] | null = null;
  private readonly contacts = new Map<string, Contact>();
  private readonly conversations = new Map<string, Conversation>();
  /** The highest seq seen per table, so a refresh reads only what changed. */
  lastMessageSeq = 0;
  lastConversationSeq = 0;
  lastContactSeq = 0;

  get size(): number {
    return this.messages.size;
  }

  putContact(contact: Contact): void {
    this.contacts.set(contact.id, contact);
    this.lastContactSeq = Math.max(this.lastContactSeq, contact.seq);
  }

  putConversation(conversation: Conversation): void {
    this.conversations.set(conversation.id, conversation);
    this.lastConversationSeq = Math.max(this.lastConversationSeq, conversation.seq);
  }

  putMessage(message: Message): void {
    this.lastMessageSeq = Math.max(this.lastMessageSeq, message.seq);
    this.removeMessage(message.id);
    const text = message.text;
    if (text === null || text.trim() === '' || message.deletedAt !== null || message.kind === 'system') return;
    const terms = [...new Set(tokenize(text))];
    const indexed: IndexedMessage = {
      id: message.id,
      conversationId: message.conversationId,
      text,
      kind: message.kind === 'note' ? 'note' : 'message',
      createdAt: message.createdAt,
      terms,
      visited: 0,
    };
    this.messages.set(message.id, indexed);
    for (const term of terms) {
      let posting = this.postings.get(term);
      if (posting === undefined) {
        posting = new Set();
        this.postings.set(term, posting);
        this.sortedTerms = null;
      }
      posting.add(indexed);
    }
  }

  removeMessage(id: string): void {
    const existing = this.messages.get(id);
    if (existing === undefined) return;
    this.messages.delete(id);
    for (const term of existing.terms) {
      const posting = this.postings.get(term);
      posting?.delete(existing);
      if (posting?.size === 0) {
        this.postings.delete(term);
        this.sortedTerms = null;
      }
    }
  }

  /** The conversations indexed, by id. */
  conversationIds(): IterableIterator<string> {
    return this.conversations.keys();
  }

  /** Forgets conversations (the user no longer sees them): the conversations and every message of them. */
  removeConversations(ids: ReadonlySet<string>): void {
    if (ids.size === 0) return;
    for (const id of ids) this.conversations.delete(id);
    const gone: string[] = [];
    for (const message of this.messages.values()) if (ids.has(message.conversationId)) gone.push(message.id);
    for (const id of gone) this.removeMessage(id);
  }

  private terms(): string[] {
    this.sortedTerms ??= [...this.postings.keys()].sort();
    return this.sortedTerms;
  }

  /** Calls `visit` once for every message matching the query. */
  private forEachMatch(exact: readonly string[], prefix: string, visit: (message: IndexedMessage) => void): void {
    this.generation += 1;
    const generation = this.generation;
    if (exact.length > 0) {
      // Walk the rarest whole word's messages and check the rest on each message.
      const sets = exact.map((word) => this.postings.get(word)).sort((a, b) => (a?.size ?? 0) - (b?.size ?? 0));
      const [rarest, ...others] = sets;
      if (rarest === undefined || others.some((set) => set === undefined)) return;
      for (const message of rarest) {
        if (!others.every((set) => set?.has(message))) continue;
        if (!message.terms.some((term) => term.startsWith(prefix))) continue;
        visit(message);
      }
      return;
    }
    const terms = this.terms();
    for (let i = lowerBound(terms, prefix); i < terms.length; i += 1) {
      const term = terms[i] ?? '';
      if (!term.startsWith(prefix)) break;
      for (const message of this.postings.get(term) ?? []) {
        if (message.visited === generation) continue;
        message.visited = generation;
        visit(message);
      }
    }
  }

  private readonly nameWordsCache = new Map<string, string[]>();

  /** The folded words of a contact's shown name, cached: they are checked on every query. */
  private nameWords(conversation: Conversation): string[] {
    const name = this.contactName(conversation);
    let words = this.nameWordsCache.get(name);
    if (words === undefined) {
      words = tokenize(name);
      this.nameWordsCache.set(name, words);
    }
    return words;
  }

  private contactName(conversation: Conversation): string {
    let contact = this.contacts.get(conversation.contactId);
    for (let hop = 0; hop < 8 && contact !== undefined && contact.mergedInto !== null; hop += 1) {
      const target = this.contacts.get(contact.mergedInto);
      if (target === undefined) break;
      contact = target;
    }
    return contact?.name ?? '';
  }

  search(query: string, { maxGroups = 50, maxHitsPerGroup = 3 }: SearchOptions = {}): SearchGroup[] {
    const { exact, prefix } = parseQuery(query);
    if (prefix === null) return [];

    // Keep only each conversation's newest few hits while scanning: a two-letter prefix can
    // match most of the cache, and sorting all of it would cost more than the rest of the query.
    const top = new Map<string, IndexedMessage[]>();
    this.forEachMatch(exact, prefix, (message) => {
      let newest = top.get(message.conversationId);
      if (newest === undefined) {
        if (!this.conversations.has(message.conversationId)) return;
        newest = [];
        top.set(message.conversationId, newest);
      }
      keepNewest(newest, message, maxHitsPerGroup);
    });
    const latest = new Map<string, number>();
    for (const [conversationId, newest] of top) latest.set(conversationId, newest[0]?.createdAt ?? 0);

    const named = new Set<string>();
    for (const conversation of this.conversations.values()) {
      const words = this.nameWords(conversation);
      if (!exact.every((word) => words.includes(word)) || !words.some((word) => word.startsWith(prefix))) continue;
      named.add(conversation.id);
      latest.set(conversation.id, Math.max(latest.get(conversation.id) ?? 0, conversation.lastMessageAt));
    }

    // A team's cache matches thousands of conversations: groups and snippets only for what is shown.
    const shown = [...latest].sort((a, b) => b[1] - a[1]).slice(0, maxGroups);
    const groups: SearchGroup[] = [];
    for (const [conversationId, latestAt] of shown) {
      const conversation = this.conversations.get(conversationId);
      if (conversation === undefined) continue;
      groups.push({
        conversationId,
        channel: conversation.channel,
        contactName: this.contactName(conversation),
        contactMatch: named.has(conversationId),
        hits: (top.get(conversationId) ?? []).map((message) => ({
          messageId: message.id,
          kind: message.kind,
          createdAt: message.createdAt,
          snippet: highlight(message.text, exact, prefix),
        })),
        latestAt,
      });
    }
    return groups;
  }
}
