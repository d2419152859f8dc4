import { afterEach, describe, expect, it } from 'vitest';
import { SearchClient, closeSearch, searchFor, type SearchWorker } from '../../src/features/search/client.js';
import type { SearchRequest, SearchResponse } from '../../src/features/search/protocol.js';

/** Stands in for the search worker: records what the page posts, answers on demand. */
class FakeWorker implements SearchWorker {
  readonly posted: SearchRequest[] = [];
  terminated = false;
  private listener: ((event: MessageEvent<SearchResponse>) => void) | null = null;

  postMessage(message: unknown): void {
    this.posted.push(message as SearchRequest);
  }

  addEventListener(_type: string, listener: unknown): void {
    this.listener = listener as (event: MessageEvent<SearchResponse>) => void;
  }

  terminate(): void {
    this.terminated = true;
  }

  answer(response: SearchResponse): void {
    this.listener?.({ data: response } as MessageEvent<SearchResponse>);
  }
}

const workers: FakeWorker[] = [];
function create(dbName: string): SearchClient {
  const worker = new FakeWorker();
  workers.push(worker);
  return new SearchClient(dbName, worker);
}

afterEach(() => {
  closeSearch('parley:a');
  closeSearch('parley:b');
  workers.length = 0;
});

describe('the shared search of a cache', () => {
  it('opens the cache in the worker at once, before any query, so indexing starts in the background', () => {
    searchFor('parley:a', create);
    expect(workers).toHaveLength(1);
    expect(workers[0]?.posted).toEqual([{ type: 'open', dbName: 'parley:a' }]);
  });

  it('keeps one index per cache: asking again does not build it again', () => {
    const first = searchFor('parley:a', create);
    const again = searchFor('parley:a', create);
    expect(again).toBe(first);
    expect(workers).toHaveLength(1);
    expect(workers[0]?.terminated).toBe(false);
  });

  it("closes another cache's index when a new cache is searched", () => {
    searchFor('parley:a', create);
    const other = searchFor('parley:b', create);
    expect(other.dbName).toBe('parley:b');
    expect(workers).toHaveLength(2);
    expect(workers[0]?.terminated).toBe(true);
    expect(workers[1]?.terminated).toBe(false);
  });

  it('tells whoever listens, and whoever comes later, that the whole cache is indexed', () => {
    const client = searchFor('parley:a', create);
    let told = 0;
    const stop = client.onIndexed(() => {
      told += 1;
    });
    expect(client.indexed).toBe(false);
    workers[0]?.answer({ type: 'indexed', messages: 10, tookMs: 5 });
    expect(told).toBe(1);
    stop();
    // A list mounted after the build finds the index ready.
    expect(searchFor('parley:a', create).indexed).toBe(true);
  });

  it('answers a query with the worker’s groups, and closing it rejects what is pending', async () => {
    const client = searchFor('parley:a', create);
    const answered = client.search('order');
    const query = workers[0]?.posted.at(-1);
    expect(query).toMatchObject({ type: 'query', query: 'order' });
    if (query?.type !== 'query') throw new Error('no query posted');
    workers[0]?.answer({ type: 'result', id: query.id, groups: [], complete: true, tookMs: 1 });
    await expect(answered).resolves.toEqual([]);

    const pending = client.search('refund');
    closeSearch('parley:a');
    await expect(pending).rejects.toThrow('Search closed.');
    expect(workers[0]?.terminated).toBe(true);
    // Signing in again starts a new index.
    searchFor('parley:a', create);
    expect(workers).toHaveLength(2);
  });
});
