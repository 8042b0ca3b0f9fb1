// Dashboard sessions for Sign in with Discord: made, checked and ended here; stored through src/db/stores/sessions.ts.
// The session id lives only in the browser's cookie. The database keeps its SHA-256, and the person's Discord tokens
// sealed with a key derived from the id, so a copy of the database opens no session and reads no Discord account.
// The CSRF token and the PKCE verifier are derived from secrets the browser holds, so neither is stored either.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database';
import {
  confirmSessionGuild,
  deleteExpiredSessions,
  deleteSession,
  findSession,
  insertSession,
  insertSignIn,
  removeSessionGuild,
  replaceSessionGuilds,
  takeSignIn,
  touchSession,
  updateSessionTokens,
  type StoredSessionGuild,
} from '../db/stores/sessions';
import type { DiscordTokens } from './discord-oauth';
import type { GuildAccessLevel } from './guild-access';
import { hashToken } from './tokens';

/** 32 random bytes, base64url: 43 characters, 256 bits. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** last_seen_at is written at most this often per session. */
const LAST_SEEN_RESOLUTION_MS = 60_000;
/** A sign-in must come back from Discord within this long. */
export const SIGN_IN_TTL_MS = 10 * 60_000;

export interface SessionUser {
  id: string;
  name: string;
  avatar: string | null;
}

export interface SessionGuild {
  id: string;
  name: string;
  icon: string | null;
  access: GuildAccessLevel;
  checkedAt: number;
}

/** A session opened with its id (from the cookie): only ever held in memory for one request. */
export interface Session {
  /** The session id itself: derives the CSRF token and the key of the sealed tokens. Never logged or sent back. */
  readonly id: string;
  readonly idHash: string;
  user: SessionUser;
  /** The servers this session may open, by guild id. */
  guilds: Map<string, SessionGuild>;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  guildsReadAt: number;
  tokenExpiresAt: number;
  /** The sealed Discord tokens (open with discordTokens()). */
  sealedTokens: string;
}

export interface SignIn {
  purpose: 'sign-in' | 'link-twitch';
  sessionHash: string | null;
  returnTo: string;
  /** The PKCE verifier of this sign-in (derived, never stored). */
  codeVerifier: string;
}

export interface SessionServiceOptions {
  /** Idle timeout. */
  idleMs: number;
  /** Absolute lifetime from sign-in. */
  maxMs: number;
}

export interface SessionService {
  readonly idleMs: number;
  readonly maxMs: number;
  /** Starts a session; resolves with it (its id goes into the cookie, nowhere else). Expired sessions are purged. */
  start(input: { user: SessionUser; tokens: DiscordTokens; guilds: SessionGuild[] }, now: number): Promise<Session>;
  /** The session of a presented id, or null for a malformed, unknown, expired or idle one. */
  open(presented: string, now: number): Promise<Session | null>;
  /** The CSRF token of a session: what its state-changing requests must send in X-CSRF-Token. */
  csrfToken(session: Session): string;
  checkCsrf(session: Session, presented: string | undefined): boolean;
  /** The session's Discord tokens; null when they cannot be opened (then the session must sign in again). */
  discordTokens(session: Session): DiscordTokens | null;
  storeDiscordTokens(session: Session, tokens: DiscordTokens): Promise<void>;
  /** Replaces the session's servers (after reading Discord's list again); false when the session is gone. */
  replaceGuilds(session: Session, guilds: SessionGuild[], now: number): Promise<boolean>;
  /** Records a re-check through the bot: the access confirmed (possibly lowered), or null to take the server away. */
  recordCheck(session: Session, guildId: string, access: GuildAccessLevel | null, now: number): Promise<void>;
  end(session: Session): Promise<void>;
  /** Starts a sign-in: the state for Discord and the nonce for the browser's cookie (both secret). */
  beginSignIn(
    input: { purpose: SignIn['purpose']; sessionHash: string | null; returnTo: string },
    now: number,
  ): Promise<{ state: string; browserNonce: string; codeVerifier: string }>;
  /**
   * Takes the sign-in of a state (once: a second call finds nothing), if it is unexpired and the browser presents the
   * nonce it was given; null otherwise.
   */
  finishSignIn(state: string, browserNonce: string | undefined, now: number): Promise<SignIn | null>;
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The SHA-256 (hex) of a session id, state or nonce: what the database keeps. */
export const hashSecret = hashToken;

/** A purpose-bound key or token derived from a secret the browser holds. */
function derive(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`clipscope/${purpose}/v1`, 'utf8').digest();
}

/** The PKCE verifier of a sign-in: derived from the browser's nonce and the state (RFC 7636: 43 characters). */
export function pkceVerifier(browserNonce: string, state: string): string {
  return derive(browserNonce, `pkce/${state}`).toString('base64url');
}

