// The aggregator's tables on PostgreSQL: the twin of src/db/schema/summaries.ts (the comments there say what each
// holds). All guild data, keyed (guild_id, …). SQLite's 0/1 engagement_only flags are booleans here ("any 0 wins"
// is AND, or least()); view totals are bigint (a guild's all-time views pass 2^31).
import { boolean, doublePrecision, index, integer, pgTable, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import { bigCount, identity, millis, text } from './types';

export const gameAnalytics = pgTable(
  'game_analytics',
  {
    id: identity('id'),
    guildId: text('guild_id').notNull(),
    gameId: text('game_id').notNull(),
    gameName: text('game_name').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: millis('period_start').notNull(),
    periodEnd: millis('period_end'),
    clipCount: integer('clip_count').notNull().default(0),
    totalViews: bigCount('total_views').notNull().default(0),
    avgViewCount: doublePrecision('avg_view_count').notNull().default(0),
    uniqueCreators: integer('unique_creators').notNull().default(0),
    discordShares: integer('discord_shares').notNull().default(0),
    discordReactions: integer('discord_reactions').notNull().default(0),
    topClipId: text('top_clip_id'),
    topClipTitle: text('top_clip_title'),
    topClipViews: bigCount('top_clip_views'),
    computedAt: millis('computed_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'game_analytics_pkey', columns: [t.guildId, t.id] }),
    uniqueIndex('game_analytics_uq').on(t.guildId, t.gameId, t.periodType, t.periodStart),
    index('game_analytics_rank_idx').on(t.guildId, t.periodType, t.periodStart, t.clipCount),
    index('game_analytics_views_idx').on(t.guildId, t.periodType, t.periodStart, t.totalViews),
    index('game_analytics_avg_idx').on(t.guildId, t.periodType, t.periodStart, t.avgViewCount),
    index('game_analytics_shares_idx').on(t.guildId, t.periodType, t.periodStart, t.discordShares),
    index('game_analytics_reactions_idx').on(t.guildId, t.periodType, t.periodStart, t.discordReactions),
  ],
);

export const creatorAnalytics = pgTable(
  'creator_analytics',
  {
    id: identity('id'),
    guildId: text('guild_id').notNull(),
    creatorId: text('creator_id').notNull(),
    creatorName: text('creator_name').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: millis('period_start').notNull(),
    periodEnd: millis('period_end'),
    clipCount: integer('clip_count').notNull().default(0),
    totalViews: bigCount('total_views').notNull().default(0),
    avgViews: doublePrecision('avg_views').notNull().default(0),
    discordShares: integer('discord_shares').notNull().default(0),
    discordReactions: integer('discord_reactions').notNull().default(0),
    uniqueGames: integer('unique_games').notNull().default(0),
    topGameId: text('top_game_id'),
    topGameName: text('top_game_name'),
    computedAt: millis('computed_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'creator_analytics_pkey', columns: [t.guildId, t.id] }),
    uniqueIndex('creator_analytics_uq').on(t.guildId, t.creatorId, t.periodType, t.periodStart),
    // In the exact order topCreators reads (as on SQLite), so a top-N read walks N index entries. NULLS FIRST is
    // what a plain DESC means in PostgreSQL: an index ordered DESC NULLS LAST would not serve ORDER BY … DESC.
    index('creator_analytics_rank_idx').on(t.guildId, t.periodType, t.periodStart, t.clipCount.desc().nullsFirst(), t.creatorId),
    index('creator_analytics_views_idx').on(
      t.guildId,
      t.periodType,
      t.periodStart,
      t.totalViews.desc().nullsFirst(),
      t.clipCount.desc().nullsFirst(),
      t.creatorId,
    ),
    index('creator_analytics_avg_idx').on(
      t.guildId,
      t.periodType,
      t.periodStart,
      t.avgViews.desc().nullsFirst(),
      t.clipCount.desc().nullsFirst(),
      t.creatorId,
    ),
    index('creator_analytics_shares_idx').on(
      t.guildId,
      t.periodType,
      t.periodStart,
      t.discordShares.desc().nullsFirst(),
      t.clipCount.desc().nullsFirst(),
      t.creatorId,
    ),
    index('creator_analytics_reactions_idx').on(
      t.guildId,
      t.periodType,
      t.periodStart,
      t.discordReactions.desc().nullsFirst(),
      t.clipCount.desc().nullsFirst(),
      t.creatorId,
    ),
  ],
);

export const guildPeriodStats = pgTable(
  'guild_period_stats',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: millis('period_start').notNull(),
    periodEnd: millis('period_end'),
    clipCount: integer('clip_count').notNull(),
    totalViews: bigCount('total_views').notNull(),
    uniqueCreators: integer('unique_creators').notNull(),
    uniqueGames: integer('unique_games').notNull(),
    discordShares: integer('discord_shares').notNull(),
    discordReactions: integer('discord_reactions').notNull(),
    firstClipAt: millis('first_clip_at'),
    lastClipAt: millis('last_clip_at'),
    computedAt: millis('computed_at').notNull(),
  },
  (t) => [primaryKey({ name: 'guild_period_stats_pkey', columns: [t.guildId, t.periodType, t.periodStart] })],
);

export const guildPeakActivity = pgTable(
  'guild_peak_activity',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: millis('period_start').notNull(),
    weekday: integer('weekday').notNull(),
    hour: integer('hour').notNull(),
    clips: integer('clips').notNull(),
    shares: integer('shares').notNull(),
  },
  (t) => [primaryKey({ name: 'guild_peak_activity_pkey', columns: [t.guildId, t.periodType, t.periodStart, t.weekday, t.hour] })],
);

export const analyticsState = pgTable(
  'analytics_state',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    timezone: text('timezone').notNull(),
    lastFullAt: millis('last_full_at').notNull(),
    lastRunAt: millis('last_run_at').notNull(),
    factsVersion: integer('facts_version').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'analytics_state_pkey', columns: [t.guildId, t.periodType] })],
);

