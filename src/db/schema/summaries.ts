// The aggregator's tables: per-period summaries the reads answer from, their stored facts and state, and the dirty
// hours and pending buckets still to recompute.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** The seed's per-game summary, one row per (guild, game, period). */
export const gameAnalytics = sqliteTable(
  'game_analytics',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    guildId: text('guild_id').notNull(),
    gameId: text('game_id').notNull(),
    gameName: text('game_name').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end'),
    clipCount: integer('clip_count').notNull().default(0),
    totalViews: integer('total_views').notNull().default(0),
    avgViewCount: real('avg_view_count').notNull().default(0),
    uniqueCreators: integer('unique_creators').notNull().default(0),
    discordShares: integer('discord_shares').notNull().default(0),
    discordReactions: integer('discord_reactions').notNull().default(0),
    topClipId: text('top_clip_id'),
    topClipTitle: text('top_clip_title'),
    topClipViews: integer('top_clip_views'),
    computedAt: integer('computed_at').notNull(),
  },
  (t) => [
    uniqueIndex('game_analytics_uq').on(t.guildId, t.gameId, t.periodType, t.periodStart),
    index('game_analytics_rank_idx').on(t.guildId, t.periodType, t.periodStart, t.clipCount),
    // One index per leaderboard sort, so a top-N read stops after N rows. None for total_views: SQLite never chose
    // it (its sort has ties after views, so it sorts the period's rows either way), ADR 0041.
    index('game_analytics_avg_idx').on(t.guildId, t.periodType, t.periodStart, t.avgViewCount),
    index('game_analytics_shares_idx').on(t.guildId, t.periodType, t.periodStart, t.discordShares),
    index('game_analytics_reactions_idx').on(t.guildId, t.periodType, t.periodStart, t.discordReactions),
  ],
);

/** The seed's per-creator summary, one row per (guild, creator, period). */
export const creatorAnalytics = sqliteTable(
  'creator_analytics',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    guildId: text('guild_id').notNull(),
    creatorId: text('creator_id').notNull(),
    creatorName: text('creator_name').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end'),
    clipCount: integer('clip_count').notNull().default(0),
    totalViews: integer('total_views').notNull().default(0),
    avgViews: real('avg_views').notNull().default(0),
    discordShares: integer('discord_shares').notNull().default(0),
    discordReactions: integer('discord_reactions').notNull().default(0),
    uniqueGames: integer('unique_games').notNull().default(0),
    topGameId: text('top_game_id'),
    topGameName: text('top_game_name'),
    computedAt: integer('computed_at').notNull(),
  },
  (t) => [
    uniqueIndex('creator_analytics_uq').on(t.guildId, t.creatorId, t.periodType, t.periodStart),
    // One index per leaderboard sort, in the exact order topCreators reads (the sort column descending, then
    // clip_count descending, then creator_id), so a top-N read walks N index entries instead of sorting every
    // creator of the period in a temporary b-tree (the HTTP API's uncached p99 depends on it).
    index('creator_analytics_rank_idx').on(t.guildId, t.periodType, t.periodStart, sql`${t.clipCount} DESC`, t.creatorId),
    index('creator_analytics_views_idx').on(
      t.guildId,
      t.periodType,
      t.periodStart,
      sql`${t.totalViews} DESC`,
      sql`${t.clipCount} DESC`,
      t.creatorId,
    ),
    index('creator_analytics_avg_idx').on(
      t.guildId,
      t.periodType,
      t.periodStart,
      sql`${t.avgViews} DESC`,
      sql`${t.clipCount} DESC`,
      t.creatorId,
    ),
    index('creator_analytics_shares_idx').on(
      t.guildId,
      t.periodType,
      t.periodStart,
      sql`${t.discordShares} DESC`,
      sql`${t.clipCount} DESC`,
      t.creatorId,
    ),
    index('creator_analytics_reactions_idx').on(
      t.guildId,
      t.periodType,
      t.periodStart,
      sql`${t.discordReactions} DESC`,
      sql`${t.clipCount} DESC`,
      t.creatorId,
    ),
  ],
);

/**
 * Per-guild totals of one period bucket (day, week, month, all_time): the overview's numbers and the timeline's
 * buckets. Kept beside game_analytics because shares and reactions of clips not yet enriched count here too.
 */
export const guildPeriodStats = sqliteTable(
  'guild_period_stats',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    /** Bucket start (epoch ms, local midnight in the guild's timezone); 0 for all_time. */
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end'),
    clipCount: integer('clip_count').notNull(),
    totalViews: integer('total_views').notNull(),
    uniqueCreators: integer('unique_creators').notNull(),
    uniqueGames: integer('unique_games').notNull(),
    discordShares: integer('discord_shares').notNull(),
    discordReactions: integer('discord_reactions').notNull(),
    firstClipAt: integer('first_clip_at'),
    lastClipAt: integer('last_clip_at'),
    computedAt: integer('computed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.periodType, t.periodStart] })],
);

/** Clip creations and Discord shares per local weekday (0 = Monday) and hour for each period bucket: peak times. */
export const guildPeakActivity = sqliteTable(
  'guild_peak_activity',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: integer('period_start').notNull(),
    weekday: integer('weekday').notNull(),
    hour: integer('hour').notNull(),
    clips: integer('clips').notNull(),
    shares: integer('shares').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.periodType, t.periodStart, t.weekday, t.hour] })],
);

