// The clip feed on PostgreSQL: the twin of src/db/schema/feeds.ts.
import { boolean, doublePrecision, index, integer, pgTable, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import type { FeedPauseCause, FeedPostKind, FeedPostState } from '../schema/feeds';
import { bigCount, identity, millis, text } from './types';

export const feeds = pgTable(
  'feeds',
  {
    id: identity('id'),
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    broadcasterId: text('broadcaster_id').notNull(),
    broadcasterLogin: text('broadcaster_login').notNull(),
    broadcasterName: text('broadcaster_name').notNull(),
    minViews: bigCount('min_views').notNull().default(0),
    /** JSON text as on SQLite: read whole, never queried inside, so one statement text serves both engines. */
    games: text('games').notNull().default('[]'),
    excludeGames: text('exclude_games').notNull().default('[]'),
    creatorsExclude: text('creators_exclude').notNull().default('[]'),
    maxPerHour: integer('max_per_hour'),
    mentionRoleId: text('mention_role_id'),
    postMemberShared: boolean('post_member_shared').notNull().default(true),
    takingOff: boolean('taking_off').notNull().default(true),
    alertChannelId: text('alert_channel_id'),
    paused: boolean('paused').notNull().default(false),
    pauseCause: text('pause_cause').$type<FeedPauseCause>(),
    pauseReason: text('pause_reason'),
    startsAt: millis('starts_at').notNull(),
    createdAt: millis('created_at').notNull(),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'feeds_pkey', columns: [t.guildId, t.id] }),
    index('feeds_guild_idx').on(t.guildId, t.channelId),
    index('feeds_broadcaster_idx').on(t.guildId, t.broadcasterId),
  ],
);

export const feedPosts = pgTable(
  'feed_posts',
  {
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    clipId: text('clip_id').notNull(),
    kind: text('kind').$type<FeedPostKind>().notNull(),
    feedId: bigCount('feed_id').notNull(),
    state: text('state').$type<FeedPostState>().notNull(),
    nonce: text('nonce').notNull(),
    messageId: text('message_id'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    claimedAt: millis('claimed_at').notNull(),
    sentAt: millis('sent_at'),
  },
  (t) => [
    primaryKey({ name: 'feed_posts_pkey', columns: [t.guildId, t.channelId, t.clipId, t.kind] }),
    index('feed_posts_feed_sent_idx').on(t.guildId, t.feedId, t.sentAt),
    uniqueIndex('feed_posts_message_uq').on(t.guildId, t.messageId),
  ],
);

export const feedClips = pgTable(
  'feed_clips',
  {
    clipId: text('clip_id').primaryKey(),
    broadcasterId: text('broadcaster_id').notNull(),
    url: text('url').notNull(),
    title: text('title').notNull(),
    creatorId: text('creator_id').notNull(),
    creatorName: text('creator_name').notNull(),
    gameId: text('game_id').notNull(),
    gameName: text('game_name'),
    viewCount: bigCount('view_count').notNull(),
    duration: doublePrecision('duration').notNull(),
    clipCreatedAt: millis('clip_created_at').notNull(),
    firstSeenAt: millis('first_seen_at').notNull(),
    viewsAt: millis('views_at').notNull(),
  },
  (t) => [index('feed_clips_broadcaster_idx').on(t.broadcasterId, t.clipCreatedAt)],
);

export const feedPollState = pgTable('feed_poll_state', {
  broadcasterId: text('broadcaster_id').primaryKey(),
  polledThrough: millis('polled_through'),
  lastPollAt: millis('last_poll_at'),
  nextPollAt: millis('next_poll_at').notNull().default(0),
  intervalMs: bigCount('interval_ms').notNull(),
  windowStart: millis('window_start'),
  windowEnd: millis('window_end'),
  cursor: text('cursor'),
  leaseOwner: text('lease_owner'),
  leaseUntil: millis('lease_until'),
  lastError: text('last_error'),
});
