// The Helix rate-limit budget shared by every process of one Twitch client id (docs/adr/0034-clip-claims-and-shared-
// helix-budget.md): the same token-bucket model as src/twitch/pacing.ts, kept in a row. Points are stored in
// thousandths so that the refill is integer arithmetic, identical on both engines; each take is one statement.
import type { Db } from '../database';
import { dialect, queries } from '../sql';

export interface BudgetShape {
  clientId: string;
  /** Points the bucket holds and refills per windowMs (Twitch: 800 per minute, until an answer says otherwise). */
  capacity: number;
  windowMs: number;
}

/**
 * The bucket's level at @now in thousandths: the stored level plus the refill since updated_at (at most one
 * window's worth, so the product stays small), capped at the capacity less `held`. A clock behind updated_at refills
 * nothing.
 */
function levelSql(db: Db, held = '0'): string {
  const [min, max] = dialect(db, { sqlite: ['min', 'max'], postgres: ['least', 'greatest'] });
  return `${min}(capacity * 1000 - ${held}, milli_points + ${min}(window_ms, ${max}(0, CAST(@now AS BIGINT) - updated_at)) * capacity * 1000 / window_ms)`;
}

/** Makes the client id's row if there is none, holding `initialPoints` (0: nothing is known of the bucket yet). */
export async function ensureHelixBudget(db: Db, shape: BudgetShape & { initialPoints: number; now: number }): Promise<void> {
  await queries(db).run(
    `INSERT INTO helix_budgets (client_id, capacity, window_ms, milli_points, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (client_id) DO NOTHING`,
    [
      shape.clientId,
      shape.capacity,
      shape.windowMs,
      Math.round(Math.min(shape.capacity, Math.max(0, shape.initialPoints)) * 1000),
      shape.now,
    ],
  );
}

export type BudgetTake = { granted: number; waitMs: 0 } | { granted: 0; waitMs: number };

/**
 * Takes up to `want` whole points for `holder`, leaving `reserve` in the bucket: as many as it holds beyond the reserve,
 * at least one. When not even one is there, takes nothing and says how long the refill of the missing points takes.
 *
 * The model refills to the capacity less the points other holders' live grants hold: Twitch's bucket stops refilling
 * at its capacity whether or not those points are spent yet, so a model filled to the brim beside them would promise
 * more than the bucket has. Of any number of processes taking at once, each reads the grants the others committed and
 * is granted from what they left.
 */
export async function takeHelixPoints(
  db: Db,
  take: { clientId: string; holder: string; want: number; reserve: number; now: number; grantTtlMs: number },
): Promise<BudgetTake> {
  // One conditional update decides the grant: SQLite runs one writer at a time, and PostgreSQL re-checks the condition
  // on the row a concurrent taker just wrote. The held-points subquery may miss a grant written a moment before by
  // another process (its own statement, after its update): that errs only near the capacity, by at most one grant.
  const steps = async (tx: Db): Promise<BudgetTake> => {
    const q = queries(tx);
    const held = `(SELECT coalesce(sum(points), 0) * 1000 FROM helix_grants
                    WHERE client_id = @clientId AND holder <> @holder AND expires_at > CAST(@now AS BIGINT))`;
    const level = levelSql(tx, held);
    const min = dialect(tx, { sqlite: 'min', postgres: 'least' });
    const max = dialect(tx, { sqlite: 'max', postgres: 'greatest' });
    const grant = `${min}(CAST(@want AS BIGINT), (${level}) / 1000 - CAST(@reserve AS BIGINT))`;
    const params = {
      clientId: take.clientId,
      holder: take.holder,
      want: Math.max(1, Math.floor(take.want)),
      reserve: Math.max(0, Math.floor(take.reserve)),
      now: take.now,
    };
    const rows = await q.all<{ last_grant: number }>(
      `UPDATE helix_budgets SET last_grant = ${grant}, milli_points = ${level} - ${grant} * 1000,
              updated_at = ${max}(updated_at, CAST(@now AS BIGINT))
        WHERE client_id = @clientId AND (${level}) / 1000 - CAST(@reserve AS BIGINT) >= 1
        RETURNING last_grant`,
      params,
    );
    const granted = Number(rows[0]?.last_grant ?? 0);
    if (granted > 0) {
      await q.run(
        `INSERT INTO helix_grants (client_id, holder, points, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (client_id, holder) DO UPDATE SET points = excluded.points, expires_at = excluded.expires_at`,
        [take.clientId, take.holder, granted, take.now + take.grantTtlMs],
      );
      return { granted, waitMs: 0 };
    }
    const row = await q.get<{ level: number | string; capacity: number; window_ms: number }>(
      `SELECT ${level} AS level, capacity, window_ms FROM helix_budgets WHERE client_id = @clientId`,
      params,
    );
    if (!row) throw new Error(`helix_budgets has no row for client id ${take.clientId}: call ensureHelixBudget first`);
    const missing = (params.reserve + 1) * 1000 - Number(row.level);
    return { granted: 0, waitMs: Math.max(1, Math.ceil((missing * Number(row.window_ms)) / (Number(row.capacity) * 1000))) };
  };
  return steps(db);
}

