// Clip views over time: the view observation each Twitch answer records, and which clips' views are due for a refresh.
import { run, type Connection, type Db } from '../../client';

/** One row of clip_view_history; a second observation in the same millisecond is the same observation. */
export function recordViewObservation(c: Connection, clipId: string, observedAt: number, viewCount: number): void {
  c.statement('INSERT OR REPLACE INTO clip_view_history (clip_id, observed_at, view_count) VALUES (?, ?, ?)').run(
    clipId,
    observedAt,
    viewCount,
  );
}

/** How often a clip's views are refreshed, by its age. */
export interface RefreshIntervals {
  youngMs: number;
  recentMs: number;
  oldMs: number;
}

const DAY_MS = 86_400_000;

/** Distinct clip ids whose views are due for a refresh, the longest-unrefreshed first. */
export function clipsDueForRefresh(
  db: Db,
  now: number,
  schedule: RefreshIntervals,
  limit: number,
  taken: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  return run(db, (c) => {
    const rows = c
      .statement<{ now: number; young: number; recent: number; old: number; week: number; month: number }, { clip_id: string }>(
        `SELECT clip_id FROM clips
          WHERE enrichment_state = 'done'
            AND coalesce(views_refreshed_at, 0) <= @now - CASE
                  WHEN @now - coalesce(clip_created_at, @now) < @week THEN @young
                  WHEN @now - clip_created_at < @month THEN @recent
                  ELSE @old END
          ORDER BY coalesce(views_refreshed_at, 0)`,
      )
      .iterate({ now, young: schedule.youngMs, recent: schedule.recentMs, old: schedule.oldMs, week: 7 * DAY_MS, month: 30 * DAY_MS });
    const ids = new Set<string>();
    for (const row of rows) {
      if (taken.has(row.clip_id)) continue;
      ids.add(row.clip_id);
      if (ids.size >= limit) break;
    }
    return [...ids];
  });
}
