import { z } from 'zod';
import type { CommittedBatch, WriteOrigin } from '../../platform/store.js';
import type { RedisLink } from '../../platform/redis.js';

/**
 * The live feed across nodes. Each node delivers to its own sockets every committed change,
 * whichever node committed it, in seq order, each once:
 *
 * - a commit made here is delivered from memory, as on a single node, as soon as every seq
 *   before it has been delivered;
 * - a commit made elsewhere is announced on Redis (its seq range, and when its webhook
 *   arrived); this node then reads what was committed after the last seq it delivered from
 *   the database (seqs are gap-free in commit order) and delivers it as one batch;
 * - a notice lost (Redis away, a node that died between its commit and its notice) is made
 *   up by a check of the database's head every CHECK_MS, and at once when Redis is back.
 *
 * So Redis only says "look": the changes always come from the database, and a node without
 * Redis still serves its own commits at once and the others' within CHECK_MS.
 */

/** The channel commits are announced on. */
export const COMMITS_CHANNEL = 'parley:commits';

/** How often a node looks at the database's head for commits it was not told of. */
export const CHECK_MS = 1_000;

/** While Redis is up, how long a commit the check found waits for its notice. */
const NOTICE_GRACE_MS = 200;

const NoticeSchema = z.object({
  node: z.string().min(1).max(64),
  after: z.number().int().nonnegative(),
  upTo: z.number().int().positive(),
  /** The webhook that caused the commit: its channel and arrival (ms since the epoch). */
  origin: z.object({ channel: z.string().max(32), receivedAtMs: z.number() }).optional(),
});
type Notice = z.infer<typeof NoticeSchema>;

export type LiveSequencerDeps = {
  /** The committed changes after `after` (up to `until`), from the database. */
  readCommitted(after: number, until?: number): Promise<CommittedBatch | null>;
  /** The last committed seq. */
  committedHead(): Promise<number>;
  /** Hands a batch to this node's sockets; batches come one at a time, in seq order. */
  deliver(batch: CommittedBatch): Promise<void>;
  onError(error: unknown): void;
};

