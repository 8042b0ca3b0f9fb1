// Per-guild settings: the channels capture reads, the guild's timezone, its weekly digest, who may view its dashboard,
// and the record of who changed what.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Per-guild configuration; absent row = defaults. */
export const guildSettings = sqliteTable('guild_settings', {
  guildId: text('guild_id').primaryKey(),
  guildName: text('guild_name'),
  /** The guild's icon hash as the bot last saw it (Discord's CDN serves the image); null = none or never seen. */
  guildIcon: text('guild_icon'),
  /** JSON array of channel ids; empty = every channel the bot can see. */
  captureChannelIds: text('capture_channel_ids').notNull().default('[]'),
  includeBots: integer('include_bots', { mode: 'boolean' }).notNull().default(false),
  timezone: text('timezone').notNull().default('UTC'),
  digestChannelId: text('digest_channel_id'),
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  digestWeekday: integer('digest_weekday').notNull().default(1),
  digestHour: integer('digest_hour').notNull().default(10),
  digestEnabled: integer('digest_enabled', { mode: 'boolean' }).notNull().default(true),
  digestLastError: text('digest_last_error'),
  /** A role whose members may view the dashboard read-only (Sign in with Discord); null = managers only. */
  dashboardViewerRoleId: text('dashboard_viewer_role_id'),
  updatedAt: integer('updated_at').notNull(),
});

/** Every change of a guild's settings by a person: who, what, when, from where (slash command or dashboard). */
export const settingsChanges = sqliteTable(
  'settings_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    guildId: text('guild_id').notNull(),
    changedAt: integer('changed_at').notNull(),
    /** The Discord user who made the change, and their name then. */
    actorId: text('actor_id').notNull(),
    actorName: text('actor_name').notNull(),
    source: text('source', { enum: ['command', 'dashboard'] }).notNull(),
    /** The setting's name, e.g. 'timezone' or 'digestChannelId'. */
    field: text('field').notNull(),
    /** JSON of the value before and after. */
    oldValue: text('old_value'),
    newValue: text('new_value'),
  },
  (t) => [index('settings_changes_guild_idx').on(t.guildId, t.changedAt)],
);
