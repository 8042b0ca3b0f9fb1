// Clip claims and the shared Helix budget (docs/adr/0034-clip-claims-and-one-helix-budget.md): which process is
// looking up which clips on Twitch, and the one rate-limit bucket of a Twitch client id. Each step is one statement
// whose outcome the database decides, the same text on both engines (but for the id list's type), so of any number of
// processes claiming the same clip or drawing on the same bucket at once, the database picks who wins.
import type { Db } from '../database';
import { textArray } from '../analytics/postgres-text';
import { dialect, queries } from '../sql';

/** Who claims: one id per process (host, pid and a random part), with the host and pid apart. */
export interface ClaimHolder {
  holder: string;
  host: string;
  pid: number;
}

export interface ClipClaimRequest extends ClaimHolder {
  /** Clip ids to claim (at most 100: one Get Clips call). */
  clipIds: readonly string[];
  now: number;
  /** The claims end at now + ttlMs unless renewed or released. */
  ttlMs: number;
  /** Holders whose claims may be taken over although unexpired: processes known to be dead. */
  deadHolders?: readonly string[];
}

function idList(db: Db, ids: readonly string[]): { sql: string; param: string } {
  return dialect(db, {
    sqlite: { sql: 'SELECT value AS clip_id FROM json_each(@ids)', param: JSON.stringify(ids) },
    postgres: { sql: 'SELECT unnest(CAST(@ids AS text[])) AS clip_id', param: textArray(ids) },
  });
}

/**
 * Claims those of the given clips that are still pending and due and that nobody holds (no claim, an expired one, the
 * caller's own, or a dead holder's), and renews every other claim of the caller. Returns the ids now the caller's.
 * One upsert: PostgreSQL re-checks the conflict condition on the row a concurrent claimer just wrote, SQLite runs one
 * writer at a time, so no clip is ever held by two live claims.
 */
export async function claimClips(db: Db, r: ClipClaimRequest): Promise<string[]> {
  if (r.clipIds.length === 0) return [];
  const q = queries(db);
  const list = idList(db, r.clipIds);
  const dead = idList(db, r.deadHolders ?? []);
  const rows = await q.all<{ clip_id: string }>(
    `INSERT INTO helix_clip_claims (clip_id, holder, host, pid, expires_at)
     SELECT ids.clip_id, @holder, @host, @pid, @expires FROM (${list.sql}) AS ids
      WHERE EXISTS (SELECT 1 FROM clips c WHERE c.clip_id = ids.clip_id AND c.enrichment_state = 'pending'
                      AND c.enrichment_next_attempt_at <= @now)
     ON CONFLICT (clip_id) DO UPDATE SET
       holder = excluded.holder, host = excluded.host, pid = excluded.pid, expires_at = excluded.expires_at
     WHERE helix_clip_claims.expires_at <= @now OR helix_clip_claims.holder = excluded.holder
        OR helix_clip_claims.holder IN (${dead.sql.replace('@ids', '@dead')})
     RETURNING clip_id`,
    { ids: list.param, dead: dead.param, holder: r.holder, host: r.host, pid: r.pid, expires: r.now + r.ttlMs, now: r.now },
  );
  // Renewing the caller's other claims keeps a long batch's clips its own while the run goes on.
  await q.run('UPDATE helix_clip_claims SET expires_at = @expires WHERE holder = @holder AND expires_at > @now', {
    holder: r.holder,
    expires: r.now + r.ttlMs,
    now: r.now,
  });
  const claimed = rows.map((row) => row.clip_id);
  if (claimed.length === 0) return [];
  // On PostgreSQL the insert's check ran on the snapshot its statement started with: a clip another process wrote and
  // released just after that could be claimed again. A new statement sees that write; such claims are let go at once.
  const won = idList(db, claimed);
  const gone = await q.all<{ clip_id: string }>(
    `DELETE FROM helix_clip_claims WHERE holder = @holder AND clip_id IN (${won.sql}) AND NOT EXISTS (
       SELECT 1 FROM clips c WHERE c.clip_id = helix_clip_claims.clip_id AND c.enrichment_state = 'pending'
          AND c.enrichment_next_attempt_at <= @now)
     RETURNING clip_id`,
    { holder: r.holder, ids: won.param, now: r.now },
  );
  if (gone.length === 0) return claimed;
  const released = new Set(gone.map((row) => row.clip_id));
  return claimed.filter((id) => !released.has(id));
}

/** Ends the holder's claims on these clips (after the batch, whatever its outcome). */
export async function releaseClipClaims(db: Db, r: { holder: string; clipIds: readonly string[] }): Promise<void> {
  if (r.clipIds.length === 0) return;
  const list = idList(db, r.clipIds);
  await queries(db).run(`DELETE FROM helix_clip_claims WHERE holder = @holder AND clip_id IN (${list.sql})`, {
    holder: r.holder,
    ids: list.param,
  });
}

export interface ClaimHolderSummary extends ClaimHolder {
  clips: number;
  /** When the holder's last claim expires (epoch ms). */
  expiresAt: number;
}

