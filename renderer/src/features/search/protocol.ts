import { z } from 'zod';
import type { SearchGroup } from './searchIndex.js';

/** What the page asks the search worker; parsed on arrival like any other boundary. */
export const SearchRequestSchema = z.discriminatedUnion('type', [
  /** Opens the cache and starts indexing it at once, before anyone searches. */
  z.object({ type: z.literal('open'), dbName: z.string().min(1) }),
  /** The cache changed: read what is new before the next answer. */
  z.object({ type: z.literal('changed') }),
  z.object({ type: z.literal('query'), id: z.number().int(), query: z.string() }),
]);
export type SearchRequest = z.infer<typeof SearchRequestSchema>;

export type SearchResponse =
  /** `complete` is false while the index is still being built: the answer covers the newest messages read so far. */
  | { type: 'result'; id: number; groups: SearchGroup[]; complete: boolean; tookMs: number }
  /** A newer query arrived before this one's turn: it is not answered. */
  | { type: 'superseded'; id: number }
  | { type: 'error'; id: number; message: string }
  /** The whole cache is indexed: answers given before were partial. */
  | { type: 'indexed'; messages: number; tookMs: number };
