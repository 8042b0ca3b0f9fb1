// The raw-table reads behind a guild's numbers for time buckets (the read side's fallback where the summaries do
// not hold a period): clips, shares, reactions, top clips and weekday × hour cells per bucket, grouped by the database.
// The segments are a VALUES list written into the text on SQLite (prepared for the call only) and four bound arrays
// on PostgreSQL (one prepared text for every call).
import { run, type Db } from '../client';
import { queries } from '../sql';
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

/** The statements of one batch, each with the segments' CTE `cte` in front; `guild` params follow the CTE's own. */
function factStatements(cte: string): Record<'clips' | 'shares' | 'reactions' | 'tops' | 'clipCells' | 'shareCells', string> {
  const local = (column: string): string =>
    `((${column} + b.off) / 86400000 + 3) % 7 AS wd, ((${column} + b.off) % 86400000) / 3600000 AS hr`;
  return {
    clips: `${cte}
           SELECT b.k AS k, coalesce(c.game_id, '') AS game_id, c.creator_id AS creator_id, count(*) AS n,
                  sum(c.view_count) AS views, min(c.clip_created_at) AS first, max(c.clip_created_at) AS last
             FROM b CROSS JOIN clips c
            WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}
            GROUP BY b.k, coalesce(c.game_id, ''), c.creator_id`,
    shares: `${cte}
           SELECT b.k AS k, ${ATTRIBUTION_SQL}, count(*) AS n
             FROM b CROSS JOIN shares s
             LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id
            WHERE s.guild_id = ? AND s.posted_at >= b.s AND s.posted_at < b.e AND s.deleted_at IS NULL
            GROUP BY 1, 2, 3`,
    reactions: reactionsByBucketSql(cte),
    tops: `${cte}
               SELECT k, game_id, clip_id, title, views, url FROM (
                 SELECT b.k AS k, coalesce(c.game_id, '') AS game_id, c.clip_id AS clip_id, c.title AS title,
                        c.view_count AS views, c.url AS url,
                        row_number() OVER (PARTITION BY b.k, coalesce(c.game_id, '') ORDER BY c.view_count DESC, c.clip_id) AS rn
                   FROM b CROSS JOIN clips c
                  WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}
               ) AS ranked WHERE rn = 1`,
    clipCells: `${cte}
               SELECT b.k AS k, ${local('c.clip_created_at')}, count(*) AS n
                 FROM b CROSS JOIN clips c
                WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}
                GROUP BY 1, 2, 3`,
    shareCells: `${cte}
               SELECT b.k AS k, ${local('s.posted_at')}, count(*) AS n
                 FROM b CROSS JOIN shares s
                WHERE s.guild_id = ? AND s.posted_at >= b.s AND s.posted_at < b.e AND s.deleted_at IS NULL
                GROUP BY 1, 2, 3`,
  };
}

type FactStatements = ReturnType<typeof factStatements>;

/** PostgreSQL: the segments as four bound bigint arrays, so each statement has one text for every call. */
const POSTGRES_FACTS: FactStatements = factStatements(
  'WITH b(k, s, e, off) AS (SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[])))',
);

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
  if (db.engine === 'postgres') return postgresBucketFactRows(db, guildId, segments, options);
  const values = segments.map((s) => `(${int(s.key)},${int(s.start)},${int(s.end)},${int(s.offset)})`);
  return run(db, (c) => {
    const batches: BucketFactRows[] = [];
    for (let i = 0; i < values.length; i += SEGMENTS_PER_STATEMENT) {
      const sql = factStatements(`WITH b(k, s, e, off) AS (VALUES ${values.slice(i, i + SEGMENTS_PER_STATEMENT).join(',')})`);
      // Each batch's SQL is new text: prepared for this call only, not kept in the statement cache.
      const all = <R>(text: string, ...params: string[]): R[] => c.client.prepare<string[], R>(text).all(...params);
      batches.push({
        clips: all<ClipGroupRow>(sql.clips, guildId),
        shares: all<EngagementRow>(sql.shares, guildId),
        reactions: all<EngagementRow>(sql.reactions, guildId, guildId),
        tops: options.rankings ? all<TopClipRow>(sql.tops, guildId) : [],
        clipCells: options.peaks ? all<PeakCellCountRow>(sql.clipCells, guildId) : [],
        shareCells: options.peaks ? all<PeakCellCountRow>(sql.shareCells, guildId) : [],
      });
    }
    return batches;
  });
}

async function postgresBucketFactRows(
  db: Db,
  guildId: string,
  segments: readonly BucketSegment[],
  options: { rankings: boolean; peaks: boolean },
): Promise<BucketFactRows[]> {
  const q = queries(db);
  const array = (values: number[]): string => `{${values.map(int).join(',')}}`;
  const batches: BucketFactRows[] = [];
  for (let i = 0; i < segments.length; i += SEGMENTS_PER_STATEMENT) {
    const batch = segments.slice(i, i + SEGMENTS_PER_STATEMENT);
    const b = [
      array(batch.map((s) => s.key)),
      array(batch.map((s) => s.start)),
      array(batch.map((s) => s.end)),
      array(batch.map((s) => s.offset)),
    ];
    batches.push({
      clips: await q.all<ClipGroupRow>(POSTGRES_FACTS.clips, [...b, guildId]),
      shares: await q.all<EngagementRow>(POSTGRES_FACTS.shares, [...b, guildId]),
      reactions: await q.all<EngagementRow>(POSTGRES_FACTS.reactions, [...b, guildId, guildId]),
      tops: options.rankings ? await q.all<TopClipRow>(POSTGRES_FACTS.tops, [...b, guildId]) : [],
      clipCells: options.peaks ? await q.all<PeakCellCountRow>(POSTGRES_FACTS.clipCells, [...b, guildId]) : [],
      shareCells: options.peaks ? await q.all<PeakCellCountRow>(POSTGRES_FACTS.shareCells, [...b, guildId]) : [],
    });
  }
  return batches;
}
