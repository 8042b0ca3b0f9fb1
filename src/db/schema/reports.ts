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

/** Addresses a guild's monthly report is emailed to (at most MAX_REPORT_EMAILS, src/db/stores/report-emails.ts). */
export const reportEmailRecipients = sqliteTable(
  'report_email_recipients',
  {
    guildId: text('guild_id').notNull(),
    /** Lower-cased, so one address is listed once. */
    address: text('address').notNull(),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.address] })],
);

export const REPORT_EMAIL_STATES = ['claimed', 'sent', 'failed'] as const;
export type ReportEmailState = (typeof REPORT_EMAIL_STATES)[number];

/** One row per guild, reported month and recipient: the key makes each month's email go out once per address. */
export const reportEmails = sqliteTable(
  'report_emails',
  {
    guildId: text('guild_id').notNull(),
    monthStart: integer('month_start').notNull(),
    address: text('address').notNull(),
    state: text('state', { enum: REPORT_EMAIL_STATES }).notNull(),
    /** The SMTP server's Message-ID once accepted. */
    messageId: text('message_id'),
    error: text('error'),
    /** Claims taken so far (bounded: a lost outcome is resumed once, a transient failure retried twice). */
    attempts: integer('attempts').notNull(),
    /** When the current claim was taken; 0 once a transient failure made it stale. */
    claimedAt: integer('claimed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.monthStart, t.address] })],
);
