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
};

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
    return Promise.resolve(seq);
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
        const stamped: AccessChange = { ...entry, seq: first + index };
        this.access.set(`${entry.agentId}:${entry.conversationId}`, stamped);
        return stamped;
      }),
    );
  }
}
