// What one weekly digest shows, computed from the analytics: the numbers only; src/discord renders and posts them.
import type { Mood } from '../analytics/moods-table';
import { bucketOf } from '../analytics/periods';
import type {
  AnalysisContext,
  CreatorRow,
  CreatorSort,
  GameRow,
  GameSort,
  GrowthOpportunities,
  Overview,
  PeakTimes,
  PeriodQuery,
  TopCreators,
  TopGames,
  ViralClip,
  ViralClips,
  ViralSort,
} from '../analytics/types';

/** A result the analytics may hand back at once or later (the digest awaits each either way). */
type Awaitable<T> = T | Promise<T>;

/** The analytics reads the digest makes: a subset of the analytics service, by shape. */
export interface DigestAnalytics {
  overview(ctx: AnalysisContext, period: PeriodQuery): Awaitable<Overview>;
  viralClips(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number; sort: ViralSort; minViews: number }): Awaitable<ViralClips>;
  topCreators(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number; sort: CreatorSort }): Awaitable<TopCreators>;
  topGames(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number; sort: GameSort }): Awaitable<TopGames>;
  peakTimes(ctx: AnalysisContext, period: PeriodQuery): Awaitable<PeakTimes>;
  growth(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number }): Awaitable<GrowthOpportunities>;
  moodViralClips(
    ctx: AnalysisContext,
    query: { period: PeriodQuery; limit: number; mood: Mood; minViews: number },
  ): Awaitable<ViralClips & { mood: Mood }>;
}

export interface WeeklyDigestData {
  /** The covered ISO week: [start, end) instants and its first local date (YYYY-MM-DD). */
  week: { start: number; end: number; date: string; timezone: string };
  current: Overview;
  previous: Overview;
  topClips: ViralClip[];
  topCreators: CreatorRow[];
  topGames: GameRow[];
  /** The clip with the most reactions, if any clip got one. */
  favourite: ViralClip | null;
  /** The week's clip with the most funny reactions (docs/moods.md), if one got any; its count in `mood_reactions`. */
  funniest: ViralClip | null;
  peakHour: number | null;
  peakWeekday: number | null;
  growth: GrowthOpportunities;
}

/** Everything the digest shows for one week. */
export async function collectDigestData(
  analytics: DigestAnalytics,
  ctx: AnalysisContext,
  week: { start: number; end: number; date: string },
): Promise<WeeklyDigestData> {
  const period: PeriodQuery = { type: 'range', from: week.start, to: week.end };
  // The week before as its own calendar week (a DST change makes weeks 167 or 169 hours long).
  const before = bucketOf(ctx.timezone, 'week', week.start - 1);
  const previousPeriod: PeriodQuery = { type: 'range', from: before.start, to: before.end };
  const favourite = (await analytics.viralClips(ctx, { period, limit: 1, sort: 'discord_reactions', minViews: 0 })).clips[0] ?? null;
  const funniest = (await analytics.moodViralClips(ctx, { period, limit: 1, mood: 'funny', minViews: 0 })).clips[0] ?? null;
  const peaks = await analytics.peakTimes(ctx, period);
  return {
    week: { start: week.start, end: week.end, date: week.date, timezone: ctx.timezone },
    current: await analytics.overview(ctx, period),
    previous: await analytics.overview(ctx, previousPeriod),
    topClips: (await analytics.viralClips(ctx, { period, limit: 5, sort: 'view_count', minViews: 0 })).clips,
    // Made this week: a creator or game only shared or reacted to (its clips are older) is not "top" of the week,
    // as in /clipstats. Sorted by clips, they come last, so the first three with clips are still the top three.
    topCreators: (await analytics.topCreators(ctx, { period, limit: 3, sort: 'clip_count' })).creators.filter((c) => c.clip_count > 0),
    topGames: (await analytics.topGames(ctx, { period, limit: 3, sort: 'clip_count' })).games.filter((g) => g.clip_count > 0),
    favourite: favourite && favourite.discord_reactions > 0 ? favourite : null,
    funniest: funniest && (funniest.mood_reactions ?? 0) > 0 ? funniest : null,
    peakHour: peaks.best_hour,
    peakWeekday: peaks.best_weekday,
    growth: await analytics.growth(ctx, { period, limit: 1 }),
  };
}
