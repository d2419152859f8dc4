import Dexie from 'dexie';
import { useLiveQuery } from 'dexie-react-hooks';
import type { ChannelAccount, Contact, Conversation, Message } from '@parley/protocol';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { resolveContactIn } from './contacts.js';
import type { HistoryRow, ParleyDb } from './db.js';

/** How many of the newest messages a thread shows when it opens. */
export const THREAD_FIRST_PAGE = 60;
/** How many older messages each step up the thread adds from the cache. */
export const THREAD_PAGE = 80;

/**
 * Where a thread's window of messages starts: at the newest page (the bound is not known
 * yet), at a message time (every cached message from then on), or at the very first
 * cached message.
 */
export type WindowFloor = { kind: 'newest' } | { kind: 'since'; createdAt: number } | { kind: 'all' };

export const NEWEST: WindowFloor = { kind: 'newest' };

/**
 * The floor after the first page was read: pinned to the oldest message shown, so a
 * message arriving later is added at the end instead of pushing the first one out.
 */
export function pinnedFloor(page: readonly Message[], pageSize: number): WindowFloor {
  const first = page[0];
  return first === undefined || page.length < pageSize
    ? { kind: 'all' }
    : { kind: 'since', createdAt: first.createdAt };
}

/**
 * The floor after reading the page of older cached messages before the window (newest
 * first, as read backwards from the index): the whole cache when it ran short.
 */
export function olderFloor(olderNewestFirst: readonly Message[], pageSize: number): WindowFloor {
  const oldest = olderNewestFirst.at(-1);
  return oldest === undefined || olderNewestFirst.length < pageSize
    ? { kind: 'all' }
    : { kind: 'since', createdAt: oldest.createdAt };
}

/** The lower of two floors: the one that shows more. */
export function lowerFloor(a: WindowFloor, b: WindowFloor): WindowFloor {
  if (a.kind === 'all' || b.kind === 'all') return { kind: 'all' };
  if (a.kind === 'newest') return b;
  if (b.kind === 'newest') return a;
  return a.createdAt <= b.createdAt ? a : b;
}

/** Reads the messages a floor shows, in time order, by the `[conversationId+createdAt]` index. */
export async function readWindow(
  db: ParleyDb,
  conversationId: string,
  floor: WindowFloor,
  firstPage: number = THREAD_FIRST_PAGE,
): Promise<Message[]> {
  const index = db.messages.where('[conversationId+createdAt]');
  if (floor.kind === 'newest') {
    const newest = await index
      .between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey])
      .reverse()
      .limit(firstPage)
      .toArray();
    return newest.reverse();
  }
  const from = floor.kind === 'all' ? Dexie.minKey : floor.createdAt;
  return index.between([conversationId, from], [conversationId, Dexie.maxKey], true, true).toArray();
}

/**
 * What a thread needs to show its first screen, read in one transaction: the conversation,
 * its contact (following merges) and account (the header's name and inbox in the first
 * frame), its newest page of messages and what is known of its older history.
 */
export type ThreadOpening = {
  conversationId: string;
  conversation: Conversation | undefined;
  contact: Contact | undefined;
  account: ChannelAccount | undefined;
  messages: Message[];
  history: HistoryRow | undefined;
};

export function readOpening(db: ParleyDb, conversationId: string): Promise<ThreadOpening> {
  return db.transaction('r', [db.conversations, db.contacts, db.channelAccounts, db.messages, db.history], async () => {
    const [conversation, messages, history] = await Promise.all([
      db.conversations.get(conversationId),
      readWindow(db, conversationId, NEWEST),
      db.history.get(conversationId),
    ]);
    const [contact, account] =
      conversation === undefined
        ? [undefined, undefined]
        : await Promise.all([
            resolveContactIn(db, conversation.contactId),
            db.channelAccounts.get(conversation.channelAccountId),
          ]);
    return { conversationId, conversation, contact, account, messages, history };
  });
}

