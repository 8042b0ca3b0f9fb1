// The dashboard session store: sessions by the hash of their id, the servers each may open, and sign-ins under way.
// Sessions are made and checked in src/auth/sessions.ts. Plain SQL that PostgreSQL runs as is (ON CONFLICT … DO
// UPDATE, DELETE … RETURNING), for the port of the stores.
import { run, type Db } from '../client';

export type GuildAccessLevel = 'manage' | 'view';

export interface StoredSessionGuild {
  guildId: string;
  guildName: string;
  guildIcon: string | null;
  access: GuildAccessLevel;
  checkedAt: number;
}

export interface StoredSession {
  idHash: string;
  userId: string;
  userName: string;
  userAvatar: string | null;
  /** The sealed Discord tokens (src/auth/sessions.ts opens them with the session id). */
  discordTokens: string;
  tokenExpiresAt: number;
  guildsReadAt: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface StoredSignIn {
  stateHash: string;
  browserHash: string;
  purpose: 'sign-in' | 'link-twitch';
  sessionHash: string | null;
  returnTo: string;
  createdAt: number;
  expiresAt: number;
}

interface SessionRow {
  id_hash: string;
  user_id: string;
  user_name: string;
  user_avatar: string | null;
  discord_tokens: string;
  token_expires_at: number;
  guilds_read_at: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

interface SessionGuildRow {
  guild_id: string;
  guild_name: string;
  guild_icon: string | null;
  access: GuildAccessLevel;
  checked_at: number;
}

interface SignInRow {
  state_hash: string;
  browser_hash: string;
  purpose: 'sign-in' | 'link-twitch';
  session_hash: string | null;
  return_to: string;
  created_at: number;
  expires_at: number;
}

const INSERT_GUILD = `INSERT INTO dashboard_session_guilds (session_hash, guild_id, guild_name, guild_icon, access, checked_at)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (session_hash, guild_id) DO UPDATE SET guild_name = excluded.guild_name, guild_icon = excluded.guild_icon,
    access = excluded.access, checked_at = excluded.checked_at`;

/** Stores a new session with the servers it may open, in one transaction. */
export function insertSession(db: Db, session: StoredSession, guilds: StoredSessionGuild[]): Promise<void> {
  return db.transaction((tx) =>
    run(tx, (c) => {
      c.statement(
        `INSERT INTO dashboard_sessions (id_hash, user_id, user_name, user_avatar, discord_tokens, token_expires_at, guilds_read_at,
          created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        session.idHash,
        session.userId,
        session.userName,
        session.userAvatar,
        session.discordTokens,
        session.tokenExpiresAt,
        session.guildsReadAt,
        session.createdAt,
        session.lastSeenAt,
        session.expiresAt,
      );
      const insert = c.statement(INSERT_GUILD);
      for (const g of guilds) insert.run(session.idHash, g.guildId, g.guildName, g.guildIcon, g.access, g.checkedAt);
    }),
  );
}

/** A session by the hash of its id, with its servers; null when there is none (expiry is the caller's check). */
export function findSession(db: Db, idHash: string): Promise<{ session: StoredSession; guilds: StoredSessionGuild[] } | null> {
  return run(db, (c) => {
    const row = c.statement<[string], SessionRow>('SELECT * FROM dashboard_sessions WHERE id_hash = ?').get(idHash);
    if (!row) return null;
    const guilds = c
      .statement<[string], SessionGuildRow>(
        `SELECT guild_id, guild_name, guild_icon, access, checked_at FROM dashboard_session_guilds
         WHERE session_hash = ? ORDER BY guild_name, guild_id`,
      )
      .all(idHash);
    return {
      session: toSession(row),
      guilds: guilds.map((g) => ({
        guildId: g.guild_id,
        guildName: g.guild_name,
        guildIcon: g.guild_icon,
        access: g.access,
        checkedAt: g.checked_at,
      })),
    };
  });
}

/** Records a request on the session (the idle timeout counts from here). */
export function touchSession(db: Db, idHash: string, now: number): Promise<void> {
  return run(db, (c) => {
    c.statement('UPDATE dashboard_sessions SET last_seen_at = ? WHERE id_hash = ?').run(now, idHash);
  });
}

/** Stores refreshed Discord tokens (sealed) and their new expiry. */
export function updateSessionTokens(db: Db, idHash: string, sealed: string, tokenExpiresAt: number): Promise<void> {
  return run(db, (c) => {
    c.statement('UPDATE dashboard_sessions SET discord_tokens = ?, token_expires_at = ? WHERE id_hash = ?').run(
      sealed,
      tokenExpiresAt,
      idHash,
    );
  });
}

/**
 * Replaces a session's servers with a fresh list (read from Discord again); resolves false when the session is gone.
 */
export function replaceSessionGuilds(db: Db, idHash: string, guilds: StoredSessionGuild[], readAt: number): Promise<boolean> {
  return db.transaction((tx) =>
    run(tx, (c) => {
      const updated = c.statement('UPDATE dashboard_sessions SET guilds_read_at = ? WHERE id_hash = ?').run(readAt, idHash);
      if (updated.changes === 0) return false;
      c.statement('DELETE FROM dashboard_session_guilds WHERE session_hash = ?').run(idHash);
      const insert = c.statement(INSERT_GUILD);
      for (const g of guilds) insert.run(idHash, g.guildId, g.guildName, g.guildIcon, g.access, g.checkedAt);
      return true;
    }),
  );
}

/** Confirms (or lowers) a session's access to a server after a re-check; only updates a row that exists. */
export function confirmSessionGuild(db: Db, idHash: string, guildId: string, access: GuildAccessLevel, checkedAt: number): Promise<void> {
  return run(db, (c) => {
    c.statement('UPDATE dashboard_session_guilds SET access = ?, checked_at = ? WHERE session_hash = ? AND guild_id = ?').run(
      access,
      checkedAt,
      idHash,
      guildId,
    );
  });
}

/** Takes a server away from a session (a re-check found the person no longer manages it). */
export function removeSessionGuild(db: Db, idHash: string, guildId: string): Promise<void> {
  return run(db, (c) => {
    c.statement('DELETE FROM dashboard_session_guilds WHERE session_hash = ? AND guild_id = ?').run(idHash, guildId);
  });
}

/** Ends a session (its servers go with it); resolves false when there was none. */
export function deleteSession(db: Db, idHash: string): Promise<boolean> {
  return run(db, (c) => {
    c.statement('DELETE FROM dashboard_session_guilds WHERE session_hash = ?').run(idHash);
    return c.statement('DELETE FROM dashboard_sessions WHERE id_hash = ?').run(idHash).changes > 0;
  });
}

/** Deletes sessions past their absolute expiry or idle for longer than idleMs, and stale sign-ins; resolves with how many sessions. */
export function deleteExpiredSessions(db: Db, now: number, idleMs: number): Promise<number> {
  return db.transaction((tx) =>
    run(tx, (c) => {
      const expired = '(SELECT id_hash FROM dashboard_sessions WHERE expires_at <= ? OR last_seen_at <= ?)';
      c.statement(`DELETE FROM dashboard_session_guilds WHERE session_hash IN ${expired}`).run(now, now - idleMs);
      const removed = c
        .statement('DELETE FROM dashboard_sessions WHERE expires_at <= ? OR last_seen_at <= ?')
        .run(now, now - idleMs).changes;
      c.statement('DELETE FROM dashboard_sign_ins WHERE expires_at <= ?').run(now);
      return removed;
    }),
  );
}

/** The number of sessions a user has open (for tests and status). */
export function countSessionsOfUser(db: Db, userId: string): Promise<number> {
  return run(
    db,
    (c) => c.rawStatement<[string], [number]>('SELECT count(*) FROM dashboard_sessions WHERE user_id = ?').get(userId)?.[0] ?? 0,
  );
}

/** Stores a sign-in under way. */
export function insertSignIn(db: Db, signIn: StoredSignIn): Promise<void> {
  return run(db, (c) => {
    c.statement(
      `INSERT INTO dashboard_sign_ins (state_hash, browser_hash, purpose, session_hash, return_to, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(signIn.stateHash, signIn.browserHash, signIn.purpose, signIn.sessionHash, signIn.returnTo, signIn.createdAt, signIn.expiresAt);
  });
}

/** Takes a sign-in by its state hash: it is deleted as it is read, so a state works once at most. */
export function takeSignIn(db: Db, stateHash: string): Promise<StoredSignIn | null> {
  return run(db, (c) => {
    const row = c.statement<[string], SignInRow>('DELETE FROM dashboard_sign_ins WHERE state_hash = ? RETURNING *').get(stateHash);
    return row
      ? {
          stateHash: row.state_hash,
          browserHash: row.browser_hash,
          purpose: row.purpose,
          sessionHash: row.session_hash,
          returnTo: row.return_to,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
        }
      : null;
  });
}

function toSession(row: SessionRow): StoredSession {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    userName: row.user_name,
    userAvatar: row.user_avatar,
    discordTokens: row.discord_tokens,
    tokenExpiresAt: row.token_expires_at,
    guildsReadAt: row.guilds_read_at,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}
