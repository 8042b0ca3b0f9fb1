// Fixed-window request counters for the per-IP and per-token limits: synchronous and allocation-light, so the
// limits can run on every request, cached answers included, without a promise per check.
//
// Same semantics as @fastify/rate-limit's local store (a fixed window per key, X-RateLimit-* headers, 429 with
// Retry-After), written out because the plugin's limiter is async: on a cached answer, awaiting it twice per
// request (IP, then token) cost more than everything else the server does (see bench/http.ts, README).

export interface RateLimitResult {
  /** The limit per window. */
  limit: number;
  /** Requests left in this window after this one (0 when exceeded). */
  remaining: number;
  /** Whole seconds until the window ends (at least 1). */
  resetSeconds: number;
  exceeded: boolean;
}

export interface RateLimiter {
  /** Counts one request for key and says whether it is over the limit. */
  hit(key: string, now: number): RateLimitResult;
  /** Keys currently tracked (for tests and health). */
  readonly size: number;
}

interface Window {
  count: number;
  endsAt: number;
}

/**
 * A window starts at a key's first request and lasts windowMs. Expired windows are swept when the table grows
 * past sweepAt keys, so memory stays bounded by the keys active within one window.
 */
export function createRateLimiter(options: { max: number; windowMs: number; sweepAt?: number }): RateLimiter {
  const windows = new Map<string, Window>();
  const sweepAt = options.sweepAt ?? 10_000;
  let nextSweepSize = sweepAt;
  const result: RateLimitResult = { limit: options.max, remaining: 0, resetSeconds: 1, exceeded: false };

  const sweep = (now: number): void => {
    for (const [key, window] of windows) if (window.endsAt <= now) windows.delete(key);
    // Sweep again only after the table has grown by another sweepAt keys, so a flood of live keys stays O(1).
    nextSweepSize = windows.size + sweepAt;
  };

  return {
    hit(key, now) {
      let window = windows.get(key);
      if (window === undefined || window.endsAt <= now) {
        if (window === undefined && windows.size >= nextSweepSize) sweep(now);
        window = { count: 0, endsAt: now + options.windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      // One result object reused: callers read it before the next hit (everything here is synchronous).
      result.exceeded = window.count > options.max;
      result.remaining = Math.max(0, options.max - window.count);
      result.resetSeconds = Math.max(1, Math.ceil((window.endsAt - now) / 1000));
      return result;
    },
    get size() {
      return windows.size;
    },
  };
}
