// The HTTP thread's clip-feed service for the dashboard (built by src/http/worker.ts): the slash command's feed service with a Twitch client of
// this thread's own (the service's client lives on the main thread). Built through createSharedTwitchApi, so an
// operator's dashboard actions spend the client id's one Helix bucket with the jobs and the CLI (ADR 0034).
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { createFeedAdmin, type FeedAdmin } from './admin';
import type { Logger } from '../logger';
import { createSharedTwitchApi, type SharedTwitchApiOptions } from '../twitch/shared-budget';

export interface DashboardFeedsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Twitch credentials from the main thread; null = no feeds from the dashboard. */
  twitch: { clientId: string; clientSecret: string } | null | undefined;
  /** Client tuning for tests (retries, timeouts, the bucket's figures); the product's defaults otherwise. */
  tuning?: Omit<Partial<SharedTwitchApiOptions>, 'db' | 'clock' | 'logger' | 'clientId' | 'clientSecret' | 'pacing'>;
}

/** Longest wait for one grant of the shared bucket during a dashboard action (the jobs' calls wait up to a minute). */
export const DASHBOARD_BUDGET_WAIT_MS = 10_000;

export function createDashboardFeedAdmin({ db, clock, logger, twitch, tuning }: DashboardFeedsDeps): FeedAdmin | null {
  if (!twitch) return null;
  const client = createSharedTwitchApi({
    // Someone is waiting on the page: a short wait for the shared bucket (the jobs may be spending it) and one retry,
    // so a spent bucket answers "Twitch unavailable, try later" in about 20 s rather than minutes.
    retry: { retries: 1 },
    ...tuning,
    budget: { maxWaitMs: DASHBOARD_BUDGET_WAIT_MS, ...tuning?.budget },
    ...twitch,
    logger,
    db,
    clock,
  });
  return createFeedAdmin({ db, clock, twitch: client });
}
