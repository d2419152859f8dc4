import MiniSearch from 'minisearch';
import { BaseSearchIndex, tokenize, type IndexedMessage } from './searchIndex.js';

/**
 * The same index on MiniSearch: its radix tree finds the words, with the same folding and
 * the same rule (every word whole but the last, which matches as a prefix, all required).
 * Its relevance scores are not used: results sort newest first like the rest of the app.
 */
export class MiniSearchIndex extends BaseSearchIndex {
  private readonly messages = new Map<string, IndexedMessage>();
  private readonly engine = new MiniSearch<IndexedMessage>({
    fields: ['text'],
    idField: 'id',
    tokenize,
    // tokenize already folds case and accents.
    processTerm: (term) => term,
  });

  get size(): number {
    return this.messages.size;
  }

  protected add(message: IndexedMessage): void {
    this.messages.set(message.id, message);
    this.engine.add(message);
  }

  removeMessage(id: string): void {
    if (!this.messages.delete(id)) return;
    this.engine.discard(id);
  }

  protected forEachMatch(exact: readonly string[], prefix: string, visit: (message: IndexedMessage) => void): void {
    // The words are already folded: split them again as they are.
    const results = this.engine.search([...exact, prefix].join(' '), {
      combineWith: 'AND',
      prefix: (_term, i, terms) => i === terms.length - 1,
      tokenize: (query) => query.split(' '),
    });
    for (const result of results) {
      const message = this.messages.get(String(result.id));
      if (message !== undefined) visit(message);
    }
  }
}
