// Twitch clips as every guild records them: the clips table, the creator and game names kept from it, view history,
// the Twitch channels a guild follows, and the games Twitch left unnamed.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const ENRICHMENT_STATES = ['pending', 'done', 'not_found', 'failed'] as const;
export type EnrichmentState = (typeof ENRICHMENT_STATES)[number];

/**
 * How a clip or share entered the database. 'feed': a clip feed's own post, recorded as a share by the bot so that
 * reactions on it count (docs/feed.md).
 */
export const SOURCES = ['discord', 'import', 'backfill', 'twitch_sync', 'feed'] as const;
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
    /** The broadcast (Twitch video id) the clip was taken from; null when Twitch names none (no VOD kept). */
    videoId: text('video_id'),
    /** Seconds into that broadcast where the clip starts; null when the VOD is gone or not yet processed. */
    vodOffset: integer('vod_offset'),
  },
  (t) => [
    uniqueIndex('clips_guild_clip_uq').on(t.guildId, t.clipId),
    // (guild, creator) and (guild, game) are served by the two (…, clip_created_at) indexes below (ADR 0041).
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
    // Stream moments: a stream's clips, read per guild and video.
    index('clips_guild_video_idx').on(t.guildId, t.videoId),
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

/**
 * Twitch view counts over time, for view velocity (early viral detection). One row per clip and observation; old
 * readings are thinned to one a day by the refresh job (stores/twitch-clips/view-thinning.ts). The `footprint`
 * migration makes it WITHOUT ROWID (drizzle's schema cannot say so): the key is nearly the whole row, and a rowid
 * table stored it twice (ADR 0041).
 */
export const clipViewHistory = sqliteTable(
  'clip_view_history',
  {
    clipId: text('clip_id').notNull(),
    observedAt: integer('observed_at').notNull(),
    viewCount: integer('view_count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clipId, t.observedAt] })],
);

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

/**
 * The past broadcasts (Get Videos, type=archive) of the channels a guild follows, fetched by the channel sync. Keyed
 * by guild like the channels themselves, so every read of them is a guild's own (docs/adr/0018-stream-moments.md).
 */
export const twitchVideos = sqliteTable(
  'twitch_videos',
  {
    guildId: text('guild_id').notNull(),
    videoId: text('video_id').notNull(),
    broadcasterId: text('broadcaster_id').notNull(),
    broadcasterName: text('broadcaster_name').notNull(),
    /** Twitch's stream id, when it gives one. */
    streamId: text('stream_id'),
    title: text('title').notNull(),
    /** When the broadcast started (the video's created_at), epoch ms. */
    startedAt: integer('started_at').notNull(),
    /** Length of the broadcast in seconds (Twitch sends e.g. "3h8m33s"). */
    durationSeconds: integer('duration_seconds').notNull(),
    fetchedAt: integer('fetched_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.videoId] }), index('twitch_videos_guild_started_idx').on(t.guildId, t.startedAt)],
);
