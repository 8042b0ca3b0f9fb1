// API tokens: made, hashed and verified here (for the HTTP server, the CLI and /clipscope-admin); stored through
// src/db/stores/tokens.ts. A token is shown once; only its SHA-256 hash is stored.
import crypto, { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database';
import { findApiTokenByHash, insertApiToken, readChangeCounters, touchApiToken, type StoredApiToken } from '../db/stores/tokens';

export { listApiTokens, revokeApiToken, type RevokeResult } from '../db/stores/tokens';

/** Every token starts with this, so secret scanners and people recognise a Clipscope token. */
export const TOKEN_PREFIX = 'cs_';
/** 32 random bytes = 256 bits, base64url encoded (43 characters). */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^cs_[A-Za-z0-9_-]{43}$/;
/** Characters kept in clear (prefix + 6), enough to tell tokens apart in a listing, far too few to guess from. */
const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 6;
/** last_used_at is written at most this often per token, so reads do not turn into a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type ApiTokenInfo = StoredApiToken;

export interface CreatedApiToken extends ApiTokenInfo {
  /** The token itself: shown to its owner once, never stored. */
  token: string;
}

/** The guild a valid token opens, and which token it was (for rate limits and last_used_at). */
export interface TokenAccess {
  tokenId: number;
  guildId: string;
}

/** Node ≥ 20.12's one-shot crypto.hash (no Hash object per request), or the classic API on older releases. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function hashToken(token: string): string {
  return oneShotHash ? oneShotHash('sha256', token, 'hex') : crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function createApiToken(db: Db, input: { guildId: string; name?: string }, now: number): Promise<CreatedApiToken> {
  const token = TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
  const name = input.name?.trim() || 'API token';
  const prefix = token.slice(0, SHOWN_PREFIX_LENGTH);
  const id = await insertApiToken(db, { guildId: input.guildId, name, tokenHash: hashToken(token), prefix, createdAt: now });
  return { id, guildId: input.guildId, name, prefix, createdAt: now, lastUsedAt: null, revokedAt: null, token };
}

export interface TokenVerifier {
  /** The access a presented token grants, or null for a malformed, unknown or revoked token. */
  verify(presented: string, now: number): Promise<TokenAccess | null>;
}

/** Verified tokens kept in memory at most; beyond it the memo starts afresh (a server has a handful of tokens). */
const MAX_REMEMBERED_TOKENS = 1000;

export interface TokenVerifierOptions {
  /**
   * How often to ask SQLite whether another connection committed: on every call (the default), or once per
   * event-loop turn (the HTTP server). A server reads every request of a turn from sockets that were ready
   * before the turn began, so checking at the turn's first request still refuses every request received after
   * a revocation committed, and a busy server pays for the check once per batch instead of once per request.
   */
  changeCheck?: 'every-call' | 'once-per-turn';
}

/**
 * Verifies tokens against the store and remembers the valid ones, so a steady client costs one hash and a change
 * check instead of an indexed read per request. The memo is dropped whenever the database may have changed
 * (another connection committed, or this one wrote), so a revocation is refused from the next request on.
 */
export function createTokenVerifier(db: Db, options: TokenVerifierOptions = {}): TokenVerifier {
  /** By token hash (not the token): a lookup keyed by the secret itself could leak it through timing. */
  const remembered = new Map<string, { access: TokenAccess; lastWritten: number }>();
  let seenDataVersion = -1;
  let seenChanges = -1;
  const oncePerTurn = options.changeCheck === 'once-per-turn';
  let versionThisTurn: number | null = null;
  const endTurn = (): void => {
    versionThisTurn = null;
  };

  /**
   * Reading data_version starts a read transaction: the costliest step of a remembered token. null when the engine
   * has no change counters (PostgreSQL): then nothing is remembered from one call to the next.
   */
  const currentCounters = async (): Promise<{ version: number; changes: number } | null> => {
    const known = oncePerTurn ? versionThisTurn : null;
    const counters = await readChangeCounters(db, { dataVersion: known === null });
    if (counters === null) return null;
    if (known !== null) return { version: known, changes: counters.totalChanges };
    const version = counters.dataVersion ?? 0;
    if (oncePerTurn) {
      versionThisTurn = version;
      setImmediate(endTurn);
    }
    return { version, changes: counters.totalChanges };
  };

  const lookup = async (hash: string): Promise<{ access: TokenAccess; lastWritten: number } | null> => {
    const row = await findApiTokenByHash(db, hash);
    // The lookup is by hash, so timing reveals nothing about stored tokens; the explicit comparison keeps the
    // check constant-time even if the lookup were ever changed to a prefix or a scan.
    if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(hash, 'hex'))) return null;
    if (row.revokedAt !== null) return null;
    return { access: { tokenId: row.id, guildId: row.guildId }, lastWritten: row.lastUsedAt ?? 0 };
  };

  return {
    async verify(presented, now) {
      if (!TOKEN_PATTERN.test(presented)) return null;
      const hash = hashToken(presented);
      const counters = await currentCounters();
      if (counters === null) remembered.clear();
      else if (counters.version !== seenDataVersion || counters.changes !== seenChanges) {
        remembered.clear();
        seenDataVersion = counters.version;
        seenChanges = counters.changes;
      }
      let entry = remembered.get(hash) ?? null;
      if (entry === null) {
        entry = await lookup(hash);
        if (entry === null) return null;
        if (remembered.size >= MAX_REMEMBERED_TOKENS) remembered.clear();
        remembered.set(hash, entry);
      }
      if (now - entry.lastWritten >= LAST_USED_RESOLUTION_MS) {
        try {
          const written = await touchApiToken(db, entry.access.tokenId, now);
          entry.lastWritten = now;
          // Our own write must not drop the memo; a write by anyone else since the check above still does.
          if (written !== null && written.changesBefore === seenChanges) seenChanges = written.changesAfter;
        } catch {
          // A busy database must not turn a valid read into an error; the next request tries again.
        }
      }
      return entry.access;
    },
  };
}
