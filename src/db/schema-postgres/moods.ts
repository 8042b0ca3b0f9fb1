// Reaction moods on PostgreSQL: the twin of src/db/schema/moods.ts (the comments there say what each table holds).
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { millis, text } from './types';

export const moodOverrides = pgTable(
  'mood_overrides',
  {
    guildId: text('guild_id').notNull(),
    emoji: text('emoji').notNull(),
    mood: text('mood').notNull(),
    updatedAt: millis('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [primaryKey({ name: 'mood_overrides_pkey', columns: [t.guildId, t.emoji] })],
);

export const analyticsClipMoods = pgTable(
  'analytics_clip_moods',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: millis('period_start').notNull(),
    clipId: text('clip_id').notNull(),
    mood: text('mood').notNull(),
    reactions: integer('reactions').notNull(),
    clipTotal: integer('clip_total').notNull().default(0),
    counted: integer('counted').notNull().default(0),
    clipCounts: text('clip_counts').notNull().default(''),
    title: text('title'),
    url: text('url').notNull().default(''),
    creatorName: text('creator_name'),
    gameName: text('game_name'),
  },
  (t) => [
    primaryKey({ name: 'analytics_clip_moods_pkey', columns: [t.guildId, t.periodType, t.periodStart, t.clipId, t.mood] }),
    index('analytics_clip_moods_counted_ranking_idx')
      .on(t.guildId, t.periodType, t.periodStart, t.mood, sql`${t.reactions} DESC`, sql`${t.clipTotal} DESC`, t.clipId)
      .where(sql`${t.counted} = 1`),
  ],
);

export const analyticsMoodMixes = pgTable(
  'analytics_mood_mixes',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: millis('period_start').notNull(),
    dimension: text('dimension').notNull(),
    subjectId: text('subject_id').notNull(),
    total: integer('total').notNull(),
    hype: integer('hype').notNull(),
    funny: integer('funny').notNull(),
    love: integer('love').notNull(),
    wow: integer('wow').notNull(),
    sad: integer('sad').notNull(),
    negative: integer('negative').notNull(),
    other: integer('other').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'analytics_mood_mixes_pkey',
      columns: [t.guildId, t.periodType, t.periodStart, t.dimension, t.subjectId],
    }),
    index('analytics_mood_mixes_total_idx').on(t.guildId, t.periodType, t.periodStart, t.dimension, sql`${t.total} DESC`, t.subjectId),
  ],
);

export const moodState = pgTable('mood_state', {
  guildId: text('guild_id').primaryKey(),
  timezone: text('timezone').notNull(),
  signature: text('signature').notNull(),
  builtAt: millis('built_at').notNull(),
});
