// The API token store: rows of api_tokens (hash, prefix, guild, use and revocation times); the tokens themselves
// are made and checked in src/http/tokens.ts.
import { run } from '../client';
import type { Db } from '../database';
import { queries } from '../sql';

export interface StoredApiToken {
  id: number;
  guildId: string;
  name: string;
  /** The first characters of the token, e.g. "cs_Ab3xYz". */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** What verifying a presented token needs of its row. */
export interface TokenByHash {
  id: number;
  guildId: string;
  tokenHash: string;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export type RevokeResult = 'revoked' | 'already_revoked' | 'not_found';

/**
 * Counters that move when the tokens may have changed: `dataVersion` when another connection commits (null when
 * not asked for) and `totalChanges` when this connection writes.
 */
export interface ChangeCounters {
  dataVersion: number | null;
  totalChanges: number;
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

/** Stores a new token by its hash; resolves with its id. */
export async function insertApiToken(
  db: Db,
  token: { guildId: string; name: string; tokenHash: string; prefix: string; createdAt: number },
): Promise<number> {
  const row = await queries(db).get<{ id: number }>(
    'INSERT INTO api_tokens (guild_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
    [token.guildId, token.name, token.tokenHash, token.prefix, token.createdAt],
  );
  return Number(row!.id);
}

/** A guild's tokens, newest first, revoked ones included (marked). */
export async function listApiTokens(db: Db, guildId: string): Promise<StoredApiToken[]> {
  return (await queries(db).all<TokenRow>('SELECT * FROM api_tokens WHERE guild_id = ? ORDER BY created_at DESC, id DESC', [guildId])).map(
    toStored,
  );
}

/** Revokes a token by id; with guildId, only a token of that guild. */
export async function revokeApiToken(db: Db, id: number, now: number, guildId?: string): Promise<RevokeResult> {
  const q = queries(db);
  const row = await q.get<Pick<TokenRow, 'guild_id'>>('SELECT guild_id FROM api_tokens WHERE id = ?', [id]);
  if (!row || (guildId !== undefined && row.guild_id !== guildId)) return 'not_found';
  // Whoever revokes first wins; a concurrent second revocation sees no row left to change.
  const revoked = await q.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id]);
  return revoked.changes > 0 ? 'revoked' : 'already_revoked';
}

export async function findApiTokenByHash(db: Db, tokenHash: string): Promise<TokenByHash | null> {
  const row = await queries(db).get<Pick<TokenRow, 'id' | 'guild_id' | 'token_hash' | 'revoked_at' | 'last_used_at'>>(
    'SELECT id, guild_id, token_hash, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ?',
    [tokenHash],
  );
  return row
    ? { id: row.id, guildId: row.guild_id, tokenHash: row.token_hash, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at }
    : null;
}

/**
 * Sets a token's last_used_at. On SQLite resolves with this connection's total_changes just before and after the
 * write, so a caller tracking changes can tell its own write from anyone else's; null on PostgreSQL, which has no
 * such counter (readChangeCounters is null there too).
 */
export async function touchApiToken(db: Db, id: number, now: number): Promise<{ changesBefore: number; changesAfter: number } | null> {
  if (db.engine === 'postgres') {
    await queries(db).run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [now, id]);
    return null;
  }
  return run(db, (c) => {
    const changes = c.rawStatement<[], [number]>('SELECT total_changes()');
    const changesBefore = changes.get()?.[0] ?? 0;
    c.statement('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
    return { changesBefore, changesAfter: changes.get()?.[0] ?? 0 };
  });
}

/**
 * The change counters (SQLite); PRAGMA data_version (which opens a read transaction) only when `dataVersion` is asked
 * for. null on PostgreSQL: nothing as cheap tells another process's commit there, so verified tokens are not
 * remembered and each request reads its token by hash (one indexed read).
 */
export function readChangeCounters(db: Db, options: { dataVersion: boolean }): Promise<ChangeCounters | null> {
  if (db.engine === 'postgres') return Promise.resolve(null);
  return run(db, (c) => ({
    dataVersion: options.dataVersion ? (c.rawStatement<[], [number]>('PRAGMA data_version').get()?.[0] ?? 0) : null,
    totalChanges: c.rawStatement<[], [number]>('SELECT total_changes()').get()?.[0] ?? 0,
  }));
}

function toStored(row: TokenRow): StoredApiToken {
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
