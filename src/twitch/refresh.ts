// Keeps view counts fresh: enriched clips are looked up again on a schedule that slows with the clip's age
// (young clips hourly, recent daily, old weekly by default), each lookup adding a clip_view_history row so that
// view velocity can be computed. A clip Twitch stops returning becomes not_found.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { isTransientDatabaseError } from '../db/storage-errors';
import type { Logger } from '../logger';
import { HELIX_MAX_IDS, type TwitchApi } from './client';
import { classifyTwitchError } from './errors';
import { AbsentClipRecheck, lookUpAndStoreClips } from './enrich';
import { createGameNames, type GameNames } from './game-names';
import { clipsDueForRefresh as dueForRefresh } from '../db/stores/twitch-clips';

const DAY_MS = 86_400_000;

/** How often a clip's views are looked up again, by its age. */
export interface RefreshSchedule {
  /** Clips younger than 7 days. */
  youngMs: number;
  /** Clips younger than 30 days. */
  recentMs: number;
  /** Older clips. */
  oldMs: number;
}

export function refreshScheduleFromMinutes(young: number, recent: number, old: number): RefreshSchedule {
  return { youngMs: young * 60_000, recentMs: recent * 60_000, oldMs: old * 60_000 };
}

/** The refresh interval of a clip created at `createdAt` (unknown creation time counts as young). */
export function refreshIntervalFor(schedule: RefreshSchedule, createdAt: number | null, now: number): number {
  const age = createdAt === null ? 0 : now - createdAt;
  if (age < 7 * DAY_MS) return schedule.youngMs;
  if (age < 30 * DAY_MS) return schedule.recentMs;
  return schedule.oldMs;
}

export interface RefreshDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  twitch: TwitchApi;
  schedule: RefreshSchedule;
  gameNames?: GameNames;
}

export interface RefreshOptions {
  concurrency?: number;
  /** Stop after this many Get Clips calls, leaving the rest for the next run. */
  maxBatches?: number;
  onProgress?(progress: { processed: number; total: number }): void;
}

export interface RefreshSummary {
  batches: number;
  /** Distinct clips looked up again and written. */
  refreshed: number;
  notFound: number;
  /** Distinct clips that were due when the run started. */
  due: number;
  /** Error of a batch that failed (its clips stay due and are tried by the next run). */
  lastError: string | null;
}

/** Distinct clip ids whose views are due for a refresh, the longest-unrefreshed first. */
export function clipsDueForRefresh(
  db: Db,
  now: number,
  schedule: RefreshSchedule,
  limit: number,
  taken: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  return dueForRefresh(db, now, schedule, limit, taken);
}

async function countDue(db: Db, now: number, schedule: RefreshSchedule): Promise<number> {
  return (await dueForRefresh(db, now, schedule, Number.MAX_SAFE_INTEGER)).length;
}

/**
 * Looks up every clip due for a view refresh, 100 ids per Get Clips call. A failed call leaves its clips due
 * (the next run takes them again); refused credentials end the run with the error. So does the database refusing
 * the write (disk full, busy): the run stops rather than spend Helix calls it cannot store, nothing is marked
 * not_found, and the raw SQLite error is thrown for the caller to name as a storage problem.
 */
export async function refreshViews(deps: RefreshDeps, options: RefreshOptions = {}): Promise<RefreshSummary> {
  const { db, clock, logger, twitch, schedule } = deps;
  const gameNames = deps.gameNames ?? createGameNames(twitch, clock);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const runStartedAt = clock.now();
  const summary: RefreshSummary = {
    batches: 0,
    refreshed: 0,
    notFound: 0,
    due: await countDue(db, runStartedAt, schedule),
    lastError: null,
  };
  const taken = new Set<string>();
  // Clips that failed this run are not taken again by it: the next scheduled run retries them.
  const failed = new Set<string>();
  let processed = 0;
  let fatal: unknown = null;

  const absentOnce = new AbsentClipRecheck();
  // Workers take batches one at a time, so two never read the same due clips before either marks them taken.
  let taking: Promise<unknown> = Promise.resolve();
  const takeDue = (): Promise<string[]> => {
    const next = taking.then(async () => {
      const ids = await dueForRefresh(db, clock.now(), schedule, HELIX_MAX_IDS, new Set([...taken, ...failed]));
      for (const id of ids) taken.add(id);
      return ids;
    });
    taking = next.catch(() => undefined);
    return next;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (fatal) return;
      if (options.maxBatches !== undefined && summary.batches >= options.maxBatches) return;
      let ids = absentOnce.full() ? absentOnce.take() : [];
      let confirming = ids.length > 0;
      if (!confirming) ids = await takeDue();
      if (ids.length === 0) {
        // Nothing more is due: give the clips Twitch left out their second look, then stop.
        ids = absentOnce.take();
        confirming = true;
        if (ids.length === 0) return;
      }
      for (const id of ids) taken.add(id);
      summary.batches++;
      let settled = ids.length;
      try {
        const outcome = await lookUpAndStoreClips({ db, clock, twitch, gameNames }, ids, { markAbsent: confirming });
        summary.refreshed += outcome.stored;
        summary.notFound += outcome.notFound;
        absentOnce.add(outcome.absent);
        settled -= outcome.absent.length;
        for (const id of outcome.unreadable.keys()) failed.add(id);
      } catch (raw) {
        if (isTransientDatabaseError(raw)) {
          // Not Twitch's fault and not the clips': they stay due, untouched, for the next run. The caller (the
          // scheduler) names the storage problem in its log line.
          fatal ??= raw;
          continue;
        }
        const error = classifyTwitchError(raw, 'Get Clips');
        if (error.kind === 'auth') fatal = error;
        summary.lastError = error.message;
        for (const id of ids) failed.add(id);
        logger.warn({ err: error.message, clips: ids.length }, 'view refresh batch failed; the next run retries it');
      } finally {
        for (const id of ids) if (!absentOnce.has(id)) taken.delete(id);
        processed += settled;
        options.onProgress?.({ processed, total: Math.max(summary.due, processed) });
      }
    }
  };

  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  if (fatal) throw fatal;
  return summary;
}
