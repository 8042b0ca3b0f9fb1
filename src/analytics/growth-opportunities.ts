// Where a community could grow: games clipped little but watched a lot, creators whose clips draw the most
// Discord engagement, and clips the community loves more than their view count says.
import { readFavouriteClipRows } from '../db/analytics/viral-clips';
import type { Db } from '../db/client';
import { overviewOf } from './overview';
import { FAR_FUTURE, FAR_PAST, periodJson, resolvePeriod } from './periods';
import type { ReadSource } from './summaries';
import { nameCreators, storedCreatorRows } from './top-creators';
import { nameGames, storedGameRows } from './top-games';
import type { AnalysisContext, GrowthOpportunities, PeriodQuery } from './types';
import { VELOCITY_WINDOW_MS, viralClipOf } from './viral-clips';

export interface GrowthOpportunitiesOptions {
  period?: PeriodQuery;
  /** Rows per list (default 5). */
  limit?: number;
  /** Reactions a clip needs to be a community favourite (default 2). */
  min_reactions?: number;
  source?: ReadSource;
}

export async function growthOpportunities(
  db: Db,
  ctx: AnalysisContext,
  options: GrowthOpportunitiesOptions = {},
): Promise<GrowthOpportunities> {
  const period = resolvePeriod(options.period ?? { type: 'month' }, ctx.timezone, ctx.now);
  const limit = options.limit ?? 5;
  const totals = await overviewOf(db, ctx, period, options.source);
  const average = totals.total_clips === 0 ? 0 : totals.total_views / totals.total_clips;

  // Under-clipped: a known game with no more clips than the median game, yet more views per clip than average.
  // Filtered and ranked on the stored numbers; only the rows shown get their display names looked up.
  const games = (await storedGameRows(db, ctx, period, 'avg_view_count', null, options.source)).filter(
    (g) => g.clip_count > 0 && g.game_id !== '',
  );
  const counts = games.map((g) => g.clip_count).sort((a, b) => a - b);
  const median = counts.length === 0 ? 0 : (counts[Math.floor((counts.length - 1) / 2)] as number);
  const underclipped = await nameGames(
    db,
    ctx,
    games
      .filter((g) => g.clip_count <= median && g.total_views / g.clip_count > average)
      .sort(
        (a, b) => b.total_views / b.clip_count - a.total_views / a.clip_count || a.clip_count - b.clip_count || cmp(a.game_id, b.game_id),
      )
      .slice(0, limit),
  );

  // Engaging: Discord shares + reactions per clip created in the period.
  const engagement = (c: { discord_shares: number; discord_reactions: number; clip_count: number }): number =>
    (c.discord_shares + c.discord_reactions) / c.clip_count;
  const engaging = await nameCreators(
    db,
    ctx,
    (await storedCreatorRows(db, ctx, period, 'clip_count', null, options.source))
      .filter((c) => c.clip_count > 0 && c.discord_shares + c.discord_reactions > 0)
      .sort((a, b) => engagement(b) - engagement(a) || b.clip_count - a.clip_count || cmp(a.creator_id, b.creator_id))
      .slice(0, limit),
  );

  const favourites = (
    await readFavouriteClipRows(db, {
      guild: ctx.guildId,
      start: period.start ?? FAR_PAST,
      end: period.end ?? FAR_FUTURE,
      min: options.min_reactions ?? 2,
      since: ctx.now - VELOCITY_WINDOW_MS,
      now: ctx.now,
      limit,
    })
  ).map(viralClipOf);

  return { period: periodJson(period), underclipped_games: underclipped, engaging_creators: engaging, community_favourites: favourites };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
