/**
 * The two ways to talk to the search worker, answering the same precomputed results:
 * the hand-written protocol (zod-parsed request, id-matched response) and Comlink's proxy.
 */
import { expose } from 'comlink';
import { SearchRequestSchema, type SearchResponse } from '../../../renderer/src/search/protocol.js';
import { SearchIndex, type SearchGroup } from '../../../renderer/src/search/searchIndex.js';
import { z } from 'zod';
import { TYPED_QUERIES, makeCorpus } from './corpus.js';

const corpus = makeCorpus(20_000, 2_000);
const index = new SearchIndex();
for (const contact of corpus.contacts) index.putContact(contact);
for (const conversation of corpus.conversations) index.putConversation(conversation);
for (const message of corpus.messages) index.putMessage(message);
const answers = new Map<string, SearchGroup[]>(TYPED_QUERIES.map((query) => [query, index.search(query)]));

function handWritten(event: MessageEvent<unknown>): void {
  const parsed = SearchRequestSchema.safeParse(event.data);
  if (!parsed.success || parsed.data.type !== 'query') return;
  const response: SearchResponse = {
    type: 'result',
    id: parsed.data.id,
    groups: answers.get(parsed.data.query) ?? [],
    complete: true,
    tookMs: 0,
  };
  self.postMessage(response);
}

// One worker per transport, named after it, so neither sees the other's messages.
if (self.name === 'comlink') {
  // Comlink's messages are its own; the argument is parsed here as the boundary requires.
  expose({ search: (query: unknown) => answers.get(z.string().parse(query)) ?? [] });
} else {
  self.addEventListener('message', handWritten);
}
self.postMessage('ready');
