import type { SearchRequest, SearchResponse } from './protocol.js';
import type { SearchGroup } from './searchIndex.js';

type Pending = { resolve: (groups: SearchGroup[]) => void; reject: (error: Error) => void };

/** The page's side of the search worker: one request, one promise. */
export class SearchClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** `onIndexed` runs once the whole cache is indexed: answers before it may miss older messages. */
  constructor(dbName: string, onIndexed: () => void = () => undefined) {
    this.worker = new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module', name: 'search' });
    this.worker.addEventListener('message', (event: MessageEvent<SearchResponse>) => {
      const response = event.data;
      if (response.type === 'indexed') {
        onIndexed();
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
    for (const pending of this.pending.values()) pending.reject(new Error('Search closed.'));
    this.pending.clear();
  }
}
