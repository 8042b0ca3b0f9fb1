// The raw-table reads the aggregation computes local days from: clips, shares and reactions per day and local hour,
// the span of a guild's data, and the engagement journal capture keeps (engagement_changes).
import { run } from '../client';
import type { Db } from '../database';
import { ATTRIBUTION_SQL, COUNTED_CLIP_SQL, reactionsByBucketSql } from '../analytics/facts-sql';
import { queries } from '../sql';

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

const local = (column: string): string =>
  `((${column} + b.off) / 86400000 + 3) % 7 AS wd, ((${column} + b.off) % 86400000) / 3600000 AS hr`;

const clipsSql = (cte: string): string => `${cte}
  SELECT b.k AS k, ${local('c.clip_created_at')}, c.clip_id AS clip_id, c.clip_created_at AS at, coalesce(c.game_id, '') AS game_id,
         c.creator_id AS creator_id, c.view_count AS views, c.title AS title, c.url AS url
    FROM b CROSS JOIN clips c
   WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}`;

const sharesSql = (cte: string): string => `${cte}
  SELECT b.k AS k, ${local('s.posted_at')}, ${ATTRIBUTION_SQL}, count(*) AS n
    FROM b CROSS JOIN shares s
    LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id
   WHERE s.guild_id = ? AND s.posted_at >= b.s AND s.posted_at < b.e AND s.deleted_at IS NULL
   GROUP BY 1, 2, 3, 4, 5`;

// PostgreSQL takes the segments as one JSON parameter, so each statement has one text, prepared once per connection
// (SQLite's VALUES list makes new text per call, which PostgreSQL would keep as a new prepared statement each time).
const POSTGRES_SEGMENTS_CTE = `WITH b(k, s, e, off) AS (
  SELECT (x->>0)::bigint, (x->>1)::bigint, (x->>2)::bigint, (x->>3)::bigint FROM jsonb_array_elements(?::jsonb) AS x)`;
const POSTGRES_CLIPS_SQL = clipsSql(POSTGRES_SEGMENTS_CTE);
const POSTGRES_SHARES_SQL = sharesSql(POSTGRES_SEGMENTS_CTE);
/**
 * reactionsByBucketSql (the shared counting rules) written so that PostgreSQL reads each segment's reactions through
 * the (guild_id, reacted_at) and (guild_id, observed_at) indexes: with the plain join its planner hashes the guild's
 * every reaction and filters the product with the segments (150 ms per 62 days at S, growing with the guild).
 * `OFFSET 0` keeps each LATERAL subquery a subquery: without it the planner pulls it up into that same plain join
 * (it takes the JSON list for 100 rows), as it did at L: 340–470 ms for three days of the 200k-clip guild, 6 ms with it.
 */
const POSTGRES_REACTIONS_SQL = `${POSTGRES_SEGMENTS_CTE}
  SELECT k, game_id, creator_id, sum(n) AS n FROM (
    SELECT b.k AS k, ${ATTRIBUTION_SQL}, count(*) AS n
      FROM b CROSS JOIN LATERAL (SELECT r.guild_id, r.message_id FROM reactions r
                                  WHERE r.guild_id = ? AND r.reacted_at >= b.s AND r.reacted_at < b.e OFFSET 0) AS r
      JOIN shares s ON s.message_id = r.message_id AND s.guild_id = r.guild_id AND s.deleted_at IS NULL
      LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT b.k AS k, ${ATTRIBUTION_SQL}, sum(a.anonymous_count) AS n
      FROM b CROSS JOIN LATERAL (SELECT a.guild_id, a.message_id, a.anonymous_count FROM reaction_baselines a
                                  WHERE a.guild_id = ? AND a.observed_at >= b.s AND a.observed_at < b.e OFFSET 0) AS a
      JOIN shares s ON s.message_id = a.message_id AND s.guild_id = a.guild_id AND s.deleted_at IS NULL
      LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id
     GROUP BY 1, 2, 3
  ) AS per_source GROUP BY 1, 2, 3 HAVING sum(n) <> 0`;

/**
 * The fact rows of every segment, one batch per SEGMENTS_PER_STATEMENT segments, in order. A day's segments may fall
 * into two batches: its rows then come in both. Local weekday and hour are integer arithmetic on the segment's UTC
 * offset (computed in TypeScript from the guild's zone), so both engines place every row alike.
 */
