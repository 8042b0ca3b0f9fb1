// Thins old view history (docs/adr/0041-disk-footprint.md): the hourly readings of a clip's first week are only read
// while they are recent, so once they are old each clip keeps one reading per day, minus nothing any read can see.
import type { Db } from '../../database';
import { queries } from '../../sql';

const DAY_MS = 86_400_000;
/** Every reading this recent is kept: viral velocity reads the last 24 hours; a week's margin on top. */
export const KEEP_ALL_MS = 8 * DAY_MS;
/** First-day readings of clips made this recently are kept: taking-off alerts compare with 90 days of them. */
export const KEEP_FIRST_DAY_MS = 121 * DAY_MS;
/** A clip's newest readings kept whatever their age: the clip details show this many (clipDetails' historyLimit). */
export const KEEP_NEWEST = 24;

export interface ThinningRun {
  /** Readings deleted. */
  deleted: number;
  /** The last clip id looked at; pass it as `after` next time. null when the table's end was reached. */
  next: string | null;
}

/**
 * Deletes the thinnable readings of the next `clips` clips (by clip id) after `after` (bounded work per call). A reading
 * goes when it is older than KEEP_ALL_MS, is not the first of its UTC day for its clip, is not among the clip's
 * KEEP_NEWEST newest, and is not a first-day reading of a clip made within KEEP_FIRST_DAY_MS (its creation time from
 * any guild's clips row or the feed's). Which reading is a day's first or among the newest never changes by deleting
 * others, so a run can stop anywhere and the rule is idempotent.
 */
export async function thinViewHistory(db: Db, now: number, slice: { after: string; clips: number }): Promise<ThinningRun> {
  const q = queries(db);
  const last = await q.get<{ last: string | null }>(
    `SELECT max(clip_id) AS last FROM (SELECT DISTINCT clip_id FROM clip_view_history WHERE clip_id > @after ORDER BY clip_id LIMIT @clips) s`,
    { after: slice.after, clips: slice.clips },
  );
  const upTo = last?.last ?? null;
  if (upTo === null) return { deleted: 0, next: null };
  // The casts tell PostgreSQL the parameters' type (epoch ms are bigint); SQLite takes them as integers.
  const result = await q.run(
    `DELETE FROM clip_view_history AS h
      WHERE h.clip_id > @after AND h.clip_id <= @upTo
        AND h.observed_at < CAST(@keepAllFrom AS BIGINT)
        AND EXISTS (SELECT 1 FROM clip_view_history d
                     WHERE d.clip_id = h.clip_id AND d.observed_at < h.observed_at
                       AND d.observed_at >= h.observed_at - h.observed_at % ${DAY_MS})
        AND (SELECT count(*) FROM (SELECT 1 FROM clip_view_history n
                                    WHERE n.clip_id = h.clip_id AND n.observed_at > h.observed_at LIMIT ${KEEP_NEWEST}) newer) >= ${KEEP_NEWEST}
        AND NOT EXISTS (SELECT 1 FROM clips c
                         WHERE c.clip_id = h.clip_id AND c.clip_created_at >= CAST(@firstDayFrom AS BIGINT)
                           AND h.observed_at < c.clip_created_at + ${DAY_MS})
        AND NOT EXISTS (SELECT 1 FROM feed_clips f
                         WHERE f.clip_id = h.clip_id AND f.clip_created_at >= CAST(@firstDayFrom AS BIGINT)
                           AND h.observed_at < f.clip_created_at + ${DAY_MS})`,
    { after: slice.after, upTo, keepAllFrom: now - KEEP_ALL_MS, firstDayFrom: now - KEEP_FIRST_DAY_MS },
  );
  return { deleted: result.changes, next: upTo };
}
