// The single source of truth for Clipscope's tables and indexes; drizzle-kit generates drizzle/ from it.
// Every analytics row carries guild_id: a guild's data is its own. Times are UTC epoch milliseconds.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const ENRICHMENT_STATES = ['pending', 'done', 'not_found', 'failed'] as const;
export type EnrichmentState = (typeof ENRICHMENT_STATES)[number];

/** How a clip or share entered the database. */
export const SOURCES = ['discord', 'import', 'backfill', 'twitch_sync'] as const;
export type Source = (typeof SOURCES)[number];

/** One row per (guild, Twitch clip): the seed's ClipAnalytics, kept in step with shares and reactions. */
export const clips = sqliteTable(
  'clips',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    guildId: text('guild_id').notNull(),
    /** The clip slug, case preserved: Twitch clip ids are case-sensitive. */
    clipId: text('clip_id').notNull(),
    url: text('url').notNull(),
    title: text('title'),
    broadcasterId: text('broadcaster_id'),
    broadcasterName: text('broadcaster_name'),
    creatorId: text('creator_id'),
    creatorName: text('creator_name'),
    /** '' for Twitch's "no game"; the analytics put it in the "Unknown game" bucket. */
    gameId: text('game_id'),
    gameName: text('game_name'),
    viewCount: integer('view_count').notNull().default(0),
    duration: real('duration'),
    thumbnailUrl: text('thumbnail_url'),
    clipCreatedAt: integer('clip_created_at'),
    discordShares: integer('discord_shares').notNull().default(0),
    discordReactions: integer('discord_reactions').notNull().default(0),
    /** JSON object emoji key → count, over the clip's live shares. */
    discordReactionTypes: text('discord_reaction_types').notNull().default('{}'),
    firstSeenAt: integer('first_seen_at').notNull(),
    firstSharedAt: integer('first_shared_at'),
    lastUpdatedAt: integer('last_updated_at').notNull(),
    source: text('source', { enum: SOURCES }).notNull().default('discord'),
    enrichmentState: text('enrichment_state', { enum: ENRICHMENT_STATES }).notNull().default('pending'),
    enrichmentAttempts: integer('enrichment_attempts').notNull().default(0),
    enrichmentError: text('enrichment_error'),
    /** Earliest time the enrichment worker may try this clip again (backoff after a failure). */
    enrichmentNextAttemptAt: integer('enrichment_next_attempt_at').notNull().default(0),
    enrichedAt: integer('enriched_at'),
    viewsRefreshedAt: integer('views_refreshed_at'),
  },
  (t) => [
    uniqueIndex('clips_guild_clip_uq').on(t.guildId, t.clipId),
    index('clips_guild_creator_idx').on(t.guildId, t.creatorId),
    index('clips_guild_game_idx').on(t.guildId, t.gameId),
    index('clips_guild_created_idx').on(t.guildId, t.clipCreatedAt),
    index('clips_guild_views_idx').on(t.guildId, t.viewCount),
    index('clips_clip_id_idx').on(t.clipId),
    index('clips_enrichment_idx').on(t.enrichmentState, t.enrichmentNextAttemptAt),
    // The HTTP cache's per-guild data version reads max(last_updated_at) per guild; this keeps it O(log n).
    index('clips_guild_updated_idx').on(t.guildId, t.lastUpdatedAt),
    // Analytics: a creator's / game's latest name is one index seek; viral clips by reactions without a scan.
    index('clips_guild_creator_created_idx').on(t.guildId, t.creatorId, t.clipCreatedAt),
    index('clips_guild_game_created_idx').on(t.guildId, t.gameId, t.clipCreatedAt),
    index('clips_guild_reactions_idx').on(t.guildId, t.discordReactions),
    // Clips whose game Twitch left unnamed (Get Games left the id out): the few rows the game-name repair looks
    // for on every enrichment run, without walking the table.
    index('clips_unnamed_game_idx').on(t.gameId).where(sql`${t.gameName} IS NULL AND ${t.gameId} <> ''`),
  ],
);

/**
 * The display name of each creator and game of a guild: the name on the guild's most recent clip (by
 * clip_created_at, then clip_id) that has one. Triggers on clips keep it exact (migration 0005), so an answer
 * names its rows with one primary-key read each instead of walking the clips index per name: that walk was 40 %
 * of an uncached leaderboard answer. The migration creates it WITHOUT ROWID (drizzle's schema cannot say so): a
 * lookup is then one b-tree seek instead of two.
 */
