// What capture records from Discord: shares, reactions and anonymous reaction counts, the engagement journal the
// aggregator carries forward, and when an import or crawl last saw a message.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { SOURCES } from './clips';

/**
 * One row per (guild, message, clip). A clip posted in three messages has three shares; edits never add a second.
 * Every key and lookup of the capture tables begins with the guild: a message id from another guild (an export
 * imported with `--guild`, a hand-made file) can never reach this guild's rows.
 */
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
    uniqueIndex('shares_guild_message_clip_uq').on(t.guildId, t.messageId, t.clipId),
    index('shares_guild_clip_idx').on(t.guildId, t.clipId),
    index('shares_guild_posted_idx').on(t.guildId, t.postedAt),
  ],
);

/**
 * One row per (guild, message, emoji, user): adds and removes are idempotent and replays are safe. WITHOUT ROWID since
 * the `footprint` migration (drizzle's schema cannot say so): the key is most of the row (ADR 0041).
 */
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
  (t) => [
    primaryKey({ columns: [t.guildId, t.messageId, t.emojiKey, t.userId] }),
    index('reactions_guild_reacted_idx').on(t.guildId, t.reactedAt),
  ],
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
    primaryKey({ columns: [t.guildId, t.messageId, t.emojiKey] }),
    // Analytics place anonymous counts in periods by observed_at.
    index('reaction_baselines_guild_observed_idx').on(t.guildId, t.observedAt),
  ],
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

/**
 * When an import or a crawl last saw a clip message's content (export time / fetch time), so that importing an
 * older export after a newer one (overlapping exports) never reverts what the newer one recorded.
 */
export const messageObservations = sqliteTable(
  'message_observations',
  {
    guildId: text('guild_id').notNull(),
    messageId: text('message_id').notNull(),
    observedAt: integer('observed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.messageId] })],
);