/** Delivers local and remote commits to this node's sockets in seq order, each seq once. */
export class LiveSequencer {
  /** The last seq delivered here; null until started. */
  private delivered: number | null = null;
  /** Commits made here not yet delivered, by the seq they follow. */
  private readonly local = new Map<number, CommittedBatch>();
  /** The highest seq known to be committed. */
  private known = 0;
  /** Arrivals of the webhooks behind remote commits, by the last seq of their commit. */
  private readonly origins = new Map<number, WriteOrigin>();
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly deps: LiveSequencerDeps) {}

  /** Starts from the head: what was committed before this node started, its clients pull. */
  async start(): Promise<void> {
    const head = await this.deps.committedHead();
    this.delivered = head;
    this.known = Math.max(this.known, head);
    this.pump();
  }

  /** The last seq delivered to this node's sockets. */
  get position(): number | null {
    return this.delivered;
  }

  /** A commit made by this node. */
  committed(batch: CommittedBatch): void {
    if (this.delivered !== null && batch.upTo <= this.delivered) return;
    this.local.set(batch.after, batch);
    this.known = Math.max(this.known, batch.upTo);
    this.pump();
  }

  /** Another node committed up to `upTo` (or the head says so). */
  heard(upTo: number, origin?: WriteOrigin): void {
    if (this.delivered !== null && upTo <= this.delivered) return;
    if (origin !== undefined && !this.origins.has(upTo)) this.origins.set(upTo, origin);
    if (upTo > this.known) this.known = upTo;
    this.pump();
  }

  /**
   * Looks at the database's head, for commits no notice told of. With `graceMs`, what it
   * finds is taken only after that long: a notice under way comes first, with its webhook's
   * arrival for the latency metric.
   */
  async check(graceMs = 0): Promise<void> {
    // A start that failed (the database away) is tried again here.
    if (this.delivered === null) {
      await this.start();
      return;
    }
    const head = await this.deps.committedHead();
    if (graceMs > 0 && head > this.delivered) await new Promise((resolve) => setTimeout(resolve, graceMs));
    this.heard(head);
  }

  /** Resolves once what is known now has been delivered (or failed). */
  async settled(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private pump(): void {
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.loop()
      .catch((error: unknown) => this.deps.onError(error))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async loop(): Promise<void> {
    for (;;) {
      this.again = false;
      const delivered = this.delivered;
      if (delivered === null) return;
      let nextLocal: number | null = null;
      let target = this.known;
      for (const [after, batch] of this.local) {
        if (batch.upTo <= delivered) {
          this.local.delete(after);
          continue;
        }
        target = Math.max(target, batch.upTo);
        if (after >= delivered && (nextLocal === null || after < nextLocal)) nextLocal = after;
      }
      if (target <= delivered) return;
      let batch: CommittedBatch | null;
      if (nextLocal === delivered) {
        batch = this.local.get(nextLocal) ?? null;
        this.local.delete(nextLocal);
      } else {
        // Others committed before the next commit of ours (or we only heard of theirs):
        // read their changes, up to where ours begins.
        batch = await this.deps.readCommitted(delivered, nextLocal ?? undefined);
        if (batch === null) return;
        const origin = this.originWithin(delivered, batch.upTo);
        if (origin !== undefined) batch = { ...batch, origin };
      }
      if (batch === null) return;
      await this.deps.deliver(batch);
      this.delivered = batch.upTo;
      for (const upTo of this.origins.keys()) if (upTo <= batch.upTo) this.origins.delete(upTo);
    }
  }

  /** The earliest webhook arrival among the remote commits in (after, upTo]. */
  private originWithin(after: number, upTo: number): WriteOrigin | undefined {
    let found: WriteOrigin | undefined;
    for (const [end, origin] of this.origins) {
      if (end > after && end <= upTo && (found === undefined || origin.receivedAt < found.receivedAt)) found = origin;
    }
    return found;
  }
}

/**
 * Wires a sequencer to Redis: announces this node's commits, hears the others', checks the
 * head every CHECK_MS and at once when Redis comes back. Returns the stop.
 */
export function linkLiveFeed(
  sequencer: LiveSequencer,
  redis: RedisLink,
  onError: (error: unknown) => void,
): () => void {
  redis.subscribe(COMMITS_CHANNEL, (message) => {
    const notice = parseNotice(message);
    if (notice === null || notice.node === redis.nodeId) return;
    const origin =
      notice.origin === undefined
        ? undefined
        : {
            channel: notice.origin.channel,
            // Its arrival on this node's clock (nodes' clocks are assumed close: NTP).
            receivedAt: performance.now() - (Date.now() - notice.origin.receivedAtMs),
          };
    sequencer.heard(notice.upTo, origin);
  });
  const check = (): void => {
    sequencer.check(redis.up() ? NOTICE_GRACE_MS : 0).catch(onError);
  };
  const stopReady = redis.onReady(() => {
    sequencer.check().catch(onError);
  });
  const timer = setInterval(check, CHECK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    stopReady();
  };
}

/** Tells the other nodes of a commit made here; best effort (they also check the head). */
export function announceCommit(redis: RedisLink, batch: CommittedBatch): void {
  if (!redis.up()) return;
  const notice: Notice = {
    node: redis.nodeId,
    after: batch.after,
    upTo: batch.upTo,
    ...(batch.origin === undefined
      ? {}
      : {
          origin: {
            channel: batch.origin.channel,
            receivedAtMs: Date.now() - (performance.now() - batch.origin.receivedAt),
          },
        }),
  };
  redis.client.publish(COMMITS_CHANNEL, JSON.stringify(notice)).catch(() => undefined);
}

function parseNotice(message: string): Notice | null {
  try {
    const parsed = NoticeSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
