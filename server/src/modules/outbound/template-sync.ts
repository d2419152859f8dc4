import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../../platform/store.js';
import type { GraphClient } from './graph.js';
import { syncAccountTemplates, type TemplateSyncResult } from './templates.js';

/**
 * WhatsApp's message templates, fetched for every account at start, on a timer and on
 * demand; one run at a time (a second caller gets the run under way).
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

  /** Runs every `intervalMs` from now on (replacing the previous timer). */
  schedule(intervalMs: number): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer; the run under way (if any) is what the caller may wait for. */
  stop(): Promise<unknown> {
    this.disposed = true;
    if (this.timer !== null) clearInterval(this.timer);
    return this.running?.catch(() => undefined) ?? Promise.resolve();
  }
}
