// The plain data the aggregation's stores take and return: facts rows read from the raw tables, a bucket's change,
// and the summary rows the writers make the tables equal to.

/** A (game, creator) pair's counts in a bucket, or their change. */
export interface PairCounts {
  game: string;
  creator: string;
  n: number;
  views: number;
  shares: number;
  reactions: number;
}

/** Clips and shares in one local weekday × hour cell, or their change. */
export interface CellCounts {
  clips: number;
  shares: number;
}

export interface TopClip {
  id: string;
  title: string;
  views: number;
}

/** What changed in a bucket (a day, or what its days' changes add up to in a week, month or all_time). */
export interface SummaryDelta {
  type: string;
  key: number;
  end: number | null;
  pairs: Map<string, PairCounts>;
  /** By cell index, weekday × 24 + hour. */
  peaks: Map<number, CellCounts>;
  totals: { clip_count: number; total_views: number; discord_shares: number; discord_reactions: number };
  /** Games whose top clip of some day changed. */
  topGames: Set<string>;
  /** Whether some day's first or last clip time changed. */
  firstLast: boolean;
  /** A day's own new first and last clip times. */
  span?: { first: number | null; last: number | null };
}

/** What the writers take from the analytics rules: the stored average, the order of top clips (names: ./names.ts). */
export interface SummaryRules {
  average(total: number, count: number): number;
  /** Whether `candidate` beats `best` as a game's top clip. */
  betterTopClip(candidate: TopClip, best: TopClip | null): boolean;
}

// Summary rows as the rebuild writes them: the table's key columns after guild_id and period_type, then its values.
export type PeriodStatsRow = [
  period_start: number,
  period_end: number | null,
  clip_count: number,
  total_views: number,
  unique_creators: number,
  unique_games: number,
  discord_shares: number,
  discord_reactions: number,
  first_clip_at: number | null,
  last_clip_at: number | null,
];
export type GameAnalyticsRow = [
  period_start: number,
  game_id: string,
  game_name: string,
  period_end: number | null,
  clip_count: number,
  total_views: number,
  avg_view_count: number,
  unique_creators: number,
  discord_shares: number,
  discord_reactions: number,
  top_clip_id: string | null,
  top_clip_title: string | null,
  top_clip_views: number | null,
];
export type CreatorAnalyticsRow = [
  period_start: number,
  creator_id: string,
  creator_name: string,
  period_end: number | null,
  clip_count: number,
  total_views: number,
  avg_views: number,
  discord_shares: number,
  discord_reactions: number,
  unique_games: number,
  top_game_id: string | null,
  top_game_name: string | null,
];
export type PeakActivityRow = [period_start: number, weekday: number, hour: number, clips: number, shares: number];
export type PairFactsRow = [
  period_start: number,
  game_id: string,
  creator_id: string,
  clip_count: number,
  total_views: number,
  discord_shares: number,
  discord_reactions: number,
];
export type DayTopClipRow = [game_id: string, day_start: number, clip_id: string, title: string, views: number];

/** The rows of some buckets of one period type, per summary table. */
export interface BucketRows {
  guild_period_stats: PeriodStatsRow[];
  game_analytics: GameAnalyticsRow[];
  creator_analytics: CreatorAnalyticsRow[];
  guild_peak_activity: PeakActivityRow[];
  analytics_pair_facts: PairFactsRow[];
}
