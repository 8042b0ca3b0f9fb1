// Sign in with Discord: dashboard sessions (only a hash of each session id), the servers each session may open,
// sign-ins in progress (the OAuth2 state, bound to one browser and used once), and members' verified Twitch links.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** A signed-in person's session. The id itself lives only in their browser's cookie. */
export const dashboardSessions = sqliteTable(
  'dashboard_sessions',
  {
    /** SHA-256 (hex) of the session id. */
    idHash: text('id_hash').primaryKey(),
    /** The Discord user, as /users/@me said at sign-in. */
    userId: text('user_id').notNull(),
    userName: text('user_name').notNull(),
    /** Discord's avatar hash, or null for a default avatar. */
    userAvatar: text('user_avatar'),
    /**
     * The Discord access and refresh tokens, sealed (AES-256-GCM) with a key derived from the session id: without
     * the browser's cookie they cannot be read, not even with this table.
     */
    discordTokens: text('discord_tokens').notNull(),
    /** When the access token expires (it is refreshed with the refresh token when needed). */
    tokenExpiresAt: integer('token_expires_at').notNull(),
    /** When Discord's list of the person's servers was last read (sign-in, or a refresh). */
    guildsReadAt: integer('guilds_read_at').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    /** The absolute end of the session; the idle timeout ends it earlier. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('dashboard_sessions_user_idx').on(t.userId), index('dashboard_sessions_expires_idx').on(t.expiresAt)],
);

/**
 * The servers a session may open: only guilds Discord listed for the person at sign-in where they manage (or view,
 * through the server's viewer role) and the bot is present. Re-checks through the bot remove rows, never add them.
 */
export const dashboardSessionGuilds = sqliteTable(
  'dashboard_session_guilds',
  {
    sessionHash: text('session_hash')
      .notNull()
      .references(() => dashboardSessions.idHash, { onDelete: 'cascade' }),
    guildId: text('guild_id').notNull(),
    guildName: text('guild_name').notNull(),
    /** Discord's icon hash, or null. */
    guildIcon: text('guild_icon'),
    access: text('access', { enum: ['manage', 'view'] }).notNull(),
    /** When the access was last confirmed (by Discord at sign-in, or through the bot since). */
    checkedAt: integer('checked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionHash, t.guildId] })],
);

/** Sign-ins under way: the OAuth2 state (hashed), single use, valid for a few minutes, for one browser only. */
export const dashboardSignIns = sqliteTable(
  'dashboard_sign_ins',
  {
    /** SHA-256 (hex) of the state sent to Discord. */
    stateHash: text('state_hash').primaryKey(),
    /** SHA-256 (hex) of the nonce in the browser's sign-in cookie: the callback must come from that browser. */
    browserHash: text('browser_hash').notNull(),
    /** 'sign-in' starts a session; 'link-twitch' reads the connections of a signed-in person. */
    purpose: text('purpose', { enum: ['sign-in', 'link-twitch'] }).notNull(),
    /** For 'link-twitch': the session that asked (its id hash). */
    sessionHash: text('session_hash'),
    /** Where to go afterwards: a path checked against the dashboard's own routes. */
    returnTo: text('return_to').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('dashboard_sign_ins_expires_idx').on(t.expiresAt)],
);

/**
 * A member's Twitch account, as Discord lists it among their verified connections, per guild the member and the bot
 * share: what lets a guild credit its own members for the clips they make.
 */
export const twitchLinks = sqliteTable(
  'twitch_links',
  {
    guildId: text('guild_id').notNull(),
    discordUserId: text('discord_user_id').notNull(),
    /** The member's Discord display name when they linked. */
    discordName: text('discord_name').notNull(),
    /** The Twitch user id (a clip's creator_id). */
    twitchUserId: text('twitch_user_id').notNull(),
    twitchName: text('twitch_name').notNull(),
    linkedAt: integer('linked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.discordUserId] }), index('twitch_links_twitch_idx').on(t.guildId, t.twitchUserId)],
);
