/**
 * Runs inside every document of the inbox benchmark, installed before the page's own
 * scripts: it seeds the app's own IndexedDB through raw IndexedDB, notes when the first
 * conversation row and a thread's last message are painted, measures long tasks while it
 * scrolls, and, on /bench-floor.html, is the floor itself: a raw read of the first 50
 * conversations written to the DOM.
 */

import { BIG_CONTACT, FLOOR_ROWS, LAST_TEXT, MESSAGE_SELECTOR, ROW_SELECTOR } from './inbox-shared.js';
import { messageRow } from './rows.js';

export type SeedOptions = {
  dbName: string;
  agentId: string;
  conversations: number;
  messages: number;
  bigThread: number;
};
export type SeedResult = {
  ms: number;
  cursor: number;
  bigConversationId: string;
  /** The long thread's oldest message: the thread's scroll ends when it is on screen. */
  firstMessageId: string;
  lastMessageId: string;
};
export type ScrollResult = {
  ms: number;
  steps: number;
  longestTaskMs: number;
  longTasks: number;
  reachedEnd: boolean;
  timedOut: boolean;
};
export type OpenResult = { ms: number | null };

export type InboxBench = {
  seed(options: SeedOptions): Promise<SeedResult>;
  /** ms from navigation start to the first row painted, or null while none is. */
  firstRowAt(): number | null;
  open(contactName: string, messageId: string, text: string, timeoutMs: number): Promise<OpenResult>;
  /** Clicks the first row that is not `contactName`'s. */
  clickOther(contactName: string): void;
  /** `endId`: a message whose row marks the thread's start (older pages load on the way). */
  scroll(which: 'list' | 'thread', timeoutMs: number, endId?: string): Promise<ScrollResult>;
};

declare global {
  var inboxBench: InboxBench;
}

const WORDS =
  'hello thanks please order delivery parcel tracking refund return size colour broken missing late invoice payment card address account store price discount stock shipping courier arrived waiting urgent sorry product cancel subscription'.split(
    ' ',
  );
const NAMES = 'Oliver Amelia Camille Élodie Mariana João Lucas Sophie Hugo Chloé Noah Emma Liam Léa Mateus Ana'.split(
  ' ',
);
const SURNAMES = 'Bennett Durand Souza Martin Silva Dubois Smith Müller Rossi García Nguyen Kowalski'.split(' ');

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function openRaw(name: string): Promise<IDBDatabase> {
  return request(indexedDB.open(name));
}

