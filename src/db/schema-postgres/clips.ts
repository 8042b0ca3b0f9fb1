// Twitch clips as every guild records them, on PostgreSQL: the twin of src/db/schema/clips.ts (the column comments
// there say what each column holds). Every key of guild data begins with guild_id (a Citus distribution column);
// clip_view_history and game_name_misses are Twitch data shared by all guilds (reference tables under Citus).
import { sql } from 'drizzle-orm';
import { doublePrecision, index, integer, jsonb, pgTable, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import type { EnrichmentState, Source } from '../schema/clips';
import { bigCount, identity, millis, text } from './types';

export const clips = pgTable(
  'clips',
  {
    id: identity('id'),
    guildId: text('guild_id').notNull(),
    clipId: text('clip_id').notNull(),
    url: text('url').notNull(),
    title: text('title'),
    broadcasterId: text('broadcaster_id'),
    broadcasterName: text('broadcaster_name'),
    creatorId: text('creator_id'),
    creatorName: text('creator_name'),
    gameId: text('game_id'),
    gameName: text('game_name'),
    viewCount: bigCount('view_count').notNull().default(0),
    /** Seconds (Twitch sends a float). */
    duration: doublePrecision('duration'),
    thumbnailUrl: text('thumbnail_url'),
    clipCreatedAt: millis('clip_created_at'),
    discordShares: integer('discord_shares').notNull().default(0),
    discordReactions: integer('discord_reactions').notNull().default(0),
    /** Emoji key → count over the clip's live shares (SQLite: the same object as JSON text). */
    discordReactionTypes: jsonb('discord_reaction_types').$type<Record<string, number>>().notNull().default({}),
    firstSeenAt: millis('first_seen_at').notNull(),
    firstSharedAt: millis('first_shared_at'),
    lastUpdatedAt: millis('last_updated_at').notNull(),
    source: text('source').$type<Source>().notNull().default('discord'),
    enrichmentState: text('enrichment_state').$type<EnrichmentState>().notNull().default('pending'),
    enrichmentAttempts: integer('enrichment_attempts').notNull().default(0),
    enrichmentError: text('enrichment_error'),
    enrichmentNextAttemptAt: millis('enrichment_next_attempt_at').notNull().default(0),
    enrichedAt: millis('enriched_at'),
    viewsRefreshedAt: millis('views_refreshed_at'),
    videoId: text('video_id'),
    /** Seconds into the broadcast. */
    vodOffset: integer('vod_offset'),
  },
  (t) => [
    primaryKey({ name: 'clips_pkey', columns: [t.guildId, t.id] }),
    uniqueIndex('clips_guild_clip_uq').on(t.guildId, t.clipId),
    // (guild, creator) and (guild, game) are served by the two (…, clip_created_at) indexes below (ADR 0041).
    index('clips_guild_created_idx').on(t.guildId, t.clipCreatedAt),
    index('clips_guild_views_idx').on(t.guildId, t.viewCount),
    index('clips_clip_id_idx').on(t.clipId),
    index('clips_enrichment_idx').on(t.enrichmentState, t.enrichmentNextAttemptAt),
    index('clips_guild_updated_idx').on(t.guildId, t.lastUpdatedAt),
    index('clips_guild_creator_created_idx').on(t.guildId, t.creatorId, t.clipCreatedAt),
    index('clips_guild_game_created_idx').on(t.guildId, t.gameId, t.clipCreatedAt),
    index('clips_guild_reactions_idx').on(t.guildId, t.discordReactions),
    index('clips_guild_video_idx').on(t.guildId, t.videoId),
    index('clips_unnamed_game_idx').on(t.gameId).where(sql`${t.gameName} IS NULL AND ${t.gameId} <> ''`),
  ],
);

/**
 * The display name of each creator and game of a guild, kept exact by the PL/pgSQL triggers on clips of
 * drizzle/postgres (the twins of SQLite's migrations 0005 and 0007).
 */
export const latestNames = pgTable(
  'latest_names',
  {
    guildId: text('guild_id').notNull(),
    kind: text('kind').$type<'creator' | 'game'>().notNull(),
    entityId: text('entity_id').notNull(),
    name: text('name').notNull(),
    clipCreatedAt: millis('clip_created_at').notNull(),
    clipId: text('clip_id').notNull(),
  },
  (t) => [primaryKey({ name: 'latest_names_pkey', columns: [t.guildId, t.kind, t.entityId] })],
);

/** Twitch view counts over time, per Twitch clip (shared by the guilds that have the clip). */
export const clipViewHistory = pgTable(
  'clip_view_history',
  {
    clipId: text('clip_id').notNull(),
    observedAt: millis('observed_at').notNull(),
    viewCount: bigCount('view_count').notNull(),
  },
  (t) => [primaryKey({ name: 'clip_view_history_pkey', columns: [t.clipId, t.observedAt] })],
);

export const twitchChannels = pgTable(
  'twitch_channels',
  {
    guildId: text('guild_id').notNull(),
    broadcasterId: text('broadcaster_id').notNull(),
    broadcasterLogin: text('broadcaster_login').notNull(),
    broadcasterName: text('broadcaster_name').notNull(),
    addedAt: millis('added_at').notNull(),
    syncedThrough: millis('synced_through'),
    lastSyncAt: millis('last_sync_at'),
    lastSyncError: text('last_sync_error'),
  },
  (t) => [primaryKey({ name: 'twitch_channels_pkey', columns: [t.guildId, t.broadcasterId] })],
);

/** Games that Get Games left out (Twitch data, shared by all guilds). */
export const gameNameMisses = pgTable('game_name_misses', {
  gameId: text('game_id').primaryKey(),
  misses: integer('misses').notNull(),
  firstMissedAt: millis('first_missed_at').notNull(),
  lastMissedAt: millis('last_missed_at').notNull(),
  nextTryAt: millis('next_try_at').notNull(),
});

/** The past broadcasts of the channels a guild follows (guild data, keyed by guild like twitch_channels). */
export const twitchVideos = pgTable(
  'twitch_videos',
  {
    guildId: text('guild_id').notNull(),
    videoId: text('video_id').notNull(),
    broadcasterId: text('broadcaster_id').notNull(),
    broadcasterName: text('broadcaster_name').notNull(),
    streamId: text('stream_id'),
    title: text('title').notNull(),
    startedAt: millis('started_at').notNull(),
    durationSeconds: integer('duration_seconds').notNull(),
    fetchedAt: millis('fetched_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'twitch_videos_pkey', columns: [t.guildId, t.videoId] }),
    index('twitch_videos_guild_started_idx').on(t.guildId, t.startedAt),
  ],
);
