// The clip feed (issue #19, docs/feed.md): feeds that post a followed Twitch channel's new clips to a Discord channel,
// each post claimed before it is sent, and the poll state of each broadcaster the feeds read.
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const FEED_PAUSE_CAUSES = ['admin', 'permissions'] as const;
export type FeedPauseCause = (typeof FEED_PAUSE_CAUSES)[number];

/** One feed: a followed broadcaster's clips, filtered, into one Discord channel. A guild may have several. */
export const feeds = sqliteTable(
  'feeds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    broadcasterId: text('broadcaster_id').notNull(),
    broadcasterLogin: text('broadcaster_login').notNull(),
    broadcasterName: text('broadcaster_name').notNull(),
    /** Posted once the clip has this many views (0: at once). */
    minViews: integer('min_views').notNull().default(0),
    /** JSON arrays of lower-cased names (read whole, never queried inside). Empty: no filter. */
    games: text('games').notNull().default('[]'),
    excludeGames: text('exclude_games').notNull().default('[]'),
    creatorsExclude: text('creators_exclude').notNull().default('[]'),
    /** Posts per rolling hour; the rest are summarised in one message. Null: no limit. */
    maxPerHour: integer('max_per_hour'),
    mentionRoleId: text('mention_role_id'),
    /** Post a clip that a member shared first (true by default). */
    postMemberShared: integer('post_member_shared', { mode: 'boolean' }).notNull().default(true),
    /** Post "taking off" alerts, to alert_channel_id or else the feed's channel. */
    takingOff: integer('taking_off', { mode: 'boolean' }).notNull().default(true),
    alertChannelId: text('alert_channel_id'),
    paused: integer('paused', { mode: 'boolean' }).notNull().default(false),
    pauseCause: text('pause_cause', { enum: FEED_PAUSE_CAUSES }),
    pauseReason: text('pause_reason'),
    /** Clips created before this are never posted: a new feed does not replay the channel's history. */
    startsAt: integer('starts_at').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('feeds_guild_idx').on(t.guildId, t.channelId), index('feeds_broadcaster_idx').on(t.broadcasterId)],
);

export const FEED_POST_KINDS = ['clip', 'overflow', 'taking_off'] as const;
export type FeedPostKind = (typeof FEED_POST_KINDS)[number];
/** 'skipped': left out by the feed's filters (forgotten when the filters change, so the new ones decide). */
export const FEED_POST_STATES = ['claimed', 'sent', 'failed', 'summarised', 'skipped'] as const;
export type FeedPostState = (typeof FEED_POST_STATES)[number];

/**
 * Every message a feed sends, claimed before it is sent: the unique key makes a clip's post in a channel happen
 * once whatever the restarts, edits and processes (docs/adr/0012-clip-feed-polling-and-exactly-once.md).
 */
export const feedPosts = sqliteTable(
  'feed_posts',
  {
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    /** The clip posted; for an overflow summary, the first clip it summarises. */
    clipId: text('clip_id').notNull(),
    kind: text('kind', { enum: FEED_POST_KINDS }).notNull(),
    feedId: integer('feed_id').notNull(),
    state: text('state', { enum: FEED_POST_STATES }).notNull(),
    /** Sent with the message so Discord drops a resend of the same claim. */
    nonce: text('nonce').notNull(),
    messageId: text('message_id'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    claimedAt: integer('claimed_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.channelId, t.clipId, t.kind] }),
    index('feed_posts_feed_sent_idx').on(t.guildId, t.feedId, t.sentAt),
    uniqueIndex('feed_posts_message_uq').on(t.guildId, t.messageId),
  ],
);

/** The clips the polls saw (Twitch data, shared by every guild whose feeds follow the broadcaster). */
export const feedClips = sqliteTable(
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
    viewCount: integer('view_count').notNull(),
    duration: real('duration').notNull(),
    clipCreatedAt: integer('clip_created_at').notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
    viewsAt: integer('views_at').notNull(),
  },
  (t) => [index('feed_clips_broadcaster_idx').on(t.broadcasterId, t.clipCreatedAt)],
);

/** Where each broadcaster's poll stands, and who holds it (one poller per broadcaster at a time). */
export const feedPollState = sqliteTable('feed_poll_state', {
  broadcasterId: text('broadcaster_id').primaryKey(),
  /** The started_at the next poll's window begins from, before the overlap is taken off. */
  polledThrough: integer('polled_through'),
  lastPollAt: integer('last_poll_at'),
  nextPollAt: integer('next_poll_at').notNull().default(0),
  /** The current cadence, between FEED_FAST and FEED_SLOW (docs/feed.md). */
  intervalMs: integer('interval_ms').notNull(),
  /** A window cut short by the call budget: its end and the page to resume from. */
  windowStart: integer('window_start'),
  windowEnd: integer('window_end'),
  cursor: text('cursor'),
  leaseOwner: text('lease_owner'),
  leaseUntil: integer('lease_until'),
  lastError: text('last_error'),
});
