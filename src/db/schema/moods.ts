// Reaction moods (docs/moods.md): a guild's overrides of the default emoji → mood table, the per-clip mood counts
// the aggregation keeps for every period bucket, and which mapping and timezone those counts were built with.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** A guild's override of one emoji's mood, keyed by the normalised emoji (analytics/moods-table.ts moodKey). */
export const moodOverrides = sqliteTable(
  'mood_overrides',
  {
    guildId: text('guild_id').notNull(),
    /** `emoji:<character>` or `name:<normalised custom emoji name>`. */
    emoji: text('emoji').notNull(),
    mood: text('mood').notNull(),
    updatedAt: integer('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.emoji] })],
);

/**
 * Reactions of each mood placed on each clip's live shares in each day, week, month and all_time bucket (the guild's
 * local calendar), as the aggregation keeps them from the raw reactions: the mood mix, the mood rankings and
 * `/viral sort:<mood>` read here. Rows with 0 are deleted.
 */
export const analyticsClipMoods = sqliteTable(
  'analytics_clip_moods',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: integer('period_start').notNull(),
    clipId: text('clip_id').notNull(),
    mood: text('mood').notNull(),
    reactions: integer('reactions').notNull(),
    /** The clip's reactions of every mood in the bucket: the rankings' tie-break, kept on each of its rows. */
    clipTotal: integer('clip_total').notNull().default(0),
    /**
     * What a ranking shows of the clip, kept on each of its rows so a ranking is one index walk without a join
     * (ADR 0030): whether it counts (COUNTED_CLIP_SQL, 1/0), its mix in the bucket ("hype,funny,…" in MOODS order),
     * title, URL, creator and game names as the clips row has them.
     */
    counted: integer('counted').notNull().default(0),
    clipCounts: text('clip_counts').notNull().default(''),
    title: text('title'),
    url: text('url').notNull().default(''),
    creatorName: text('creator_name'),
    gameName: text('game_name'),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.periodType, t.periodStart, t.clipId, t.mood] }),
    // A mood's ranking of a bucket's counted clips in its answer's order (ties: more reactions in all, then clip id).
    index('analytics_clip_moods_counted_ranking_idx')
      .on(t.guildId, t.periodType, t.periodStart, t.mood, sql`${t.reactions} DESC`, sql`${t.clipTotal} DESC`, t.clipId)
      .where(sql`${t.counted} = 1`),
  ],
);

/**
 * The mood mix of each day, week, month and all_time bucket, for the whole guild (`dimension` 'guild', subject '')
 * and per creator and per game of its counted clips (subject: the creator id, the game id or '' for no game), built
 * from the per-clip rows with each clip's current creator and game. Rows whose moods are all 0 are deleted.
 */
export const analyticsMoodMixes = sqliteTable(
  'analytics_mood_mixes',
  {
    guildId: text('guild_id').notNull(),
    periodType: text('period_type').notNull(),
    periodStart: integer('period_start').notNull(),
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
    primaryKey({ columns: [t.guildId, t.periodType, t.periodStart, t.dimension, t.subjectId] }),
    // The most reacted-to creators or games of a bucket, read off the index.
    index('analytics_mood_mixes_total_idx').on(t.guildId, t.periodType, t.periodStart, t.dimension, sql`${t.total} DESC`, t.subjectId),
  ],
);

/**
 * Which mapping (overrides and default table: moodSignature) and timezone a guild's mood counts were built with.
 * Reads use the counts only when both match; the next aggregation run rebuilds them otherwise.
 */
export const moodState = sqliteTable('mood_state', {
  guildId: text('guild_id').primaryKey(),
  timezone: text('timezone').notNull(),
  signature: text('signature').notNull(),
  builtAt: integer('built_at').notNull(),
});
