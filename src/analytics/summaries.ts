// Whether the summary tables hold a period for a guild, and the key a period is stored under.
import { cachedStatement, type Db } from '../db/client';
import type { BucketRange } from './bucket-facts';
import type { AnalysisContext, PeriodType, ResolvedPeriod } from './types';

/** 'auto' reads the summaries when they hold the period and the raw tables otherwise; 'raw' always computes. */
export type ReadSource = 'auto' | 'raw';

/** True when the guild's summaries of this period type exist and were cut in the guild's current timezone. */
export function summaryHolds(db: Db, guildId: string, periodType: PeriodType, timezone: string): boolean {
  const row = cachedStatement<[string, string], { timezone: string }>(
    db,
    'SELECT timezone FROM analytics_state WHERE guild_id = ? AND period_type = ?',
  ).get(guildId, periodType);
  return row !== undefined && row.timezone === timezone;
}

/** The period_start a summary row of this period carries: its start, or 0 for all_time. */
export function periodKey(period: ResolvedPeriod): number {
  return period.start ?? 0;
}

export function bucketOfPeriod(period: ResolvedPeriod): BucketRange {
  return { key: periodKey(period), start: period.start, end: period.end };
}

/**
 * What the summaries hold: totals (guild_period_stats), rankings (game_analytics, creator_analytics) and peak
 * times (guild_peak_activity) for every day, week, month and all_time bucket. The part is kept for callers
 * that say which they read; both are held for every period type.
 */
export type SummaryPart = 'totals' | 'rankings';

/** Reads summaries only for calendar periods they hold; explicit ranges always come from the raw tables. */
export function readsSummary(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  source: ReadSource | undefined,
  _part: SummaryPart = 'rankings',
): boolean {
  if (source === 'raw' || period.type === 'range') return false;
  return summaryHolds(db, ctx.guildId, period.type, ctx.timezone);
}
