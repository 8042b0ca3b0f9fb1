// The mood counts' statements: the raw reactions per local day, clip and emoji the aggregation maps to moods, the
// stored per-clip mood rows (analytics_clip_moods, with what the rankings show of each clip) it reads and adjusts,
// the mixes, and the guild's mood state (mood_state). Over 400 lines: one table family's writes, kept together.
import { run } from '../client';
import type { Db } from '../database';
import { COUNTED_CLIP_SQL } from '../analytics/facts-sql';
import { dialect, KEYS_IN_JSON_LIST, queries } from '../sql';

/** The mood columns of analytics_mood_mixes, in the order of analytics/moods-table.ts MOODS (checked there). */
export const MOOD_COLUMNS = ['hype', 'funny', 'love', 'wow', 'sad', 'negative', 'other'] as const;

/** A mix row's subject: the whole guild (subject ''), a creator or a game (subject '' for no game). */
export type MixDimension = 'guild' | 'creator' | 'game';

/** A stored mix row of one bucket; `counts` in MOOD_COLUMNS order. */
export interface MoodMixRow {
  period_start: number;
  dimension: MixDimension;
  subject_id: string;
  counts: number[];
}

/** A change of one mix row: (period type, bucket key, dimension, subject, counts to add in MOOD_COLUMNS order). */
export type MoodMixChange = [type: string, key: number, dimension: MixDimension, subjectId: string, counts: number[]];

/**
 * How the mixes attribute a clip (counted as the leaderboards count it, with its current creator and game), and what
 * its stored mood rows show of it (title, URL, creator and game names as its clips row has them).
 */
export interface ClipFacet {
  clip_id: string;
  counted: boolean;
  creator_id: string | null;
  game_id: string | null;
  title: string | null;
  url: string;
  creator_name: string | null;
  game_name: string | null;
}

/** Reactions (named and imported counts) placed in range `k` on a live share of `clip_id`, by emoji. */
export interface DayEmojiRow {
  k: number;
  clip_id: string;
  emoji_key: string;
  n: number;
}

/** A stored mood row of one bucket. */
export interface ClipMoodRow {
  period_start: number;
  clip_id: string;
  mood: string;
  reactions: number;
}

export interface MoodState {
  timezone: string;
  signature: string;
}

const RANGES_PER_STATEMENT = 400;

// Named reactions at their time and anonymous imported counts at their observation time, on live shares: what
// reactionsByBucketSql (facts-sql.ts) counts, by clip and emoji instead of by (game, creator).
const emojiSql = (cte: string): string => `${cte}
  SELECT k, clip_id, emoji_key, sum(n) AS n FROM (
    SELECT b.k AS k, s.clip_id AS clip_id, r.emoji_key AS emoji_key, count(*) AS n
      FROM b CROSS JOIN reactions r
      JOIN shares s ON s.message_id = r.message_id AND s.guild_id = r.guild_id AND s.deleted_at IS NULL
     WHERE r.guild_id = ? AND r.reacted_at >= b.s AND r.reacted_at < b.e
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT b.k AS k, s.clip_id AS clip_id, a.emoji_key AS emoji_key, sum(a.anonymous_count) AS n
      FROM b CROSS JOIN reaction_baselines a
      JOIN shares s ON s.message_id = a.message_id AND s.guild_id = a.guild_id AND s.deleted_at IS NULL
     WHERE a.guild_id = ? AND a.observed_at >= b.s AND a.observed_at < b.e
     GROUP BY 1, 2, 3
  ) AS per_source GROUP BY 1, 2, 3 HAVING sum(n) <> 0`;

