import type { SearchRequest, SearchResponse } from './protocol.js';
import type { SearchGroup } from './searchIndex.js';

type Pending = { resolve: (groups: SearchGroup[]) => void; reject: (error: Error) => void };

/** What the client needs of a worker: a seam, so tests can stand in for the real one. */
export type SearchWorker = Pick<Worker, 'postMessage' | 'addEventListener' | 'terminate'>;

function startWorker(): SearchWorker {
  return new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module', name: 'search' });
}

/** The page's side of the search worker: one request, one promise. */
export class SearchClient {
  readonly dbName: string;
  private readonly worker: SearchWorker;
  private readonly pending = new Map<number, Pending>();
  private readonly indexedListeners = new Set<() => void>();
  private nextId = 1;
  private wholeCache = false;

  /** Opens the cache in the worker, which starts indexing it at once, before any query. */
  constructor(dbName: string, worker: SearchWorker = startWorker()) {
    this.dbName = dbName;
    this.worker = worker;
    this.worker.addEventListener('message', (event: MessageEvent<SearchResponse>) => {
      const response = event.data;
      if (response.type === 'indexed') {
        this.wholeCache = true;
        for (const listener of [...this.indexedListeners]) listener();
        return;
      }
      const pending = this.pending.get(response.id);
      if (pending === undefined) return;
      this.pending.delete(response.id);
      if (response.type === 'result') pending.resolve(response.groups);
      else if (response.type === 'superseded') pending.reject(new Error('A newer search replaced this one.'));
      else pending.reject(new Error(response.message));
    });
    this.post({ type: 'open', dbName });
  }

  private post(request: SearchRequest): void {
    this.worker.postMessage(request);
  }

  /** Whether the whole cache is indexed: answers before that may miss older messages. */
  get indexed(): boolean {
    return this.wholeCache;
  }

  /** Runs `listener` once the whole cache is indexed; returns how to stop listening. */
  onIndexed(listener: () => void): () => void {
    this.indexedListeners.add(listener);
    return () => this.indexedListeners.delete(listener);
  }

  /** The cache changed; the worker reads what is new before its next answer. */
  changed(): void {
    this.post({ type: 'changed' });
  }

  search(query: string): Promise<SearchGroup[]> {
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'query', id, query });
    });
  }

  dispose(): void {
    this.worker.terminate();
    this.indexedListeners.clear();
    for (const pending of this.pending.values()) pending.reject(new Error('Search closed.'));
    this.pending.clear();
  }
}

/**
 * One index per signed-in cache, built once in the background and kept while the app
 * runs: the list that searches may mount and unmount (another screen, another view) without
 * starting the build again, so a search after opening answers from a ready index.
 */
let shared: SearchClient | null = null;

/**
 * The search of cache `dbName`, started now if it is not yet: call it as soon as the cache
 * is open so the index is built before the first query. Another cache's search (another
 * agent or server) is closed first.
 */
export function searchFor(
  dbName: string,
  create: (dbName: string) => SearchClient = (name) => new SearchClient(name),
): SearchClient {
  if (shared !== null && shared.dbName === dbName) return shared;
  shared?.dispose();
  shared = create(dbName);
  return shared;
}

/** Closes the search of `dbName` (signing out): its index leaves memory. */
export function closeSearch(dbName: string): void {
  if (shared === null || shared.dbName !== dbName) return;
  shared.dispose();
  shared = null;
}