/** The page of cached messages just older than `before`, newest first. */
export async function readOlder(
  db: ParleyDb,
  conversationId: string,
  before: number,
  pageSize: number = THREAD_PAGE,
): Promise<Message[]> {
  return db.messages
    .where('[conversationId+createdAt]')
    .between([conversationId, Dexie.minKey], [conversationId, before], true, false)
    .reverse()
    .limit(pageSize)
    .toArray();
}

/** A message a thread wants to show: by Parley's id, or by the platform's id (what a reply quotes). */
export type MessageTarget = { messageId: string | null; externalId: string | null };

/** The cached message a target names, when it belongs to the conversation. */
export async function findTarget(
  db: ParleyDb,
  conversationId: string,
  target: MessageTarget,
): Promise<Message | undefined> {
  if (target.messageId !== null) {
    const byId = await db.messages.get(target.messageId);
    if (byId?.conversationId === conversationId) return byId;
  }
  if (target.externalId !== null) {
    const byExternal = await db.messages.where('externalId').equals(target.externalId).toArray();
    return byExternal.find((message) => message.conversationId === conversationId);
  }
  return undefined;
}

export type ThreadWindow = {
  /** The window's messages in time order; undefined until first read. */
  messages: Message[] | undefined;
  /** Whether anything older may still come: from the cache, or from the server's history. */
  hasOlder: boolean;
  /** Whether older history is being fetched from the server. */
  fetching: boolean;
  /** Adds the next page of older messages: from the cache, else asks the server for its next page. */
  loadOlder: () => void;
  /**
   * Widens the window down to a message (from the cache, or page by page from the server's
   * history) and resolves with it, or with undefined when it cannot be found.
   */
  reveal: (target: MessageTarget) => Promise<Message | undefined>;
};

/** How long a jump waits for one page of the server's history before giving up (offline). */
const HISTORY_WAIT_MS = 10_000;

/** Resolves once the history request of a conversation has been answered or dropped, or after a while. */
function historyAnswered(db: ParleyDb, conversationId: string): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, HISTORY_WAIT_MS);
    const subscription = Dexie.liveQuery(() => db.history.get(conversationId)).subscribe({
      next: (row) => {
        if (row === undefined || row.requestedAt === null) done();
      },
      error: () => done(),
    });
    function done(): void {
      clearTimeout(timer);
      queueMicrotask(() => subscription.unsubscribe());
      resolve();
    }
  });
}

/** The time of the oldest cached message of a conversation. */
async function oldestCached(db: ParleyDb, conversationId: string): Promise<number | undefined> {
  const oldest = await db.messages
    .where('[conversationId+createdAt]')
    .between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey])
    .first();
  return oldest?.createdAt;
}

/** How many pages of the server's history a jump to a quoted message may fetch. */
const MAX_REVEAL_PAGES = 40;

/** The lower bound of a page of older messages: a message time, or the very first cached message. */
export type PageBound = number | 'min';

/** A page of older messages: from its bound (included) up to the page above it (excluded). */
export type PageRange = { key: string; from: PageBound; to: number };

/**
 * The pages below the first one, newest first: each runs from its bound up to the bound of
 * the page above it, the first up to where the first page was pinned.
 */
export function pageRanges(pin: WindowFloor, bounds: readonly PageBound[]): PageRange[] {
  if (pin.kind !== 'since') return [];
  const ranges: PageRange[] = [];
  let to = pin.createdAt;
  for (const from of bounds) {
    ranges.push({ key: `${String(from)}:${to}`, from, to });
    if (from === 'min') break;
    to = from;
  }
  return ranges;
}

/** The cached messages of one page, in time order. */
export function readRange(db: ParleyDb, conversationId: string, range: PageRange): Promise<Message[]> {
  return db.messages
    .where('[conversationId+createdAt]')
    .between(
      [conversationId, range.from === 'min' ? Dexie.minKey : range.from],
      [conversationId, range.to],
      true,
      false,
    )
    .toArray();
}

/**
 * The window's messages in time order: the older pages the agent scrolled to (newest first
 * in `ranges`), as far as they have been read without a gap, then the first page and what
 * came after it.
 */
