/**
 * Pacing for the Graph API. WhatsApp limits each business number to its throughput
 * (80 messages a second by default, CHANNELS.md §5), counting every kind of message, and
 * limits how fast one customer may be written to (pair rate, error 131056).
 */

/** A token bucket: `rate` tokens a second, holding at most `rate` (one second of burst). */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private rate: number,
    now: number,
  ) {
    this.tokens = Math.max(1, rate);
    this.updatedAt = now;
  }

  /** Follows a change of the account's throughput without losing the current level. */
  setRate(rate: number): void {
    if (rate === this.rate) return;
    this.rate = rate;
    this.tokens = Math.min(this.tokens, Math.max(1, rate));
  }

  private refill(now: number): void {
    const rate = Math.max(0.001, this.rate);
    this.tokens = Math.min(Math.max(1, rate), this.tokens + ((now - this.updatedAt) / 1000) * rate);
    this.updatedAt = now;
  }

  /** Takes one token and answers 0, or answers how many ms until one is there (taking nothing). */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / Math.max(0.001, this.rate)) * 1000);
  }

  /** Takes a token only if one is there now: for best-effort calls (typing) that never wait. */
  tryTake(now: number): boolean {
    return this.take(now) === 0;
  }
}

export class Throttle {
  private readonly buckets = new Map<string, TokenBucket>();
  /** account + recipient → not before this time (ms). */
  private readonly pairs = new Map<string, number>();

  bucket(accountId: string, rate: number, now: number): TokenBucket {
    let bucket = this.buckets.get(accountId);
    if (bucket === undefined) {
      bucket = new TokenBucket(rate, now);
      this.buckets.set(accountId, bucket);
    } else {
      bucket.setRate(rate);
    }
    return bucket;
  }

  /** ms until this recipient may be written to again (0: now). */
  pairWait(accountId: string, recipient: string, now: number): number {
    const key = `${accountId}\u0000${recipient}`;
    const until = this.pairs.get(key);
    if (until === undefined) return 0;
    if (until <= now) {
      this.pairs.delete(key);
      return 0;
    }
    return until - now;
  }

  delayPair(accountId: string, recipient: string, until: number): void {
    const key = `${accountId}\u0000${recipient}`;
    this.pairs.set(key, Math.max(until, this.pairs.get(key) ?? 0));
  }
}
