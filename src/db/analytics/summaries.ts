// The summary tables' state and their period-level reads: whether a guild's summaries hold a period type, and the
// totals, peak cells and timeline rows stored per period.
import { run, type Connection, type Db } from '../client';
import { queries } from '../sql';

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

const HOLDS_SQL = 'SELECT timezone FROM analytics_state WHERE guild_id = ? AND period_type = ?';

export function summaryHolds(db: Db, guildId: string, periodType: string, timezone: string): Promise<boolean> {
  if (db.engine === 'postgres')
    return queries(db)
      .get<{ timezone: string }>(HOLDS_SQL, [guildId, periodType])
      .then((row) => row !== undefined && row.timezone === timezone);
  return run(db, (c) => summaryHoldsOn(c, guildId, periodType, timezone));
}

/**
 * PostgreSQL: `inner` read only when the guild's summaries hold the period type in the answer's timezone, in one
 * statement (one round trip, one snapshot) instead of SQLite's check-then-read in one tick. Parameters @guild, @type
 * and @tz, plus the inner read's own. Read the result with heldRows: no row when the summaries do not hold the
 * period, one row of nulls when they hold it and it is empty. The inner read's first column must never be null.
 */
export function heldSql(inner: string): string {
  return `SELECT x.* FROM analytics_state s LEFT JOIN LATERAL (${inner}) x ON true
           WHERE s.guild_id = @guild AND s.period_type = @type AND s.timezone = @tz`;
}

/** The rows of a heldSql read, or null when the summaries do not hold the period. */
export function heldRows<R>(rows: R[], first: (row: R) => unknown): R[] | null {
  if (rows.length === 0) return null;
  if (rows.length === 1 && first(rows[0] as R) === null) return [];
  return rows;
}

/** A heldSql read's parameters for a period, plus the inner read's own. */
export function heldParams(period: SummaryPeriod, more?: Record<string, number | string>): Record<string, number | string> {
  return { guild: period.guildId, type: period.periodType, start: period.periodStart, tz: period.timezone, ...more };
}

/** The columns of TotalsRow, in order. */
export const TOTALS_COLUMNS =
  'clip_count, total_views, unique_creators, unique_games, discord_shares, discord_reactions, first_clip_at, last_clip_at';

/** The stored totals of the period (undefined: no row, nothing happened in it), inside a run callback. */
export function periodTotalsOn(c: Connection, period: SummaryPeriod): TotalsRow | undefined {
  return c
    .statement<[string, string, number], TotalsRow>(
      `SELECT ${TOTALS_COLUMNS} FROM guild_period_stats WHERE guild_id = ? AND period_type = ? AND period_start = ?`,
    )
    .get(period.guildId, period.periodType, period.periodStart);
}

/** The period's weekday × hour cells; null when the summaries do not hold it. */
export async function readPeakCells(db: Db, period: SummaryPeriod): Promise<PeakCellRow[] | null> {
  if (db.engine === 'postgres') {
    const rows = await queries(db).all<PeakCellRow>(
      heldSql(
        'SELECT weekday, hour, clips, shares FROM guild_peak_activity WHERE guild_id = @guild AND period_type = @type AND period_start = @start',
      ),
      heldParams(period),
    );
    return heldRows(rows, (row) => row.weekday);
  }
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
export async function readTimelineTotals(
  db: Db,
  query: { guildId: string; timezone: string; periodType: string; firstStart: number; lastStart: number },
): Promise<TimelineTotalsRow[] | null> {
  if (db.engine === 'postgres') {
    const rows = await queries(db).all<TimelineTotalsRow>(
      heldSql(`SELECT period_start, clip_count, total_views, discord_shares, discord_reactions FROM guild_period_stats
                WHERE guild_id = @guild AND period_type = @type AND period_start >= @first AND period_start <= @last`),
      { guild: query.guildId, type: query.periodType, tz: query.timezone, first: query.firstStart, last: query.lastStart },
    );
    return heldRows(rows, (row) => row.period_start);
  }
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
