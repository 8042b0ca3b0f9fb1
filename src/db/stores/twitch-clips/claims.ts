// Clip claims (docs/adr/0034-clip-claims-and-shared-helix-budget.md): a Helix lookup in progress, so that no clip is
// sent to Helix by two processes at once. One row per clip id; each step is one statement the database decides.
import type { Db } from '../../database';
import { textArray } from '../../analytics/postgres-text';
import { dialect, queries } from '../../sql';

/** The ids as one parameter, sorted so that concurrent claims lock rows in the same order on PostgreSQL. */
function idList(db: Db, ids: readonly string[]): string {
  const sorted = [...new Set(ids)].sort();
  return dialect(db, { sqlite: JSON.stringify(sorted), postgres: textArray(sorted) });
}

/**
 * Claims the clip ids for `holder` until `expiresAt`: those nobody holds, whose claim expired at or before `now`
 * (its process died or stalled), or that `holder` holds already. Returns the ids now held by `holder`; the rest are
 * another live holder's. PostgreSQL re-checks the condition against a row a concurrent claimer just wrote, and
 * SQLite runs one writer at a time, so no id is ever held by two claimers.
 */
export async function claimClips(
  db: Db,
  claim: { ids: readonly string[]; holder: string; now: number; expiresAt: number },
): Promise<string[]> {
  if (claim.ids.length === 0) return [];
  const source = dialect(db, {
    // "WHERE true" tells SQLite's parser the ON CONFLICT belongs to the upsert, not to a join.
    sqlite: 'SELECT value, @holder, @expires FROM json_each(@ids) WHERE true',
    postgres: 'SELECT id, @holder, CAST(@expires AS BIGINT) FROM unnest(CAST(@ids AS text[])) AS id ORDER BY id',
  });
  const rows = await queries(db).all<{ clip_id: string }>(
    `INSERT INTO twitch_clip_claims (clip_id, holder, expires_at) ${source}
     ON CONFLICT (clip_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE twitch_clip_claims.expires_at <= @now OR twitch_clip_claims.holder = excluded.holder
     RETURNING clip_id`,
    { ids: idList(db, claim.ids), holder: claim.holder, expires: claim.expiresAt, now: claim.now },
  );
  return rows.map((r) => r.clip_id);
}

/** Ends the holder's claims on these ids (their lookup is stored, or failed and waits its backoff). */
export async function releaseClipClaims(db: Db, release: { ids: readonly string[]; holder: string }): Promise<void> {
  if (release.ids.length === 0) return;
  const ids = dialect(db, {
    sqlite: 'clip_id IN (SELECT value FROM json_each(@ids))',
    postgres: 'clip_id = ANY(CAST(@ids AS text[]))',
  });
  await queries(db).run(`DELETE FROM twitch_clip_claims WHERE holder = @holder AND ${ids}`, {
    ids: idList(db, release.ids),
    holder: release.holder,
  });
}

/** Removes claims that expired at or before `now` (left by killed processes): they would be taken over anyway. */
export async function pruneExpiredClipClaims(db: Db, now: number): Promise<number> {
  return (await queries(db).run('DELETE FROM twitch_clip_claims WHERE expires_at <= ?', [now])).changes;
}

export interface ClipClaim {
  clipId: string;
  holder: string;
  expiresAt: number;
}

/** Every claim, by clip id (status, tests). */
export async function listClipClaims(db: Db): Promise<ClipClaim[]> {
  const rows = await queries(db).all<ClipClaim>(
    'SELECT clip_id AS "clipId", holder, expires_at AS "expiresAt" FROM twitch_clip_claims ORDER BY clip_id',
  );
  return rows.map((r) => ({ ...r, expiresAt: Number(r.expiresAt) }));
}
