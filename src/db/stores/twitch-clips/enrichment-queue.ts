// The enrichment queue: which clips are due, failed attempts with backoff, the queue's status, and failed clips put
// back in the queue.
import { run, type Connection, type Db } from '../../client';
import { inWrite } from './clip-rows';

interface FailureOutcome {
  /** Rows that will be tried again after their backoff. */
  retrying: number;
  /** Rows that reached the attempt limit and are now failed. */
  failed: number;
}

/**
 * Counts a failed attempt for every pending row of the clip: the row waits `backoffMs` before the next try,
 * or becomes failed with the error once it has had `maxAttempts`.
 */
function recordEnrichmentFailure(
  c: Connection,
  clipId: string,
  error: string,
  options: { now: number; maxAttempts: number; backoffMs: number },
): FailureOutcome {
  const result = c
    .statement<{ clipId: string; error: string; now: number; next: number; max: number }, { enrichment_state: string }>(
      `UPDATE clips SET enrichment_attempts = enrichment_attempts + 1, enrichment_error = @error,
              enrichment_state = CASE WHEN enrichment_attempts + 1 >= @max THEN 'failed' ELSE 'pending' END,
              enrichment_next_attempt_at = CASE WHEN enrichment_attempts + 1 >= @max THEN 0 ELSE @next END,
              last_updated_at = @now
        WHERE clip_id = @clipId AND enrichment_state = 'pending'
        RETURNING enrichment_state`,
    )
    .all({ clipId, error: error.slice(0, 500), now: options.now, next: options.now + options.backoffMs, max: options.maxAttempts });
  let failed = 0;
  for (const row of result) if (row.enrichment_state === 'failed') failed++;
  return { retrying: result.length - failed, failed };
}

/**
 * Counts a failed attempt for each clip's pending rows: a row waits the backoff `backoffFor(its attempts so far)`
 * before its next try, or becomes failed with the error once it has had `maxAttempts`. Returns how many clips are
 * now failed and how many will be retried.
 */
export function recordEnrichmentFailures(
  db: Db,
  clipIds: readonly string[],
  error: string,
  options: { now: number; maxAttempts: number; backoffFor: (attempts: number) => number },
): Promise<{ failed: number; retrying: number }> {
  return inWrite(db, (c) => {
    let failed = 0;
    let retrying = 0;
    const attempts = c.statement<[string], { n: number | null }>(
      "SELECT max(enrichment_attempts) AS n FROM clips WHERE clip_id = ? AND enrichment_state = 'pending'",
    );
    for (const id of clipIds) {
      const before = attempts.get(id)?.n ?? 0;
      const outcome = recordEnrichmentFailure(c, id, error, {
        now: options.now,
        maxAttempts: options.maxAttempts,
        backoffMs: options.backoffFor(before),
      });
      if (outcome.failed > 0) failed++;
      else if (outcome.retrying > 0) retrying++;
    }
    return { failed, retrying };
  });
}

/** Where a walk of the enrichment queue stands: the last (next attempt time, row id) handed out. */
export interface QueueCursor {
  next: number;
  id: number;
}

/**
 * Distinct clip ids pending and due, longest-waiting first, after `cursor` and leaving out ids already taken. Walks
 * clips_enrichment_idx in order from the cursor and stops as soon as the batch is full, so a run over a long queue
 * never re-reads the rows it has already handed out.
 */
export function dueClipIds(
  db: Db,
  now: number,
  limit: number,
  taken: ReadonlySet<string>,
  cursor: QueueCursor,
): Promise<{ ids: string[]; cursor: QueueCursor }> {
  return run(db, (c) => {
    const ids = new Set<string>();
    let last = cursor;
    const rows = c
      .statement<[number, number, number, number], { id: number; clip_id: string; next: number }>(
        `SELECT id, clip_id, enrichment_next_attempt_at AS next FROM clips
          WHERE enrichment_state = 'pending' AND enrichment_next_attempt_at <= ?
            AND (enrichment_next_attempt_at > ? OR (enrichment_next_attempt_at = ? AND id > ?))
          ORDER BY enrichment_next_attempt_at, id`,
      )
      .iterate(now, cursor.next, cursor.next, cursor.id);
    for (const row of rows) {
      last = { next: row.next, id: row.id };
      if (taken.has(row.clip_id)) continue;
      ids.add(row.clip_id);
      if (ids.size >= limit) break;
    }
    return { ids: [...ids], cursor: last };
  });
}

function countDue(c: Connection, now: number): number {
  const row = c
    .statement<[number], { n: number }>(
      `SELECT count(DISTINCT clip_id) AS n FROM clips WHERE enrichment_state = 'pending' AND enrichment_next_attempt_at <= ?`,
    )
    .get(now);
  return row?.n ?? 0;
}

/** How many distinct clips are pending and due now. */
export function countDueClips(db: Db, now: number): Promise<number> {
  return run(db, (c) => countDue(c, now));
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

export function enrichmentQueueStatus(db: Db, now: number): Promise<QueueStatus> {
  return run(db, (c) => {
    const counts = c
      .statement<[], { state: string; n: number }>(
        'SELECT enrichment_state AS state, count(DISTINCT clip_id) AS n FROM clips GROUP BY enrichment_state',
      )
      .all();
    const n = (state: string): number => counts.find((row) => row.state === state)?.n ?? 0;
    const next = c
      .statement<[number], { t: number | null }>(
        `SELECT min(enrichment_next_attempt_at) AS t FROM clips WHERE enrichment_state = 'pending' AND enrichment_next_attempt_at > ?`,
      )
      .get(now);
    const last = c
      .statement<[], { e: string }>(
        `SELECT enrichment_error AS e FROM clips WHERE enrichment_error IS NOT NULL AND enrichment_state IN ('pending', 'failed')
          ORDER BY last_updated_at DESC LIMIT 1`,
      )
      .get();
    return {
      pending: n('pending'),
      due: countDue(c, now),
      done: n('done'),
      notFound: n('not_found'),
      failed: n('failed'),
      nextAttemptAt: next?.t ?? null,
      lastError: last?.e ?? null,
    };
  });
}

/**
 * Puts failed clips back in the queue with a fresh attempt count (all of them, or one guild's, or the given clip
 * ids). Returns the number of rows re-queued.
 */
export function retryFailedClips(db: Db, now: number, filter: { guildId?: string; clipIds?: readonly string[] } = {}): Promise<number> {
  return inWrite(db, (c) => {
    const where: string[] = ["enrichment_state = 'failed'"];
    const params: (string | number)[] = [now];
    if (filter.guildId !== undefined) {
      where.push('guild_id = ?');
      params.push(filter.guildId);
    }
    if (filter.clipIds !== undefined) {
      if (filter.clipIds.length === 0) return 0;
      where.push(`clip_id IN (${filter.clipIds.map(() => '?').join(', ')})`);
      params.push(...filter.clipIds);
    }
    // Not cached: the IN list's length varies with the filter.
    return c.client
      .prepare(
        `UPDATE clips SET enrichment_state = 'pending', enrichment_attempts = 0, enrichment_next_attempt_at = 0,
                last_updated_at = ? WHERE ${where.join(' AND ')}`,
      )
      .run(...params).changes;
  });
}