export function joinPages(
  ranges: readonly PageRange[],
  pages: ReadonlyMap<string, Message[]>,
  live: Message[] | undefined,
): Message[] | undefined {
  if (live === undefined) return undefined;
  const older: Message[][] = [];
  for (const range of ranges) {
    const page = pages.get(range.key);
    if (page === undefined) break;
    older.push(page);
  }
  if (older.length === 0) return live;
  return older.reverse().flat().concat(live);
}

/**
 * Follows each older page with its own live query: a page is read when it is added and
 * again only when one of its own messages changes, so a thread scrolled far up does not
 * read (or compare) all it shows each time a page is added or a message arrives.
 */
function usePages(
  db: ParleyDb,
  conversationId: string,
  ranges: readonly PageRange[],
  setPages: (update: (pages: ReadonlyMap<string, Message[]>) => ReadonlyMap<string, Message[]>) => void,
): void {
  const [subscriptions] = useState(() => new Map<string, { unsubscribe(): void }>());
  useEffect(() => {
    const wanted = new Set(ranges.map((range) => range.key));
    for (const [key, subscription] of subscriptions) {
      if (wanted.has(key)) continue;
      subscription.unsubscribe();
      subscriptions.delete(key);
    }
    for (const range of ranges) {
      if (subscriptions.has(range.key)) continue;
      const subscription = Dexie.liveQuery(() => readRange(db, conversationId, range)).subscribe({
        next: (read) =>
          setPages((current) => {
            const before = current.get(range.key);
            const kept = sameMessages(before, read);
            if (kept === before) return current;
            return new Map(current).set(range.key, kept);
          }),
      });
      subscriptions.set(range.key, subscription);
    }
  }, [db, conversationId, ranges, subscriptions, setPages]);
  useEffect(
    () => () => {
      for (const subscription of subscriptions.values()) subscription.unsubscribe();
      subscriptions.clear();
    },
    [subscriptions],
  );
}

/**
 * A window of one conversation's messages, read by index: the newest page first, growing
 * by pages as the agent scrolls up, and asking the server for older history (through
 * `requestHistory`, the sync engine's) once the cache has nothing older. Never reads the whole thread
 * unless the agent scrolls through all of it; each page is read, and followed, on its own.
 */
