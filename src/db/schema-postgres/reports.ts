// Monthly reports on PostgreSQL: the twin of src/db/schema/reports.ts.
import { pgTable, primaryKey } from 'drizzle-orm/pg-core';
import type { ReportPostState } from '../schema/reports';
import { millis, text } from './types';

export const reportSettings = pgTable('report_settings', {
  guildId: text('guild_id').primaryKey(),
  channelId: text('channel_id').notNull(),
  updatedAt: millis('updated_at').notNull(),
});

export const reportPosts = pgTable(
  'report_posts',
  {
    guildId: text('guild_id').notNull(),
    monthStart: millis('month_start').notNull(),
    channelId: text('channel_id').notNull(),
    state: text('state').$type<ReportPostState>().notNull(),
    messageId: text('message_id'),
    error: text('error'),
    claimedAt: millis('claimed_at').notNull(),
  },
  (t) => [primaryKey({ name: 'report_posts_pkey', columns: [t.guildId, t.monthStart] })],
);
