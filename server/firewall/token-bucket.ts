/**
 * Token buckets per client (docs/SERVER.md §Audit log and firewall): a bucket holds up to `capacity` tokens (the
 * burst) and refills continuously at `refillPerSecond`; a request takes one token or
 * is refused. Unlike a fixed window there is no edge where twice the limit passes,
 * and the long-run rate is exactly the refill rate.
 *
 * Header math (all whole seconds, rounded up so a client that obeys never gets a 429):
 * - `Retry-After` = ⌈(1 − tokens) / rate⌉: when the next token exists;
 * - `X-RateLimit-Reset` = ⌈(capacity − tokens) / rate⌉: when the bucket is full again;
 * - `X-RateLimit-Remaining` = ⌊tokens⌋ after this request.
 */

/** One tier's limits. */
export interface BucketLimits {
  capacity: number;
  refillPerSecond: number;
}

/** The outcome of one take. */
export interface TakeResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again (`X-RateLimit-Reset`). */
  resetSeconds: number;
  /** Seconds until a token is available (`Retry-After`); 0 when allowed. */
  retryAfterSeconds: number;
}

interface BucketState {
  tokens: number;
  updatedMs: number;
}

/** Float slack so 0.9999999 tokens after exact refill counts as one. */
export const EPSILON = 1e-9;

/** The headers' numbers for a take that left `tokens` in the bucket (also used by the shared store). */
export function takeResult(allowed: boolean, tokens: number, limits: BucketLimits): TakeResult {
  const { capacity, refillPerSecond } = limits;
  const retryAfterSeconds = allowed ? 0 : Math.ceil((1 - tokens) / refillPerSecond - EPSILON);
  return {
    allowed,
    limit: capacity,
    remaining: Math.floor(tokens + EPSILON),
    resetSeconds: Math.max(0, Math.ceil((capacity - tokens) / refillPerSecond - EPSILON)),
    retryAfterSeconds: allowed ? 0 : Math.max(1, retryAfterSeconds),
  };
}

/** Where a server's buckets live: this process, or shared (redis-buckets.ts). */
export interface BucketStore {
  take(key: string, limits: BucketLimits): TakeResult | Promise<TakeResult>;
  /** Forgets every bucket this store can forget (limits changed). */
  clear(): void;
}

/**
 * Buckets keyed by client (and tier), in memory, bounded: the least recently used
 * bucket is dropped past `maxBuckets` (a dropped bucket is a full one, which is what it
 * would have refilled to for any idle client). One process: several instances behind
 * a balancer share their buckets through Redis instead (redis-buckets.ts, docs/DEPLOY.md),
 * and fall back to this store while Redis is unreachable.
 */
export class TokenBucketStore implements BucketStore {
  private readonly buckets = new Map<string, BucketState>();
  private readonly maxBuckets: number;
  private readonly now: () => number;

  constructor(options: { maxBuckets?: number; now?: () => number } = {}) {
    this.maxBuckets = options.maxBuckets ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes one token from `key`'s bucket under `limits`. */
  take(key: string, limits: BucketLimits): TakeResult {
    const now = this.now();
    const { capacity, refillPerSecond } = limits;
    const state = this.buckets.get(key);
    let tokens = capacity;
    if (state) {
      const elapsed = Math.max(0, now - state.updatedMs) / 1000;
      tokens = Math.min(capacity, state.tokens + elapsed * refillPerSecond);
      this.buckets.delete(key);
    } else if (this.buckets.size >= this.maxBuckets) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    const allowed = tokens + EPSILON >= 1;
    if (allowed) tokens = Math.max(0, tokens - 1);
    this.buckets.set(key, { tokens, updatedMs: now });
    return takeResult(allowed, tokens, limits);
  }

  /** Forgets every bucket (limits changed: start everyone full under the new limits). */
  clear(): void {
    this.buckets.clear();
  }

  get size(): number {
    return this.buckets.size;
  }
}