// PostgreSQL: the ranges as one JSON parameter (one statement text) and each range's reactions read through the
// (guild_id, reacted_at) and (guild_id, observed_at) indexes, as raw-days.ts does for the day facts (OFFSET 0 included).
const POSTGRES_EMOJI_SQL = `WITH b(k, s, e) AS (
  SELECT (x->>0)::bigint, (x->>1)::bigint, (x->>2)::bigint FROM jsonb_array_elements(?::jsonb) AS x)
  SELECT k, clip_id, emoji_key, sum(n) AS n FROM (
    SELECT b.k AS k, s.clip_id AS clip_id, r.emoji_key AS emoji_key, count(*) AS n
      FROM b CROSS JOIN LATERAL (SELECT r.guild_id, r.message_id, r.emoji_key FROM reactions r
                                  WHERE r.guild_id = ? AND r.reacted_at >= b.s AND r.reacted_at < b.e OFFSET 0) AS r
      JOIN shares s ON s.message_id = r.message_id AND s.guild_id = r.guild_id AND s.deleted_at IS NULL
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT b.k AS k, s.clip_id AS clip_id, a.emoji_key AS emoji_key, sum(a.anonymous_count) AS n
      FROM b CROSS JOIN LATERAL (SELECT a.guild_id, a.message_id, a.emoji_key, a.anonymous_count FROM reaction_baselines a
                                  WHERE a.guild_id = ? AND a.observed_at >= b.s AND a.observed_at < b.e OFFSET 0) AS a
      JOIN shares s ON s.message_id = a.message_id AND s.guild_id = a.guild_id AND s.deleted_at IS NULL
     GROUP BY 1, 2, 3
  ) AS per_source GROUP BY 1, 2, 3 HAVING sum(n) <> 0`;

/** The reactions of each range [start, end) by clip and emoji, RANGES_PER_STATEMENT ranges per statement. */
export async function readEmojiRows(
  db: Db,
  guildId: string,
  ranges: ReadonlyArray<{ key: number; start: number; end: number }>,
): Promise<DayEmojiRow[]> {
  const rows: DayEmojiRow[] = [];
  for (let i = 0; i < ranges.length; i += RANGES_PER_STATEMENT) {
    const part = ranges.slice(i, i + RANGES_PER_STATEMENT);
    if (db.engine === 'postgres') {
      const b = JSON.stringify(part.map((r) => [r.key, r.start, r.end]));
      appendAll(rows, await queries(db).all<DayEmojiRow>(POSTGRES_EMOJI_SQL, [b, guildId, guildId]));
    } else {
      const cte = `WITH b(k, s, e) AS (VALUES ${part.map((r) => `(${r.key},${r.start},${r.end})`).join(',')})`;
      // New text per call (the ranges are inlined): prepared for this call only, not kept in the statement cache.
      appendAll(rows, await run(db, (c) => c.client.prepare<[string, string], DayEmojiRow>(emojiSql(cte)).all(guildId, guildId)));
    }
  }
  return rows.map((r) => ({ k: Number(r.k), clip_id: r.clip_id, emoji_key: r.emoji_key, n: Number(r.n) }));
}

/** The stored mood rows of some buckets of one period type, in one statement (the keys as one JSON parameter). */
export async function readClipMoodRows(db: Db, guildId: string, type: string, keys: readonly number[]): Promise<ClipMoodRow[]> {
  if (keys.length === 0) return [];
  const inList = dialect(db, KEYS_IN_JSON_LIST);
  const rows = await queries(db).all<ClipMoodRow>(
    `SELECT period_start, clip_id, mood, reactions FROM analytics_clip_moods
      WHERE guild_id = ? AND period_type = ? AND period_start ${inList}`,
    [guildId, type, JSON.stringify(keys)],
  );
  return rows.map((r) => ({ ...r, period_start: Number(r.period_start), reactions: Number(r.reactions) }));
}

/** A change of one stored mood row: (period type, bucket key, clip, mood, change). */
export type ClipMoodChange = [type: string, key: number, clipId: string, mood: string, change: number];

/**
 * Adds the changes to the stored rows (creating them), deletes the rows they brought to 0, then sets the clip_total of
 * every row of each changed (bucket, clip) to the clip's new sum.
 */
