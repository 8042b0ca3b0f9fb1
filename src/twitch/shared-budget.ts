// Helix's rate-limit budget shared by every process of one Twitch client id, through the database
// (docs/adr/0034-clip-claims-and-shared-helix-budget.md): points are taken from the shared row in small grants and
// spent from memory, so the row costs one round trip per grant, not per call.
import type { Db } from '../db/database';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { emptyHelixBudget, ensureHelixBudget, observeHelixBucket, pruneHelixGrants, takeHelixPoints } from '../db/stores/helix-budget';
import type { Logger } from '../logger';
import type { BucketObservation } from './pacing';

export interface SharedBudgetOptions {
  db: Db;
  /** The Twitch client id: the key of the shared bucket. */
  clientId: string;
  logger: Logger;
  /** Points taken from the row at a time (TWITCH_BUDGET_GRANT_POINTS). */
  grantPoints?: number;
  /** Points every grant leaves in the bucket, so Twurple's limiter never reads Ratelimit-Remaining 0. */
  reserve?: number;
  /** The bucket before any answer said otherwise (Twitch: 800 a minute), and what a new row holds (0: unknown). */
  points?: number;
  windowMs?: number;
  initialPoints?: number;
  /**
   * How long a grant stays good; its unspent points are then dropped. While it is good, the other processes' model
   * leaves room for it below the bucket's capacity (see takeHelixPoints).
   */
  grantTtlMs?: number;
  /** This process's name in helix_grants (host, pid and a random part by default). */
  holder?: string;
  /** Longest a call waits for the shared budget; then it goes on with the local pacer and Twurple's limiter alone. */
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SharedBudgetStats {
  /** Grants taken from the row, and the points they held. */
  grants: number;
  granted: number;
  /** Takes that found the bucket short and waited, and for how long in all. */
  waits: number;
  waitedMs: number;
  /** Calls let go without the shared budget (its wait ran out, or the database failed). */
  unpaced: number;
}

const DEFAULTS = { grantPoints: 20, reserve: 2, points: 800, windowMs: 60_000, initialPoints: 0, grantTtlMs: 5_000, maxWaitMs: 120_000 };

/** One process's door to the shared bucket: take() before each Helix call, observe() with each answer's headers. */
export class SharedHelixBudget {
  readonly stats: SharedBudgetStats = { grants: 0, granted: 0, waits: 0, waitedMs: 0, unpaced: 0 };
  private readonly o: typeof DEFAULTS & Pick<SharedBudgetOptions, 'db' | 'clientId' | 'logger'>;
  private readonly now: () => number;
  private readonly holder: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private local = { points: 0, expiresAt: 0 };
  private ready: Promise<void> | null = null;
  private pending: (BucketObservation & { at: number }) | null = null;
  private queue: Promise<void> = Promise.resolve();
  /** The database failed the last time it was asked: said once, until it answers again. */
  private failing = false;

  constructor(options: SharedBudgetOptions) {
    const o = { ...DEFAULTS, ...stripUndefined(options) } as SharedHelixBudget['o'];
    if (!(o.grantPoints >= 1) || !(o.points >= 1) || !(o.windowMs > 0)) {
      throw new Error('shared Helix budget: grantPoints and points must be ≥ 1 and windowMs > 0');
    }
    this.o = o;
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.now = options.now ?? (() => Date.now());
    this.sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  }

  /** Resolves when a call may go, having taken its point from a grant. Calls are served in the order they asked. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeOne());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** What an answer said about the bucket; written to the row with the next grant (no round trip of its own). */
  observe(observation: BucketObservation): void {
    this.pending = { ...observation, at: this.now() };
  }

  /** A 429: the bucket is empty for every process. Best effort; the next grant finds the row empty. */
  async emptied(): Promise<void> {
    this.local = { points: 0, expiresAt: 0 };
    try {
      await emptyHelixBudget(this.o.db, { clientId: this.o.clientId, now: this.now() });
    } catch (error) {
      this.warnFailing(error);
    }
  }

  private async takeOne(): Promise<void> {
    if (this.local.points >= 1 && this.now() < this.local.expiresAt) {
      this.local.points -= 1;
      return;
    }
    const started = this.now();
    let waited = false;
    try {
      this.ready ??= ensureHelixBudget(this.o.db, { ...this.shape(), initialPoints: this.o.initialPoints, now: started }).then(() =>
        pruneHelixGrants(this.o.db, { clientId: this.o.clientId, before: started - 3_600_000 }),
      );
      await this.ready.catch((error: unknown) => {
        this.ready = null;
        throw error;
      });
      for (;;) {
        await this.flushObservation();
        const t = this.now();
        const taken = await takeHelixPoints(this.o.db, {
          clientId: this.o.clientId,
          holder: this.holder,
          want: this.o.grantPoints,
          reserve: this.o.reserve,
          now: t,
          grantTtlMs: this.o.grantTtlMs,
        });
        this.failing = false;
        if (taken.granted > 0) {
          this.stats.grants += 1;
          this.stats.granted += taken.granted;
          this.local = { points: taken.granted - 1, expiresAt: this.now() + this.o.grantTtlMs };
          return;
        }
        const left = this.o.maxWaitMs - (t - started);
        if (left <= 0) {
          this.stats.unpaced += 1;
          this.o.logger.warn(
            { clientId: this.o.clientId, waitedMs: t - started },
            'the shared Helix budget had no points for this call in time; it goes on with this process’s own pacing',
          );
          return;
        }
        if (!waited) this.stats.waits += 1;
        waited = true;
        // Re-asked at least every second: another process's grant running out, or a new Ratelimit-Limit, changes the answer.
        const ms = Math.max(1, Math.min(taken.waitMs, left, 1_000));
        this.stats.waitedMs += ms;
        await this.sleep(ms);
      }
    } catch (error) {
      // Without the database the call still has the local pacer and Twurple's limiter under it.
      this.stats.unpaced += 1;
      this.warnFailing(error);
    }
  }

  private async flushObservation(): Promise<void> {
    const seen = this.pending;
    if (!seen) return;
    this.pending = null;
    await observeHelixBucket(this.o.db, { clientId: this.o.clientId, ...seen, now: this.now(), windowMs: this.o.windowMs });
  }

  private shape(): { clientId: string; capacity: number; windowMs: number } {
    return { clientId: this.o.clientId, capacity: this.o.points, windowMs: this.o.windowMs };
  }

  private warnFailing(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.o.logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'the shared Helix budget could not be read from the database; calls are paced by this process alone until it can',
    );
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
