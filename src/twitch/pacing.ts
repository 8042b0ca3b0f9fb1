// Spending Helix's rate-limit budget as it refills, on top of Twurple's limiter.
//
// Twitch keeps one token bucket per app token: `Ratelimit-Limit` points, refilled continuously at that many per
// minute; every call takes a point; `Ratelimit-Reset` is when the bucket will be *full* again. Twurple's
// HelixRateLimiter (@d-fischer/rate-limiter's ResponseBasedRateLimiter) sends freely while `Ratelimit-Remaining`
// is above 0, and once a response says 0 it holds every call until `Ratelimit-Reset` — up to a whole minute for
// an emptied 800-point bucket — and then bursts. That hoards the budget: a queue of clips drains in
// "burst, stall a minute, burst" cycles, the refill is capped while the bucket sits full, and whatever refilled
// during the last burst is never used. This pacer keeps a model of Twitch's bucket and lets a call go only while
// the model leaves `reserve` points after it, so Twurple never sees 0 and calls go out at the refill rate.
// Twurple's limiter and 429 handling stay underneath as the safety net (another process sharing the app token
// can still empty the bucket; then Twurple waits and the model is corrected from the next answer).

export interface PacingOptions {
  /** Points the bucket holds and refills per `windowMs` (Twitch: 800 per minute; replaced by Ratelimit-Limit). */
  points: number;
  windowMs: number;
  /** Points left in the bucket after each call, so Twurple's limiter never reads Ratelimit-Remaining 0. */
  reserve: number;
  /**
   * Points believed to be in the bucket before any answer was seen. Unknown at start, so 0 by default: the first
   * call waits (reserve + 1) refills (~0.2 s at 800/min) rather than risk meeting an empty bucket, which would
   * make Twurple hold every call for a minute.
   */
  initialPoints: number;
}

export const DEFAULT_PACING: PacingOptions = { points: 800, windowMs: 60_000, reserve: 2, initialPoints: 0 };

/** What a Helix answer said about the bucket (Twurple's last known Ratelimit-Limit and -Remaining). */
export interface BucketObservation {
  limit: number;
  remaining: number;
}

export interface PacerDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The Helix bucket of the Twitch client id, shared by every process of the app (src/twitch/shared-budget.ts): the
 * pacer spends the points of its last grant and asks for the next when they are gone.
 */
export interface SharedBudget {
  /** Takes up to `want` points; 0 when the shared bucket is empty now. */
  grant(want: number): Promise<number>;
  /** Points asked for per grant. */
  readonly grantSize: number;
  /** How long to wait before asking again after an empty answer. */
  readonly retryMs: number;
  /** Longest wait for one grant; past it the call fails as rate-limited (retried with backoff by the client). */
  readonly maxWaitMs: number;
  /** Said when a grant has been waited for a while (and again each time the wait passes another retry). */
  onWait?(waitedMs: number): void;
}

/** A grant not had within SharedBudget.maxWaitMs. */
export class BudgetWaitError extends Error {
  constructor(readonly waitedMs: number) {
    super(`the shared Helix budget gave no points for ${Math.round(waitedMs / 1000)} s`);
  }
}

/** A model of Twitch's bucket that hands out points as they refill, first come first served. */
export class HelixPacer {
  private capacity: number;
  private level: number;
  private updatedAt: number;
  private readonly windowMs: number;
  private readonly reserve: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;
  private budget: SharedBudget | null = null;
  /** Points of the shared bucket granted to this process and not yet spent. */
  private granted = 0;

  constructor(options: Partial<PacingOptions> = {}, deps: PacerDeps = {}) {
    const o = { ...DEFAULT_PACING, ...options };
    if (!(o.points >= 1) || !(o.windowMs > 0)) throw new Error('pacing: points must be ≥ 1 and windowMs > 0');
    this.capacity = o.points;
    this.windowMs = o.windowMs;
    // A reserve of at least the capacity would never let a call go.
    this.reserve = Math.min(Math.max(0, o.reserve), o.points - 1);
    this.now = deps.now ?? (() => Date.now());
    this.sleep = deps.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.level = Math.min(this.capacity, Math.max(0, o.initialPoints));
    this.updatedAt = this.now();
  }

  /** Points the model holds now (fractional). */
  get points(): number {
    this.refill();
    return this.level;
  }

  /** Calls waiting for a point. */
  get queued(): number {
    return this.waiting;
  }

  /** Resolves when a call may go, having taken its point. Calls are served in the order they asked. */
  take(): Promise<void> {
    this.waiting += 1;
    const turn = this.queue.then(() => this.waitForPoint());
    this.queue = turn.catch(() => undefined);
    return turn.finally(() => {
      this.waiting -= 1;
    });
  }

  /** From now on also spends from the client id's shared bucket, one grant at a time. */
  shareBudget(budget: SharedBudget): void {
    this.budget = budget;
  }

  /** Points of the current shared grant not yet spent. */
  get grantedPoints(): number {
    return this.granted;
  }

  /** Takes Twitch's word for the bucket: what the last answer said it held (and how large it is). */
  observe(observation: BucketObservation): void {
    this.refill();
    if (Number.isFinite(observation.limit) && observation.limit >= 1) this.capacity = observation.limit;
    if (Number.isFinite(observation.remaining)) this.level = Math.min(this.capacity, Math.max(0, observation.remaining));
  }

  /** A 429: the bucket is empty whatever the model thought (someone else spent it). */
  emptied(): void {
    this.refill();
    this.level = 0;
  }

  private refill(): void {
    const t = this.now();
    if (t > this.updatedAt) {
      this.level = Math.min(this.capacity, this.level + ((t - this.updatedAt) * this.capacity) / this.windowMs);
    }
    this.updatedAt = t;
  }

  /** Asks the shared bucket until it grants a point, waiting retryMs between empty answers, at most maxWaitMs. */
  private async waitForGrant(budget: SharedBudget): Promise<void> {
    const started = this.now();
    for (;;) {
      this.granted += await budget.grant(budget.grantSize);
      if (this.granted >= 1) return;
      const waited = this.now() - started;
      if (waited >= budget.maxWaitMs) throw new BudgetWaitError(waited);
      budget.onWait?.(waited);
      await this.sleep(Math.min(budget.retryMs, Math.max(1, budget.maxWaitMs - waited)));
    }
  }

  private async waitForPoint(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.level - 1 >= this.reserve) {
        if (this.budget && this.granted < 1) await this.waitForGrant(this.budget);
        this.refill();
        this.level -= 1;
        this.granted = this.budget ? this.granted - 1 : 0;
        return;
      }
      const missing = this.reserve + 1 - this.level;
      await this.sleep(Math.max(1, Math.ceil((missing * this.windowMs) / this.capacity)));
    }
  }
}
