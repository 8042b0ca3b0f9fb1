// The hall of fame on PostgreSQL: the twin of src/db/schema/hall-of-fame.ts.
import { boolean, index, integer, pgTable, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import type { HallOfFamePostState } from '../schema/hall-of-fame';
import { millis, text } from './types';

export const hallOfFameSettings = pgTable('hall_of_fame_settings', {
  guildId: text('guild_id').primaryKey(),
  channelId: text('channel_id').notNull(),
  threshold: integer('threshold').notNull(),
  /** JSON text as on SQLite: read whole, never queried inside. */
  emojis: text('emojis').notNull().default('[]'),
  removeBelow: integer('remove_below'),
  selfReactions: boolean('self_reactions').notNull().default(false),
  nsfw: boolean('nsfw').notNull().default(false),
  updatedAt: millis('updated_at').notNull(),
});

export const hallOfFamePosts = pgTable(
  'hall_of_fame_posts',
  {
    guildId: text('guild_id').notNull(),
    messageId: text('message_id').notNull(),
    channelId: text('channel_id').notNull(),
    clipId: text('clip_id').notNull(),
    authorId: text('author_id').notNull(),
    hallChannelId: text('hall_channel_id').notNull(),
    state: text('state').$type<HallOfFamePostState>().notNull(),
    nonce: text('nonce').notNull(),
    repostMessageId: text('repost_message_id'),
    postedCount: integer('posted_count').notNull(),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    claimedAt: millis('claimed_at').notNull(),
    sentAt: millis('sent_at'),
    removedAt: millis('removed_at'),
  },
  (t) => [
    primaryKey({ name: 'hall_of_fame_posts_pkey', columns: [t.guildId, t.messageId] }),
    index('hall_of_fame_posts_state_idx').on(t.guildId, t.state, t.claimedAt),
    index('hall_of_fame_posts_author_idx').on(t.guildId, t.authorId),
    uniqueIndex('hall_of_fame_posts_repost_uq').on(t.guildId, t.repostMessageId),
  ],
);
