// The mood reads: a period bucket's stored answer in one statement (mixes, rankings, the asked clip), the raw reactions of any range by clip and emoji (for
// explicit ranges and guilds whose mood rows are not current), the clips they name, and the candidates of
// `/viral sort:<mood>` (clips created in the period by their all-time reactions of one mood).
import { MOOD_COLUMNS, readEmojiRows, type DayEmojiRow, type MixDimension } from '../aggregation/moods';
import type { Db } from '../database';
import { dialect, queries } from '../sql';
import { COUNTED_CLIP_SQL } from './facts-sql';

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
      WHERE m.guild_id = @guild AND m.period_type = 'all_time' AND m.period_start = 0 AND m.mood = @mood AND m.counted = 1
        AND ${CREATED_IN}
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

/** The guild's mood state and overrides (at most `limit`), as the check that the stored rows are current needs them. */
export interface MoodSummaryKey {
  state: { timezone: string; signature: string } | null;
  overrides: Array<{ emoji: string; mood: string }>;
}

// One statement for both: the state row first (kind 's'), then the overrides in key order (kind 'o').
const KEY_SQL = `SELECT 's' AS kind, timezone AS a, signature AS b FROM mood_state WHERE guild_id = @guild
  UNION ALL SELECT * FROM (SELECT 'o' AS kind, emoji AS a, mood AS b FROM mood_overrides WHERE guild_id = @guild
                            ORDER BY emoji LIMIT @overrides) AS o`;

/** The guild's mood state and overrides in one statement. */
export async function readMoodSummaryKey(db: Db, guildId: string, maxOverrides: number): Promise<MoodSummaryKey> {
  const rows = await queries(db).values<[string, string, string]>(KEY_SQL, { guild: guildId, overrides: maxOverrides });
  const key: MoodSummaryKey = { state: null, overrides: [] };
  for (const [kind, a, b] of rows) {
    if (kind === 's') key.state = { timezone: a, signature: b };
    else key.overrides.push({ emoji: a, mood: b });
  }
  return key;
}

/** A bucket's stored mood answer: mix rows (guild, then top creators, then top games) and the rankings' clips. */
export interface StoredMoodSummary {
  /** dimension, subject, its latest_names name (creators and games; null when none), counts in MOOD_COLUMNS order. */
  mixes: Array<{ dimension: MixDimension; subject_id: string; name: string | null; counts: number[] }>;
  /** Per mood in `moods` order, its ranked clips in order, with what the answer shows of each. */
  ranked: StoredRankedClip[];
  /** The asked clip's mix in the bucket (null when not asked or it has no rows there). */
  clip: number[] | null;
}

/** A ranked clip of a stored mood ranking, with what the answer shows of it (its mix in MOOD_COLUMNS order). */
export interface StoredRankedClip {
  mood: string;
  clip_id: string;
  title: string | null;
  url: string;
  creator_name: string | null;
  game_name: string | null;
  counts: number[];
}

// Every part as the same columns: part, key (dimension or mood), id (subject or clip), name (latest name or creator
// name), title, url, game name, counts (comma-separated, MOOD_COLUMNS order).
const MIX_COUNTS = MOOD_COLUMNS.map((m) => `CAST(x.${m} AS TEXT)`).join(" || ',' || ");
const mixPart = (dimension: MixDimension): string => `SELECT * FROM (
    SELECT 'mix' AS part, x.dimension AS k, x.subject_id AS id, n.name AS name, CAST(NULL AS TEXT) AS title,
           CAST(NULL AS TEXT) AS url, CAST(NULL AS TEXT) AS game_name, ${MIX_COUNTS} AS counts
      FROM analytics_mood_mixes x
      LEFT JOIN latest_names n ON n.guild_id = x.guild_id AND n.kind = '${dimension}' AND n.entity_id = x.subject_id
     WHERE x.guild_id = @guild AND x.period_type = @type AND x.period_start = @start AND x.dimension = '${dimension}'
     ORDER BY x.total DESC, x.subject_id ${dimension === 'guild' ? '' : 'LIMIT @limit'}) AS mix_${dimension}`;
// The ranking walks read only counted clips' rows (the partial index holds nothing else) and join nothing.
const rankingPart = (i: number): string => `SELECT * FROM (
    SELECT 'rank' AS part, m.mood AS k, m.clip_id AS id, m.creator_name AS name, m.title AS title, m.url AS url,
           m.game_name AS game_name, m.clip_counts AS counts
      FROM analytics_clip_moods m
     WHERE m.guild_id = @guild AND m.period_type = @type AND m.period_start = @start AND m.mood = @mood${i} AND m.counted = 1
     ORDER BY m.reactions DESC, m.clip_total DESC, m.clip_id LIMIT @limit) AS ranking${i}`;
const CLIP_PART = `SELECT * FROM (
    SELECT 'clip' AS part, CAST(NULL AS TEXT) AS k, m.clip_id AS id, CAST(NULL AS TEXT) AS name, CAST(NULL AS TEXT) AS title,
           CAST(NULL AS TEXT) AS url, CAST(NULL AS TEXT) AS game_name, m.clip_counts AS counts
      FROM analytics_clip_moods m
     WHERE m.guild_id = @guild AND m.period_type = @type AND m.period_start = @start AND m.clip_id = @clip LIMIT 1) AS asked`;
const SUMMARY_SQL = [mixPart('guild'), mixPart('creator'), mixPart('game'), ...MOOD_COLUMNS.map((_, i) => rankingPart(i)), CLIP_PART].join(
  '\n UNION ALL ',
);
const MOOD_PARAMS = Object.fromEntries(MOOD_COLUMNS.map((mood, i) => [`mood${i}`, mood]));

type SummaryRow = [
  part: string,
  k: string | null,
  id: string,
  name: string | null,
  title: string | null,
  url: string | null,
  gameName: string | null,
  counts: string,
];

function countsOf(text: string): number[] {
  const parts = text.split(',');
  return MOOD_COLUMNS.map((_, i) => Number(parts[i] ?? 0));
}

/**
 * One statement on the summaries' indexes, no join but the names of the top creators and games (primary-key reads):
 * the bucket's guild mix, its `limit` creators and games with the most reactions (ties: subject id), each mood's
 * `limit` counted clips with the most reactions of it (ties: more reactions in all, then clip id), and the asked clip.
 */
export async function readStoredMoodSummary(
  db: Db,
  params: { guild: string; type: string; start: number; limit: number; clipId: string | null },
): Promise<StoredMoodSummary> {
  const rows = await queries(db).values<SummaryRow>(SUMMARY_SQL, {
    guild: params.guild,
    type: params.type,
    start: params.start,
    limit: params.limit,
    clip: params.clipId ?? '',
    ...MOOD_PARAMS,
  });
  const summary: StoredMoodSummary = { mixes: [], ranked: [], clip: null };
  for (const [part, k, id, name, title, url, gameName, counts] of rows) {
    if (part === 'mix') summary.mixes.push({ dimension: k as MixDimension, subject_id: id, name, counts: countsOf(counts) });
    else if (part === 'rank') {
      summary.ranked.push({
        mood: k as string,
        clip_id: id,
        title,
        url: url ?? '',
        creator_name: name,
        game_name: gameName,
        counts: countsOf(counts),
      });
    } else if (params.clipId !== null) summary.clip = countsOf(counts);
  }
  return summary;
}
