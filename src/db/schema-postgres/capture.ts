// What capture records from Discord, on PostgreSQL: the twin of src/db/schema/capture.ts (the comments there say
// what each table and column holds). Every key begins with guild_id, so each table can be distributed by guild.
import { boolean, index, integer, pgTable, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Source } from '../schema/clips';
import { identity, millis, text } from './types';

/** One row per (message, clip) of a guild. */
export const shares = pgTable(
  'shares',
  {
    id: identity('id'),
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    threadId: text('thread_id'),
    messageId: text('message_id').notNull(),
    clipId: text('clip_id').notNull(),
    authorId: text('author_id').notNull(),
    authorName: text('author_name').notNull(),
    authorIsBot: boolean('author_is_bot').notNull().default(false),
    postedAt: millis('posted_at').notNull(),
    deletedAt: millis('deleted_at'),
    source: text('source').$type<Source>().notNull().default('discord'),
  },
  (t) => [
    primaryKey({ name: 'shares_pkey', columns: [t.guildId, t.id] }),
    uniqueIndex('shares_guild_message_clip_uq').on(t.guildId, t.messageId, t.clipId),
    index('shares_guild_clip_idx').on(t.guildId, t.clipId),
    index('shares_guild_posted_idx').on(t.guildId, t.postedAt),
  ],
);

/** One row per (message, emoji, user) of a guild. */
export const reactions = pgTable(
  'reactions',
  {
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    messageId: text('message_id').notNull(),
    emojiKey: text('emoji_key').notNull(),
    userId: text('user_id').notNull(),
    reactedAt: millis('reacted_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'reactions_pkey', columns: [t.guildId, t.messageId, t.emojiKey, t.userId] }),
    index('reactions_guild_reacted_idx').on(t.guildId, t.reactedAt),
  ],
);

/** Reaction counts known only as numbers (an export without `users`). */
export const reactionBaselines = pgTable(
  'reaction_baselines',
  {
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    messageId: text('message_id').notNull(),
    emojiKey: text('emoji_key').notNull(),
    anonymousCount: integer('anonymous_count').notNull(),
    observedAt: millis('observed_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'reaction_baselines_pkey', columns: [t.guildId, t.messageId, t.emojiKey] }),
    index('reaction_baselines_guild_observed_idx').on(t.guildId, t.observedAt),
  ],
);

/**
 * The engagement journal (ADR 0002). SQLite creates it WITHOUT ROWID; a PostgreSQL heap table with its key index is
 * the plain equivalent (an index-only scan reads it when the visibility map allows).
 */
export const engagementChanges = pgTable(
  'engagement_changes',
  {
    guildId: text('guild_id').notNull(),
    at: millis('at').notNull(),
    clipId: text('clip_id').notNull(),
    shares: integer('shares').notNull(),
    reactions: integer('reactions').notNull(),
  },
  (t) => [primaryKey({ name: 'engagement_changes_pkey', columns: [t.guildId, t.at, t.clipId] })],
);

/** When an import or a crawl last saw a clip message's content. */
export const messageObservations = pgTable(
  'message_observations',
  {
    guildId: text('guild_id').notNull(),
    messageId: text('message_id').notNull(),
    observedAt: millis('observed_at').notNull(),
  },
  (t) => [primaryKey({ name: 'message_observations_pkey', columns: [t.guildId, t.messageId] })],
);
