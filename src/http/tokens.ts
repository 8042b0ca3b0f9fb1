// API tokens: created, listed, revoked and verified here (used by the HTTP server, the CLI and /clipscope-admin).
// A token is shown once; only its SHA-256 hash is stored, so a leaked database does not leak usable tokens.
import crypto, { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client';
import { legacyClient } from '../db/client';

/** Every token starts with this, so secret scanners and people recognise a Clipscope token. */
export const TOKEN_PREFIX = 'cs_';
/** 32 random bytes = 256 bits, base64url encoded (43 characters). */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^cs_[A-Za-z0-9_-]{43}$/;
/** Characters kept in clear (prefix + 6), enough to tell tokens apart in a listing, far too few to guess from. */
const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 6;
/** last_used_at is written at most this often per token, so reads do not turn into a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiTokenInfo {
  id: number;
  guildId: string;
  name: string;
  /** The first characters of the token, e.g. "cs_Ab3xYz". */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface CreatedApiToken extends ApiTokenInfo {
  /** The token itself: shown to its owner once, never stored. */
  token: string;
}

/** The guild a valid token opens, and which token it was (for rate limits and last_used_at). */
export interface TokenAccess {
  tokenId: number;
  guildId: string;
}

interface TokenRow {
  id: number;
  guild_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Node ≥ 20.12's one-shot crypto.hash (no Hash object per request), or the classic API on older releases. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function hashToken(token: string): string {
  return oneShotHash ? oneShotHash('sha256', token, 'hex') : crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function createApiToken(db: Db, input: { guildId: string; name?: string }, now: number): CreatedApiToken {
  const token = TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
  const name = input.name?.trim() || 'API token';
  const prefix = token.slice(0, SHOWN_PREFIX_LENGTH);
  const result = legacyClient(db)
    .prepare('INSERT INTO api_tokens (guild_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(input.guildId, name, hashToken(token), prefix, now);
  return {
    id: Number(result.lastInsertRowid),
    guildId: input.guildId,
    name,
    prefix,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
    token,
  };
}

/** A guild's tokens, newest first, revoked ones included (marked). */
export function listApiTokens(db: Db, guildId: string): ApiTokenInfo[] {
  return legacyClient(db)
    .prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE guild_id = ? ORDER BY created_at DESC, id DESC')
    .all(guildId)
    .map(toInfo);
}

export type RevokeResult = 'revoked' | 'already_revoked' | 'not_found';

/**
 * Revokes a token by id; effective for the very next request (every request checks whether the database changed).
 * With guildId, only a token of that guild can be revoked (what /clipscope-admin passes).
 */
export function revokeApiToken(db: Db, id: number, now: number, guildId?: string): RevokeResult {
  const row = legacyClient(db).prepare<[number], TokenRow>('SELECT * FROM api_tokens WHERE id = ?').get(id);
  if (!row || (guildId !== undefined && row.guild_id !== guildId)) return 'not_found';
  if (row.revoked_at !== null) return 'already_revoked';
  legacyClient(db).prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
  return 'revoked';
}

export interface TokenVerifier {
  /** The access a presented token grants, or null for a malformed, unknown or revoked token. */
  verify(presented: string, now: number): TokenAccess | null;
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
 * Verifies tokens against api_tokens and remembers the valid ones, so a steady client costs one hash and a
 * change check instead of an indexed read per request. The memo is dropped whenever the database may have
 * changed: `PRAGMA data_version` moves when another connection commits (the CLI, the main thread) and
 * `total_changes()` when this one writes (checked on every call), so a revocation is refused from the next
 * request on.
 */
export function createTokenVerifier(db: Db, options: TokenVerifierOptions = {}): TokenVerifier {
  const byHash = legacyClient(db).prepare<[string], Pick<TokenRow, 'id' | 'guild_id' | 'token_hash' | 'revoked_at' | 'last_used_at'>>(
    'SELECT id, guild_id, token_hash, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ?',
  );
  const touch = legacyClient(db).prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  const dataVersion = legacyClient(db).prepare<[], number>('PRAGMA data_version').pluck();
  const totalChanges = legacyClient(db).prepare<[], number>('SELECT total_changes()').pluck();
  /** By token hash (not the token): a lookup keyed by the secret itself could leak it through timing. */
  const remembered = new Map<string, { access: TokenAccess; lastWritten: number }>();
  let seenDataVersion = -1;
  let seenChanges = -1;
  const oncePerTurn = options.changeCheck === 'once-per-turn';
  let versionThisTurn: number | null = null;
  const endTurn = (): void => {
    versionThisTurn = null;
  };
  /** PRAGMA data_version starts a read transaction (two file-lock calls): the costliest step of a remembered token. */
  const currentDataVersion = (): number => {
    if (!oncePerTurn) return dataVersion.get() ?? 0;
    if (versionThisTurn === null) {
      versionThisTurn = dataVersion.get() ?? 0;
      setImmediate(endTurn);
    }
    return versionThisTurn;
  };

  const lookup = (hash: string): { access: TokenAccess; lastWritten: number } | null => {
    const row = byHash.get(hash);
    // The lookup is by hash, so timing reveals nothing about stored tokens; the explicit comparison keeps the
    // check constant-time even if the lookup were ever changed to a prefix or a scan.
    if (!row || !timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
    if (row.revoked_at !== null) return null;
    return { access: { tokenId: row.id, guildId: row.guild_id }, lastWritten: row.last_used_at ?? 0 };
  };

  return {
    verify(presented, now) {
      if (!TOKEN_PATTERN.test(presented)) return null;
      const hash = hashToken(presented);
      const version = currentDataVersion();
      const changes = totalChanges.get() ?? 0;
      if (version !== seenDataVersion || changes !== seenChanges) {
        remembered.clear();
        seenDataVersion = version;
        seenChanges = changes;
      }
      let entry = remembered.get(hash) ?? null;
      if (entry === null) {
        entry = lookup(hash);
        if (entry === null) return null;
        if (remembered.size >= MAX_REMEMBERED_TOKENS) remembered.clear();
        remembered.set(hash, entry);
      }
      if (now - entry.lastWritten >= LAST_USED_RESOLUTION_MS) {
        try {
          touch.run(now, entry.access.tokenId);
          entry.lastWritten = now;
          // Our own write must not drop the memo; nothing else ran on this connection since the check above.
          seenChanges = totalChanges.get() ?? 0;
        } catch {
          // A busy database must not turn a valid read into an error; the next request tries again.
        }
      }
      return entry.access;
    },
  };
}

function toInfo(row: TokenRow): ApiTokenInfo {
  return {
    id: row.id,
    guildId: row.guild_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