/** Removes grants that expired before `before` (processes long gone). */
export async function pruneHelixGrants(db: Db, r: { clientId: string; before: number }): Promise<void> {
  await queries(db).run('DELETE FROM helix_grants WHERE client_id = ? AND expires_at < ?', [r.clientId, r.before]);
}

/**
 * Takes Twitch's word for the bucket, downwards only: an answer's Ratelimit-Remaining (`remaining`, refilled since
 * `at`) below the model means something spent points outside it (another app on this client id, a 429 storm) and
 * lowers it. Above the model it is ignored: the difference is points other processes hold in grants not yet spent.
 * Ratelimit-Limit replaces the capacity.
 */
export async function observeHelixBucket(
  db: Db,
  observation: { clientId: string; limit: number; remaining: number; at: number; now: number; windowMs: number },
): Promise<void> {
  const { limit, remaining, at, now } = observation;
  if (!(limit >= 1) || !Number.isFinite(remaining)) return;
  const level = levelSql(db);
  const [min, max] = dialect(db, { sqlite: ['min', 'max'], postgres: ['least', 'greatest'] });
  await queries(db).run(
    `UPDATE helix_budgets SET milli_points = ${max}(0, ${min}(${level}, CAST(@observed AS BIGINT))), capacity = @limit,
            updated_at = ${max}(updated_at, CAST(@now AS BIGINT)), last_limit = @limit, last_remaining = @remaining, observed_at = @at
      WHERE client_id = @clientId`,
    {
      clientId: observation.clientId,
      limit: Math.round(limit),
      remaining: Math.round(remaining),
      at,
      now,
      // What the bucket held at the answer, refilled since at the limit's rate.
      observed: Math.round(Math.min(limit, Math.max(0, remaining) + (Math.max(0, now - at) * limit) / observation.windowMs) * 1000),
    },
  );
}

/** A 429: the bucket is empty whatever the model thought. */
export async function emptyHelixBudget(db: Db, r: { clientId: string; now: number }): Promise<void> {
  const max = dialect(db, { sqlite: 'max', postgres: 'greatest' });
  await queries(db).run(
    `UPDATE helix_budgets SET milli_points = 0, updated_at = ${max}(updated_at, CAST(@now AS BIGINT)) WHERE client_id = @clientId`,
    { clientId: r.clientId, now: r.now },
  );
}

export interface HelixBudgetRow {
  clientId: string;
  capacity: number;
  windowMs: number;
  /** Points at updated_at (fractional). */
  points: number;
  updatedAt: number;
  lastLimit: number | null;
  lastRemaining: number | null;
  observedAt: number | null;
}

/** The client id's row as stored (status, tests), or null. */
export async function readHelixBudget(db: Db, clientId: string): Promise<HelixBudgetRow | null> {
  const row = await queries(db).get<Record<string, number | string | null>>(
    'SELECT client_id, capacity, window_ms, milli_points, updated_at, last_limit, last_remaining, observed_at FROM helix_budgets WHERE client_id = ?',
    [clientId],
  );
  if (!row) return null;
  const n = (v: number | string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    clientId: String(row.client_id),
    capacity: Number(row.capacity),
    windowMs: Number(row.window_ms),
    points: Number(row.milli_points) / 1000,
    updatedAt: Number(row.updated_at),
    lastLimit: n(row.last_limit),
    lastRemaining: n(row.last_remaining),
    observedAt: n(row.observed_at),
  };
}
