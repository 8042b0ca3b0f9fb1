// Sign in with Discord on PostgreSQL: the twin of src/db/schema/dashboard.ts. Sessions and sign-ins belong to a
// person, not a guild (reference-style tables); the servers a session may open and Twitch links are keyed by guild.
import { index, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { millis, text } from './types';

export const dashboardSessions = pgTable(
  'dashboard_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id').notNull(),
    userName: text('user_name').notNull(),
    userAvatar: text('user_avatar'),
    discordTokens: text('discord_tokens').notNull(),
    tokenExpiresAt: millis('token_expires_at').notNull(),
    guildsReadAt: millis('guilds_read_at').notNull(),
    createdAt: millis('created_at').notNull(),
    lastSeenAt: millis('last_seen_at').notNull(),
    expiresAt: millis('expires_at').notNull(),
  },
  (t) => [index('dashboard_sessions_user_idx').on(t.userId), index('dashboard_sessions_expires_idx').on(t.expiresAt)],
);

// Keyed session-first as on SQLite: a session's servers are read together. No foreign key (Citus places these as
// reference tables; the sessions store deletes a session's servers with it, as it does on SQLite).
export const dashboardSessionGuilds = pgTable(
  'dashboard_session_guilds',
  {
    sessionHash: text('session_hash').notNull(),
    guildId: text('guild_id').notNull(),
    guildName: text('guild_name').notNull(),
    guildIcon: text('guild_icon'),
    access: text('access').$type<'manage' | 'view'>().notNull(),
    checkedAt: millis('checked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionHash, t.guildId] })],
);

export const dashboardSignIns = pgTable(
  'dashboard_sign_ins',
  {
    stateHash: text('state_hash').primaryKey(),
    browserHash: text('browser_hash').notNull(),
    purpose: text('purpose').$type<'sign-in' | 'link-twitch'>().notNull(),
    sessionHash: text('session_hash'),
    returnTo: text('return_to').notNull(),
    createdAt: millis('created_at').notNull(),
    expiresAt: millis('expires_at').notNull(),
  },
  (t) => [index('dashboard_sign_ins_expires_idx').on(t.expiresAt)],
);

export const twitchLinks = pgTable(
  'twitch_links',
  {
    guildId: text('guild_id').notNull(),
    discordUserId: text('discord_user_id').notNull(),
    discordName: text('discord_name').notNull(),
    twitchUserId: text('twitch_user_id').notNull(),
    twitchName: text('twitch_name').notNull(),
    linkedAt: millis('linked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.discordUserId] }), index('twitch_links_twitch_idx').on(t.guildId, t.twitchUserId)],
);
