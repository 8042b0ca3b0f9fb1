// Per-guild settings on PostgreSQL: the twin of src/db/schema/settings.ts.
import { boolean, integer, jsonb, pgTable } from 'drizzle-orm/pg-core';
import { millis, text } from './types';

export const guildSettings = pgTable('guild_settings', {
  guildId: text('guild_id').primaryKey(),
  guildName: text('guild_name'),
  /** Channel ids; empty = every channel the bot can see (SQLite: the same array as JSON text). */
  captureChannelIds: jsonb('capture_channel_ids').$type<string[]>().notNull().default([]),
  includeBots: boolean('include_bots').notNull().default(false),
  timezone: text('timezone').notNull().default('UTC'),
  digestChannelId: text('digest_channel_id'),
  digestWeekday: integer('digest_weekday').notNull().default(1),
  digestHour: integer('digest_hour').notNull().default(10),
  digestEnabled: boolean('digest_enabled').notNull().default(true),
  digestLastError: text('digest_last_error'),
  updatedAt: millis('updated_at').notNull(),
});
