// feed_poll_state: where each broadcaster's clip poll stands, and the lease that lets one poller at a time (of any
// number of processes) poll a broadcaster. Shared Twitch data, keyed by broadcaster like clip_view_history.
import type { Db } from '../../database';
import { queries } from '../../sql';

export interface PollState {
  broadcasterId: string;
  /** The started_at the next window begins from, before the overlap; null before the first poll. */
  polledThrough: number | null;
  lastPollAt: number | null;
  nextPollAt: number;
  intervalMs: number;
  /** A window cut short by the call budget, resumed from `cursor`. */
  windowStart: number | null;
  windowEnd: number | null;
  cursor: string | null;
  lastError: string | null;
}

interface PollRow {
  broadcaster_id: string;
  polled_through: number | null;
  last_poll_at: number | null;
  next_poll_at: number;
  interval_ms: number;
  window_start: number | null;
  window_end: number | null;
  cursor: string | null;
  last_error: string | null;
}

function toState(row: PollRow): PollState {
  return {
    broadcasterId: row.broadcaster_id,
    polledThrough: row.polled_through,
    lastPollAt: row.last_poll_at,
    nextPollAt: row.next_poll_at,
    intervalMs: row.interval_ms,
    windowStart: row.window_start,
    windowEnd: row.window_end,
    cursor: row.cursor,
    lastError: row.last_error,
  };
}

/**
 * Takes the broadcaster for `owner` until `leaseUntil` when nobody else holds it (or their lease ran out: that poller
 * died): the holder polls it when due and delivers its feeds. One conditional statement, so of several pollers
 * exactly one gets it. A broadcaster never polled gets its row here, due at once.
 */
export async function leaseBroadcaster(
  db: Db,
  lease: { broadcasterId: string; owner: string; now: number; leaseUntil: number; intervalMs: number },
): Promise<PollState | null> {
  const q = queries(db);
  await q.run(
    `INSERT INTO feed_poll_state (broadcaster_id, next_poll_at, interval_ms) VALUES (?, 0, ?) ON CONFLICT (broadcaster_id) DO NOTHING`,
    [lease.broadcasterId, lease.intervalMs],
  );
  const row = await q.get<PollRow>(
    `UPDATE feed_poll_state SET lease_owner = @owner, lease_until = @until
     WHERE broadcaster_id = @broadcaster AND (lease_until IS NULL OR lease_until <= @now)
     RETURNING broadcaster_id, polled_through, last_poll_at, next_poll_at, interval_ms, window_start, window_end, cursor, last_error`,
    { owner: lease.owner, until: lease.leaseUntil, broadcaster: lease.broadcasterId, now: lease.now },
  );
  return row ? toState(row) : null;
}

/** Gives the lease back without a poll (it was not due). False when `owner` no longer held it. */
export async function releaseBroadcaster(db: Db, broadcasterId: string, owner: string): Promise<boolean> {
  const result = await queries(db).run(
    'UPDATE feed_poll_state SET lease_owner = NULL, lease_until = NULL WHERE broadcaster_id = ? AND lease_owner = ?',
    [broadcasterId, owner],
  );
  return result.changes > 0;
}

/**
 * Records a poll's outcome (the lease stays: the holder delivers the feeds next, then releases it). Only the lease's
 * holder may: a poller whose lease ran out (and was taken over) records nothing, and false tells it so.
 */
export async function recordPoll(db: Db, owner: string, state: Omit<PollState, 'lastPollAt'> & { lastPollAt: number }): Promise<boolean> {
  const result = await queries(db).run(
    `UPDATE feed_poll_state SET polled_through = @through, last_poll_at = @last, next_poll_at = @next, interval_ms = @interval,
       window_start = @windowStart, window_end = @windowEnd, cursor = @cursor, last_error = @error
     WHERE broadcaster_id = @broadcaster AND lease_owner = @owner`,
    {
      through: state.polledThrough,
      last: state.lastPollAt,
      next: state.nextPollAt,
      interval: state.intervalMs,
      windowStart: state.windowStart,
      windowEnd: state.windowEnd,
      cursor: state.cursor,
      error: state.lastError,
      broadcaster: state.broadcasterId,
      owner,
    },
  );
  return result.changes > 0;
}

export async function getPollState(db: Db, broadcasterId: string): Promise<PollState | null> {
  const row = await queries(db).get<PollRow>(
    `SELECT broadcaster_id, polled_through, last_poll_at, next_poll_at, interval_ms, window_start, window_end, cursor, last_error
     FROM feed_poll_state WHERE broadcaster_id = ?`,
    [broadcasterId],
  );
  return row ? toState(row) : null;
}
