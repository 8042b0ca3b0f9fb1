// The hall of fame (issue #20, docs/hall-of-fame.md): per guild, where and when a shared clip is reposted, and every
// repost claimed before it is sent (docs/adr/0014-hall-of-fame-exactly-once-and-batched-edits.md).
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** A guild's hall of fame; no row means it is off. */
export const hallOfFameSettings = sqliteTable('hall_of_fame_settings', {
  guildId: text('guild_id').primaryKey(),
  channelId: text('channel_id').notNull(),
  /** Counted reactions a share needs to be reposted. */
  threshold: integer('threshold').notNull(),
  /** JSON array of emoji keys (as the reactions table stores them) that count; empty: every emoji. */
  emojis: text('emojis').notNull().default('[]'),
  /** A repost whose count falls below this is removed; null: never removed for its count. */
  removeBelow: integer('remove_below'),
  /** Whether the sharer's own reactions count. */
  selfReactions: integer('self_reactions', { mode: 'boolean' }).notNull().default(false),
  /** Whether shares in NSFW channels may be reposted (only ever into an NSFW hall). */
  nsfw: integer('nsfw', { mode: 'boolean' }).notNull().default(false),
  updatedAt: integer('updated_at').notNull(),
});

/** 'failed': Discord refused the repost for good; 'removed': taken down (count, original deleted) and never reposted. */
export const HALL_OF_FAME_POST_STATES = ['claimed', 'sent', 'removed', 'failed'] as const;
export type HallOfFamePostState = (typeof HALL_OF_FAME_POST_STATES)[number];

/** One row per original message that reached the hall: the key makes its repost happen once. */
export const hallOfFamePosts = sqliteTable(
  'hall_of_fame_posts',
  {
    guildId: text('guild_id').notNull(),
    /** The original message that shares the clip. */
    messageId: text('message_id').notNull(),
    /** Where the original is (the thread, when it was posted in one), for the jump link. */
    channelId: text('channel_id').notNull(),
    clipId: text('clip_id').notNull(),
    authorId: text('author_id').notNull(),
    /** The hall channel the repost went to (a later change of channel leaves it there). */
    hallChannelId: text('hall_channel_id').notNull(),
    state: text('state', { enum: HALL_OF_FAME_POST_STATES }).notNull(),
    /** Sent with the repost so Discord drops a resend of the same claim. */
    nonce: text('nonce').notNull(),
    repostMessageId: text('repost_message_id'),
    /** The count the repost shows; -1 when an edit must be redone. Claimed (compare-and-set) before each edit. */
    postedCount: integer('posted_count').notNull(),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    claimedAt: integer('claimed_at').notNull(),
    sentAt: integer('sent_at'),
    removedAt: integer('removed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.messageId] }),
    index('hall_of_fame_posts_state_idx').on(t.guildId, t.state, t.claimedAt),
    index('hall_of_fame_posts_author_idx').on(t.guildId, t.authorId),
    uniqueIndex('hall_of_fame_posts_repost_uq').on(t.guildId, t.repostMessageId),
  ],
);
