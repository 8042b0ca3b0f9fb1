// Binds the Discord side's AnalyticsQueries to the real analytics functions over one database.
import { compare } from '../analytics/compare';
import { creatorSummaryOf, topCreatorsOfGame, topGamesOfCreator, viralClipsOf } from '../analytics/drill-down';
import { engagementTimeline } from '../analytics/engagement-timeline';
import { growthOpportunities } from '../analytics/growth-opportunities';
import { overview } from '../analytics/overview';
import { peakTimes } from '../analytics/peak-times';
import { resolvePeriod } from '../analytics/periods';
import { topCreators } from '../analytics/top-creators';
import { gameRows, topGames } from '../analytics/top-games';
import { viralClips } from '../analytics/viral-clips';
import type { Db } from '../db/client';
import type { AnalyticsQueries } from './analytics-port';

export function createAnalyticsQueries(db: Db): AnalyticsQueries {
  return {
    overview: (ctx, period) => overview(db, ctx, { period }),
    topCreators: (ctx, q) =>
      q.gameId
        ? topCreatorsOfGame(db, ctx, { period: q.period, gameId: q.gameId, sort: q.sort, limit: q.limit })
        : topCreators(db, ctx, { period: q.period, sort: q.sort, limit: q.limit }),
    topGames: (ctx, q) =>
      q.creatorId
        ? topGamesOfCreator(db, ctx, { period: q.period, creatorId: q.creatorId, sort: q.sort, limit: q.limit })
        : topGames(db, ctx, { period: q.period, sort: q.sort, limit: q.limit }),
    viralClips: (ctx, q) =>
      q.creatorId || q.gameId
        ? viralClipsOf(db, ctx, { period: q.period, sort: q.sort, limit: q.limit, min_views: q.minViews, creatorId: q.creatorId, gameId: q.gameId })
        : viralClips(db, ctx, { period: q.period, sort: q.sort, limit: q.limit, min_views: q.minViews }),
    timeline: (ctx, q) => engagementTimeline(db, ctx, { bucket: q.bucket, days: q.days }),
    peakTimes: (ctx, period) => peakTimes(db, ctx, { period }),
    compare: (ctx, period) => compare(db, ctx, { period }),
    growth: (ctx, q) => growthOpportunities(db, ctx, { period: q.period, limit: q.limit }),
    // Added up from the creator's own rows: listing every creator of a big guild to find one is far slower.
    creatorRow: (ctx, period, creatorId) => creatorSummaryOf(db, ctx, { period, creatorId }),
    gameRow: (ctx, period, gameId) =>
      gameRows(db, ctx, resolvePeriod(period, ctx.timezone, ctx.now), 'clip_count', null).find((r) => r.game_id === gameId) ?? null,
  };
}