export async function addClipMoods(db: Db, guildId: string, changes: readonly ClipMoodChange[]): Promise<void> {
  if (db.engine === 'postgres') return addClipMoodsPostgres(db, guildId, changes);
  const q = queries(db);
  const touched = new Map<string, [string, number, string]>();
  for (const [type, key, clip, mood, change] of changes) {
    if (change === 0) continue;
    touched.set(`${type}\t${key}\t${clip}`, [type, key, clip]);
    await q.run(
      `INSERT INTO analytics_clip_moods (guild_id, period_type, period_start, clip_id, mood, reactions) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (guild_id, period_type, period_start, clip_id, mood)
       DO UPDATE SET reactions = analytics_clip_moods.reactions + excluded.reactions`,
      [guildId, type, key, clip, mood, change],
    );
    await q.run(
      `DELETE FROM analytics_clip_moods
        WHERE guild_id = ? AND period_type = ? AND period_start = ? AND clip_id = ? AND mood = ? AND reactions = 0`,
      [guildId, type, key, clip, mood],
    );
  }
  for (const [type, key, clip] of touched.values()) await q.run(CLIP_MIX_UPDATE_SQL, [guildId, type, key, clip]);
}

const SAME_BUCKET_CLIP = `x.guild_id = analytics_clip_moods.guild_id AND x.period_type = analytics_clip_moods.period_type
  AND x.period_start = analytics_clip_moods.period_start AND x.clip_id = analytics_clip_moods.clip_id`;

/** A (bucket, clip)'s rows get the clip's total and mix in the bucket (clip_counts: MOOD_COLUMNS order, comma-separated). */
const CLIP_MIX_UPDATE_SQL = `UPDATE analytics_clip_moods SET
    clip_total = (SELECT sum(x.reactions) FROM analytics_clip_moods x WHERE ${SAME_BUCKET_CLIP}),
    clip_counts = (SELECT ${MOOD_COLUMNS.map((m) => `CAST(coalesce(sum(CASE WHEN x.mood = '${m}' THEN x.reactions END), 0) AS TEXT)`).join(" || ',' || ")}
                     FROM analytics_clip_moods x WHERE ${SAME_BUCKET_CLIP})
  WHERE guild_id = ? AND period_type = ? AND period_start = ? AND clip_id = ?`;

/** A clip's mix as clip_counts holds it. */
export function clipCountsText(counts: readonly number[]): string {
  return counts.join(',');
}

/** A (period type, bucket key, clip) whose stored rows must show the clip as its clips row has it now. */
export type ClipBucket = [type: string, key: number, clipId: string];

const INFO_COLUMNS = ['counted', 'title', 'url', 'creator_name', 'game_name'] as const;

const DIFFERS = INFO_COLUMNS.map((c) => `${c} IS DISTINCT FROM ?`).join(' OR ');

/**
 * Sets what the stored rows of each (bucket, clip) show of the clip (ADR 0030) from `facets`; a clip without a facet
 * (no clips row) shows as not counted. Rows already showing it are left alone. SQLite: a primary-key UPDATE per
 * bucket (its planner walked the guild's rows for each JSON element of a set-based one); PostgreSQL: one statement per
 * ROWS_PER_INFO_STATEMENT buckets (the buckets as one JSON parameter).
 */
export async function refreshClipInfo(
  db: Db,
  guildId: string,
  buckets: readonly ClipBucket[],
  facets: ReadonlyMap<string, ClipFacet>,
): Promise<void> {
  const q = queries(db);
  if (db.engine !== 'postgres') {
    for (const [type, key, clip] of buckets) {
      const shown = INFO_COLUMNS.map((c) => shownOf(facets.get(clip))[c]);
      await q.run(
        `UPDATE analytics_clip_moods SET ${INFO_COLUMNS.map((c) => `${c} = ?`).join(', ')}
          WHERE guild_id = ? AND period_type = ? AND period_start = ? AND clip_id = ? AND (${DIFFERS})`,
        [...shown, guildId, type, key, clip, ...shown],
      );
    }
    return;
  }
  const sql = `UPDATE analytics_clip_moods SET ${INFO_COLUMNS.map((c) => `${c} = x.${c}`).join(', ')}
     FROM jsonb_to_recordset(?::jsonb)
       AS x(t text, k bigint, c text, counted integer, title text, url text, creator_name text, game_name text)
    WHERE analytics_clip_moods.guild_id = ? AND analytics_clip_moods.period_type = x.t
      AND analytics_clip_moods.period_start = x.k AND analytics_clip_moods.clip_id = x.c
      AND (${INFO_COLUMNS.map((c) => `analytics_clip_moods.${c} IS DISTINCT FROM x.${c}`).join(' OR ')})`;
  for (let i = 0; i < buckets.length; i += ROWS_PER_INFO_STATEMENT) {
    const part = buckets.slice(i, i + ROWS_PER_INFO_STATEMENT).map(([t, k, c]) => ({ t, k, c, ...shownOf(facets.get(c)) }));
    await q.run(sql, [JSON.stringify(part), guildId]);
  }
}

