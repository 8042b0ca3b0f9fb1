// A guild's headline numbers for a period: clips, views, creators, games, Discord shares and reactions.
import { readOverviewSummary } from '../db/analytics/leaderboards';
import type { Db } from '../db/client';
import { computeBucketFacts, type TotalsFacts } from './bucket-facts';
import { periodJson, resolvePeriod } from './periods';
import { bucketOfPeriod, periodKey, summaryPeriod, type ReadSource } from './summaries';
import { creatorRows } from './top-creators';
import { gameRows } from './top-games';
import type { AnalysisContext, Overview, PeriodQuery, ResolvedPeriod } from './types';

export interface OverviewOptions {
  period?: PeriodQuery;
  source?: ReadSource;
}

export async function overview(db: Db, ctx: AnalysisContext, options: OverviewOptions = {}): Promise<Overview> {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  return overviewOf(db, ctx, period, options.source);
}

type Leader = Overview['top_game'];

export async function overviewOf(db: Db, ctx: AnalysisContext, period: ResolvedPeriod, source?: ReadSource): Promise<Overview> {
  const summary = summaryPeriod(ctx, period, source);
  // Totals and both leaders in one read when the summaries hold the period.
  const stored = summary && (await readOverviewSummary(db, summary));
  let totals: TotalsFacts;
  let topGame: Leader = null;
  let topCreator: Leader = null;
  if (stored) {
    totals = stored.totals ?? { ...ZERO };
    if (totals.clip_count > 0 && stored.topGame) topGame = { name: stored.topGame[11], clip_count: stored.topGame[1] };
    if (totals.clip_count > 0 && stored.topCreator) topCreator = { name: stored.topCreator[8], clip_count: stored.topCreator[1] };
  } else {
    const facts = await computeBucketFacts(db, ctx.guildId, ctx.timezone, [bucketOfPeriod(period)], { rankings: false });
    totals = facts.get(periodKey(period))?.totals ?? { ...ZERO };
    if (totals.clip_count > 0) {
      const game = (await gameRows(db, ctx, period, 'clip_count', 1, source))[0];
      const creator = (await creatorRows(db, ctx, period, 'clip_count', 1, source))[0];
      if (game) topGame = { name: game.game_name, clip_count: game.clip_count };
      if (creator) topCreator = { name: creator.creator_name, clip_count: creator.clip_count };
    }
  }
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
    top_game: topGame,
    top_creator: topCreator,
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