export const latestNames = sqliteTable(
  'latest_names',
  {
    guildId: text('guild_id').notNull(),
    kind: text('kind', { enum: ['creator', 'game'] }).notNull(),
    /** creator_id or game_id. */
    entityId: text('entity_id').notNull(),
    name: text('name').notNull(),
    /** The clip the name was taken from, which decides whether a newer clip replaces it. */
    clipCreatedAt: integer('clip_created_at').notNull(),
    clipId: text('clip_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.kind, t.entityId] })],
);

/** One row per (message, clip). A clip posted in three messages has three shares; edits never add a second. */
export const shares = sqliteTable(
  'shares',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    guildId: text('guild_id').notNull(),
    /** The parent channel for threads and forum posts, so they count as their channel's. */
    channelId: text('channel_id').notNull(),
    /** The thread the message was posted in, when it was in one. */
    threadId: text('thread_id'),
    messageId: text('message_id').notNull(),
    clipId: text('clip_id').notNull(),
    authorId: text('author_id').notNull(),
    authorName: text('author_name').notNull(),
    authorIsBot: integer('author_is_bot', { mode: 'boolean' }).notNull().default(false),
    postedAt: integer('posted_at').notNull(),
    /** Set when the message is deleted or an edit removes the link; the share then stops counting. */
    deletedAt: integer('deleted_at'),
    source: text('source', { enum: SOURCES }).notNull().default('discord'),
  },
  (t) => [
    uniqueIndex('shares_message_clip_uq').on(t.messageId, t.clipId),
    index('shares_guild_clip_idx').on(t.guildId, t.clipId),
    index('shares_guild_posted_idx').on(t.guildId, t.postedAt),
    index('shares_guild_author_idx').on(t.guildId, t.authorId),
  ],
);

/** One row per (message, emoji, user): adds and removes are idempotent and replays are safe. */
export const reactions = sqliteTable(
  'reactions',
  {
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    messageId: text('message_id').notNull(),
    /** The unicode character, or `name:id` for a custom emoji. */
    emojiKey: text('emoji_key').notNull(),
    userId: text('user_id').notNull(),
    reactedAt: integer('reacted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.emojiKey, t.userId] }), index('reactions_guild_reacted_idx').on(t.guildId, t.reactedAt)],
);

/**
 * Reaction counts known only as numbers (an export without `users`): reactions by users we cannot name.
 * Live events by named users are added on top; a remove by a user we never saw takes one from here.
 */
export const reactionBaselines = sqliteTable(
  'reaction_baselines',
  {
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    messageId: text('message_id').notNull(),
    emojiKey: text('emoji_key').notNull(),
    anonymousCount: integer('anonymous_count').notNull(),
    observedAt: integer('observed_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.emojiKey] }),
    // Analytics place anonymous counts in periods by observed_at.
    index('reaction_baselines_guild_observed_idx').on(t.guildId, t.observedAt),
  ],
);

/** Twitch view counts over time, for view velocity (early viral detection). One row per clip and observation. */
export const clipViewHistory = sqliteTable(
  'clip_view_history',
  {
    clipId: text('clip_id').notNull(),
    observedAt: integer('observed_at').notNull(),
    viewCount: integer('view_count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clipId, t.observedAt] })],
);

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
    // One index per leaderboard sort, so a top-N read stops after N rows.
    index('game_analytics_views_idx').on(t.guildId, t.periodType, t.periodStart, t.totalViews),
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
 * Capture and enrichment mark them; the incremental aggregator maps them to the period buckets to redo.
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

/**
 * How capture writes changed the Discord engagement each local day counts, since the aggregator last carried that
 * day forward: per guild, instant and clip, the change in active shares and in reactions placed there (a share's
 * post time, a reaction's time, an imported count's observation time). Capture computes it exactly, as each
 * touched message's engagement after the write minus before it. For a day whose dirty hours are all
 * engagement-only, the aggregator adds these changes (attributed to the clip's current game and creator) to the
 * stored day instead of re-reading the day's shares and reactions, and deletes them with the day's pending mark.
 * The migration creates it WITHOUT ROWID (drizzle's schema cannot say so): the key is the whole row, and a rowid
 * table would store it twice (table and key index), ≈ 360 B per clip in a freshly generated community.
 */
export const engagementChanges = sqliteTable(
  'engagement_changes',
  {
    guildId: text('guild_id').notNull(),
    at: integer('at').notNull(),
    clipId: text('clip_id').notNull(),
    shares: integer('shares').notNull(),
    reactions: integer('reactions').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.at, t.clipId] })],
);

/** Per-guild configuration; absent row = defaults. */
export const guildSettings = sqliteTable('guild_settings', {
  guildId: text('guild_id').primaryKey(),
  guildName: text('guild_name'),
  /** JSON array of channel ids; empty = every channel the bot can see. */
  captureChannelIds: text('capture_channel_ids').notNull().default('[]'),
  includeBots: integer('include_bots', { mode: 'boolean' }).notNull().default(false),
  timezone: text('timezone').notNull().default('UTC'),
  digestChannelId: text('digest_channel_id'),
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  digestWeekday: integer('digest_weekday').notNull().default(1),
  digestHour: integer('digest_hour').notNull().default(10),
  digestEnabled: integer('digest_enabled', { mode: 'boolean' }).notNull().default(true),
  digestLastError: text('digest_last_error'),
  updatedAt: integer('updated_at').notNull(),
});

/** Twitch channels a guild follows for the full clip sync. */
export const twitchChannels = sqliteTable(
  'twitch_channels',
  {
    guildId: text('guild_id').notNull(),
    broadcasterId: text('broadcaster_id').notNull(),
    broadcasterLogin: text('broadcaster_login').notNull(),
    broadcasterName: text('broadcaster_name').notNull(),
    addedAt: integer('added_at').notNull(),
    /** created_at of the newest clip seen by the last complete sync; the next run starts a little before it. */
    syncedThrough: integer('synced_through'),
    lastSyncAt: integer('last_sync_at'),
    lastSyncError: text('last_sync_error'),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.broadcasterId] })],
);

