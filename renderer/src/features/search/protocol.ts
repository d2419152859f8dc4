import { z } from 'zod';
import type { SearchGroup } from './searchIndex.js';

/** What the page asks the search worker; parsed on arrival like any other boundary. */
export const SearchRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('open'), dbName: z.string().min(1) }),
  /** The cache changed: read what is new before the next answer. */
  z.object({ type: z.literal('changed') }),
  z.object({ type: z.literal('query'), id: z.number().int(), query: z.string() }),
]);
export type SearchRequest = z.infer<typeof SearchRequestSchema>;

export type SearchResponse =
  | { type: 'result'; id: number; groups: SearchGroup[]; tookMs: number }
  | { type: 'error'; id: number; message: string };
