// Monthly reports (issue #22, docs/reports.md): where a guild's report is posted, and each month's post claimed
// before it is sent (docs/adr/0019-reports.md).
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** A guild's monthly report delivery; no row means it is off. */
export const reportSettings = sqliteTable('report_settings', {
  guildId: text('guild_id').primaryKey(),
  channelId: text('channel_id').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const REPORT_POST_STATES = ['claimed', 'posted', 'failed'] as const;
export type ReportPostState = (typeof REPORT_POST_STATES)[number];

/** One row per guild and reported month: the key makes the month's post happen once. */
export const reportPosts = sqliteTable(
  'report_posts',
  {
    guildId: text('guild_id').notNull(),
    /** Start of the reported month in the guild's timezone, epoch ms. */
    monthStart: integer('month_start').notNull(),
    channelId: text('channel_id').notNull(),
    state: text('state', { enum: REPORT_POST_STATES }).notNull(),
    messageId: text('message_id'),
    error: text('error'),
    /** When the current claim was taken; 0 once a transient failure made it stale. */
    claimedAt: integer('claimed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.monthStart] })],
);
