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
  /** The ids of its distinct folded words. */
  terms: number[];
  /** The query that last visited it, so a message with two matching words counts once. */
  visited: number;
  /** Removed or replaced: skipped by the newest-first walk until it is compacted away. */
  removed: boolean;
};

/**
 * Below this many candidate messages a query walks the postings of its words; above it,
 * it walks every message newest first and stops as soon as the shown groups are known,
 * which a word common enough to match thousands of messages reaches within a few hundred.
 */
const WALK_POSTINGS_BELOW = 4_000;
/** More new words than this since the dictionary was sorted: sort it again rather than insert each. */
const RESORT_ABOVE = 1_000;

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}/gu;
// eslint-disable-next-line no-control-regex -- the whole ASCII range, control characters included
const ASCII = /^[\u0000-\u007f]*$/;
const SNIPPET_BEFORE = 30;
const SNIPPET_LENGTH = 120;

/** Lower case without accents: "Élodie" and "elodie" are the same word. */
export function fold(text: string): string {
  // Most texts are plain ASCII, which has no accents to take off.
  if (ASCII.test(text)) return text.toLowerCase();
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

const newestFirst = (a: IndexedMessage, b: IndexedMessage): number => b.createdAt - a.createdAt;

/** One query's words as term ids, and a test of a message against them. */
type Matcher = {
  /** Ids of the whole words, or null when one of them is in no message. */
  exact: number[] | null;
  /** Ids of the words the last query word starts, in dictionary order. */
  prefixed: number[];
  matches: (message: IndexedMessage) => boolean;
};

export class SearchIndex {
  private readonly messages = new Map<string, IndexedMessage>();
  /** Each conversation's messages, to find the hits of a shown group and to forget a conversation. */
  private readonly byConversation = new Map<string, Set<IndexedMessage>>();
  /** The dictionary: a folded word's id, each id's word, and the messages that hold it. */
  private readonly termIds = new Map<string, number>();
  private readonly termNames: string[] = [];
  private readonly postings: Set<IndexedMessage>[] = [];
  /** Term ids sorted by word, so a prefix is a range; words added since wait in `unsortedTerms`. */
  private sortedTerms: number[] | null = null;
  private unsortedTerms: number[] = [];
  /** Per term id, the query that marked it as starting with the last query word. */
  private marks = new Uint32Array(1024);
  /**
   * Every message newest first (removed ones are skipped until compaction); messages that
   * do not arrive in that order wait in `unordered` until the next query merges them in.
   */
  private ordered: IndexedMessage[] = [];
  private unordered: IndexedMessage[] = [];
  private removedInOrder = 0;
  private generation = 0;
  private readonly contacts = new Map<string, Contact>();
  private readonly conversations = new Map<string, Conversation>();
  /** The folded words of each conversation's contact name, and the conversations each word names. */
  private readonly nameWords = new Map<string, string[]>();
  private readonly named = new Map<string, Set<string>>();
  /** Conversations whose contact name may have changed since the last query; all of them after a contact changed. */
  private readonly namesToRead = new Set<string>();
  private allNamesToRead = false;
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
    // A merge or a new name changes every name that points to it.
    this.allNamesToRead = true;
  }

  putConversation(conversation: Conversation): void {
    this.conversations.set(conversation.id, conversation);
    this.lastConversationSeq = Math.max(this.lastConversationSeq, conversation.seq);
    this.namesToRead.add(conversation.id);
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.termNames.length;
      this.termIds.set(term, id);
      this.termNames.push(term);
      this.postings.push(new Set());
      if (this.sortedTerms !== null) this.unsortedTerms.push(id);
    }
    return id;
  }

  putMessage(message: Message): void {
    this.lastMessageSeq = Math.max(this.lastMessageSeq, message.seq);
    this.removeMessage(message.id);
    const text = message.text;
    if (text === null || text.trim() === '' || message.deletedAt !== null || message.kind === 'system') return;
    const terms = [...new Set(tokenize(text))].map((term) => this.termId(term));
    const indexed: IndexedMessage = {
      id: message.id,
      conversationId: message.conversationId,
      text,
      kind: message.kind === 'note' ? 'note' : 'message',
      createdAt: message.createdAt,
      terms,
      visited: 0,
      removed: false,
    };
    this.messages.set(message.id, indexed);
    for (const term of terms) this.postings[term]?.add(indexed);
    let thread = this.byConversation.get(message.conversationId);
    if (thread === undefined) {
      thread = new Set();
      this.byConversation.set(message.conversationId, thread);
    }
    thread.add(indexed);
    // The first build reads newest first, so it only ever appends.
    const last = this.ordered.at(-1);
    if (this.unordered.length === 0 && (last === undefined || last.createdAt >= indexed.createdAt)) {
      this.ordered.push(indexed);
    } else {
      this.unordered.push(indexed);
    }
  }

  removeMessage(id: string): void {
    const existing = this.messages.get(id);
    if (existing === undefined) return;
    this.messages.delete(id);
    existing.removed = true;
    this.removedInOrder += 1;
    for (const term of existing.terms) this.postings[term]?.delete(existing);
    const thread = this.byConversation.get(existing.conversationId);
    thread?.delete(existing);
    if (thread?.size === 0) this.byConversation.delete(existing.conversationId);
  }

  /** The conversations indexed, by id. */
  conversationIds(): IterableIterator<string> {
    return this.conversations.keys();
  }

  /** Forgets conversations (the user no longer sees them): the conversations and every message of them. */
  removeConversations(ids: ReadonlySet<string>): void {
    for (const id of ids) {
      this.conversations.delete(id);
      this.namesToRead.add(id);
      for (const message of [...(this.byConversation.get(id) ?? [])]) this.removeMessage(message.id);
    }
  }

  /**
   * Brings the sorted dictionary and the newest-first order up to date. Every query does it
   * first; call it after a build so that the first query does not pay for it.
   */
  prepare(): void {
    if (this.allNamesToRead) {
      for (const id of this.nameWords.keys()) this.namesToRead.add(id);
      for (const id of this.conversations.keys()) this.namesToRead.add(id);
      this.allNamesToRead = false;
    }
    for (const id of this.namesToRead) this.readName(id);
    this.namesToRead.clear();
    if (this.sortedTerms === null || this.unsortedTerms.length > RESORT_ABOVE) {
      const names = this.termNames;
      this.sortedTerms = names.map((_, id) => id).sort((a, b) => ((names[a] ?? '') < (names[b] ?? '') ? -1 : 1));
      this.unsortedTerms = [];
    } else if (this.unsortedTerms.length > 0) {
      for (const id of this.unsortedTerms) {
        this.sortedTerms.splice(this.lowerBound(this.termNames[id] ?? ''), 0, id);
      }
      this.unsortedTerms = [];
    }
    if (this.marks.length < this.termNames.length) {
      const marks = new Uint32Array(Math.max(this.termNames.length, this.marks.length * 2));
      marks.set(this.marks);
      this.marks = marks;
    }
    // Tombstones cost the walk a little each; compact once they are a noticeable share.
    const compact = this.removedInOrder > this.ordered.length / 16;
    if (this.unordered.length === 0 && !compact) return;
    const incoming = this.unordered.filter((message) => !message.removed).sort(newestFirst);
    const merged: IndexedMessage[] = [];
    let i = 0;
    let j = 0;
    const ordered = this.ordered;
    while (i < ordered.length || j < incoming.length) {
      const a = ordered[i];
      const b = incoming[j];
      if (a !== undefined && a.removed) {
        i += 1;
      } else if (b === undefined || (a !== undefined && a.createdAt >= b.createdAt)) {
        if (a !== undefined) merged.push(a);
        i += 1;
      } else {
        merged.push(b);
        j += 1;
      }
    }
    this.ordered = merged;
    this.unordered = [];
    this.removedInOrder = 0;
  }

  /** The first position in the sorted dictionary whose word is not below `value`. */
  private lowerBound(value: string): number {
    const sorted = this.sortedTerms ?? [];
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.termNames[sorted[mid] ?? 0] ?? '') < value) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private matcher(exactWords: readonly string[], prefix: string): Matcher {
    this.generation += 1;
    const generation = this.generation;
    const marks = this.marks;
    const prefixed: number[] = [];
    const sorted = this.sortedTerms ?? [];
    for (let at = this.lowerBound(prefix); at < sorted.length; at += 1) {
      const id = sorted[at] ?? 0;
      if (!(this.termNames[id] ?? '').startsWith(prefix)) break;
      marks[id] = generation;
      prefixed.push(id);
    }
    let exact: number[] | null = [];
    for (const word of exactWords) {
      const id = this.termIds.get(word);
      if (id === undefined) exact = null;
      else exact?.push(id);
    }
    const matches = (message: IndexedMessage): boolean => {
      const terms = message.terms;
      if (exact !== null) for (const id of exact) if (!terms.includes(id)) return false;
      for (const id of terms) if (marks[id] === generation) return true;
      return false;
    };
    return { exact, prefixed, matches };
  }

  /** Indexes the words of a conversation's shown contact name, or forgets them when it is gone. */
  private readName(conversationId: string): void {
    const conversation = this.conversations.get(conversationId);
    const words = conversation === undefined ? [] : [...new Set(tokenize(this.contactName(conversation)))];
    const before = this.nameWords.get(conversationId) ?? [];
    if (before.length === words.length && before.every((word, at) => word === words[at])) return;
    for (const word of before) {
      const set = this.named.get(word);
      set?.delete(conversationId);
      if (set?.size === 0) this.named.delete(word);
    }
    for (const word of words) {
      let set = this.named.get(word);
      if (set === undefined) {
        set = new Set();
        this.named.set(word, set);
      }
      set.add(conversationId);
    }
    if (words.length === 0) this.nameWords.delete(conversationId);
    else this.nameWords.set(conversationId, words);
  }

  /** The conversations whose contact name holds every whole word and a word starting with `prefix`. */
  private namedConversations(exact: readonly string[], prefix: string): string[] {
    const wholes: Set<string>[] = [];
    for (const word of exact) {
      const set = this.named.get(word);
      if (set === undefined) return [];
      wholes.push(set);
    }
    const found = new Set<string>();
    for (const [word, ids] of this.named) {
      if (!word.startsWith(prefix)) continue;
      for (const id of ids) if (wholes.every((set) => set.has(id))) found.add(id);
    }
    return [...found];
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

  /**
   * Each conversation's newest hits. Returns the hits found and whether each conversation's
   * list is final; when not, the walk stopped early and only the newest groups are known.
   */
  private collect(
    { exact, prefixed, matches }: Matcher,
    maxGroups: number,
    maxHitsPerGroup: number,
  ): { top: Map<string, IndexedMessage[]>; complete: boolean } {
    const top = new Map<string, IndexedMessage[]>();
    if (exact === null || maxGroups <= 0) return { top, complete: true };
    const add = (message: IndexedMessage): void => {
      let newest = top.get(message.conversationId);
      if (newest === undefined) {
        if (!this.conversations.has(message.conversationId)) return;
        newest = [];
        top.set(message.conversationId, newest);
      }
      keepNewest(newest, message, maxHitsPerGroup);
    };
    // No word starts with the last one typed: no message matches.
    if (prefixed.length === 0) return { top, complete: true };
    const rarest = exact
      .map((id) => this.postings[id] ?? new Set<IndexedMessage>())
      .reduce<Set<IndexedMessage> | null>((best, set) => (best === null || set.size < best.size ? set : best), null);
    let prefixedCount = 0;
    for (const id of prefixed) prefixedCount += this.postings[id]?.size ?? 0;

    // Walk the fewer candidates: the rarest whole word's messages, or those of the words the prefix starts.
    if (rarest !== null && rarest.size <= prefixedCount && rarest.size < WALK_POSTINGS_BELOW) {
      for (const message of rarest) if (matches(message)) add(message);
      return { top, complete: true };
    }
    if (prefixedCount < WALK_POSTINGS_BELOW) {
      const generation = this.generation;
      for (const id of prefixed) {
        for (const message of this.postings[id] ?? []) {
          if (message.visited === generation) continue;
          message.visited = generation;
          if (rarest === null || matches(message)) add(message);
        }
      }
      return { top, complete: true };
    }

    // Newest first: the first `maxGroups` conversations met are the newest groups, and
    // every other conversation's newest hit is older than theirs.
    for (const message of this.ordered) {
      if (message.removed || !matches(message)) continue;
      add(message);
      if (top.size >= maxGroups) return { top, complete: false };
    }
    return { top, complete: true };
  }

  search(query: string, { maxGroups = 50, maxHitsPerGroup = 3 }: SearchOptions = {}): SearchGroup[] {
    const { exact, prefix } = parseQuery(query);
    if (prefix === null) return [];
    this.prepare();
    const matcher = this.matcher(exact, prefix);
    const { top, complete } = this.collect(matcher, maxGroups, maxHitsPerGroup);
    const latest = new Map<string, number>();
    for (const [conversationId, newest] of top) latest.set(conversationId, newest[0]?.createdAt ?? 0);

    const named = new Set(this.namedConversations(exact, prefix));
    for (const id of named) {
      const lastMessageAt = this.conversations.get(id)?.lastMessageAt ?? 0;
      latest.set(id, Math.max(latest.get(id) ?? 0, lastMessageAt));
    }

    // A team's cache matches thousands of conversations: groups and snippets only for what is shown.
    // Equal times keep one order, whatever order the conversations were met in.
    const shown = [...latest]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxGroups);
    const groups: SearchGroup[] = [];
    for (const [conversationId, latestAt] of shown) {
      const conversation = this.conversations.get(conversationId);
      if (conversation === undefined) continue;
      let hits = top.get(conversationId) ?? [];
      // A walk that stopped early has each group's newest hits, but maybe not all it shows.
      if (!complete && hits.length < maxHitsPerGroup && matcher.exact !== null) {
        hits = [];
        for (const message of this.byConversation.get(conversationId) ?? []) {
          if (matcher.matches(message)) keepNewest(hits, message, maxHitsPerGroup);
        }
      }
      groups.push({
        conversationId,
        channel: conversation.channel,
        contactName: this.contactName(conversation),
        contactMatch: named.has(conversationId),
        hits: hits.map((message) => ({
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