function done(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function text(seed: number): string {
  const words: string[] = [];
  let state = seed >>> 0;
  const length = 4 + (seed % 14);
  for (let i = 0; i < length; i += 1) {
    state = (state * 1664525 + 1013904223) >>> 0;
    words.push(WORDS[state % WORDS.length] ?? 'hello');
  }
  return words.join(' ');
}

function message(id: string, conversationId: string, createdAt: number, body: string, inbound: boolean): unknown {
  return messageRow({
    id,
    conversationId,
    direction: inbound ? 'inbound' : 'outbound',
    kind: 'text',
    text: body,
    createdAt,
    seq: 1,
  });
}

async function seed(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  // Recent, so the messaging windows are open as in a working day.
  const NOW = Date.now() - 60_000;
  const idb = await openRaw(options.dbName);
  try {
    const read = idb.transaction(['channelAccounts', 'meta'], 'readonly');
    const accounts = (await request(read.objectStore('channelAccounts').getAll())) as { id: string; channel: string }[];
    const cursorRow = (await request(read.objectStore('meta').get('cursor'))) as { value: number } | undefined;
    const account = accounts.find((candidate) => candidate.channel === 'whatsapp') ?? accounts[0];
    if (account === undefined) throw new Error('the app synced no channel account');
    if (cursorRow === undefined || cursorRow.value <= 0) throw new Error('the app has not synced yet');

    // Conversation 0 holds the long thread; the others share the rest. It is the fifth row,
    // below the top rows the app reads ahead once the list shows, so that the first click on
    // it after a load reads its thread from IndexedDB.
    const rest = Math.max(0, options.messages - options.bigThread);
    const perConversation = Math.max(1, Math.floor(rest / Math.max(1, options.conversations - 1)));
    const lastAt = (i: number): number => NOW - (i === 0 ? 4.5 : i) * 60_000;
    const conversationId = (i: number): string => `bench-c${String(i).padStart(5, '0')}`;
    const write = idb.transaction(['contacts', 'conversations'], 'readwrite');
    const contacts = write.objectStore('contacts');
    const conversations = write.objectStore('conversations');
    for (let i = 0; i < options.conversations; i += 1) {
      const name =
        i === 0
          ? BIG_CONTACT
          : `${NAMES[i % NAMES.length] ?? 'Ana'} ${SURNAMES[(i * 7) % SURNAMES.length] ?? 'Silva'} ${i}`;
      contacts.put({
        id: `bench-k${i}`,
        name,
        avatarMediaId: null,
        phone: `+4477009${String(i).padStart(5, '0')}`,
        identities: [],
        mergedInto: null,
        possibleDuplicates: [],
        note: '',
        createdAt: NOW - 90 * 86_400_000,
        seq: 1,
      });
      conversations.put({
        id: conversationId(i),
        channel: account.channel,
        channelAccountId: account.id,
        contactId: `bench-k${i}`,
        status: 'open',
        assigneeId: options.agentId,
        teamId: null,
        labels: [],
        lastMessageAt: lastAt(i),
        preview: {
          kind: 'text',
          direction: 'inbound',
          text: i === 0 ? LAST_TEXT : text(i),
          name: null,
          voice: false,
          count: 0,
        },
        lastInboundAt: lastAt(i),
        windowOpenUntil: lastAt(i) + 86_400_000,
        humanAgentUntil: null,
        // Unread rows show their count; the long thread is read, so opening it sends nothing.
        unreadCount: i % 5 === 0 && i > 0 ? 2 : 0,
        waitingSince: i % 3 === 0 ? lastAt(i) : null,
        firstResponseAt: null,
        resolvedAt: null,
        assignedAt: null,
        snoozedUntil: null,
        createdAt: lastAt(i) - 86_400_000,
        seq: 1,
      });
    }
    await done(write);

    const lastMessageId = 'bench-m-big-04999';
    let batch: unknown[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const transaction = idb.transaction('messages', 'readwrite');
      const store = transaction.objectStore('messages');
      for (const row of batch) store.put(row);
      batch = [];
      await done(transaction);
    };
    for (let n = 0; n < options.bigThread; n += 1) {
      const last = n === options.bigThread - 1;
      const id = last ? lastMessageId : `bench-m-big-${String(n).padStart(5, '0')}`;
      const at = lastAt(0) - (options.bigThread - 1 - n) * 600_000;
      batch.push(message(id, conversationId(0), at, last ? LAST_TEXT : text(n), n % 2 === 0 || last));
      if (batch.length >= 10_000) await flush();
    }
    let written = options.bigThread;
    for (let i = 1; i < options.conversations && written < options.messages; i += 1) {
      const count = i === options.conversations - 1 ? options.messages - written : perConversation;
      for (let n = 0; n < count; n += 1) {
        const at = lastAt(i) - (count - 1 - n) * 3_600_000;
        batch.push(message(`bench-m${i}-${n}`, conversationId(i), at, text(i * 31 + n), n % 2 === 0));
        if (batch.length >= 10_000) await flush();
      }
      written += count;
    }
    await flush();

    // The cache is complete at the server's head: no first sync, no resync starts.
    const meta = idb.transaction('meta', 'readwrite');
    meta.objectStore('meta').put({ key: 'cursor', value: cursorRow.value });
    meta.objectStore('meta').put({ key: 'bootstrapped', value: Date.now() });
    await done(meta);
    return {
      ms: performance.now() - started,
      cursor: cursorRow.value,
      bigConversationId: conversationId(0),
      firstMessageId: 'bench-m-big-00000',
      lastMessageId,
    };
  } finally {
    idb.close();
  }
}

/** Resolves after the next frame has been produced: what was in the DOM is painted. */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
  });
}

let firstRow: number | null = null;

