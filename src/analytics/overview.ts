// A guild's headline numbers for a period: clips, views, creators, games, Discord shares and reactions.
import { cachedStatement, type Db } from '../db/client';
import { computeBucketFacts, type TotalsFacts } from './bucket-facts';
import { periodJson, resolvePeriod } from './periods';
import { bucketOfPeriod, periodKey, readsSummary, type ReadSource } from './summaries';
import { creatorRows } from './top-creators';
import { gameRows } from './top-games';
import type { AnalysisContext, Overview, PeriodQuery, ResolvedPeriod } from './types';

export interface OverviewOptions {
  period?: PeriodQuery;
  source?: ReadSource;
}

export function overview(db: Db, ctx: AnalysisContext, options: OverviewOptions = {}): Overview {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  return overviewOf(db, ctx, period, options.source);
}

export function overviewOf(db: Db, ctx: AnalysisContext, period: ResolvedPeriod, source?: ReadSource): Overview {
  const totals = periodTotals(db, ctx, period, source);
  const topGame = totals.clip_count > 0 ? gameRows(db, ctx, period, 'clip_count', 1, source)[0] : undefined;
  const topCreator = totals.clip_count > 0 ? creatorRows(db, ctx, period, 'clip_count', 1, source)[0] : undefined;
  return {
    period: periodJson(period),
    total_clips: totals.clip_count,
    total_views: totals.total_views,
    unique_creators: totals.unique_creators,
    unique_games: totals.unique_games,
    date_range: {
      start: totals.first_clip_at === null ? null : new Date(totals.first_clip_at).toISOString(),
      end: totals.last_clip_at === null ? null : new Date(totals.last_clip_at).toISOString(),
    },
    top_game: topGame ? { name: topGame.game_name, clip_count: topGame.clip_count } : null,
    top_creator: topCreator ? { name: topCreator.creator_name, clip_count: topCreator.clip_count } : null,
    discord_shares: totals.discord_shares,
    discord_reactions: totals.discord_reactions,
  };
}

const ZERO: TotalsFacts = {
  clip_count: 0,
  total_views: 0,
  unique_creators: 0,
  unique_games: 0,
  discord_shares: 0,
  discord_reactions: 0,
  first_clip_at: null,
  last_clip_at: null,
};

/** The period's totals, from guild_period_stats when it holds the period. */
export function periodTotals(db: Db, ctx: AnalysisContext, period: ResolvedPeriod, source?: ReadSource): TotalsFacts {
  if (readsSummary(db, ctx, period, source, 'totals')) {
    const row = cachedStatement<[string, string, number], TotalsFacts>(
        db,
        `SELECT clip_count, total_views, unique_creators, unique_games, discord_shares, discord_reactions, first_clip_at, last_clip_at
           FROM guild_period_stats WHERE guild_id = ? AND period_type = ? AND period_start = ?`,
      )
      .get(ctx.guildId, period.type, periodKey(period));
    return row ?? { ...ZERO };
  }
  const facts = computeBucketFacts(db, ctx.guildId, ctx.timezone, [bucketOfPeriod(period)], { rankings: false });
  return facts.get(periodKey(period))?.totals ?? { ...ZERO };
}
