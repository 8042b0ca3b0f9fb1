// The one shape of each analysis: embeds, the HTTP API and CSV export all render these objects.
// Field names are the seed's snake_case JSON names. Times inside are ISO 8601 strings (UTC) in answers.
import type { MoodCounts } from './moods-table';

export const PERIOD_TYPES = ['day', 'week', 'month', 'all_time'] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];

/** What a caller asks for: a calendar period in the guild's timezone (offset 0 = current), or an explicit range. */
export type PeriodQuery = { type: PeriodType; offset?: number } | { type: 'range'; from: number; to: number };

/** A resolved period: [start, end) in epoch ms; both null for all_time. */
export interface ResolvedPeriod {
  type: PeriodType | 'range';
  offset: number;
  start: number | null;
  end: number | null;
  timezone: string;
  /** Human label, e.g. "Week of 2026-11-23" or "All time". */
  label: string;
}

/** The period as it appears in an answer. */
export interface PeriodJson {
  type: PeriodType | 'range';
  offset: number;
  start: string | null;
  end: string | null;
  timezone: string;
  label: string;
}

export interface AnalysisContext {
  guildId: string;
  /** The guild's IANA timezone (calendar periods, peak times). */
  timezone: string;
  /** "Now", from the injected clock. */
  now: number;
}

export interface Overview {
  period: PeriodJson;
  total_clips: number;
  total_views: number;
  unique_creators: number;
  unique_games: number;
  date_range: { start: string | null; end: string | null };
  top_game: { name: string; clip_count: number } | null;
  top_creator: { name: string; clip_count: number } | null;
  discord_shares: number;
  discord_reactions: number;
}

export const CREATOR_SORTS = ['clip_count', 'total_views', 'avg_views', 'discord_shares', 'discord_reactions'] as const;
export type CreatorSort = (typeof CREATOR_SORTS)[number];

export interface CreatorRow {
  creator_id: string;
  creator_name: string;
  clip_count: number;
  total_views: number;
  avg_views: number;
  discord_shares: number;
  discord_reactions: number;
  unique_games: number;
  top_game: { id: string; name: string } | null;
}

export interface TopCreators {
  period: PeriodJson;
  sort: CreatorSort;
  creators: CreatorRow[];
}

export const GAME_SORTS = ['clip_count', 'total_views', 'avg_view_count', 'discord_shares', 'discord_reactions'] as const;
export type GameSort = (typeof GAME_SORTS)[number];

export interface GameRow {
  /** '' for clips Twitch gives no game: the "Unknown game" bucket. */
  game_id: string;
  game_name: string;
  clip_count: number;
  total_views: number;
  avg_view_count: number;
  unique_creators: number;
  discord_shares: number;
  discord_reactions: number;
  top_clip: { id: string; title: string; views: number; url: string } | null;
}

export interface TopGames {
  period: PeriodJson;
  sort: GameSort;
  games: GameRow[];
}

export const VIRAL_SORTS = ['view_count', 'discord_reactions', 'view_velocity'] as const;
export type ViralSort = (typeof VIRAL_SORTS)[number];

export interface ViralClip {
  clip_id: string;
  title: string;
  url: string;
  creator_id: string | null;
  creator_name: string | null;
  game_id: string | null;
  game_name: string | null;
  broadcaster_name: string | null;
  view_count: number;
  discord_shares: number;
  discord_reactions: number;
  /** emoji key → count, most used first. */
  reaction_types: Record<string, number>;
  clip_created_at: string | null;
  first_shared_at: string | null;
  thumbnail_url: string | null;
  /** Views per hour over the recent view history; null without enough history points. */
  view_velocity: number | null;
  /** Ranked by a mood (`/viral sort:<mood>`): the clip's reactions of that mood. */
  mood_reactions?: number;
}

export interface ViralClips {
  period: PeriodJson;
  sort: ViralSort;
  min_views: number;
  clips: ViralClip[];
}

export const TIMELINE_BUCKETS = ['day', 'week', 'month'] as const;
export type TimelineBucketSize = (typeof TIMELINE_BUCKETS)[number];

export interface TimelineBucket {
  /** Bucket start in the guild's timezone, as an ISO instant, and its local date (YYYY-MM-DD). */
  start: string;
  date: string;
  clips_created: number;
  views: number;
  discord_shares: number;
  discord_reactions: number;
  /** The bucket's reactions by mood (docs/moods.md), zeros included. */
  moods: MoodCounts;
}