function watchFirstRow(): void {
  const check = (): boolean => {
    if (document.querySelector(ROW_SELECTOR) === null) return false;
    void afterPaint().then(() => {
      firstRow ??= performance.now();
    });
    return true;
  };
  const observer = new MutationObserver(() => {
    if (check()) observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** The floor: the first 50 conversations by last activity and their contacts, raw, into the DOM. */
async function floor(): Promise<void> {
  const name = decodeURIComponent(location.hash.slice(1));
  const idb = await openRaw(name);
  const transaction = idb.transaction(['conversations', 'contacts'], 'readonly');
  const rows: { id: string; contactId: string; preview: { text: string | null } | null }[] = [];
  await new Promise<void>((resolve, reject) => {
    const cursor = transaction.objectStore('conversations').index('lastMessageAt').openCursor(null, 'prev');
    cursor.onerror = () => reject(cursor.error ?? new Error('cursor failed'));
    cursor.onsuccess = () => {
      const current = cursor.result;
      if (current === null || rows.length >= FLOOR_ROWS) {
        resolve();
        return;
      }
      rows.push(current.value as (typeof rows)[number]);
      current.continue();
    };
  });
  const contactStore = transaction.objectStore('contacts');
  const contacts = await Promise.all(
    rows.map((row) => request(contactStore.get(row.contactId)) as Promise<{ name: string } | undefined>),
  );
  idb.close();
  const list = document.createElement('ul');
  rows.forEach((row, i) => {
    const item = document.createElement('li');
    item.dataset['conversationId'] = row.id;
    const strong = document.createElement('strong');
    strong.textContent = contacts[i]?.name ?? '';
    const span = document.createElement('span');
    span.textContent = row.preview?.text ?? '';
    item.append(strong, ' ', span);
    list.append(item);
  });
  document.body.append(list);
}

function waitForElement(find: () => Element | null, timeoutMs: number): Promise<Element | null> {
  return new Promise((resolve) => {
    const found = find();
    if (found !== null) {
      resolve(found);
      return;
    }
    const observer = new MutationObserver(() => {
      const element = find();
      if (element === null) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(element);
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      resolve(null);
    }, timeoutMs);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}

function findRow(contactName: string): HTMLElement | null {
  for (const row of document.querySelectorAll<HTMLElement>(ROW_SELECTOR)) {
    if (row.textContent.includes(contactName)) return row;
  }
  return null;
}

function findMessage(messageId: string, body: string): Element | null {
  const byId = document.querySelector(`[data-message-id="${CSS.escape(messageId)}"]`);
  if (byId !== null) return byId;
  const all = document.querySelectorAll(MESSAGE_SELECTOR);
  const last = all[all.length - 1];
  return last?.textContent.includes(body) === true ? last : null;
}

async function open(contactName: string, messageId: string, body: string, timeoutMs: number): Promise<OpenResult> {
  const row = findRow(contactName);
  if (row === null) throw new Error(`no row for ${contactName}`);
  const started = performance.now();
  row.click();
  const found = await waitForElement(() => findMessage(messageId, body), timeoutMs);
  if (found === null) return { ms: null };
  await afterPaint();
  return { ms: performance.now() - started };
}

function clickOther(contactName: string): void {
  for (const row of document.querySelectorAll<HTMLElement>(ROW_SELECTOR)) {
    if (!row.textContent.includes(contactName)) {
      row.click();
      return;
    }
  }
  throw new Error('no other row');
}

function scrollerOf(element: Element | null): HTMLElement | null {
  for (let node = element?.parentElement ?? null; node !== null; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) return node;
  }
  // A list with no scroller of its own scrolls with the page.
  const page = document.scrollingElement as HTMLElement | null;
  return element !== null && page !== null && page.scrollHeight > page.clientHeight ? page : null;
}

/** Scrolls two screens at a time, a frame apart: the list down to its end, the thread up to its start. */
async function scroll(which: 'list' | 'thread', timeoutMs: number, endId?: string): Promise<ScrollResult> {
  const target =
    which === 'list'
      ? document.querySelector(ROW_SELECTOR)
      : (document.querySelector('[role="log"] ' + MESSAGE_SELECTOR.split(',')[0]) ??
        document.querySelector(MESSAGE_SELECTOR));
  const scroller = scrollerOf(target);
  if (scroller === null) throw new Error(`no scrolling ${which} found`);
  const tasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask', buffered: false });
  const started = performance.now();
  let steps = 0;
  let reachedEnd = false;
  let still = 0;
  while (performance.now() - started < timeoutMs) {
    const before = scroller.scrollTop;
    const step = 2 * scroller.clientHeight;
    scroller.scrollTop = which === 'list' ? before + step : before - step;
    steps += 1;
    await afterPaint();
    const atEnd =
      which === 'list'
        ? scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2
        : scroller.scrollTop <= 1;
    // A virtualized thread loads older rows at the top, and stays at the top while a page
    // loads: its end is where its oldest message is shown and nothing moves any more.
    const endShown = endId === undefined || document.querySelector(`[data-message-id="${CSS.escape(endId)}"]`) !== null;
    still = atEnd && endShown && scroller.scrollTop === before ? still + 1 : 0;
    if (still >= 3) {
      reachedEnd = true;
      break;
    }
  }
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 200));
  observer.disconnect();
  return {
    ms,
    steps,
    longestTaskMs: Math.max(0, ...tasks),
    longTasks: tasks.length,
    reachedEnd,
    timedOut: !reachedEnd,
  };
}

globalThis.inboxBench = { seed, firstRowAt: () => firstRow, open, clickOther, scroll };

if (location.pathname.endsWith('/bench-floor.html')) {
  const run = (): void => {
    watchFirstRow();
    void floor();
  };
  if (document.body === null) document.addEventListener('DOMContentLoaded', run);
  else run();
} else {
  watchFirstRow();
}