export function useThreadWindow(
  db: ParleyDb,
  conversationId: string,
  history: HistoryRow | undefined,
  requestHistory: (db: ParleyDb, conversationId: string) => Promise<void>,
  /** The newest page, when already read (`readOpening`): shown at once, and kept while the same. */
  firstPage?: Message[],
): ThreadWindow {
  // Where the first page starts: its messages and every newer one are read by one live query.
  const [pin, setPin] = useState<WindowFloor>(() =>
    firstPage === undefined ? NEWEST : pinnedFloor(firstPage, THREAD_FIRST_PAGE),
  );
  // The older pages' bounds, newest first, and the pages read.
  const [bounds, setBounds] = useState<PageBound[]>([]);
  const [pages, setPages] = useState<ReadonlyMap<string, Message[]>>(() => new Map());
  // The last read, outside React's state: each new read keeps what it can of it.
  const [last] = useState<{ read: Message[] | undefined }>(() => ({ read: firstPage }));
  const live = useLiveQuery(
    () =>
      readWindow(db, conversationId, pin).then((read) => {
        last.read = sameMessages(last.read, read);
        return last.read;
      }),
    [db, conversationId, pin, last],
    firstPage,
  );
  const ranges = useMemo(() => pageRanges(pin, bounds), [pin, bounds]);
  usePages(db, conversationId, ranges, setPages);
  const messages = useMemo(() => joinPages(ranges, pages, live), [ranges, pages, live]);

  // The window's lowest bound: the first page's, or the oldest page's.
  const lowest: WindowFloor =
    pin.kind !== 'since' || bounds.length === 0
      ? pin
      : bounds.at(-1) === 'min'
        ? { kind: 'all' }
        : { kind: 'since', createdAt: bounds.at(-1) as number };
  const latest = useRef({ lowest, messages, history });
  useLayoutEffect(() => {
    latest.current = { lowest, messages, history };
  });
  const reading = useRef(false);

  // Pin the first page, so a new message is added below instead of sliding the window.
  if (pin.kind === 'newest' && live !== undefined) setPin(pinnedFloor(live, THREAD_FIRST_PAGE));

  /** Widens the window down to `floor`: one more page, followed on its own. */
  const widen = useCallback((floor: WindowFloor) => {
    if (floor.kind === 'newest') return;
    const bound: PageBound = floor.kind === 'all' ? 'min' : floor.createdAt;
    setBounds((now) => {
      const low = now.at(-1);
      if (low === 'min' || (low !== undefined && bound !== 'min' && bound >= low)) return now;
      return [...now, bound];
    });
  }, []);

  const loadOlder = useCallback(() => {
    const { lowest: current, messages: shown, history: row } = latest.current;
    if (reading.current || shown === undefined || current.kind === 'newest') return;
    if (current.kind === 'all') {
      if (row?.hasMore ?? true) void requestHistory(db, conversationId);
      return;
    }
    reading.current = true;
    void readOlder(db, conversationId, current.createdAt)
      .then((older) => {
        const next = olderFloor(older, THREAD_PAGE);
        // The page just read shows at once; its own live query follows it from then on.
        const key = `${next.kind === 'since' ? next.createdAt : 'min'}:${current.createdAt}`;
        setPages((now) => (now.has(key) ? now : new Map(now).set(key, older.slice().reverse())));
        widen(next);
        if (next.kind === 'all' && older.length === 0 && (row?.hasMore ?? true))
          void requestHistory(db, conversationId);
      })
      .finally(() => {
        reading.current = false;
      });
  }, [db, conversationId, requestHistory, widen]);

  const reveal = useCallback(
    async (target: MessageTarget): Promise<Message | undefined> => {
      for (let page = 0; page <= MAX_REVEAL_PAGES; page += 1) {
        const found = await findTarget(db, conversationId, target);
        if (found !== undefined) {
          const { lowest: current } = latest.current;
          if (lowerFloor(current, { kind: 'since', createdAt: found.createdAt }) !== current)
            widen({ kind: 'since', createdAt: found.createdAt });
          return found;
        }
        const row = await db.history.get(conversationId);
        if (row !== undefined && !row.hasMore) return undefined;
        const before = await oldestCached(db, conversationId);
        await requestHistory(db, conversationId);
        await historyAnswered(db, conversationId);
        // The pages fetched join the window, which now reaches the oldest cached message.
        widen({ kind: 'all' });
        // Nothing older came while the server may have more: offline, or refused.
        if ((await oldestCached(db, conversationId)) === before) return undefined;
      }
      return undefined;
    },
    [db, conversationId, requestHistory, widen],
  );

  const hasOlder = lowest.kind !== 'all' || (history?.hasMore ?? true);
  return {
    messages,
    hasOlder,
    fetching: history?.requestedAt !== null && history?.requestedAt !== undefined,
    loadOlder,
    reveal,
  };
}

/**
 * Each read of the window brings new objects, even for messages that did not change (the
 * window widening, another message arriving): this keeps the objects already shown for
 * the messages that are the same, and the array itself when nothing changed, so the rows
 * on screen do not render again.
 */
export function sameMessages(previous: readonly Message[] | undefined, next: Message[]): Message[] {
  if (previous === undefined) return next;
  const before = new Map(previous.map((message) => [message.id, message]));
  let changed = next.length !== previous.length;
  const kept = next.map((message, at) => {
    const old = before.get(message.id);
    const same = old !== undefined && (old === message || JSON.stringify(old) === JSON.stringify(message));
    const chosen = same ? old : message;
    if (chosen !== previous[at]) changed = true;
    return chosen;
  });
  return changed ? kept : (previous as Message[]);
}