/**
 * Which period types of a guild the summary tables hold, and in which timezone they were cut. Reads use the
 * summaries only when a row matches the guild's current timezone; otherwise they compute from the raw tables.
 */
export const analyticsState = sqliteTable(
  'analytics_state',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    timezone: text('timezone').notNull(),
    lastFullAt: integer('last_full_at').notNull(),
    lastRunAt: integer('last_run_at').notNull(),
    /**
     * Which layout of the aggregator's stored facts the guild's summaries were built with (analytics/aggregate.ts
     * FACTS_VERSION). Summaries from an older layout lack the day facts incremental runs carry forward from, so
     * the next run rebuilds the guild.
     */
    factsVersion: integer('facts_version').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.periodType] })],
);

/**
 * The aggregator's building blocks: clips, views, shares and reactions per (guild, bucket, game, creator) for
 * every day, week, month and all_time bucket. A dirty day is recomputed from the raw tables and the difference
 * is added to its week, month and all_time here, so an incremental run costs what changed, not the bucket's size;
 * the pairs say how many distinct creators a game has (and games a creator) without rereading a period.
 * Days hold every pair with clips or engagement; weeks, months and all_time only pairs with clips, with shares
 * and reactions 0 (analytics/aggregate.ts FACTS_VERSION 2), so engagement never writes them above the day.
 */
export const analyticsPairFacts = sqliteTable(
  'analytics_pair_facts',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: integer('period_start').notNull(),
    /** '' for the "Unknown game" bucket, as in game_analytics. */
    gameId: text('game_id').notNull(),
    creatorId: text('creator_id').notNull(),
    clipCount: integer('clip_count').notNull(),
    totalViews: integer('total_views').notNull(),
    discordShares: integer('discord_shares').notNull(),
    discordReactions: integer('discord_reactions').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.periodType, t.periodStart, t.gameId, t.creatorId] }),
    // A creator's top game in a bucket: the creator's pairs, without reading the bucket.
    index('analytics_pair_facts_creator_idx').on(t.guildId, t.periodType, t.periodStart, t.creatorId),
  ],
);

/**
 * The most viewed counted clip of each game on each local day: a week's, month's or all_time's top clip of a game
 * is the best of its days', found without reading the game's clips.
 */
export const analyticsDayTopClips = sqliteTable(
  'analytics_day_top_clips',
  {
    guildId: text('guild_id').notNull(),
    gameId: text('game_id').notNull(),
    dayStart: integer('day_start').notNull(),
    clipId: text('clip_id').notNull(),
    title: text('title').notNull(),
    views: integer('views').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.gameId, t.dayStart] }),
    index('analytics_day_top_clips_day_idx').on(t.guildId, t.dayStart),
    // all_time's top clip of a game: one seek to the game's most viewed day top.
    index('analytics_day_top_clips_views_idx').on(t.guildId, t.gameId, t.views),
  ],
);

/**
 * Buckets still to recompute: dirty hours are turned into these (and deleted) in one transaction, and each
 * (guild, period type) transaction recomputes its buckets and deletes them, so a crash never loses a change.
 */
export const aggregationPending = sqliteTable(
  'aggregation_pending',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: integer('period_start').notNull(),
    /**
     * 1 when only Discord engagement (shares, reactions) changed in the bucket since it was last computed, so its
     * journaled engagement changes are carried into it; 0 when clip metadata may have changed too (the whole
     * bucket is recomputed from the raw tables). Merged: any 0 wins.
     */
    engagementOnly: integer('engagement_only').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.periodType, t.periodStart] })],
);

/**
 * Hours (UTC, floored) in which a guild's raw data changed since the last aggregation run.
 * Capture and enrichment mark them; the incremental aggregator maps them to the period buckets to redo. WITHOUT ROWID
 * since the `footprint` migration (the key is the row; ADR 0041).
 */
export const dirtyHours = sqliteTable(
  'dirty_hours',
  {
    guildId: text('guild_id').notNull(),
    hourStart: integer('hour_start').notNull(),
    /**
     * 1 when only capture wrote in the hour (shares, reactions, deletions: what Discord users do), 0 when clip
     * metadata changed (enrichment, view refreshes, clips gone from Twitch). Rows from before the column were 0,
     * the safe side. Merged: any 0 wins. See analytics/aggregate.ts.
     */
    engagementOnly: integer('engagement_only').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.hourStart] })],
);
