/**
 * The offline search: builds its index from the local cache on the first query, then
 * reads only what changed since, so typing never waits on the page's main thread and
 * never on the network.
 */
import Dexie from 'dexie';
import type { Message } from '@parley/protocol';
import { ParleyDb } from '../../data/db.js';
import { SearchRequestSchema, type SearchResponse } from './protocol.js';
import { SearchIndex } from './searchIndex.js';

let db: ParleyDb | null = null;
const index = new SearchIndex();
let built = false;
let dirty = false;

async function build(cache: ParleyDb): Promise<void> {
  const [contacts, conversations] = await Promise.all([cache.contacts.toArray(), cache.conversations.toArray()]);
  for (const contact of contacts) index.putContact(contact);
  for (const conversation of conversations) index.putConversation(conversation);
  // Page through messages by primary key so a large cache never sits in memory twice.
  let last: string | null = null;
  for (;;) {
    const page: Message[] = await (
      last === null ? cache.messages.orderBy('id') : cache.messages.where('id').above(last)
    )
      .limit(10_000)
      .toArray();
    for (const message of page) index.putMessage(message);
    const tail = page.at(-1);
    if (tail === undefined || page.length < 10_000) break;
    last = tail.id;
  }
  built = true;
}

/**
 * Messages have no seq index, so new ones are found through their conversations: a new
 * message moves its conversation's seq (last message, preview), and only those threads are read.
 */
async function refresh(cache: ParleyDb): Promise<void> {
  dirty = false;
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

function answer(id: number, query: string): Promise<void> {
  return (async () => {
    const started = performance.now();
    try {
      if (db === null) throw new Error('The search worker has no database yet.');
      if (!built) await build(db);
      else if (dirty) await refresh(db);
      const response: SearchResponse = {
        type: 'result',
        id,
        groups: index.search(query),
        tookMs: performance.now() - started,
      };
      self.postMessage(response);
    } catch (error) {
      const response: SearchResponse = { type: 'error', id, message: String(error) };
      self.postMessage(response);
    }
  })();
}

self.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = SearchRequestSchema.safeParse(event.data);
  if (!parsed.success) return;
  const request = parsed.data;
  switch (request.type) {
    case 'open':
      db?.close();
      db = new ParleyDb(request.dbName);
      built = false;
      break;
    case 'changed':
      dirty = true;
      break;
    case 'query':
      // One query at a time, in order: the index is not read while it is being updated.
      queue = queue.then(() => answer(request.id, request.query));
      break;
  }
});