const ROWS_PER_INFO_STATEMENT = 500;

/** What a clip's mood rows show of it. */
function shownOf(facet: ClipFacet | undefined): {
  counted: number;
  title: string | null;
  url: string;
  creator_name: string | null;
  game_name: string | null;
} {
  if (!facet) return { counted: 0, title: null, url: '', creator_name: null, game_name: null };
  return {
    counted: facet.counted ? 1 : 0,
    title: facet.title,
    url: facet.url,
    creator_name: facet.creator_name,
    game_name: facet.game_name,
  };
}

// addClipMoods on PostgreSQL: the same three effects in three set-based statements, not five round trips per row.
// The changes come as one JSON parameter, summed per row key (a statement may not change a row twice).
const POSTGRES_CLIP_CHANGES_CTE = `WITH input AS (
  SELECT x.t COLLATE "C" AS t, x.k AS k, x.c COLLATE "C" AS c, x.m COLLATE "C" AS m, sum(x.n)::integer AS n
    FROM jsonb_to_recordset(?::jsonb) AS x(t text, k bigint, c text, m text, n integer)
   GROUP BY 1, 2, 3, 4 HAVING sum(x.n) <> 0)`;

const POSTGRES_ADD_CLIP_MOODS_SQL = `${POSTGRES_CLIP_CHANGES_CTE}
  INSERT INTO analytics_clip_moods (guild_id, period_type, period_start, clip_id, mood, reactions)
  SELECT ?, t, k, c, m, n FROM input
  ON CONFLICT (guild_id, period_type, period_start, clip_id, mood)
  DO UPDATE SET reactions = analytics_clip_moods.reactions + excluded.reactions`;

const POSTGRES_DROP_EMPTY_CLIP_MOODS_SQL = `${POSTGRES_CLIP_CHANGES_CTE}
  DELETE FROM analytics_clip_moods a USING input
   WHERE a.guild_id = ? AND a.period_type = input.t AND a.period_start = input.k AND a.clip_id = input.c
     AND a.mood = input.m AND a.reactions = 0`;

// Each touched (bucket, clip)'s total and mix (clip_counts, ADR 0030) summed through the primary key (LATERAL): a join lets the planner read the guild's every
// mood row when its statistics are stale, as they are after a rebuild until the next ANALYZE.
const POSTGRES_CLIP_TOTALS_SQL = `WITH touched AS (
  SELECT DISTINCT x.t COLLATE "C" AS t, x.k AS k, x.c COLLATE "C" AS c
    FROM jsonb_to_recordset(?::jsonb) AS x(t text, k bigint, c text)),
  sums AS (
  SELECT touched.t, touched.k, touched.c, s.total, s.counts FROM touched CROSS JOIN LATERAL (
    SELECT sum(a.reactions)::integer AS total,
           ${MOOD_COLUMNS.map((m) => `CAST(coalesce(sum(CASE WHEN a.mood = '${m}' THEN a.reactions END), 0) AS TEXT)`).join(" || ',' || ")} AS counts
      FROM analytics_clip_moods a
     WHERE a.guild_id = ? AND a.period_type = touched.t AND a.period_start = touched.k AND a.clip_id = touched.c) AS s)
  UPDATE analytics_clip_moods a SET clip_total = sums.total, clip_counts = sums.counts FROM sums
   WHERE a.guild_id = ? AND a.period_type = sums.t AND a.period_start = sums.k AND a.clip_id = sums.c
     AND (a.clip_total IS DISTINCT FROM sums.total OR a.clip_counts IS DISTINCT FROM sums.counts)`;

