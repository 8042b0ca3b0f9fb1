// The summary tables' state and their period-level reads: whether a guild's summaries hold a period type, and the
// totals, peak cells and timeline rows stored per period.
import { run, type Connection, type Db } from '../client';

/** A period of one guild as the summary tables key it; `timezone` is the one the caller's answer is cut in. */
export interface SummaryPeriod {
  guildId: string;
  timezone: string;
  periodType: string;
  /** period_start: the period's start, or 0 for all_time. */
  periodStart: number;
}

export interface TotalsRow {
  clip_count: number;
  total_views: number;
  unique_creators: number;
  unique_games: number;
  discord_shares: number;
  discord_reactions: number;
  first_clip_at: number | null;
  last_clip_at: number | null;
}

export interface PeakCellRow {
  weekday: number;
  hour: number;
  clips: number;
  shares: number;
}

export interface TimelineTotalsRow {
  period_start: number;
  clip_count: number;
  total_views: number;
  discord_shares: number;
  discord_reactions: number;
}

/** True when the guild's summaries of this period type exist and were cut in `timezone` (inside a run callback). */
export function summaryHoldsOn(c: Connection, guildId: string, periodType: string, timezone: string): boolean {
  const row = c
    .statement<[string, string], { timezone: string }>('SELECT timezone FROM analytics_state WHERE guild_id = ? AND period_type = ?')
    .get(guildId, periodType);
  return row !== undefined && row.timezone === timezone;
}

export function summaryHolds(db: Db, guildId: string, periodType: string, timezone: string): Promise<boolean> {
  return run(db, (c) => summaryHoldsOn(c, guildId, periodType, timezone));
}

/** The stored totals of the period (undefined: no row, nothing happened in it), inside a run callback. */
export function periodTotalsOn(c: Connection, period: SummaryPeriod): TotalsRow | undefined {
  return c
    .statement<[string, string, number], TotalsRow>(
      `SELECT clip_count, total_views, unique_creators, unique_games, discord_shares, discord_reactions, first_clip_at, last_clip_at
         FROM guild_period_stats WHERE guild_id = ? AND period_type = ? AND period_start = ?`,
    )
    .get(period.guildId, period.periodType, period.periodStart);
}

/** The period's weekday × hour cells; null when the summaries do not hold it. */
export function readPeakCells(db: Db, period: SummaryPeriod): Promise<PeakCellRow[] | null> {
  return run(db, (c) => {
    if (!summaryHoldsOn(c, period.guildId, period.periodType, period.timezone)) return null;
    return c
      .statement<[string, string, number], PeakCellRow>(
        'SELECT weekday, hour, clips, shares FROM guild_peak_activity WHERE guild_id = ? AND period_type = ? AND period_start = ?',
      )
      .all(period.guildId, period.periodType, period.periodStart);
  });
}

/**
 * The stored totals of the buckets of one period type that start in [firstStart, lastStart]; null when the summaries
 * do not hold that period type.
 */
export function readTimelineTotals(
  db: Db,
  query: { guildId: string; timezone: string; periodType: string; firstStart: number; lastStart: number },
): Promise<TimelineTotalsRow[] | null> {
  return run(db, (c) => {
    if (!summaryHoldsOn(c, query.guildId, query.periodType, query.timezone)) return null;
    return c
      .statement<[string, string, number, number], TimelineTotalsRow>(
        `SELECT period_start, clip_count, total_views, discord_shares, discord_reactions FROM guild_period_stats
          WHERE guild_id = ? AND period_type = ? AND period_start >= ? AND period_start <= ?`,
      )
      .all(query.guildId, query.periodType, query.firstStart, query.lastStart);
  });
}
