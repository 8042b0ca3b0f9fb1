// Which clips' views are due for a refresh (the view observations themselves are written with each Twitch answer,
// clip-rows.ts).
import type { Db } from '../../database';
import { queries } from '../../sql';

/** How often a clip's views are refreshed, by its age. */
export interface RefreshIntervals {
  youngMs: number;
  recentMs: number;
  oldMs: number;
}

const DAY_MS = 86_400_000;

/**
 * Distinct clip ids whose views are due for a refresh, the longest-unrefreshed first (a clip in several guilds by its
 * longest-unrefreshed row). Reads `limit` plus the ids already taken, so that skipping those still leaves `limit`.
 */
export async function clipsDueForRefresh(
  db: Db,
  now: number,
  schedule: RefreshIntervals,
  limit: number,
  taken: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  // The casts tell PostgreSQL the parameters' type (epoch ms and durations are bigint); SQLite takes them as integers.
  const rows = await queries(db).values<[string]>(
    `SELECT clip_id FROM clips
      WHERE enrichment_state = 'done'
        AND coalesce(views_refreshed_at, 0) <= CAST(@now AS BIGINT) - CASE
              WHEN CAST(@now AS BIGINT) - coalesce(clip_created_at, CAST(@now AS BIGINT)) < CAST(@week AS BIGINT) THEN CAST(@young AS BIGINT)
              WHEN CAST(@now AS BIGINT) - clip_created_at < CAST(@month AS BIGINT) THEN CAST(@recent AS BIGINT)
              ELSE CAST(@old AS BIGINT) END
      GROUP BY clip_id
      ORDER BY min(coalesce(views_refreshed_at, 0)), clip_id
      LIMIT @n`,
    {
      now,
      young: schedule.youngMs,
      recent: schedule.recentMs,
      old: schedule.oldMs,
      week: 7 * DAY_MS,
      month: 30 * DAY_MS,
      n: limit + taken.size,
    },
  );
  const ids: string[] = [];
  for (const [id] of rows) {
    if (taken.has(id)) continue;
    ids.push(id);
    if (ids.length >= limit) break;
  }
  return ids;
}
