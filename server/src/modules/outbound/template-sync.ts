import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { readSetting, writeSetting } from '../../platform/settings.js';
import type { Store } from '../../platform/store.js';
import type { GraphClient } from './graph.js';
import { syncAccountTemplates, type TemplateSyncResult } from './templates.js';

/** Where the time of the last timed run is kept, for every node to see (the settings table). */
const LAST_TIMED_RUN_KEY = 'templates_synced_at';
/**
 * A timed run is left to another node that ran within this share of the interval: several
 * nodes together fetch about once an interval, not once each.
 */
const TURN_SHARE = 0.9;

/**
 * WhatsApp's message templates, fetched for every account at start, on a timer and on
 * demand; one run at a time (a second caller gets the run under way). With several nodes on
 * one database, each timed run is claimed first, so the nodes take turns.
 */
export class TemplateSync {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<TemplateSyncResult[]> | null = null;
  private disposed = false;

  constructor(
    private readonly deps: { store: Store; graph: GraphClient; log: FastifyBaseLogger; signal: AbortSignal },
  ) {}

  /** Fetches every WhatsApp account's templates now. */
  run(): Promise<TemplateSyncResult[]> {
    if (this.disposed) return Promise.resolve([]);
    if (this.running !== null) return this.running;
    const run = (async (): Promise<TemplateSyncResult[]> => {
      const accounts = await this.deps.store.db
        .selectFrom('channel_accounts')
        .selectAll()
        .where('channel', '=', 'whatsapp')
        .where('waba_id', 'is not', null)
        .execute();
      const results: TemplateSyncResult[] = [];
      for (const account of accounts) {
        if (this.disposed) break;
        try {
          const result = await syncAccountTemplates(this.deps.store, this.deps.graph, account, this.deps.signal);
          results.push(result);
          this.deps.log.info({ account: account.id, ...result }, 'outbound: templates synced');
        } catch (error) {
          this.deps.log.warn(
            { account: account.id, err: error instanceof Error ? error.message : String(error) },
            'outbound: template sync failed',
          );
        }
      }
      return results;
    })();
    this.running = run;
    void run.finally(() => {
      if (this.running === run) this.running = null;
    });
    return run;
  }

  /** Runs every `intervalMs` from now on (replacing the previous timer), unless another node just did. */
  schedule(intervalMs: number): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = setInterval(() => void this.timedRun(intervalMs), intervalMs);
    this.timer.unref();
  }

  private async timedRun(intervalMs: number): Promise<void> {
    if (this.disposed || this.running !== null) return;
    let mine: boolean;
    try {
      mine = await this.claimTurn(intervalMs);
    } catch (error) {
      this.deps.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'outbound: template sync skipped',
      );
      return;
    }
    if (mine) await this.run();
  }

  /**
   * Whether this node runs this turn: no node ran within the last share of the interval.
   * Writes are serialized across nodes (the seq row's lock), so two nodes asking at once
   * are answered one after the other, and the second sees the first's time.
   */
  private claimTurn(intervalMs: number): Promise<boolean> {
    return this.deps.store.write(async (trx) => {
      const now = Date.now();
      const last = await readSetting(trx, LAST_TIMED_RUN_KEY, z.number());
      if (last !== undefined && now - last < intervalMs * TURN_SHARE) return false;
      await writeSetting(trx, LAST_TIMED_RUN_KEY, now);
      return true;
    });
  }

  /** Stops the timer; the run under way (if any) is what the caller may wait for. */
  stop(): Promise<unknown> {
    this.disposed = true;
    if (this.timer !== null) clearInterval(this.timer);
    return this.running?.catch(() => undefined) ?? Promise.resolve();
  }
}
