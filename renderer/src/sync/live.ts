import type { LiveBatch } from '@parley/protocol';
import { readMetas } from '../data/db.js';
import { applyChangesFitting } from './apply.js';
import { dedupe, lastSeq, unseen } from './arrivals.js';
import type { SyncLink } from './link.js';
import type { Puller } from './pull.js';

/** At most this many live changes are applied in one transaction. */
const LIVE_COALESCE_MAX = 2000;
/**
 * After live changes failed to be stored, a pull fetches them again: after this wait,
 * doubled on each failure in a row, at most this many times, so a device that stays full
 * does not ask forever. The next live batch or connection starts over.
 */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX = 5;

/**
 * The live feed: batches the server pushes, applied in order once the engine is ready,
 * and a pull instead whenever a batch shows something was missed.
 */
export class LiveFeed {
  /** Live batches that arrived while a pull was running; applied after it, in order. */
  private queue: LiveBatch[] = [];
  private draining = false;
  /** Stores that failed in a row; each is followed by a pull, later each time. */
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly link: SyncLink,
    private readonly puller: Puller,
  ) {}

  push(batch: LiveBatch): void {
    this.queue.push(batch);
    if (this.link.ready()) void this.drain();
  }

  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const { db, options } = this.link;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.shift();
        if (batch === undefined) break;
        const meta = await readMetas(db, ['cursor', 'lastSyncedAt']);
        const cursor = meta.cursor ?? 0;
        let last = lastSeq(batch);
        if (last <= cursor) continue;
        if (batch.after > cursor) {
          // A gap: something was committed that we have not seen. The pull covers this
          // batch too, so drop what is queued.
          this.queue = [];
          await this.puller.pull('live');
          this.backOnline();
          continue;
        }
        // The batches queued behind it that follow on without a gap go in the same
        // transaction: a burst costs one commit, and one flush to disk, instead of one each.
        const changes = [...batch.changes];
        for (let next = this.queue[0]; next !== undefined && changes.length < LIVE_COALESCE_MAX; next = this.queue[0]) {
          if (next.after > last) break;
          this.queue.shift();
          changes.push(...next.changes);
          last = Math.max(last, lastSeq(next));
        }
        // Only what was written after the cursor can be news: a conversation that came into
        // sight brings its older messages too, and those are not arrivals.
        const fresh = changes.filter((change) => change.data.seq > cursor);
        const arrived = await unseen(this.link, fresh, meta.lastSyncedAt ?? 0);
        await applyChangesFitting(db, changes, last);
        if (arrived.length > 0) options.onArrivals?.({ during: 'live', messages: dedupe(arrived) });
      }
      this.failures = 0;
    } catch (error) {
      this.link.report('sync', error);
      // What was taken off the queue is not stored (or only its first part, which moved the
      // cursor that far): unless another batch comes to show the gap, nothing would fetch
      // the rest again. A pull does, from the cursor, halving what does not fit as here.
      this.queue = [];
      this.retryLater();
    } finally {
      this.draining = false;
    }
  }

  /** Lets a failed store be fetched again (the engine started). */
  start(): void {
    this.stopped = false;
  }

  /** Stops any pull waiting to fetch again what failed to be stored, and asks for no more. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** A long pull shows as catching up; once it is over, the feed is live again. */
  private backOnline(): void {
    if (this.link.socket()?.connected === true && this.link.ready()) this.link.setState({ kind: 'online' });
  }

  private retryLater(): void {
    if (this.stopped || this.failures >= RETRY_MAX || this.retryTimer !== undefined) return;
    const wait = RETRY_FIRST_MS * 2 ** this.failures;
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped || !this.link.ready()) return;
      this.puller.pull('live').then(
        () => {
          this.failures = 0;
          this.backOnline();
        },
        (error: unknown) => {
          this.link.report('sync', error);
          // Not caught up, but live: new batches still come, and a gap in them pulls.
          this.backOnline();
          this.retryLater();
        },
      );
    }, wait);
  }
}
