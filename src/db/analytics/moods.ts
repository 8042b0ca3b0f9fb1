// The mood reads: a period bucket's stored mixes, rankings and per-clip mood rows, the raw reactions of any range by clip and emoji (for
// explicit ranges and guilds whose mood rows are not current), the clips they name, and the candidates of
// `/viral sort:<mood>` (clips created in the period by their all-time reactions of one mood).
import { MOOD_COLUMNS, readEmojiRows, type DayEmojiRow, type MixDimension } from '../aggregation/moods';
import type { Db } from '../database';
import { dialect, queries } from '../sql';
import { COUNTED_CLIP_SQL } from './facts-sql';

export interface BucketMoodRow {
  clip_id: string;
  mood: string;
  reactions: number;
}

/** The reactions placed in [start, end) on live shares, by clip and emoji, from the raw tables. */
export function readRawEmojiRows(db: Db, guildId: string, start: number, end: number): Promise<DayEmojiRow[]> {
  return readEmojiRows(db, guildId, [{ key: 0, start, end }]);
}

/** A clip as the mood answers name it; `counted` as COUNTED_CLIP_SQL decides (1/0, true/false). */
export interface MoodClipInfo {
  clip_id: string;
  title: string | null;
  url: string;
  creator_id: string | null;
  creator_name: string | null;
  game_id: string | null;
  game_name: string | null;
  view_count: number;
  counted: number | boolean;
}

const IDS_PER_STATEMENT = 500;

/** The guild's clips among `clipIds`, in batches of IDS_PER_STATEMENT ids (one JSON parameter each). */
export async function readMoodClipInfos(db: Db, guildId: string, clipIds: readonly string[]): Promise<MoodClipInfo[]> {
  const ids = dialect(db, {
    sqlite: 'SELECT value FROM json_each(?)',
    postgres: 'SELECT jsonb_array_elements_text(?::jsonb)',
  });
  const sql = `SELECT c.clip_id, c.title, c.url, c.creator_id, c.creator_name, c.game_id, c.game_name, c.view_count,
                      CASE WHEN ${COUNTED_CLIP_SQL} THEN 1 ELSE 0 END AS counted
                 FROM clips c WHERE c.guild_id = ? AND c.clip_id IN (${ids})`;
  const rows: MoodClipInfo[] = [];
  for (let i = 0; i < clipIds.length; i += IDS_PER_STATEMENT) {
    rows.push(...(await queries(db).all<MoodClipInfo>(sql, [guildId, JSON.stringify(clipIds.slice(i, i + IDS_PER_STATEMENT))])));
  }
  return rows.map((r) => ({ ...r, view_count: Number(r.view_count), counted: Number(r.counted) }));
}

/** Counted clips created in [start, end) with at least `min` views. */
const CREATED_IN = `c.guild_id = @guild AND c.clip_created_at >= @start AND c.clip_created_at < @end AND c.view_count >= @min
  AND ${COUNTED_CLIP_SQL}`;

export interface MoodCandidate {
  clip_id: string;
  reactions: number;
}

/**
 * From the stored all-time rows: the `limit` counted clips created in [start, end) with the most reactions of `mood`
 * (ties: more views, then clip id). Walks the mood's ranking index of all_time.
 */
export async function readStoredMoodCandidates(
  db: Db,
  params: { guild: string; start: number; end: number; min: number; mood: string; limit: number },
): Promise<MoodCandidate[]> {
  const rows = await queries(db).all<MoodCandidate>(
    `SELECT m.clip_id AS clip_id, m.reactions AS reactions
       FROM analytics_clip_moods m JOIN clips c ON c.guild_id = m.guild_id AND c.clip_id = m.clip_id
      WHERE m.guild_id = @guild AND m.period_type = 'all_time' AND m.period_start = 0 AND m.mood = @mood AND ${CREATED_IN}
      ORDER BY m.reactions DESC, c.view_count DESC, m.clip_id LIMIT @limit`,
    params,
  );
  return rows.map((r) => ({ clip_id: r.clip_id, reactions: Number(r.reactions) }));
}

/** From the raw tables: every reaction (any time) on live shares of the counted clips created in [start, end), by emoji. */
export async function readRawCandidateEmoji(
  db: Db,
  params: { guild: string; start: number; end: number; min: number },
): Promise<Array<{ clip_id: string; views: number; emoji_key: string; n: number }>> {
  const rows = await queries(db).all<{ clip_id: string; views: number; emoji_key: string; n: number }>(
    `SELECT clip_id, views, emoji_key, sum(n) AS n FROM (
       SELECT c.clip_id AS clip_id, c.view_count AS views, r.emoji_key AS emoji_key, count(*) AS n
         FROM clips c JOIN shares s ON s.guild_id = c.guild_id AND s.clip_id = c.clip_id AND s.deleted_at IS NULL
         JOIN reactions r ON r.guild_id = s.guild_id AND r.message_id = s.message_id
        WHERE ${CREATED_IN} GROUP BY 1, 2, 3
       UNION ALL
       SELECT c.clip_id AS clip_id, c.view_count AS views, a.emoji_key AS emoji_key, sum(a.anonymous_count) AS n
         FROM clips c JOIN shares s ON s.guild_id = c.guild_id AND s.clip_id = c.clip_id AND s.deleted_at IS NULL
         JOIN reaction_baselines a ON a.guild_id = s.guild_id AND a.message_id = s.message_id
        WHERE ${CREATED_IN} GROUP BY 1, 2, 3
     ) AS per_source GROUP BY 1, 2, 3`,
    params,
  );
  return rows.map((r) => ({ clip_id: r.clip_id, views: Number(r.views), emoji_key: r.emoji_key, n: Number(r.n) }));
}