async function addClipMoodsPostgres(db: Db, guildId: string, changes: readonly ClipMoodChange[]): Promise<void> {
  const kept = changes.filter((c) => c[4] !== 0);
  if (kept.length === 0) return;
  const q = queries(db);
  const json = JSON.stringify(kept.map(([t, k, c, m, n]) => ({ t, k, c, m, n })));
  await q.run(POSTGRES_ADD_CLIP_MOODS_SQL, [json, guildId]);
  await q.run(POSTGRES_DROP_EMPTY_CLIP_MOODS_SQL, [json, guildId]);
  await q.run(POSTGRES_CLIP_TOTALS_SQL, [json, guildId, guildId]);
}

/** A rebuild's first write: the guild's mood rows, mixes and state go (reads compute from the raw tables meanwhile). */
export async function clearClipMoods(db: Db, guildId: string): Promise<void> {
  const q = queries(db);
  await q.run('DELETE FROM mood_state WHERE guild_id = ?', [guildId]);
  await q.run('DELETE FROM analytics_clip_moods WHERE guild_id = ?', [guildId]);
  await q.run('DELETE FROM analytics_mood_mixes WHERE guild_id = ?', [guildId]);
}

/**
 * Inserts rebuilt rows: (period type, bucket key, clip, mood, reactions), none already stored, each with its clip's
 * mix in the bucket (`clipMix`, keyed `type\tkey\tclip`, MOOD_COLUMNS order) and what it shows of the clip (`facets`).
 * PostgreSQL: one set-based statement (the rows as one JSON parameter), not a round trip per row.
 */
