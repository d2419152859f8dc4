import type { Message } from '@parley/protocol';
import type { ParleyDb } from '../../data/db.js';

/**
 * Reads every message newest first, a page at a time, handing each page to `each`; stops
 * early when `each` returns false. Pages end below the last page's time, and the messages
 * sharing that time are read together, so none is skipped or read twice.
 */
export async function readNewestFirst(
  cache: ParleyDb,
  pageSize: number,
  each: (messages: Message[]) => boolean,
): Promise<void> {
  let below: number | null = null;
  for (;;) {
    const page: Message[] = await (
      below === null ? cache.messages.orderBy('createdAt') : cache.messages.where('createdAt').below(below)
    )
      .reverse()
      .limit(pageSize)
      .toArray();
    const last = page.at(-1);
    if (last === undefined) return;
    if (page.length < pageSize) {
      each(page);
      return;
    }
    const time = last.createdAt;
    if (!each(page.filter((message) => message.createdAt > time))) return;
    if (!each(await cache.messages.where('createdAt').equals(time).toArray())) return;
    below = time;
  }
}