export interface EngagementTimeline {
  bucket: TimelineBucketSize;
  days: number;
  timezone: string;
  buckets: TimelineBucket[];
  /** Where the buckets' moods came from: the stored mood mixes, or the raw reactions (mixes not current). */
  mood_source: 'summaries' | 'raw';
}

export interface PeakTimes {
  period: PeriodJson;
  timezone: string;
  /** Clips created per local hour of day, 0–23. */
  clips_by_hour: number[];
  /** Clips created per ISO weekday, index 0 = Monday … 6 = Sunday. */
  clips_by_weekday: number[];
  /** 7 × 24: [weekday][hour]. */
  clips_matrix: number[][];
  shares_by_hour: number[];
  shares_by_weekday: number[];
  shares_matrix: number[][];
  best_hour: number | null;
  best_weekday: number | null;
}

export interface Change {
  current: number;
  previous: number;
  change: number;
  /** null when the previous value is 0. */
  change_pct: number | null;
}

/**
 * What a comparison sets against what: `to_date` compares the current period so far with the same elapsed span of
 * the previous one (to the same local day and time); `whole` the whole previous period.
 */
export const COMPARE_SPANS = ['to_date', 'whole'] as const;
export type CompareSpan = (typeof COMPARE_SPANS)[number];

/** One side of a comparison: the instants it covers and a short human label ("Dec 1–5"). */
export interface ComparedSpan {
  start: string | null;
  end: string | null;
  label: string;
}

export interface Comparison {
  current: PeriodJson;
  previous: PeriodJson;
  clips: Change;
  views: Change;
  discord_shares: Change;
  discord_reactions: Change;
  unique_creators: Change;
  unique_games: Change;
  /** The span actually compared: `to_date` only while the current period is still running. */
  span: CompareSpan;
  /** "Dec 1–5 vs Nov 1–5", or "December 2026 vs November 2026" for whole periods. */
  label: string;
  compared: { current: ComparedSpan; previous: ComparedSpan };
}

export interface GrowthOpportunities {
  period: PeriodJson;
  /** Games with few clips but high average views. */
  underclipped_games: GameRow[];
  /** Creators with the most Discord engagement per clip. */
  engaging_creators: CreatorRow[];
  /** Clips with many reactions relative to their views. */
  community_favourites: ViralClip[];
}

/** A broadcast of a followed channel, with the guild's clips of it (stream moments). */
export interface StreamRow {
  video_id: string;
  url: string;
  broadcaster_id: string;
  broadcaster_name: string;
  title: string;
  started_at: string;
  duration_seconds: number;
  clips: number;
  views: number;
  /** null for a broadcast of no length. */
  clips_per_hour: number | null;
  /** Seconds from the start to the earliest placed clip; null without one. */
  first_clip_offset_seconds: number | null;
  clips_without_offset: number;
}

export interface StreamThird {
  clips: number;
  clips_per_hour: number | null;
}

/** When in a stream clips happen (docs/analytics.md#stream-moments). */
export interface StreamMoments {
  period: PeriodJson;
  bin_minutes: number;
  /** The guild's counted clips created in the period: placed by Twitch in a broadcast, and not (counted apart). */
  clips: { total: number; placed: number; without_offset: number };
  /** Placed clips per bin of minutes into the stream: index i covers [i × bin_minutes, (i + 1) × bin_minutes). */
  clips_by_bin: number[];
  /** The same per game, for the games with the most placed clips. */
  games_by_bin: { game_id: string; game_name: string; clips: number; clips_by_bin: number[] }[];
  /** The followed channels' broadcasts that started in the period, with all the guild's clips of them. */
  streams: {
    count: number;
    /** More broadcasts started in the period than are analysed (the most recent are). */
    truncated: boolean;
    hours_streamed: number;
    clips: number;
    views: number;
    clips_without_offset: number;
    clips_per_hour: number | null;
    time_to_first_clip: { streams: number; median_seconds: number | null; mean_seconds: number | null };
    thirds: { first: StreamThird; middle: StreamThird; last: StreamThird; beyond_end: number };
  };
  top_by_clips: StreamRow[];
  top_by_views: StreamRow[];
  /** Per game: its clips in the broadcasts, over the hours of the broadcasts that had clips of it. */
  games_per_hour: {
    game_id: string;
    game_name: string;
    streams: number;
    hours_streamed: number;
    clips: number;
    clips_per_hour: number | null;
  }[];
}