export const analyticsPairFacts = pgTable(
  'analytics_pair_facts',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: millis('period_start').notNull(),
    gameId: text('game_id').notNull(),
    creatorId: text('creator_id').notNull(),
    clipCount: integer('clip_count').notNull(),
    totalViews: bigCount('total_views').notNull(),
    discordShares: integer('discord_shares').notNull(),
    discordReactions: integer('discord_reactions').notNull(),
  },
  (t) => [
    primaryKey({ name: 'analytics_pair_facts_pkey', columns: [t.guildId, t.periodType, t.periodStart, t.gameId, t.creatorId] }),
    index('analytics_pair_facts_creator_idx').on(t.guildId, t.periodType, t.periodStart, t.creatorId),
  ],
);

export const analyticsDayTopClips = pgTable(
  'analytics_day_top_clips',
  {
    guildId: text('guild_id').notNull(),
    gameId: text('game_id').notNull(),
    dayStart: millis('day_start').notNull(),
    clipId: text('clip_id').notNull(),
    title: text('title').notNull(),
    views: bigCount('views').notNull(),
  },
  (t) => [
    primaryKey({ name: 'analytics_day_top_clips_pkey', columns: [t.guildId, t.gameId, t.dayStart] }),
    index('analytics_day_top_clips_day_idx').on(t.guildId, t.dayStart),
    index('analytics_day_top_clips_views_idx').on(t.guildId, t.gameId, t.views),
  ],
);

export const aggregationPending = pgTable(
  'aggregation_pending',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: millis('period_start').notNull(),
    engagementOnly: boolean('engagement_only').notNull().default(false),
  },
  (t) => [primaryKey({ name: 'aggregation_pending_pkey', columns: [t.guildId, t.periodType, t.periodStart] })],
);

export const dirtyHours = pgTable(
  'dirty_hours',
  {
    guildId: text('guild_id').notNull(),
    hourStart: millis('hour_start').notNull(),
    engagementOnly: boolean('engagement_only').notNull().default(false),
  },
  (t) => [primaryKey({ name: 'dirty_hours_pkey', columns: [t.guildId, t.hourStart] })],
);
