export type Clock = { now(): number };

export type SweeperOptions = { clock?: Clock; intervalMs?: number; onError?: (error: unknown) => void };

/**
 * Runs one sweep every `intervalMs` (the sweeper's own default unless given) until stopped;
 * `stop` waits for the sweep under way. A failed sweep goes to `onError` and the next runs.
 */
export class PeriodicSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly work: (now: number) => Promise<number>,
    private readonly defaultIntervalMs: number,
    private readonly options: SweeperOptions = {},
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.running = this.sweep().catch((error: unknown) => this.options.onError?.(error));
    }, this.options.intervalMs ?? this.defaultIntervalMs);
    this.timer.unref();
  }

  sweep(): Promise<number> {
    return this.work((this.options.clock ?? Date).now());
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
