// The dashboard session store: sessions by the hash of their id, the servers each may open, and sign-ins under way.
// Sessions are made and checked in src/auth/sessions.ts. One statement text for both engines (src/db/sql.ts).
import type { Db } from '../database';
import { queries } from '../sql';

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
  return db.transaction(async (tx) => {
    const q = queries(tx);
    await q.run(
      `INSERT INTO dashboard_sessions (id_hash, user_id, user_name, user_avatar, discord_tokens, token_expires_at, guilds_read_at,
        created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
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
      ],
    );
    for (const g of guilds) await q.run(INSERT_GUILD, [session.idHash, g.guildId, g.guildName, g.guildIcon, g.access, g.checkedAt]);
  });
}

/** A session by the hash of its id, with its servers; null when there is none (expiry is the caller's check). */
export async function findSession(db: Db, idHash: string): Promise<{ session: StoredSession; guilds: StoredSessionGuild[] } | null> {
  const q = queries(db);
  // Both reads at once (PostgreSQL sends them on two connections); the servers of a session that is gone are none.
  const [row, guilds] = await Promise.all([
    q.get<SessionRow>('SELECT * FROM dashboard_sessions WHERE id_hash = ?', [idHash]),
    q.all<SessionGuildRow>(
      `SELECT guild_id, guild_name, guild_icon, access, checked_at FROM dashboard_session_guilds
       WHERE session_hash = ? ORDER BY guild_name, guild_id`,
      [idHash],
    ),
  ]);
  if (!row) return null;
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
}

/** Records a request on the session (the idle timeout counts from here). */
export async function touchSession(db: Db, idHash: string, now: number): Promise<void> {
  await queries(db).run('UPDATE dashboard_sessions SET last_seen_at = ? WHERE id_hash = ?', [now, idHash]);
}

/** Stores refreshed Discord tokens (sealed) and their new expiry. */
export async function updateSessionTokens(db: Db, idHash: string, sealed: string, tokenExpiresAt: number): Promise<void> {
  await queries(db).run('UPDATE dashboard_sessions SET discord_tokens = ?, token_expires_at = ? WHERE id_hash = ?', [
    sealed,
    tokenExpiresAt,
    idHash,
  ]);
}

/**
 * Replaces a session's servers with a fresh list (read from Discord again); resolves false when the session is gone.
 */
export function replaceSessionGuilds(db: Db, idHash: string, guilds: StoredSessionGuild[], readAt: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const q = queries(tx);
    const updated = await q.run('UPDATE dashboard_sessions SET guilds_read_at = ? WHERE id_hash = ?', [readAt, idHash]);
    if (updated.changes === 0) return false;
    await q.run('DELETE FROM dashboard_session_guilds WHERE session_hash = ?', [idHash]);
    for (const g of guilds) await q.run(INSERT_GUILD, [idHash, g.guildId, g.guildName, g.guildIcon, g.access, g.checkedAt]);
    return true;
  });
}

/** Confirms (or lowers) a session's access to a server after a re-check; only updates a row that exists. */
export async function confirmSessionGuild(
  db: Db,
  idHash: string,
  guildId: string,
  access: GuildAccessLevel,
  checkedAt: number,
): Promise<void> {
  await queries(db).run('UPDATE dashboard_session_guilds SET access = ?, checked_at = ? WHERE session_hash = ? AND guild_id = ?', [
    access,
    checkedAt,
    idHash,
    guildId,
  ]);
}

/** Takes a server away from a session (a re-check found the person no longer manages it). */
export async function removeSessionGuild(db: Db, idHash: string, guildId: string): Promise<void> {
  await queries(db).run('DELETE FROM dashboard_session_guilds WHERE session_hash = ? AND guild_id = ?', [idHash, guildId]);
}

/** Ends a session (its servers go with it); resolves false when there was none. */
export function deleteSession(db: Db, idHash: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const q = queries(tx);
    await q.run('DELETE FROM dashboard_session_guilds WHERE session_hash = ?', [idHash]);
    return (await q.run('DELETE FROM dashboard_sessions WHERE id_hash = ?', [idHash])).changes > 0;
  });
}

/** Deletes sessions past their absolute expiry or idle for longer than idleMs, and stale sign-ins; resolves with how many sessions. */
export function deleteExpiredSessions(db: Db, now: number, idleMs: number): Promise<number> {
  return db.transaction(async (tx) => {
    const q = queries(tx);
    const expired = '(SELECT id_hash FROM dashboard_sessions WHERE expires_at <= ? OR last_seen_at <= ?)';
    await q.run(`DELETE FROM dashboard_session_guilds WHERE session_hash IN ${expired}`, [now, now - idleMs]);
    const removed = (await q.run('DELETE FROM dashboard_sessions WHERE expires_at <= ? OR last_seen_at <= ?', [now, now - idleMs])).changes;
    await q.run('DELETE FROM dashboard_sign_ins WHERE expires_at <= ?', [now]);
    return removed;
  });
}

/** The number of sessions a user has open (for tests and status). */
export async function countSessionsOfUser(db: Db, userId: string): Promise<number> {
  return (await queries(db).values<[number]>('SELECT count(*) FROM dashboard_sessions WHERE user_id = ?', [userId]))[0]?.[0] ?? 0;
}

/** Stores a sign-in under way. */
export async function insertSignIn(db: Db, signIn: StoredSignIn): Promise<void> {
  await queries(db).run(
    `INSERT INTO dashboard_sign_ins (state_hash, browser_hash, purpose, session_hash, return_to, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [signIn.stateHash, signIn.browserHash, signIn.purpose, signIn.sessionHash, signIn.returnTo, signIn.createdAt, signIn.expiresAt],
  );
}

/** Takes a sign-in by its state hash: it is deleted as it is read, so a state works once at most (even when two take it at once). */
export async function takeSignIn(db: Db, stateHash: string): Promise<StoredSignIn | null> {
  const row = await queries(db).get<SignInRow>('DELETE FROM dashboard_sign_ins WHERE state_hash = ? RETURNING *', [stateHash]);
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