/** Seals a session's Discord tokens with a key derived from its id (AES-256-GCM, random IV). */
export function sealTokens(sessionId: string, tokens: DiscordTokens): string {
  const key = Buffer.from(hkdfSync('sha256', sessionId, 'clipscope', 'discord-tokens/v1', 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(tokens), 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

/** Opens sealed tokens with the session id; null when the id does not fit or the text was altered. */
export function openTokens(sessionId: string, sealed: string): DiscordTokens | null {
  if (!sealed.startsWith('v1.')) return null;
  try {
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    const key = Buffer.from(hkdfSync('sha256', sessionId, 'clipscope', 'discord-tokens/v1', 32));
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as DiscordTokens;
  } catch {
    return null;
  }
}

export function createSessionService(db: Db, options: SessionServiceOptions): SessionService {
  const toStoredGuild = (g: SessionGuild): StoredSessionGuild => ({
    guildId: g.id,
    guildName: g.name,
    guildIcon: g.icon,
    access: g.access,
    checkedAt: g.checkedAt,
  });

  return {
    idleMs: options.idleMs,
    maxMs: options.maxMs,

    async start({ user, tokens, guilds }, now) {
      await deleteExpiredSessions(db, now, options.idleMs);
      const id = newSecret();
      const session: Session = {
        id,
        idHash: hashSecret(id),
        user,
        guilds: new Map(guilds.map((g) => [g.id, g])),
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + options.maxMs,
        guildsReadAt: now,
        tokenExpiresAt: tokens.expiresAt,
        sealedTokens: sealTokens(id, tokens),
      };
      await insertSession(
        db,
        {
          idHash: session.idHash,
          userId: user.id,
          userName: user.name,
          userAvatar: user.avatar,
          discordTokens: session.sealedTokens,
          tokenExpiresAt: tokens.expiresAt,
          guildsReadAt: now,
          createdAt: now,
          lastSeenAt: now,
          expiresAt: session.expiresAt,
        },
        guilds.map(toStoredGuild),
      );
      return session;
    },

    async open(presented, now) {
      if (!SECRET_PATTERN.test(presented)) return null;
      const idHash = hashSecret(presented);
      const found = await findSession(db, idHash);
      if (!found) return null;
      const { session: row, guilds } = found;
      // The lookup is by hash; the comparison keeps the check constant-time whatever the lookup becomes.
      if (!timingSafeEqual(Buffer.from(row.idHash, 'hex'), Buffer.from(idHash, 'hex'))) return null;
      if (row.expiresAt <= now || row.lastSeenAt + options.idleMs <= now) {
        await deleteSession(db, idHash);
        return null;
      }
      if (now - row.lastSeenAt >= LAST_SEEN_RESOLUTION_MS) {
        await touchSession(db, idHash, now);
        row.lastSeenAt = now;
      }
      return {
        id: presented,
        idHash,
        user: { id: row.userId, name: row.userName, avatar: row.userAvatar },
        guilds: new Map(
          guilds.map((g) => [g.guildId, { id: g.guildId, name: g.guildName, icon: g.guildIcon, access: g.access, checkedAt: g.checkedAt }]),
        ),
        createdAt: row.createdAt,
        lastSeenAt: row.lastSeenAt,
        expiresAt: row.expiresAt,
        guildsReadAt: row.guildsReadAt,
        tokenExpiresAt: row.tokenExpiresAt,
        sealedTokens: row.discordTokens,
      };
    },

    csrfToken: (session) => derive(session.id, 'csrf').toString('base64url'),

    checkCsrf(session, presented) {
      if (typeof presented !== 'string' || !SECRET_PATTERN.test(presented)) return false;
      return timingSafeEqual(Buffer.from(presented, 'base64url'), derive(session.id, 'csrf'));
    },

    discordTokens: (session) => openTokens(session.id, session.sealedTokens),

    async storeDiscordTokens(session, tokens) {
      session.sealedTokens = sealTokens(session.id, tokens);
      session.tokenExpiresAt = tokens.expiresAt;
      await updateSessionTokens(db, session.idHash, session.sealedTokens, tokens.expiresAt);
    },

    async replaceGuilds(session, guilds, now) {
      const ok = await replaceSessionGuilds(db, session.idHash, guilds.map(toStoredGuild), now);
      if (ok) {
        session.guilds = new Map(guilds.map((g) => [g.id, g]));
        session.guildsReadAt = now;
      }
      return ok;
    },

    async recordCheck(session, guildId, access, now) {
      const current = session.guilds.get(guildId);
      if (!current) return;
      if (access === null) {
        session.guilds.delete(guildId);
        await removeSessionGuild(db, session.idHash, guildId);
        return;
      }
      current.access = access;
      current.checkedAt = now;
      await confirmSessionGuild(db, session.idHash, guildId, access, now);
    },

    async end(session) {
      await deleteSession(db, session.idHash);
    },

    async beginSignIn({ purpose, sessionHash, returnTo }, now) {
      const state = newSecret();
      const browserNonce = newSecret();
      await insertSignIn(db, {
        stateHash: hashSecret(state),
        browserHash: hashSecret(browserNonce),
        purpose,
        sessionHash,
        returnTo,
        createdAt: now,
        expiresAt: now + SIGN_IN_TTL_MS,
      });
      return { state, browserNonce, codeVerifier: pkceVerifier(browserNonce, state) };
    },

    async finishSignIn(state, browserNonce, now) {
      if (!SECRET_PATTERN.test(state)) return null;
      const row = await takeSignIn(db, hashSecret(state));
      if (!row || row.expiresAt <= now) return null;
      if (typeof browserNonce !== 'string' || !SECRET_PATTERN.test(browserNonce)) return null;
      const presented = Buffer.from(hashSecret(browserNonce), 'hex');
      if (!timingSafeEqual(presented, Buffer.from(row.browserHash, 'hex'))) return null;
      return {
        purpose: row.purpose,
        sessionHash: row.sessionHash,
        returnTo: row.returnTo,
        codeVerifier: pkceVerifier(browserNonce, state),
      };
    },
  };
}
