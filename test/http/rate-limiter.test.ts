import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/http/rate-limiter';

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('rate limiter', () => {
  it('allows max requests per key in a window, then says how long to wait', () => {
    const limiter = createRateLimiter({ max: 3, windowMs: 60_000 });
    const seen = [0, 1, 2].map((i) => ({ ...limiter.hit('ip:10.0.0.1', T0 + i * 1000) }));
    expect(seen.map((r) => r.exceeded)).toEqual([false, false, false]);
    expect(seen.map((r) => r.remaining)).toEqual([2, 1, 0]);
    const over = limiter.hit('ip:10.0.0.1', T0 + 20_500);
    expect(over).toMatchObject({ exceeded: true, remaining: 0, limit: 3, resetSeconds: 40 });
    // Another key has its own window.
    expect(limiter.hit('ip:10.0.0.2', T0 + 20_500)).toMatchObject({ exceeded: false, remaining: 2, resetSeconds: 60 });
  });

  it('starts a fresh window once the key’s window has ended', () => {
    const limiter = createRateLimiter({ max: 1, windowMs: 60_000 });
    expect(limiter.hit('token:1', T0).exceeded).toBe(false);
    expect(limiter.hit('token:1', T0 + 59_999)).toMatchObject({ exceeded: true, resetSeconds: 1 });
    expect(limiter.hit('token:1', T0 + 60_000)).toMatchObject({ exceeded: false, remaining: 0, resetSeconds: 60 });
  });

  it('forgets ended windows when many keys pass through, so memory stays bounded', () => {
    const limiter = createRateLimiter({ max: 5, windowMs: 1000, sweepAt: 100 });
    for (let i = 0; i < 100; i++) limiter.hit(`ip:${i}`, T0);
    expect(limiter.size).toBe(100);
    // A minute later, new addresses arrive: the ended windows are swept instead of piling up.
    for (let i = 0; i < 1000; i++) limiter.hit(`ip:new-${i}`, T0 + 60_000 + i * 100);
    expect(limiter.size).toBeLessThanOrEqual(200);
    // Live windows are never swept: a key still inside its window keeps its count.
    const busy = createRateLimiter({ max: 2, windowMs: 60_000, sweepAt: 10 });
    busy.hit('ip:busy', T0);
    busy.hit('ip:busy', T0);
    for (let i = 0; i < 50; i++) busy.hit(`ip:other-${i}`, T0 + 1000);
    expect(busy.hit('ip:busy', T0 + 2000).exceeded).toBe(true);
  });
});
