// Per-guild settings on PostgreSQL: the twin of src/db/schema/settings.ts.
import { boolean, index, integer, jsonb, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { identity, millis, text } from './types';

export const guildSettings = pgTable('guild_settings', {
  guildId: text('guild_id').primaryKey(),
  guildName: text('guild_name'),
  guildIcon: text('guild_icon'),
  /** Channel ids; empty = every channel the bot can see (SQLite: the same array as JSON text). */
  captureChannelIds: jsonb('capture_channel_ids').$type<string[]>().notNull().default([]),
  includeBots: boolean('include_bots').notNull().default(false),
  timezone: text('timezone').notNull().default('UTC'),
  digestChannelId: text('digest_channel_id'),
  digestWeekday: integer('digest_weekday').notNull().default(1),
  digestHour: integer('digest_hour').notNull().default(10),
  digestEnabled: boolean('digest_enabled').notNull().default(true),
  digestLastError: text('digest_last_error'),
  dashboardViewerRoleId: text('dashboard_viewer_role_id'),
  updatedAt: millis('updated_at').notNull(),
});

/** Who changed which setting, when (guild-first key: the id alone is not the key of guild data). */
export const settingsChanges = pgTable(
  'settings_changes',
  {
    id: identity('id'),
    guildId: text('guild_id').notNull(),
    changedAt: millis('changed_at').notNull(),
    actorId: text('actor_id').notNull(),
    actorName: text('actor_name').notNull(),
    source: text('source').$type<'command' | 'dashboard'>().notNull(),
    field: text('field').notNull(),
    oldValue: text('old_value'),
    newValue: text('new_value'),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.id] }), index('settings_changes_guild_idx').on(t.guildId, t.changedAt)],
);
