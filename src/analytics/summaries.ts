// Whether an answer may come from the summary tables, and the key a period is stored under.
import type { LeaderboardRead } from '../db/analytics/leaderboards';
import type { SummaryPeriod } from '../db/analytics/summaries';
import type { BucketRange } from './bucket-facts';
import type { AnalysisContext, ResolvedPeriod } from './types';

export { summaryHolds } from '../db/analytics/summaries';

/** 'auto' reads the summaries when they hold the period and the raw tables otherwise; 'raw' always computes. */
export type ReadSource = 'auto' | 'raw';

/** The period_start a summary row of this period carries: its start, or 0 for all_time. */
export function periodKey(period: ResolvedPeriod): number {
  return period.start ?? 0;
}

export function bucketOfPeriod(period: ResolvedPeriod): BucketRange {
  return { key: periodKey(period), start: period.start, end: period.end };
}

/**
 * The summary key of a period the summaries may hold (they hold every day, week, month and all_time bucket, cut in
 * the guild's timezone; the stores check they do): null for an explicit range or a raw read, which always compute.
 */
/**
 * A leaderboard read of `summary`, written out field by field: a spread copy gets a different hidden class than the
 * object literal, which made the hot leaderboard reads measurably slower than before they were async.
 */
export function leaderboardRead<S>(summary: SummaryPeriod, sort: S, limit: number | null): LeaderboardRead<S> {
  return {
    guildId: summary.guildId,
    timezone: summary.timezone,
    periodType: summary.periodType,
    periodStart: summary.periodStart,
    sort,
    limit,
  };
}

export function summaryPeriod(ctx: AnalysisContext, period: ResolvedPeriod, source: ReadSource | undefined): SummaryPeriod | null {
  if (source === 'raw' || period.type === 'range') return null;
  return { guildId: ctx.guildId, timezone: ctx.timezone, periodType: period.type, periodStart: periodKey(period) };
}
