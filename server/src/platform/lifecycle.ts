/**
 * The server's life as operations see it: serving, then draining (a stop was asked: /readyz
 * says no so a load balancer sends nothing new, new webhooks are refused, work under way
 * finishes), then stopped. Work that must finish before the database closes is tracked here.
 */
export class Lifecycle {
  private drainingSince: number | null = null;
  private readonly running = new Set<Promise<unknown>>();
  private readonly deadline = new AbortController();

  /** True from the moment a stop was asked. */
  get draining(): boolean {
    return this.drainingSince !== null;
  }

  /** Aborted when the drain's time is up: long work stops at its next safe point. */
  get signal(): AbortSignal {
    return this.deadline.signal;
  }

  /** How many tracked pieces of work are under way. */
  get inFlight(): number {
    return this.running.size;
  }

  /** Tracks `work` until it settles; the drain waits for it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = (): void => {
      this.running.delete(work);
    };
    work.then(forget, forget);
    return work;
  }

  startDraining(): void {
    this.drainingSince ??= Date.now();
  }

  /**
   * Waits until every tracked piece of work has settled, or `timeoutMs` has passed (then the
   * signal is aborted, and the stragglers are given `graceMs` more to stop at a safe point).
   * True when everything finished in time.
   */
  async settle(timeoutMs: number, graceMs = 3_000): Promise<boolean> {
    const everything = async (): Promise<void> => {
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
    };
    const finished = await raceTimeout(everything(), timeoutMs);
    if (finished) return true;
    this.deadline.abort();
    await raceTimeout(everything(), graceMs);
    return false;
  }
}

/** True when `work` settled within `ms`. */
export async function raceTimeout(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true as const,
        () => true as const,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