export async function readDayFactRows(db: Db, guildId: string, segments: readonly DaySegment[]): Promise<DayFactRows[]> {
  if (db.engine === 'postgres') {
    const q = queries(db);
    const batches: DayFactRows[] = [];
    for (let i = 0; i < segments.length; i += SEGMENTS_PER_STATEMENT) {
      const b = JSON.stringify(segments.slice(i, i + SEGMENTS_PER_STATEMENT).map((s) => [s.key, s.start, s.end, s.offset]));
      batches.push({
        clips: await q.all<DayClipRow>(POSTGRES_CLIPS_SQL, [b, guildId]),
        shares: await q.all<DayShareRow>(POSTGRES_SHARES_SQL, [b, guildId]),
        reactions: await q.all<DayReactionRow>(POSTGRES_REACTIONS_SQL, [b, guildId, guildId]),
      });
    }
    return batches;
  }
  const values = segments.map((s) => `(${s.key},${s.start},${s.end},${s.offset})`);
  return run(db, (c) => {
    const batches: DayFactRows[] = [];
    for (let i = 0; i < values.length; i += SEGMENTS_PER_STATEMENT) {
      const cte = `WITH b(k, s, e, off) AS (VALUES ${values.slice(i, i + SEGMENTS_PER_STATEMENT).join(',')})`;
      // Each batch's SQL is new text: prepared for this call only, not kept in the statement cache.
      const clips = c.client.prepare<[string], DayClipRow>(clipsSql(cte)).all(guildId);
      const shares = c.client.prepare<[string], DayShareRow>(sharesSql(cte)).all(guildId);
      const reactions = c.client.prepare<[string, string], DayReactionRow>(reactionsByBucketSql(cte)).all(guildId, guildId);
      batches.push({ clips, shares, reactions });
    }
    return batches;
  });
}

/** The guild's earliest and latest timestamp over clips, shares, reactions and imported reaction counts. */
export async function readActivitySpan(db: Db, guildId: string): Promise<{ lo: number; hi: number } | null> {
  const range = await queries(db).get<{ lo: number | null; hi: number | null }>(
    `SELECT min(lo) AS lo, max(hi) AS hi FROM (
       SELECT min(clip_created_at) AS lo, max(clip_created_at) AS hi FROM clips WHERE guild_id = @g
       UNION ALL SELECT min(posted_at), max(posted_at) FROM shares WHERE guild_id = @g
       UNION ALL SELECT min(reacted_at), max(reacted_at) FROM reactions WHERE guild_id = @g
       UNION ALL SELECT min(observed_at), max(observed_at) FROM reaction_baselines WHERE guild_id = @g) AS spans`,
    { g: guildId },
  );
  return !range || range.lo === null || range.hi === null ? null : { lo: range.lo, hi: range.hi };
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
export async function readJournal(
  db: Db,
  guildId: string,
  ranges: ReadonlyArray<{ key: number; start: number; end: number }>,
): Promise<Map<number, JournalRow[]>> {
  const q = queries(db);
  const journal = new Map<number, JournalRow[]>();
  if (db.engine === 'postgres') {
    // One statement for every range (each is a round trip on PostgreSQL), each read through the primary key's
    // (guild_id, at) prefix (OFFSET 0: see POSTGRES_REACTIONS_SQL), not through every journal row of the guild.
    for (const r of ranges) journal.set(r.key, []);
    if (ranges.length === 0) return journal;
    const rows = await q.all<JournalRow & { k: number }>(
      `WITH b(k, s, e) AS (SELECT (x->>0)::bigint, (x->>1)::bigint, (x->>2)::bigint FROM jsonb_array_elements(?::jsonb) AS x)
       SELECT b.k AS k, j.at AS at, j.shares AS shares, j.reactions AS reactions, ${ATTRIBUTION_SQL}
         FROM b CROSS JOIN LATERAL (SELECT * FROM engagement_changes j WHERE j.guild_id = ? AND j.at >= b.s AND j.at < b.e OFFSET 0) AS j
         LEFT JOIN clips c ON c.guild_id = j.guild_id AND c.clip_id = j.clip_id`,
      [JSON.stringify(ranges.map((r) => [r.key, r.start, r.end])), guildId],
    );
    for (const { k, ...row } of rows) journal.get(k)?.push(row);
    return journal;
  }
  for (const r of ranges) {
    journal.set(
      r.key,
      await q.all<JournalRow>(
        `SELECT j.at AS at, j.shares AS shares, j.reactions AS reactions, ${ATTRIBUTION_SQL}
           FROM engagement_changes j LEFT JOIN clips c ON c.guild_id = j.guild_id AND c.clip_id = j.clip_id
          WHERE j.guild_id = ? AND j.at >= ? AND j.at < ?`,
        [guildId, r.start, r.end],
      ),
    );
  }
  return journal;
}
