import { ParleyDb } from '../../../renderer/src/data/db.js';
import type { SearchRequest, SearchResponse } from '../../../renderer/src/search/protocol.js';
import { fold, parseQuery } from '../../../renderer/src/search/searchIndex.js';
import { TYPED_QUERIES, makeCorpus } from './corpus.js';

export type SearchBenchResult = {
  messages: number;
  seedMs: number;
  /** From opening the worker to the first answer, asked at once. */
  firstQueryMs: number;
  /** Whether that answer covered the whole cache. */
  firstComplete: boolean;
  /** From opening the worker to the whole cache indexed. */
  indexedMs: number;
  app: number[];
  floor: number[];
  groupsFound: number;
};

async function run(messageCount: number, conversationCount: number): Promise<SearchBenchResult> {
  const dbName = 'parley-bench-search';
  await ParleyDb.delete(dbName);
  const db = new ParleyDb(dbName);
  const corpus = makeCorpus(messageCount, conversationCount);
  const seedStarted = performance.now();
  await db.transaction('rw', [db.contacts, db.conversations, db.messages], async () => {
    await db.contacts.bulkPut(corpus.contacts);
    await db.conversations.bulkPut(corpus.conversations);
    await db.messages.bulkPut(corpus.messages);
  });
  const seedMs = performance.now() - seedStarted;

  const worker = new Worker('./search-worker.js', { type: 'module' });
  let nextId = 1;
  const ask = (query: string): Promise<SearchResponse> =>
    new Promise((resolve) => {
      const id = nextId;
      nextId += 1;
      const listener = (event: MessageEvent<SearchResponse>): void => {
        if (!('id' in event.data) || event.data.id !== id) return;
        worker.removeEventListener('message', listener);
        resolve(event.data);
      };
      worker.addEventListener('message', listener);
      const request: SearchRequest = { type: 'query', id, query };
      worker.postMessage(request);
    });
  const indexed = new Promise<number>((resolve) =>
    worker.addEventListener('message', (event: MessageEvent<SearchResponse>) => {
      if (event.data.type === 'indexed') resolve(performance.now());
    }),
  );
  // The agent searches as soon as the app opens: the worst case for the first answer.
  const open: SearchRequest = { type: 'open', dbName };
  const openedAt = performance.now();
  worker.postMessage(open);
  const first = await ask('order');
  const firstQueryMs = performance.now() - openedAt;
  const firstComplete = first.type === 'result' && first.complete;
  const indexedMs = (await indexed) - openedAt;

  const app: number[] = [];
  let groupsFound = 0;
  for (const query of TYPED_QUERIES) {
    const started = performance.now();
    const response = await ask(query);
    app.push(performance.now() - started);
    if (response.type === 'result') groupsFound += response.groups.length;
  }

  // The floor: a linear scan of the same texts, already folded and in memory, on the page.
  const texts = corpus.messages.map((message) => fold(message.text ?? ''));
  const floor: number[] = [];
  for (const query of TYPED_QUERIES) {
    const started = performance.now();
    const { exact, prefix } = parseQuery(query);
    const needles = [...exact, prefix ?? ''];
    let found = 0;
    for (const text of texts) if (needles.every((needle) => text.includes(needle))) found += 1;
    floor.push(performance.now() - started + (found < 0 ? 1 : 0));
  }
  worker.terminate();
  db.close();
  return { messages: messageCount, seedMs, firstQueryMs, firstComplete, indexedMs, app, floor, groupsFound };
}

declare global {
  var runSearchBench: (messageCount: number, conversationCount: number) => Promise<SearchBenchResult>;
}
globalThis.runSearchBench = run;
