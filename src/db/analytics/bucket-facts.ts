// The raw-table reads behind a guild's numbers for time buckets (the read side's fallback where the summaries do
// not hold a period): clips, shares, reactions, top clips and weekday × hour cells per bucket, grouped by SQLite.
import { run, type Db } from '../client';
import { ATTRIBUTION_SQL, COUNTED_CLIP_SQL, reactionsByBucketSql } from './facts-sql';

/** One piece of a bucket with a constant UTC offset: [start, end) of bucket `key`, offset in ms. */
export interface BucketSegment {
  key: number;
  start: number;
  end: number;
  offset: number;
}

export interface ClipGroupRow {
  k: number;
  game_id: string;
  creator_id: string;
  n: number;
  views: number;
  first: number;
  last: number;
}

export interface EngagementRow {
  k: number;
  game_id: string | null;
  creator_id: string | null;
  n: number;
}

export interface TopClipRow {
  k: number;
  game_id: string;
  clip_id: string;
  title: string | null;
  views: number;
  url: string;
}

export interface PeakCellCountRow {
  k: number;
  wd: number;
  hr: number;
  n: number;
}

/** What one statement batch of segments yields; rankings and peaks are empty unless asked for. */
export interface BucketFactRows {
  clips: ClipGroupRow[];
  shares: EngagementRow[];
  reactions: EngagementRow[];
  tops: TopClipRow[];
  clipCells: PeakCellCountRow[];
  shareCells: PeakCellCountRow[];
}

const SEGMENTS_PER_STATEMENT = 400;

function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${n}`);
  return String(n);
}

/**
 * The fact rows of every segment, one batch per SEGMENTS_PER_STATEMENT segments, in order, read in one go. A
 * bucket's segments may fall into two batches: its rows then come in both.
 */
export function readBucketFactRows(
  db: Db,
  guildId: string,
  segments: readonly BucketSegment[],
  options: { rankings: boolean; peaks: boolean },
): Promise<BucketFactRows[]> {
  const values = segments.map((s) => `(${int(s.key)},${int(s.start)},${int(s.end)},${int(s.offset)})`);
  return run(db, (c) => {
    const batches: BucketFactRows[] = [];
    for (let i = 0; i < values.length; i += SEGMENTS_PER_STATEMENT) {
      const cte = `WITH b(k, s, e, off) AS (VALUES ${values.slice(i, i + SEGMENTS_PER_STATEMENT).join(',')})`;
      // Each batch's SQL is new text: prepared for this call only, not kept in the statement cache.
      const all = <R>(sql: string, ...params: string[]): R[] => c.client.prepare<string[], R>(sql).all(...params);
      const local = (column: string): string =>
        `((${column} + b.off) / 86400000 + 3) % 7 AS wd, ((${column} + b.off) % 86400000) / 3600000 AS hr`;
      batches.push({
        clips: all<ClipGroupRow>(
          `${cte}
           SELECT b.k AS k, coalesce(c.game_id, '') AS game_id, c.creator_id AS creator_id, count(*) AS n,
                  sum(c.view_count) AS views, min(c.clip_created_at) AS first, max(c.clip_created_at) AS last
             FROM b CROSS JOIN clips c
            WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}
            GROUP BY b.k, coalesce(c.game_id, ''), c.creator_id`,
          guildId,
        ),
        shares: all<EngagementRow>(
          `${cte}
           SELECT b.k AS k, ${ATTRIBUTION_SQL}, count(*) AS n
             FROM b CROSS JOIN shares s
             LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id
            WHERE s.guild_id = ? AND s.posted_at >= b.s AND s.posted_at < b.e AND s.deleted_at IS NULL
            GROUP BY 1, 2, 3`,
          guildId,
        ),
        reactions: all<EngagementRow>(reactionsByBucketSql(cte), guildId, guildId),
        tops: options.rankings
          ? all<TopClipRow>(
              `${cte}
               SELECT k, game_id, clip_id, title, views, url FROM (
                 SELECT b.k AS k, coalesce(c.game_id, '') AS game_id, c.clip_id AS clip_id, c.title AS title,
                        c.view_count AS views, c.url AS url,
                        row_number() OVER (PARTITION BY b.k, coalesce(c.game_id, '') ORDER BY c.view_count DESC, c.clip_id) AS rn
                   FROM b CROSS JOIN clips c
                  WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}
               ) WHERE rn = 1`,
              guildId,
            )
          : [],
        clipCells: options.peaks
          ? all<PeakCellCountRow>(
              `${cte}
               SELECT b.k AS k, ${local('c.clip_created_at')}, count(*) AS n
                 FROM b CROSS JOIN clips c
                WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}
                GROUP BY 1, 2, 3`,
              guildId,
            )
          : [],
        shareCells: options.peaks
          ? all<PeakCellCountRow>(
              `${cte}
               SELECT b.k AS k, ${local('s.posted_at')}, count(*) AS n
                 FROM b CROSS JOIN shares s
                WHERE s.guild_id = ? AND s.posted_at >= b.s AND s.posted_at < b.e AND s.deleted_at IS NULL
                GROUP BY 1, 2, 3`,
              guildId,
            )
          : [],
      });
    }
    return batches;
  });
}
