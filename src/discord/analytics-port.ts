// What the Discord side asks of the analytics engine, in the binding shapes of src/analytics/types.ts.
// src/discord/analytics-queries.ts binds it to the real query functions; commands and the digest only see this.
import type {
  AnalysisContext,
  Comparison,
  CreatorRow,
  CreatorSort,
  EngagementTimeline,
  GameRow,
  GameSort,
  GrowthOpportunities,
  Overview,
  PeakTimes,
  PeriodQuery,
  TimelineBucketSize,
  TopCreators,
  TopGames,
  ViralClips,
  ViralSort,
} from '../analytics/types';

export interface AnalyticsQueries {
  overview(ctx: AnalysisContext, period: PeriodQuery): Overview;
  topCreators(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number; sort: CreatorSort; gameId?: string | null }): TopCreators;
  topGames(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number; sort: GameSort; creatorId?: string | null }): TopGames;
  viralClips(
    ctx: AnalysisContext,
    query: { period: PeriodQuery; limit: number; sort: ViralSort; minViews: number; creatorId?: string | null; gameId?: string | null },
  ): ViralClips;
  timeline(ctx: AnalysisContext, query: { bucket: TimelineBucketSize; days: number }): EngagementTimeline;
  peakTimes(ctx: AnalysisContext, period: PeriodQuery): PeakTimes;
  compare(ctx: AnalysisContext, period: PeriodQuery): Comparison;
  growth(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number }): GrowthOpportunities;
  /** One creator's leaderboard row for the period (exactly as /topcreators ranks it), or null if not active. */
  creatorRow(ctx: AnalysisContext, period: PeriodQuery, creatorId: string): CreatorRow | null;
  gameRow(ctx: AnalysisContext, period: PeriodQuery, gameId: string): GameRow | null;
}
