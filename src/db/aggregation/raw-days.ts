// The raw-table reads the aggregation computes local days from: clips, shares and reactions per day and local hour,
// the span of a guild's data, and the engagement journal capture keeps (engagement_changes).
import { run, type Db } from '../client';
import { ATTRIBUTION_SQL, COUNTED_CLIP_SQL, reactionsByBucketSql } from '../analytics/facts-sql';

/** One piece of local day `key` with a constant UTC offset: [start, end), offset in ms. */
export interface DaySegment {
  key: number;
  start: number;
  end: number;
  offset: number;
}

/** A counted clip of day `k`, at local weekday `wd` and hour `hr`. */
export interface DayClipRow {
  k: number;
  wd: number;
  hr: number;
  clip_id: string;
  at: number;
  game_id: string;
  creator_id: string;
  views: number;
  title: string | null;
  url: string;
}

/** Live shares of day `k` per local weekday and hour, by the (game, creator) they count for (null: none). */
export interface DayShareRow {
  k: number;
  wd: number;
  hr: number;
  game_id: string | null;
  creator_id: string | null;
  n: number;
}

/** Reactions of day `k` by the (game, creator) they count for (null: none). */
export interface DayReactionRow {
  k: number;
  game_id: string | null;
  creator_id: string | null;
  n: number;
}

/** What one statement batch of segments yields. */
export interface DayFactRows {
  clips: DayClipRow[];
  shares: DayShareRow[];
  reactions: DayReactionRow[];
}

const SEGMENTS_PER_STATEMENT = 400;

/**
 * The fact rows of every segment, one batch per SEGMENTS_PER_STATEMENT segments, in order, read in one go. A day's
 * segments may fall into two batches: its rows then come in both.
 */
export function readDayFactRows(db: Db, guildId: string, segments: readonly DaySegment[]): Promise<DayFactRows[]> {
  const values = segments.map((s) => `(${s.key},${s.start},${s.end},${s.offset})`);
  const local = (column: string): string =>
    `((${column} + b.off) / 86400000 + 3) % 7 AS wd, ((${column} + b.off) % 86400000) / 3600000 AS hr`;
  return run(db, (c) => {
    const batches: DayFactRows[] = [];
    for (let i = 0; i < values.length; i += SEGMENTS_PER_STATEMENT) {
      const cte = `WITH b(k, s, e, off) AS (VALUES ${values.slice(i, i + SEGMENTS_PER_STATEMENT).join(',')})`;
      // Each batch's SQL is new text: prepared for this call only, not kept in the statement cache.
      const clips = c.client
        .prepare<[string], DayClipRow>(
          `${cte}
           SELECT b.k AS k, ${local('c.clip_created_at')}, c.clip_id AS clip_id, c.clip_created_at AS at, coalesce(c.game_id, '') AS game_id,
                  c.creator_id AS creator_id, c.view_count AS views, c.title AS title, c.url AS url
             FROM b CROSS JOIN clips c
            WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}`,
        )
        .all(guildId);
      const shares = c.client
        .prepare<[string], DayShareRow>(
          `${cte}
           SELECT b.k AS k, ${local('s.posted_at')}, ${ATTRIBUTION_SQL}, count(*) AS n
             FROM b CROSS JOIN shares s
             LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id
            WHERE s.guild_id = ? AND s.posted_at >= b.s AND s.posted_at < b.e AND s.deleted_at IS NULL
            GROUP BY 1, 2, 3, 4, 5`,
        )
        .all(guildId);
      const reactions = c.client.prepare<[string, string], DayReactionRow>(reactionsByBucketSql(cte)).all(guildId, guildId);
      batches.push({ clips, shares, reactions });
    }
    return batches;
  });
}

/** The guild's earliest and latest timestamp over clips, shares, reactions and imported reaction counts. */
export function readActivitySpan(db: Db, guildId: string): Promise<{ lo: number; hi: number } | null> {
  return run(db, (c) => {
    const range = c
      .statement<Record<string, string>, { lo: number | null; hi: number | null }>(
        `SELECT min(lo) AS lo, max(hi) AS hi FROM (
           SELECT min(clip_created_at) AS lo, max(clip_created_at) AS hi FROM clips WHERE guild_id = @g
           UNION ALL SELECT min(posted_at), max(posted_at) FROM shares WHERE guild_id = @g
           UNION ALL SELECT min(reacted_at), max(reacted_at) FROM reactions WHERE guild_id = @g
           UNION ALL SELECT min(observed_at), max(observed_at) FROM reaction_baselines WHERE guild_id = @g)`,
      )
      .get({ g: guildId });
    return !range || range.lo === null || range.hi === null ? null : { lo: range.lo, hi: range.hi };
  });
}

/** A journaled engagement change, counted for its clip's current (game, creator) (null: not counted). */
export interface JournalRow {
  at: number;
  shares: number;
  reactions: number;
  game_id: string | null;
  creator_id: string | null;
}

/** The journaled engagement changes in each range [start, end), by range key. */
export function readJournal(
  db: Db,
  guildId: string,
  ranges: ReadonlyArray<{ key: number; start: number; end: number }>,
): Promise<Map<number, JournalRow[]>> {
  return run(db, (c) => {
    const select = c.statement<[string, number, number], JournalRow>(
      `SELECT j.at AS at, j.shares AS shares, j.reactions AS reactions, ${ATTRIBUTION_SQL}
         FROM engagement_changes j LEFT JOIN clips c ON c.guild_id = j.guild_id AND c.clip_id = j.clip_id
        WHERE j.guild_id = ? AND j.at >= ? AND j.at < ?`,
    );
    return new Map(ranges.map((r) => [r.key, select.all(guildId, r.start, r.end)]));
  });
}
