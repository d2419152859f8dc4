/**
 * The offline search: starts indexing the local cache as soon as it is opened, newest
 * messages first, and answers queries on what is indexed so far; then reads only what
 * changed. Typing never waits on the page's main thread and never on the network.
 */
import Dexie from 'dexie';
import { ParleyDb } from '../../data/db.js';
import { SearchRequestSchema, type SearchResponse } from './protocol.js';
import { readNewestFirst } from './readNewestFirst.js';
import { SearchIndex } from './searchIndex.js';

/** Small enough that a query waits at most one page's read, large enough to read fast. */
const PAGE = 5_000;

let db: ParleyDb | null = null;
let index = new SearchIndex();
let built = false;
let buildError: Error | null = null;
let dirty = false;

function post(response: SearchResponse): void {
  self.postMessage(response);
}

/** Indexes the cache newest first, so a query during the build finds the recent conversations agents look for most. */
async function build(cache: ParleyDb): Promise<void> {
  const started = performance.now();
  const [contacts, conversations] = await Promise.all([cache.contacts.toArray(), cache.conversations.toArray()]);
  if (cache !== db) return;
  for (const contact of contacts) index.putContact(contact);
  for (const conversation of conversations) index.putConversation(conversation);
  await readNewestFirst(cache, PAGE, (messages) => {
    // A newer open replaced this cache: stop reading it.
    if (cache !== db) return false;
    for (const message of messages) index.putMessage(message);
    return true;
  });
  if (cache !== db) return;
  // Sort the dictionary and order the messages now, so that the first query finds them ready.
  index.prepare();
  built = true;
  post({ type: 'indexed', messages: index.size, tookMs: performance.now() - started });
}

/**
 * Messages have no seq index, so new ones are found through their conversations: a new
 * message moves its conversation's seq (last message, preview), and only those threads are read.
 * A conversation gone from the cache (the user no longer sees it) leaves the index with
 * its messages: its keys are all that is read to notice.
 */
async function refresh(cache: ParleyDb): Promise<void> {
  dirty = false;
  const cached = new Set(await cache.conversations.toCollection().primaryKeys());
  const gone = new Set<string>();
  for (const id of index.conversationIds()) if (!cached.has(id)) gone.add(id);
  index.removeConversations(gone);
  const contactSeq = index.lastContactSeq;
  const conversationSeq = index.lastConversationSeq;
  const messageSeq = index.lastMessageSeq;
  const [contacts, conversations] = await Promise.all([
    cache.contacts.filter((contact) => contact.seq > contactSeq).toArray(),
    cache.conversations.filter((conversation) => conversation.seq > conversationSeq).toArray(),
  ]);
  for (const contact of contacts) index.putContact(contact);
  for (const conversation of conversations) {
    index.putConversation(conversation);
    const messages = await cache.messages
      .where('[conversationId+createdAt]')
      .between([conversation.id, Dexie.minKey], [conversation.id, Dexie.maxKey])
      .filter((message) => message.seq > messageSeq)
      .toArray();
    for (const message of messages) index.putMessage(message);
  }
}

let queue: Promise<void> = Promise.resolve();
let latestQuery = 0;

/** Reads what changed as soon as it changes, so the next keystroke does not wait for it. */
async function catchUp(): Promise<void> {
  if (db === null || !built || !dirty) return;
  try {
    await refresh(db);
    index.prepare();
  } catch {
    // The next query reads again and reports what fails.
    dirty = true;
  }
}

async function answer(id: number, query: string): Promise<void> {
  // While typing, only the last keystroke's query is worth an answer.
  if (id < latestQuery) {
    post({ type: 'superseded', id });
    return;
  }
  const started = performance.now();
  try {
    if (db === null) throw new Error('The search worker has no database yet.');
    if (buildError !== null) throw buildError;
    // Changes read during the build are in it; a refresh waits until it is done.
    if (built && dirty) await refresh(db);
    post({ type: 'result', id, groups: index.search(query), complete: built, tookMs: performance.now() - started });
  } catch (error) {
    post({ type: 'error', id, message: String(error) });
  }
}

self.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = SearchRequestSchema.safeParse(event.data);
  if (!parsed.success) return;
  const request = parsed.data;
  switch (request.type) {
    case 'open': {
      db?.close();
      const cache = new ParleyDb(request.dbName);
      // Another window deletes (signing out) or upgrades this cache: let it go, and never
      // open it again from here, or a background read would create it anew.
      cache.on('versionchange', () => {
        cache.close({ disableAutoOpen: true });
        if (db === cache) db = null;
        return false;
      });
      db = cache;
      index = new SearchIndex();
      built = false;
      buildError = null;
      dirty = false;
      build(cache).catch((error: unknown) => {
        if (cache === db) buildError = error instanceof Error ? error : new Error(String(error));
      });
      break;
    }
    case 'changed':
      dirty = true;
      queue = queue.then(catchUp);
      break;
    case 'query':
      latestQuery = Math.max(latestQuery, request.id);
      // One query at a time, in order: the index is not read while a refresh updates it.
      queue = queue.then(() => answer(request.id, request.query));
      break;
  }
});
