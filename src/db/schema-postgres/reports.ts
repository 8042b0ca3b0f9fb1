// Monthly reports on PostgreSQL: the twin of src/db/schema/reports.ts.
import { integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import type { ReportEmailState, ReportPostState } from '../schema/reports';
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

export const reportEmailRecipients = pgTable(
  'report_email_recipients',
  {
    guildId: text('guild_id').notNull(),
    address: text('address').notNull(),
    addedAt: millis('added_at').notNull(),
  },
  (t) => [primaryKey({ name: 'report_email_recipients_pkey', columns: [t.guildId, t.address] })],
);

export const reportEmails = pgTable(
  'report_emails',
  {
    guildId: text('guild_id').notNull(),
    monthStart: millis('month_start').notNull(),
    address: text('address').notNull(),
    state: text('state').$type<ReportEmailState>().notNull(),
    messageId: text('message_id'),
    error: text('error'),
    attempts: integer('attempts').notNull(),
    claimedAt: millis('claimed_at').notNull(),
  },
  (t) => [primaryKey({ name: 'report_emails_pkey', columns: [t.guildId, t.monthStart, t.address] })],
);