/** The live claims of other holders, one line per holder (for the dead-holder check and the CLI's note). */
export async function otherClaimHolders(db: Db, r: { holder: string; now: number; host?: string }): Promise<ClaimHolderSummary[]> {
  const hostFilter = r.host === undefined ? '' : ' AND host = @host';
  const rows = await queries(db).all<{
    holder: string;
    host: string;
    pid: number | string;
    clips: number | string;
    expires: number | string;
  }>(
    `SELECT holder, host, pid, count(*) AS clips, max(expires_at) AS expires FROM helix_clip_claims
      WHERE holder <> @holder AND expires_at > @now${hostFilter}
      GROUP BY holder, host, pid ORDER BY holder LIMIT 20`,
    { holder: r.holder, now: r.now, ...(r.host === undefined ? {} : { host: r.host }) },
  );
  return rows.map((row) => ({
    holder: row.holder,
    host: row.host,
    pid: Number(row.pid),
    clips: Number(row.clips),
    expiresAt: Number(row.expires),
  }));
}

/** Every claim (tests, status). */
export async function listClipClaims(db: Db): Promise<{ clipId: string; holder: string; expiresAt: number }[]> {
  const rows = await queries(db).all<{ clipId: string; holder: string; expiresAt: number | string }>(
    'SELECT clip_id AS "clipId", holder, expires_at AS "expiresAt" FROM helix_clip_claims ORDER BY clip_id',
  );
  return rows.map((row) => ({ ...row, expiresAt: Number(row.expiresAt) }));
}

export interface BudgetGrantRequest {
  clientId: string;
  now: number;
  /** The bucket's size, refilled evenly over windowMs (Helix: 800 per minute). */
  capacity: number;
  windowMs: number;
  /** Points asked for; fewer are granted when fewer are there (at least 1, or none). */
  want: number;
  /**
   * Points the bucket keeps back. Points are taken from the row when granted but from Twitch's bucket only when spent:
   * while Twitch's bucket sits full it cannot refill what is granted and not yet spent, the row can. Keeping back
   * about what the processes may hold unspent (a grant or two each) covers that gap.
   */
  keep?: number;
}

/**
 * Takes up to `want` whole points from the client id's bucket, refilled to now first: one upsert that only changes the
 * row when at least one point is there, so two processes never take the same point. A bucket seen for the first time
 * starts full (nobody has spent through it). Returns the points granted (0: the bucket is empty) and the points left.
 */
export async function takeBudgetGrant(db: Db, r: BudgetGrantRequest): Promise<{ granted: number; left: number }> {
  const least = dialect(db, { sqlite: 'min', postgres: 'least' });
  const greatest = dialect(db, { sqlite: 'max', postgres: 'greatest' });
  const whole = (x: string) => dialect(db, { sqlite: `CAST(${x} AS INTEGER)`, postgres: `CAST(floor(${x}) AS INTEGER)` });
  // Typed once, so PostgreSQL need not guess the parameters' types from the arithmetic.
  const now = 'CAST(@now AS BIGINT)';
  const capacity = 'CAST(@capacity AS DOUBLE PRECISION)';
  const want = 'CAST(@want AS INTEGER)';
  const keep = 'CAST(@keep AS DOUBLE PRECISION)';
  // The bucket's level now: what it held plus the refill since, capped at its size (a clock behind refilled_at adds 0).
  const level = `${least}(${capacity}, helix_budgets.points + ${greatest}(0, ${now} - helix_budgets.refilled_at) * ${capacity} / CAST(@window AS DOUBLE PRECISION))`;
  const grant = `${least}(${want}, ${whole(`${level} - ${keep}`)})`;
  const rows = await queries(db).all<{ last_grant: number | string; points: number | string }>(
    `INSERT INTO helix_budgets (client_id, points, refilled_at, last_grant) VALUES (@clientId, ${capacity} - ${want}, ${now}, ${want})
     ON CONFLICT (client_id) DO UPDATE SET
       points = ${level} - ${grant},
       last_grant = ${grant},
       refilled_at = ${greatest}(${now}, helix_budgets.refilled_at)
     WHERE ${level} - ${keep} >= 1
     RETURNING last_grant, points`,
    {
      clientId: r.clientId,
      now: r.now,
      capacity: r.capacity,
      window: r.windowMs,
      want: Math.min(r.want, r.capacity - (r.keep ?? 0)),
      keep: r.keep ?? 0,
    },
  );
  const row = rows[0];
  if (row !== undefined) return { granted: Number(row.last_grant), left: Number(row.points) };
  const left = await queries(db).get<{ points: number | string; refilled_at: number | string }>(
    'SELECT points, refilled_at FROM helix_budgets WHERE client_id = ?',
    [r.clientId],
  );
  return { granted: 0, left: left ? Number(left.points) : 0 };
}

/** The client id's bucket as stored (tests, status). */
export async function readBudget(db: Db, clientId: string): Promise<{ points: number; refilledAt: number } | null> {
  const row = await queries(db).get<{ points: number | string; refilled_at: number | string }>(
    'SELECT points, refilled_at FROM helix_budgets WHERE client_id = ?',
    [clientId],
  );
  return row ? { points: Number(row.points), refilledAt: Number(row.refilled_at) } : null;
}
