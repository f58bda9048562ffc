import { describe, expect, it } from 'vitest';
import { TokenBucketStore } from '../../../server/firewall/token-bucket.ts';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('token buckets', () => {
  it('allows a burst of `capacity`, then refuses with a Retry-After that is exactly enough', () => {
    const time = clock();
    const store = new TokenBucketStore({ now: time.now });
    const limits = { capacity: 5, refillPerSecond: 0.5 };
    for (let index = 0; index < 5; index += 1) {
      const taken = store.take('a', limits);
      expect(taken.allowed).toBe(true);
      expect(taken.remaining).toBe(4 - index);
    }
    const refused = store.take('a', limits);
    expect(refused).toMatchObject({
      allowed: false,
      remaining: 0,
      limit: 5,
      retryAfterSeconds: 2,
      resetSeconds: 10,
    });
    time.advance(1999);
    expect(store.take('a', limits).allowed).toBe(false);
    time.advance(1);
    expect(store.take('a', limits).allowed).toBe(true);
  });

  it('rounds Retry-After up for fractional waits', () => {
    const time = clock();
    const store = new TokenBucketStore({ now: time.now });
    const limits = { capacity: 1, refillPerSecond: 3 };
    expect(store.take('a', limits).allowed).toBe(true);
    time.advance(100);
    const refused = store.take('a', limits);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBe(1); // 0.7 tokens missing / 3 per s = 0.233 s → 1 s
    time.advance(234);
    expect(store.take('a', limits).allowed).toBe(true);
  });

  it('sustains exactly the refill rate (within 5 %) over a long run', () => {
    const time = clock();
    const store = new TokenBucketStore({ now: time.now });
    const limits = { capacity: 10, refillPerSecond: 4 };
    let allowed = 0;
    const seconds = 120;
    for (let step = 0; step < seconds * 100; step += 1) {
      if (store.take('a', limits).allowed) allowed += 1;
      time.advance(10);
    }
    const sustained = (allowed - limits.capacity) / seconds;
    expect(Math.abs(sustained - limits.refillPerSecond) / limits.refillPerSecond).toBeLessThan(0.05);
  });

  it('keeps buckets per key and bounds how many it keeps', () => {
    const time = clock();
    const store = new TokenBucketStore({ now: time.now, maxBuckets: 3 });
    const limits = { capacity: 1, refillPerSecond: 0.001 };
    expect(store.take('a', limits).allowed).toBe(true);
    expect(store.take('a', limits).allowed).toBe(false);
    expect(store.take('b', limits).allowed).toBe(true);
    for (const key of ['c', 'd', 'e']) store.take(key, limits);
    expect(store.size).toBe(3);
  });
});