/** Weekly digests already posted: exactly one per guild and ISO week, even across restarts or instances. */
export const digestPosts = sqliteTable(
  'digest_posts',
  {
    guildId: text('guild_id').notNull(),
    /** Start of the covered ISO week in the guild's timezone, epoch ms. */
    weekStart: integer('week_start').notNull(),
    channelId: text('channel_id').notNull(),
    messageId: text('message_id'),
    status: text('status', { enum: ['claimed', 'posted', 'failed'] }).notNull(),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.weekStart] })],
);

/** HTTP API tokens: stored only as a SHA-256 hash; each scoped to exactly one guild. */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    guildId: text('guild_id').notNull(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** First characters of the token, to tell tokens apart in listings. */
    prefix: text('prefix').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash), index('api_tokens_guild_idx').on(t.guildId)],
);

/** Resumable history crawls: the oldest message reached per channel. */
export const backfillCheckpoints = sqliteTable('backfill_checkpoints', {
  channelId: text('channel_id').primaryKey(),
  guildId: text('guild_id').notNull(),
  /** The oldest message id processed so far; the crawl continues with before=this. */
  beforeMessageId: text('before_message_id'),
  /** Stop when messages are older than this (epoch ms), if set. */
  sinceTs: integer('since_ts'),
  messagesScanned: integer('messages_scanned').notNull().default(0),
  sharesFound: integer('shares_found').notNull().default(0),
  completedAt: integer('completed_at'),
  updatedAt: integer('updated_at').notNull(),
});

/** Files imported from DiscordChatExporter: how far each got, so an interrupted import can resume. */
export const importRuns = sqliteTable('import_runs', {
  filePath: text('file_path').primaryKey(),
  guildId: text('guild_id').notNull(),
  channelId: text('channel_id').notNull(),
  fileSize: integer('file_size').notNull(),
  messagesImported: integer('messages_imported').notNull().default(0),
  lastMessageId: text('last_message_id'),
  completedAt: integer('completed_at'),
  updatedAt: integer('updated_at').notNull(),
  /** Byte offset just after the last committed message: an interrupted import of a multi-GB file seeks here. */
  byteOffset: integer('byte_offset').notNull().default(0),
});

/**
 * When an import or a crawl last saw a clip message's content (export time / fetch time), so that importing an
 * older export after a newer one (overlapping exports) never reverts what the newer one recorded.
 */
export const messageObservations = sqliteTable('message_observations', {
  messageId: text('message_id').primaryKey(),
  guildId: text('guild_id').notNull(),
  observedAt: integer('observed_at').notNull(),
});

/** Background jobs' last runs and errors, for /clipscope-admin status and /healthz. */
export const jobRuns = sqliteTable('job_runs', {
  job: text('job').primaryKey(),
  lastStartedAt: integer('last_started_at'),
  lastFinishedAt: integer('last_finished_at'),
  lastError: text('last_error'),
  lastSummary: text('last_summary'),
});

/**
 * Games that Get Games left out (a game Twitch no longer knows, or a short answer), so that their clips' names are
 * asked for again after a back-off (src/twitch/game-name-repair.ts) instead of with every batch, or never.
 */
export const gameNameMisses = sqliteTable('game_name_misses', {
  gameId: text('game_id').primaryKey(),
  /** Lookups in a row that left the game out. */
  misses: integer('misses').notNull(),
  firstMissedAt: integer('first_missed_at').notNull(),
  lastMissedAt: integer('last_missed_at').notNull(),
  /** Earliest time the game is asked about again. */
  nextTryAt: integer('next_try_at').notNull(),
});
