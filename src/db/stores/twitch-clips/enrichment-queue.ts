// The enrichment queue: which clips are due, failed attempts with backoff, the queue's status, and failed clips put
// back in the queue.
import type { Db } from '../../database';
import { dialect, queries } from '../../sql';
import { textArray } from '../../analytics/postgres-text';
import { inWrite } from './clip-rows';

/**
 * Counts a failed attempt for every pending row of each clip: a row waits the backoff `backoffFor(its attempts so
 * far)` before its next try, or becomes failed with the error once it has had `maxAttempts`. Returns how many clips
 * are now failed and how many will be retried.
 */
export function recordEnrichmentFailures(
  db: Db,
  clipIds: readonly string[],
  error: string,
  options: { now: number; maxAttempts: number; backoffFor: (attempts: number) => number },
): Promise<{ failed: number; retrying: number }> {
  return inWrite(db, async (tx) => {
    const q = queries(tx);
    let failed = 0;
    let retrying = 0;
    for (const clipId of clipIds) {
      const before =
        (
          await q.get<{ n: number | null }>(
            "SELECT max(enrichment_attempts) AS n FROM clips WHERE clip_id = ? AND enrichment_state = 'pending'",
            [clipId],
          )
        )?.n ?? 0;
      const rows = await q.all<{ enrichment_state: string }>(
        `UPDATE clips SET enrichment_attempts = enrichment_attempts + 1, enrichment_error = @error,
                enrichment_state = CASE WHEN enrichment_attempts + 1 >= @max THEN 'failed' ELSE 'pending' END,
                enrichment_next_attempt_at = CASE WHEN enrichment_attempts + 1 >= @max THEN 0 ELSE CAST(@next AS BIGINT) END,
                last_updated_at = @now
          WHERE clip_id = @clipId AND enrichment_state = 'pending'
          RETURNING enrichment_state`,
        {
          clipId,
          error: error.slice(0, 500),
          now: options.now,
          next: options.now + options.backoffFor(before),
          max: options.maxAttempts,
        },
      );
      if (rows.some((row) => row.enrichment_state === 'failed')) failed++;
      else if (rows.length > 0) retrying++;
    }
    return { failed, retrying };
  });
}

/** Where a walk of the enrichment queue stands: the last (next attempt time, row id) handed out. */
export interface QueueCursor {
  next: number;
  id: number;
}

/** Rows read per page of the queue walk: a few batches' worth, so ids already taken rarely need a second page. */
const QUEUE_PAGE = 500;

/**
 * Distinct clip ids pending and due, longest-waiting first, after `cursor` and leaving out ids already taken. Reads
 * clips_enrichment_idx in pages from the cursor and stops as soon as the batch is full, so a run over a long queue
 * never re-reads the rows it has already handed out.
 */
export async function dueClipIds(
  db: Db,
  now: number,
  limit: number,
  taken: ReadonlySet<string>,
  cursor: QueueCursor,
): Promise<{ ids: string[]; cursor: QueueCursor }> {
  const q = queries(db);
  const ids = new Set<string>();
  let last = cursor;
  for (;;) {
    const rows = await q.values<[id: number, clipId: string, next: number]>(
      `SELECT id, clip_id, enrichment_next_attempt_at FROM clips
        WHERE enrichment_state = 'pending' AND enrichment_next_attempt_at <= ?
          AND (enrichment_next_attempt_at > ? OR (enrichment_next_attempt_at = ? AND id > ?))
        ORDER BY enrichment_next_attempt_at, id LIMIT ?`,
      [now, last.next, last.next, last.id, QUEUE_PAGE],
    );
    for (const [id, clipId, next] of rows) {
      last = { next, id };
      if (taken.has(clipId)) continue;
      ids.add(clipId);
      if (ids.size >= limit) return { ids: [...ids], cursor: last };
    }
    if (rows.length < QUEUE_PAGE) return { ids: [...ids], cursor: last };
  }
}

const COUNT_DUE_SQL = `SELECT count(DISTINCT clip_id) AS n FROM clips WHERE enrichment_state = 'pending' AND enrichment_next_attempt_at <= ?`;

/** How many distinct clips are pending and due now. */
export async function countDueClips(db: Db, now: number): Promise<number> {
  return (await queries(db).get<{ n: number }>(COUNT_DUE_SQL, [now]))?.n ?? 0;
}

export interface QueueStatus {
  /** Distinct clip ids per state. */
  pending: number;
  due: number;
  done: number;
  notFound: number;
  failed: number;
  /** When the earliest pending clip that is waiting out a backoff may be tried again. */
  nextAttemptAt: number | null;
  /** The error of the most recently failed attempt, if any pending or failed clip has one. */
  lastError: string | null;
}

export async function enrichmentQueueStatus(db: Db, now: number): Promise<QueueStatus> {
  const q = queries(db);
  const counts = await q.all<{ state: string; n: number }>(
    'SELECT enrichment_state AS state, count(DISTINCT clip_id) AS n FROM clips GROUP BY enrichment_state',
  );
  const n = (state: string): number => counts.find((row) => row.state === state)?.n ?? 0;
  const next = await q.get<{ t: number | null }>(
    `SELECT min(enrichment_next_attempt_at) AS t FROM clips WHERE enrichment_state = 'pending' AND enrichment_next_attempt_at > ?`,
    [now],
  );
  const last = await q.get<{ e: string }>(
    `SELECT enrichment_error AS e FROM clips WHERE enrichment_error IS NOT NULL AND enrichment_state IN ('pending', 'failed')
      ORDER BY last_updated_at DESC LIMIT 1`,
  );
  return {
    pending: n('pending'),
    due: await countDueClips(db, now),
    done: n('done'),
    notFound: n('not_found'),
    failed: n('failed'),
    nextAttemptAt: next?.t ?? null,
    lastError: last?.e ?? null,
  };
}

/**
 * Puts failed clips back in the queue with a fresh attempt count (all of them, or one guild's, or the given clip
 * ids). Returns the number of rows re-queued.
 */
export async function retryFailedClips(
  db: Db,
  now: number,
  filter: { guildId?: string; clipIds?: readonly string[] } = {},
): Promise<number> {
  if (filter.clipIds !== undefined && filter.clipIds.length === 0) return 0;
  const where: string[] = ["enrichment_state = 'failed'"];
  const params: (string | number)[] = [now];
  if (filter.guildId !== undefined) {
    where.push('guild_id = ?');
    params.push(filter.guildId);
  }
  if (filter.clipIds !== undefined) {
    // One statement text whatever the number of ids: a JSON array on SQLite, a text[] on PostgreSQL.
    where.push(dialect(db, { sqlite: 'clip_id IN (SELECT value FROM json_each(?))', postgres: 'clip_id = ANY(CAST(? AS text[]))' }));
    params.push(dialect(db, { sqlite: JSON.stringify(filter.clipIds), postgres: textArray(filter.clipIds) }));
  }
  const sql = `UPDATE clips SET enrichment_state = 'pending', enrichment_attempts = 0, enrichment_next_attempt_at = 0,
                last_updated_at = ? WHERE ${where.join(' AND ')}`;
  return (await queries(db).run(sql, params)).changes;
}
