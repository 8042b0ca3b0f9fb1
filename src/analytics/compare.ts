// A period against the one before it (previous day/week/month, or the same length before a range).
import type { Db } from '../db/client';
import { overviewOf } from './overview';
import { InvalidPeriodError, previousPeriod, resolvePeriod } from './periods';
import type { ReadSource } from './summaries';
import type { AnalysisContext, Change, Comparison, PeriodQuery } from './types';

export interface CompareOptions {
  period?: PeriodQuery;
  source?: ReadSource;
}

export async function compare(db: Db, ctx: AnalysisContext, options: CompareOptions = {}): Promise<Comparison> {
  const current = resolvePeriod(options.period ?? { type: 'week' }, ctx.timezone, ctx.now);
  const previous = previousPeriod(current, ctx.now);
  if (!previous) throw new InvalidPeriodError('"all_time" has nothing before it: compare a day, week, month or range');
  const a = await overviewOf(db, ctx, current, options.source);
  const b = await overviewOf(db, ctx, previous, options.source);
  return {
    current: a.period,
    previous: b.period,
    clips: change(a.total_clips, b.total_clips),
    views: change(a.total_views, b.total_views),
    discord_shares: change(a.discord_shares, b.discord_shares),
    discord_reactions: change(a.discord_reactions, b.discord_reactions),
    unique_creators: change(a.unique_creators, b.unique_creators),
    unique_games: change(a.unique_games, b.unique_games),
  };
}

/** Absolute and relative change; the percentage is rounded to one decimal, null when there was nothing before. */
export function change(current: number, previous: number): Change {
  return {
    current,
    previous,
    change: current - previous,
    change_pct: previous === 0 ? null : Math.round(((current - previous) / previous) * 1000) / 10,
  };
}
