import { liveQuery, type Subscription } from 'dexie';
import type { Mutation, MutationResult } from '@parley/protocol';
import { exclusively } from '../common/locks.js';
import { drainOutbox } from './outbox.js';
import type { SyncLink } from './link.js';

/**
 * Sends what the outbox holds while online. One run at a time in this tab, and one tab at
 * a time through a Web Lock on the database's name, so two windows never send the same
 * rows at once (`exclusively`).
 */
export class OutboxDrainer {
  private watch: Subscription | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private again = false;

  constructor(
    private readonly link: SyncLink,
    private readonly send: (mutation: Mutation) => Promise<MutationResult>,
  ) {}

  /** Any write to the outbox, from this tab or another, wakes the drainer. */
  start(): void {
    this.watch = liveQuery(() => this.link.db.outbox.where('state').equals('queued').count()).subscribe({
      next: () => this.drain(),
      error: (error: unknown) => this.link.report('outbox', error),
    });
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watch?.unsubscribe();
    this.watch = null;
  }

  drain(): void {
    if (!this.link.ready() || this.link.socket() === null) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    clearTimeout(this.timer);
    const run = async (): Promise<number | null> => {
      let wakeAt: number | null;
      do {
        this.again = false;
        wakeAt = await drainOutbox(this.link.db, this.send);
      } while (this.again && this.link.ready());
      return wakeAt;
    };
    exclusively(`parley-outbox:${this.link.db.name}`, run)
      .then((wakeAt) => {
        if (wakeAt !== null && this.link.socket() !== null) {
          this.timer = setTimeout(() => this.drain(), Math.max(0, wakeAt - Date.now()));
        }
      })
      .catch((error: unknown) => this.link.report('outbox', error))
      .finally(() => {
        this.running = false;
        if (this.again) this.drain();
      });
  }
}
