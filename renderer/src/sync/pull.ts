import { PullReplySchema, type Message } from '@parley/protocol';
import { readMetas } from '../data/db.js';
import { withQuotaRecovery } from '../data/quota.js';
import { applyChangesFitting } from './apply.js';
import { dedupe, unseen } from './arrivals.js';
import { BOOTSTRAP_BOUNDS, type Arrivals, type SyncLink } from './link.js';

/**
 * Pulls every change after the cursor in pages, each applied in the same transaction as
 * the cursor it moves to.
 */
export class Puller {
  private pulling: Promise<void> | null = null;
  private pullAgain = false;
  private nextPullDuring: Arrivals['during'] = 'catchUp';
  private readonly pageSize: number;

  constructor(private readonly link: SyncLink) {
    this.pageSize = link.options.pageSize ?? 500;
  }

  /**
   * Pulls until caught up. Concurrent calls share one run, followed by one more if asked.
   * `during` says how to report what it brings: a connect catches up after an absence, a
   * gap in the live feed is still live.
   */
  pull(during: Arrivals['during'] = 'catchUp'): Promise<void> {
    this.nextPullDuring = this.pulling !== null && this.nextPullDuring === 'catchUp' ? 'catchUp' : during;
    if (this.pulling !== null) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      try {
        do {
          this.pullAgain = false;
          await this.pullPages(this.nextPullDuring);
        } while (this.pullAgain);
      } finally {
        this.pulling = null;
      }
    })();
    return this.pulling;
  }

  private async pullPages(during: Arrivals['during']): Promise<void> {
    const socket = this.link.socket();
    if (socket === null) return;
    const { db, options } = this.link;
    const meta = await readMetas(db, ['cursor', 'lastSyncedAt', 'bootstrapped']);
    let cursor = meta.cursor ?? 0;
    const lastSynced = meta.lastSyncedAt ?? 0;
    const start = cursor;
    // Until a new install's bounded first sync has finished, every page asks for its
    // bounds, so one interrupted halfway resumes bounded rather than pulling everything.
    const bootstrap = meta.bootstrapped === undefined ? (options.bootstrap ?? BOOTSTRAP_BOUNDS) : undefined;
    const arrived: Message[] = [];
    const request = (from: number): Promise<unknown> => {
      const reply = socket.timeout(this.link.timeoutMs).emitWithAck('sync:pull', {
        cursor: from,
        limit: this.pageSize,
        ...(bootstrap === undefined ? {} : { bootstrap }),
      });
      // Awaited in its turn; a page asked for ahead of a failure is simply dropped.
      reply.catch(() => undefined);
      return reply;
    };
    let pending = request(cursor);
    try {
      for (;;) {
        const reply: unknown = await pending;
        const page = PullReplySchema.safeParse(reply);
        if (!page.success) {
          options.onInvalidPayload?.('sync:pull', page.error.message);
          throw new Error('The server sent a page of changes this app does not understand.');
        }
        // For the logs, in codes: the server no longer sends words.
        if (!page.data.ok) throw new Error(`sync:pull refused: ${page.data.code} ${page.data.reason ?? ''}`.trim());
        const { changes, cursor: next, hasMore, head } = page.data;
        // Ask for the next page while this one is written, so the network and IndexedDB
        // work at once; pages are still applied in order, each with its cursor.
        if (hasMore) pending = request(next);
        // A conversation that came into sight brings messages older than the cursor: not news.
        const fresh = changes.filter((change) => change.data.seq > start);
        const news = bootstrap === undefined ? await unseen(this.link, fresh, lastSynced) : [];
        await applyChangesFitting(db, changes, next);
        arrived.push(...news);
        cursor = next;
        if (!hasMore) break;
        this.link.setState({ kind: 'catchingUp', applied: cursor - start, head: head - start });
      }
      if (bootstrap !== undefined) {
        await withQuotaRecovery(db, () => db.meta.put({ key: 'bootstrapped', value: Date.now() }));
      }
    } finally {
      // What was stored is reported even when a later page failed: a retry will not see it as new.
      if (arrived.length > 0) options.onArrivals?.({ during, messages: dedupe(arrived) });
    }
  }
}
