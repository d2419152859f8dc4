import type { ChangeEntity } from '@parley/protocol';

/**
 * What one write stamps: its changes, each with the next global seq, handed out in memory
 * from the seq clock of the transaction the store runs it in (see store.ts).
 */

/** One user started (visible) or stopped seeing one conversation, stamped with a seq. */
export type AccessChange = { agentId: string; conversationId: string; visible: boolean; seq: number };

/**
 * The global seq within one write transaction. The transaction holds the counter's row (the
 * write lock) from its first statement, so no one else can take a seq meanwhile: seqs are
 * handed out here, in memory, and the row is written once, before the commit. (Taking each
 * one from the row was a round trip a change, two or more for every message stored.)
 */
export type SeqClock = {
  /** The last seq taken. */
  value: number;
  /** The value the row holds now. */
  stored: number;
  /**
   * A write running beside others (`Store.write`'s `concurrent`): it does not hold the
   * counter's row while it works, so it cannot know its seqs yet. It stamps its rows with
   * provisional ones, -1, -2, … in the order taken, and the store gives them their real
   * values (the counter's value at its end, plus 1, 2, …) under the row's lock, just
   * before the commit. No reader ever sees a provisional seq: the rows holding one are
   * not committed.
   */
  provisional?: boolean;
};

/**
 * Thrown by a concurrent write that meets something it may only do alone (see
 * `ChangeSet.requireExclusive`): the store rolls its transaction back and runs it again,
 * with the writes grouped with it, holding the write lock from the start.
 */
export class NeedsExclusive extends Error {
  override readonly name = 'NeedsExclusive';
  constructor(readonly why: string) {
    super(`This write must run alone: ${why}`);
  }
}

/**
 * Everything a write touches, so the changes can be read back in the same transaction
 * and pushed to clients once it has committed.
 */
export class ChangeSet {
  after: number | null = null;
  /** How many seqs this write took: the batch covers (after, after + stamped]. */
  stamped = 0;
  readonly touched = new Map<string, { entity: ChangeEntity; id: string }>();
  /** Who started or stopped seeing what in this write; the latest per user and conversation wins. */
  readonly access = new Map<string, AccessChange>();

  constructor(private readonly clock: SeqClock) {}

  /**
   * Whether this write runs beside others (PostgreSQL, `Store.write`'s `concurrent`): what
   * it reads may change before it commits, except the rows it has locked. Otherwise it
   * holds the write lock from its start, and nothing it reads changes under it.
   */
  get concurrent(): boolean {
    return this.clock.provisional === true;
  }

  /** In a concurrent write, stops it here, to run again alone (see NeedsExclusive). */
  requireExclusive(why: string): void {
    if (this.concurrent) throw new NeedsExclusive(why);
  }

  /**
   * Stamps one change with the next global sequence number. The transaction holds the
   * counter's row, so writers take their seqs in commit order: a client that has seen seq N
   * has seen every change up to N.
   */
  nextSeq(entity: ChangeEntity, id: string): Promise<number> {
    this.clock.value += 1;
    const seq = this.clock.value;
    this.after ??= seq - 1;
    this.stamped += 1;
    this.touched.set(`${entity}:${id}`, { entity, id });
    // A promise, as when each seq was a query: callers need not know.
    return Promise.resolve(this.concurrent ? -seq : seq);
  }

  /**
   * Takes one seq for each change of sight, in the order given, recorded for the fan-out;
   * the caller stores them.
   */
  stampAccess(
    entries: readonly { agentId: string; conversationId: string; visible: boolean }[],
  ): Promise<AccessChange[]> {
    if (entries.length === 0) return Promise.resolve([]);
    const first = this.clock.value + 1;
    this.clock.value += entries.length;
    this.after ??= first - 1;
    this.stamped += entries.length;
    return Promise.resolve(
      entries.map((entry, index) => {
        const seq = first + index;
        const stamped: AccessChange = { ...entry, seq: this.concurrent ? -seq : seq };
        this.access.set(`${entry.agentId}:${entry.conversationId}`, stamped);
        return stamped;
      }),
    );
  }
}
