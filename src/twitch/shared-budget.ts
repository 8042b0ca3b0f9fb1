// One Helix budget per Twitch client id (docs/adr/0034-clip-claims-and-one-helix-budget.md): Twitch keeps one bucket
// of 800 points a minute per app, however many processes call with it, so the processes draw on one bucket row in
// the database, in grants of up to 20 points, rather than each believing it has the whole bucket.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { takeBudgetGrant } from '../db/stores/helix-claims';
import type { Logger } from '../logger';
import { createTwitchApi, type TwitchApiOptions, type TwurpleTwitchApi } from './client';
import { DEFAULT_PACING, type HelixPacer, type SharedBudget } from './pacing';

export interface SharedBudgetOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  clientId: string;
  /** The bucket's size and refill window (Helix: 800 points per minute). */
  points?: number;
  windowMs?: number;
  /** Points per grant: small, so a process that stops leaves few unspent. */
  grantSize?: number;
  /** Longest wait for one grant (default: one window, in which the whole bucket refills). */
  maxWaitMs?: number;
  /** Points the bucket keeps back for grants held and not yet spent (default two grants, at most a quarter). */
  keep?: number;
}

export const DEFAULT_GRANT_SIZE = 20;
/** A wait shorter than this is ordinary pacing and not logged. */
const WAIT_WORTH_LOGGING_MS = 5_000;

/** The client id's bucket row as a SharedBudget for HelixPacer.shareBudget. */
export function createSharedBudget(options: SharedBudgetOptions): SharedBudget {
  const points = options.points ?? DEFAULT_PACING.points;
  const windowMs = options.windowMs ?? DEFAULT_PACING.windowMs;
  const grantSize = Math.max(1, Math.min(points, options.grantSize ?? DEFAULT_GRANT_SIZE));
  const keep = options.keep ?? Math.min(2 * grantSize, Math.floor(points / 4));
  const log = options.logger.child({ component: 'twitch' });
  let loggedAt = -Infinity;
  let refusedAt = -Infinity;
  return {
    grantSize,
    // The time one point takes to refill: an empty answer is worth asking again after that.
    retryMs: Math.max(1, Math.ceil(windowMs / points)),
    maxWaitMs: options.maxWaitMs ?? windowMs,
    async grant(want) {
      try {
        const { granted } = await takeBudgetGrant(options.db, {
          clientId: options.clientId,
          now: options.clock.now(),
          capacity: points,
          windowMs,
          want,
          keep,
        });
        return granted;
      } catch (error) {
        // The database refusing the grant (busy, full disk) must not stop Twitch calls: this point goes on the
        // process's own model and Twurple's limiter, which still read Twitch's Ratelimit headers. Said once a minute.
        const now = options.clock.now();
        if (now - refusedAt >= 60_000) {
          refusedAt = now;
          log.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'shared Helix budget unreadable; pacing on this process alone',
          );
        }
        return 1;
      }
    },
    onWait(waitedMs) {
      const now = options.clock.now();
      if (waitedMs < WAIT_WORTH_LOGGING_MS || now - loggedAt < WAIT_WORTH_LOGGING_MS) return;
      loggedAt = now;
      log.info(
        { clientId: options.clientId, waitedMs },
        `waiting for the shared Helix budget of this client id: ${Math.round(waitedMs / 1000)} s so far (other processes spend it)`,
      );
    },
  };
}

/** Makes the client's pacer draw on the client id's shared bucket (a client without pacing is left alone). */
export function shareHelixBudget(twitch: { pacer: HelixPacer | null }, options: SharedBudgetOptions): void {
  twitch.pacer?.shareBudget(createSharedBudget(options));
}

export interface SharedTwitchApiOptions extends TwitchApiOptions {
  /** The database that holds the client id's bucket row. */
  db: Db;
  clock: Clock;
  /** The bucket's figures, for tests (Helix's 800 points a minute by default). */
  budget?: Omit<SharedBudgetOptions, 'db' | 'clock' | 'logger' | 'clientId'>;
}

/**
 * The one way the product builds a Helix client: paced, and spending the client id's shared bucket, so the service's
 * jobs, the HTTP thread's dashboard actions and the CLI cannot overdraw Twitch's 800 points a minute together.
 */
export function createSharedTwitchApi(options: SharedTwitchApiOptions): TwurpleTwitchApi {
  const { db, clock, budget, ...api } = options;
  const twitch = createTwitchApi(api);
  shareHelixBudget(twitch, { ...budget, db, clock, logger: api.logger, clientId: api.clientId });
  return twitch;
}