/** A stored mix row as the moods answer reads it; `counts` in MOOD_COLUMNS order. */
export interface StoredMix {
  dimension: MixDimension;
  subject_id: string;
  counts: number[];
}

const MIX_SELECT = `dimension, subject_id, ${MOOD_COLUMNS.join(', ')} FROM analytics_mood_mixes
  WHERE guild_id = @guild AND period_type = @type AND period_start = @start`;

/**
 * One statement on the mixes' indexes: the bucket's guild mix, and its `limit` creators and games with the most
 * reactions (ties: subject id), each in that order.
 */
export async function readStoredMixes(db: Db, params: { guild: string; type: string; start: number; limit: number }): Promise<StoredMix[]> {
  const rows = await queries(db).all<Record<string, unknown>>(
    `SELECT ${MIX_SELECT} AND dimension = 'guild'
     UNION ALL SELECT * FROM (SELECT ${MIX_SELECT} AND dimension = 'creator' ORDER BY total DESC, subject_id LIMIT @limit) AS creators
     UNION ALL SELECT * FROM (SELECT ${MIX_SELECT} AND dimension = 'game' ORDER BY total DESC, subject_id LIMIT @limit) AS games`,
    params,
  );
  return rows.map((r) => ({
    dimension: r.dimension as MixDimension,
    subject_id: r.subject_id as string,
    counts: MOOD_COLUMNS.map((m) => Number(r[m])),
  }));
}

/** A ranked clip of a stored mood ranking, with what the answer shows of it. */
export interface StoredRankedClip {
  mood: string;
  clip_id: string;
  title: string | null;
  url: string;
  creator_name: string | null;
  game_name: string | null;
}

/**
 * One statement, one walk of the ranking index per mood: the bucket's `limit` counted clips with the most reactions of
 * each mood (ties: more reactions in all, then clip id), in that order.
 */
export async function readStoredRankings(
  db: Db,
  params: { guild: string; type: string; start: number; limit: number },
  moods: readonly string[],
): Promise<StoredRankedClip[]> {
  const one = (i: number): string => `SELECT * FROM (
      SELECT m.mood AS mood, m.clip_id AS clip_id, c.title AS title, c.url AS url, c.creator_name AS creator_name, c.game_name AS game_name
        FROM analytics_clip_moods m JOIN clips c ON c.guild_id = m.guild_id AND c.clip_id = m.clip_id
       WHERE m.guild_id = @guild AND m.period_type = @type AND m.period_start = @start AND m.mood = @mood${i} AND ${COUNTED_CLIP_SQL}
       ORDER BY m.reactions DESC, m.clip_total DESC, m.clip_id LIMIT @limit) AS ranking${i}`;
  const named: Record<string, string | number> = { ...params };
  moods.forEach((mood, i) => {
    named[`mood${i}`] = mood;
  });
  return queries(db).all<StoredRankedClip>(moods.map((_, i) => one(i)).join('\n UNION ALL '), named);
}

/** The stored mood rows of some clips in one bucket (primary-key reads; the ids as one JSON parameter). */
export async function readStoredClipMoods(
  db: Db,
  guildId: string,
  type: string,
  start: number,
  clipIds: readonly string[],
): Promise<BucketMoodRow[]> {
  if (clipIds.length === 0) return [];
  const ids = dialect(db, {
    sqlite: 'SELECT value FROM json_each(?)',
    postgres: 'SELECT jsonb_array_elements_text(?::jsonb)',
  });
  // SQLite prefers the covering ranking index, which reads the whole bucket; the primary key seeks each clip.
  const table = dialect(db, {
    sqlite: 'analytics_clip_moods INDEXED BY sqlite_autoindex_analytics_clip_moods_1',
    postgres: 'analytics_clip_moods',
  });
  const rows = await queries(db).all<BucketMoodRow>(
    `SELECT clip_id, mood, reactions FROM ${table}
      WHERE guild_id = ? AND period_type = ? AND period_start = ? AND clip_id IN (${ids})`,
    [guildId, type, start, JSON.stringify(clipIds)],
  );
  return rows.map((r) => ({ clip_id: r.clip_id, mood: r.mood, reactions: Number(r.reactions) }));
}