export async function insertClipMoods(
  db: Db,
  guildId: string,
  rows: readonly ClipMoodChange[],
  clipMix: ReadonlyMap<string, readonly number[]>,
  facets: ReadonlyMap<string, ClipFacet>,
): Promise<void> {
  const q = queries(db);
  const kept = rows.filter((r) => r[4] !== 0);
  if (kept.length === 0) return;
  const mixOf = (type: string, key: number, clip: string): readonly number[] => clipMix.get(`${type}\t${key}\t${clip}`) ?? [];
  const totalOf = (counts: readonly number[]): number => counts.reduce((a, b) => a + b, 0);
  const columns =
    'guild_id, period_type, period_start, clip_id, mood, reactions, clip_total, clip_counts, counted, title, url, creator_name, game_name';
  if (db.engine === 'postgres') {
    await q.run(
      `INSERT INTO analytics_clip_moods (${columns})
       SELECT ?, x.t, x.k, x.c, x.m, x.n, x.s, x.cc, x.counted, x.title, x.url, x.creator_name, x.game_name
         FROM jsonb_to_recordset(?::jsonb) AS x(t text, k bigint, c text, m text, n integer, s integer, cc text, counted integer,
                                                title text, url text, creator_name text, game_name text)`,
      [
        guildId,
        JSON.stringify(
          kept.map(([t, k, c, m, n]) => {
            const mix = mixOf(t, k, c);
            return { t, k, c, m, n, s: totalOf(mix), cc: clipCountsText(mix), ...shownOf(facets.get(c)) };
          }),
        ),
      ],
    );
    return;
  }
  for (const [type, key, clip, mood, n] of kept) {
    const mix = mixOf(type, key, clip);
    const shown = shownOf(facets.get(clip));
    await q.run(`INSERT INTO analytics_clip_moods (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      guildId,
      type,
      key,
      clip,
      mood,
      n,
      totalOf(mix),
      clipCountsText(mix),
      shown.counted,
      shown.title,
      shown.url,
      shown.creator_name,
      shown.game_name,
    ]);
  }
}

/** How the mixes attribute the guild's clips among `clipIds` (all its clips when 'all'), one JSON parameter per 500. */
export async function readClipFacets(db: Db, guildId: string, clipIds: readonly string[] | 'all'): Promise<ClipFacet[]> {
  type Row = Omit<ClipFacet, 'counted'> & { counted: number };
  const columns = `c.clip_id, c.creator_id, c.game_id, c.title, c.url, c.creator_name, c.game_name,
                   CASE WHEN ${COUNTED_CLIP_SQL} THEN 1 ELSE 0 END AS counted`;
  let rows: Row[] = [];
  if (clipIds === 'all') {
    rows = await queries(db).all<Row>(`SELECT ${columns} FROM clips c WHERE c.guild_id = ?`, [guildId]);
  } else {
    const ids = dialect(db, {
      sqlite: 'SELECT value FROM json_each(?)',
      postgres: 'SELECT jsonb_array_elements_text(?::jsonb)',
    });
    for (let i = 0; i < clipIds.length; i += 500) {
      rows.push(
        ...(await queries(db).all<Row>(`SELECT ${columns} FROM clips c WHERE c.guild_id = ? AND c.clip_id IN (${ids})`, [
          guildId,
          JSON.stringify(clipIds.slice(i, i + 500)),
        ])),
      );
    }
  }
  return rows.map((r) => ({ ...r, counted: Number(r.counted) === 1 }));
}

const MIX_COLUMNS_SQL = MOOD_COLUMNS.join(', ');

/** The stored mix rows of some buckets of one period type, in one statement (the keys as one JSON parameter). */
export async function readMoodMixRows(db: Db, guildId: string, type: string, keys: readonly number[]): Promise<MoodMixRow[]> {
  if (keys.length === 0) return [];
  const inList = dialect(db, KEYS_IN_JSON_LIST);
  const rows = await queries(db).all<Record<string, unknown>>(
    `SELECT period_start, dimension, subject_id, ${MIX_COLUMNS_SQL} FROM analytics_mood_mixes
      WHERE guild_id = ? AND period_type = ? AND period_start ${inList}`,
    [guildId, type, JSON.stringify(keys)],
  );
  return rows.map((r) => ({
    period_start: Number(r.period_start),
    dimension: r.dimension as MixDimension,
    subject_id: r.subject_id as string,
    counts: MOOD_COLUMNS.map((m) => Number(r[m])),
  }));
}

/** Adds the changes to the stored mix rows (creating them), then deletes the rows they brought to all zeros. */
export async function addMoodMixes(db: Db, guildId: string, changes: readonly MoodMixChange[]): Promise<void> {
  if (db.engine === 'postgres') return addMoodMixesPostgres(db, guildId, changes);
  const q = queries(db);
  const sets = MOOD_COLUMNS.map((m) => `${m} = analytics_mood_mixes.${m} + excluded.${m}`).join(', ');
  for (const [type, key, dimension, subject, counts] of changes) {
    if (counts.every((n) => n === 0)) continue;
    const total = counts.reduce((a, b) => a + b, 0);
    await q.run(
      `INSERT INTO analytics_mood_mixes (guild_id, period_type, period_start, dimension, subject_id, total, ${MIX_COLUMNS_SQL})
       VALUES (?, ?, ?, ?, ?, ?, ${MOOD_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (guild_id, period_type, period_start, dimension, subject_id)
       DO UPDATE SET total = analytics_mood_mixes.total + excluded.total, ${sets}`,
      [guildId, type, key, dimension, subject, total, ...counts],
    );
    await q.run(
      `DELETE FROM analytics_mood_mixes
        WHERE guild_id = ? AND period_type = ? AND period_start = ? AND dimension = ? AND subject_id = ?
          AND ${MOOD_COLUMNS.map((m) => `${m} = 0`).join(' AND ')}`,
      [guildId, type, key, dimension, subject],
    );
  }
}

// addMoodMixes on PostgreSQL: two set-based statements (the changes as one JSON parameter, summed per row key).
const POSTGRES_MIX_CHANGES_CTE = `WITH input AS (
  SELECT x.t COLLATE "C" AS t, x.k AS k, x.d COLLATE "C" AS d, x.s COLLATE "C" AS s,
         ${MOOD_COLUMNS.map((m, i) => `sum(x.n[${i + 1}])::integer AS ${m}`).join(', ')}
    FROM jsonb_to_recordset(?::jsonb) AS x(t text, k bigint, d text, s text, n integer[])
   GROUP BY 1, 2, 3, 4)`;

const POSTGRES_ADD_MOOD_MIXES_SQL = `${POSTGRES_MIX_CHANGES_CTE}
  INSERT INTO analytics_mood_mixes (guild_id, period_type, period_start, dimension, subject_id, total, ${MIX_COLUMNS_SQL})
  SELECT ?, t, k, d, s, ${MOOD_COLUMNS.join(' + ')}, ${MIX_COLUMNS_SQL} FROM input
   WHERE NOT (${MOOD_COLUMNS.map((m) => `${m} = 0`).join(' AND ')})
  ON CONFLICT (guild_id, period_type, period_start, dimension, subject_id)
  DO UPDATE SET total = analytics_mood_mixes.total + excluded.total,
                ${MOOD_COLUMNS.map((m) => `${m} = analytics_mood_mixes.${m} + excluded.${m}`).join(', ')}`;

const POSTGRES_DROP_EMPTY_MIXES_SQL = `${POSTGRES_MIX_CHANGES_CTE}
  DELETE FROM analytics_mood_mixes a USING input
   WHERE a.guild_id = ? AND a.period_type = input.t AND a.period_start = input.k AND a.dimension = input.d
     AND a.subject_id = input.s AND ${MOOD_COLUMNS.map((m) => `a.${m} = 0`).join(' AND ')}`;

async function addMoodMixesPostgres(db: Db, guildId: string, changes: readonly MoodMixChange[]): Promise<void> {
  const kept = changes.filter((c) => c[4].some((n) => n !== 0));
  if (kept.length === 0) return;
  const q = queries(db);
  const json = JSON.stringify(kept.map(([t, k, d, s, n]) => ({ t, k, d, s, n })));
  await q.run(POSTGRES_ADD_MOOD_MIXES_SQL, [json, guildId]);
  await q.run(POSTGRES_DROP_EMPTY_MIXES_SQL, [json, guildId]);
}

/** Inserts rebuilt mix rows, none already stored (rows of all zeros are skipped). PostgreSQL: one statement per call. */
export async function insertMoodMixes(db: Db, guildId: string, rows: readonly MoodMixChange[]): Promise<void> {
  const q = queries(db);
  const kept = rows.filter((r) => r[4].some((n) => n !== 0));
  if (kept.length === 0) return;
  if (db.engine === 'postgres') {
    await q.run(
      `INSERT INTO analytics_mood_mixes (guild_id, period_type, period_start, dimension, subject_id, total, ${MIX_COLUMNS_SQL})
       SELECT ?, x.t, x.k, x.d, x.s, x.n[1] + x.n[2] + x.n[3] + x.n[4] + x.n[5] + x.n[6] + x.n[7],
              ${MOOD_COLUMNS.map((_, i) => `x.n[${i + 1}]`).join(', ')}
         FROM jsonb_to_recordset(?::jsonb) AS x(t text, k bigint, d text, s text, n integer[])`,
      [guildId, JSON.stringify(kept.map(([t, k, d, s, n]) => ({ t, k, d, s, n })))],
    );
    return;
  }
  for (const [type, key, dimension, subject, counts] of kept) {
    await q.run(
      `INSERT INTO analytics_mood_mixes (guild_id, period_type, period_start, dimension, subject_id, total, ${MIX_COLUMNS_SQL})
       VALUES (?, ?, ?, ?, ?, ?, ${MOOD_COLUMNS.map(() => '?').join(', ')})`,
      [guildId, type, key, dimension, subject, counts.reduce((a, b) => a + b, 0), ...counts],
    );
  }
}

export async function readMoodState(db: Db, guildId: string): Promise<MoodState | null> {
  return (await queries(db).get<MoodState>('SELECT timezone, signature FROM mood_state WHERE guild_id = ?', [guildId])) ?? null;
}

/** Marks the guild's mood rows as built in `timezone` with the mapping `signature`. */
export async function writeMoodState(db: Db, guildId: string, state: MoodState, now: number): Promise<void> {
  await queries(db).run(
    `INSERT INTO mood_state (guild_id, timezone, signature, built_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (guild_id) DO UPDATE SET timezone = excluded.timezone, signature = excluded.signature, built_at = excluded.built_at`,
    [guildId, state.timezone, state.signature, now],
  );
}

/**
 * Appends one by one: `target.push(...rows)` passes every row as an argument, and a large guild's rows (a read of all
 * its clips, or of a year of reactions) overflow the call stack.
 */
function appendAll<T>(target: T[], rows: readonly T[]): void {
  for (const row of rows) target.push(row);
}
