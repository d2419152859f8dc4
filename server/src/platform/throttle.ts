import type { RedisLink } from './redis.js';

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

/**
 * One business number's bucket shared by every node (REDIS_URL): tokens are taken from a
 * bucket in Redis by an atomic script (Redis's clock, so the nodes' clocks do not matter), a
 * tenth of a second's worth at a time, kept here for a second at most. While Redis cannot
 * be reached, the node paces with its own bucket, as a single node does.
 */
export class SharedTokenBucket extends TokenBucket {
  private rateNow: number;
  private pool = 0;
  private poolUntil = 0;
  private notBefore = 0;
  private localUntil = 0;
  private fetching = false;

  constructor(
    private readonly redis: RedisLink,
    private readonly key: string,
    rate: number,
    now: number,
  ) {
    super(rate, now);
    this.rateNow = rate;
  }

  override setRate(rate: number): void {
    super.setRate(rate);
    this.rateNow = rate;
  }

  override take(now: number): number {
    if (!this.redis.up() || now < this.localUntil) return super.take(now);
    if (now >= this.poolUntil) this.pool = 0;
    if (this.pool >= 1) {
      this.pool -= 1;
      return 0;
    }
    if (now < this.notBefore) return this.notBefore - now;
    this.fetch();
    return SHARED_FETCH_WAIT_MS;
  }

  private fetch(): void {
    if (this.fetching) return;
    this.fetching = true;
    const rate = Math.max(0.001, this.rateNow);
    const want = Math.max(1, Math.ceil(rate / 10));
    this.redis.client
      .eval(TAKE_SCRIPT, 1, this.key, String(rate), String(want))
      .then((answer) => {
        const [granted, wait] = Array.isArray(answer) ? answer.map(Number) : [0, SHARED_FETCH_WAIT_MS];
        const now = Date.now();
        this.pool += granted ?? 0;
        this.poolUntil = now + 1_000;
        if ((granted ?? 0) === 0) this.notBefore = now + Math.max(1, wait ?? SHARED_FETCH_WAIT_MS);
      })
      .catch(() => {
        // Redis answered badly or not at all: pace locally for a second.
        this.localUntil = Date.now() + 1_000;
      })
      .finally(() => {
        this.fetching = false;
      });
  }
}

/** How long a take waits while the shared bucket is asked for tokens. */
const SHARED_FETCH_WAIT_MS = 20;

/** KEYS[1]: the bucket; ARGV: rate a second, tokens wanted. Answers {granted, ms to wait}. */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local cap = math.max(1, rate)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = cap
  at = now
end
tokens = math.min(cap, tokens + math.max(0, now - at) / 1000 * rate)
local granted = math.min(want, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
local wait = 0
if granted == 0 then
  wait = math.ceil((1 - tokens) / rate * 1000)
end
return {granted, wait}
`;

/** The Redis of each server's throttles, by the key the server registered (its store). */
const sharedBy = new WeakMap<object, RedisLink>();

/** Every throttle asking with this key (`Throttle.of`) shares its buckets through this Redis. */
export function shareThrottles(key: object, redis: RedisLink): void {
  sharedBy.set(key, redis);
}

export class Throttle {
  /**
   * A throttle shared across nodes when the server registered a Redis under the key
   * (`shareThrottles`), else this process's own. The key is read at the first use, so a
   * field initializer can name what the constructor receives.
   */
  static of(key: () => object): Throttle {
    return new Throttle(key);
  }

  private shared: RedisLink | null | undefined;

  constructor(private readonly sharedKey?: () => object) {}

  private redis(): RedisLink | null {
    if (this.shared === undefined)
      this.shared = this.sharedKey === undefined ? null : (sharedBy.get(this.sharedKey()) ?? null);
    return this.shared;
  }

  private readonly buckets = new Map<string, TokenBucket>();
  /** account + recipient → not before this time (ms). */
  private readonly pairs = new Map<string, number>();

  bucket(accountId: string, rate: number, now: number): TokenBucket {
    let bucket = this.buckets.get(accountId);
    if (bucket === undefined) {
      const redis = this.redis();
      bucket =
        redis === null
          ? new TokenBucket(rate, now)
          : new SharedTokenBucket(redis, `parley:throttle:${accountId}`, rate, now);
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
