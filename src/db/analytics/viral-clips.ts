// Clip lists read from the clips table: the viral clips (by views, reactions or velocity candidates), a creator's or
// a game's viral clips, and the community favourites; each row with its first share and its view-history window.
// Each read is written for SQLite and run on PostgreSQL through postgresClipSql (the same statement without SQLite's
// planner hints, with the few functions PostgreSQL spells differently).
import { limitClause, run, type Db } from '../client';
import { queries, type SqlParams } from '../sql';
import { COUNTED_CLIP_SQL } from './facts-sql';
import { postgresText } from './postgres-text';

export interface ClipRow {
  clip_id: string;
  title: string | null;
  url: string;
  creator_id: string | null;
  creator_name: string | null;
  game_id: string | null;
  game_name: string | null;
  broadcaster_name: string | null;
  view_count: number;
  discord_shares: number;
  discord_reactions: number;
  discord_reaction_types: string;
  clip_created_at: number | null;
  first_shared_at: number | null;
  thumbnail_url: string | null;
  t0: number | null;
  v0: number | null;
  t1: number | null;
  v1: number | null;
}

/** Columns of ClipRow, with the first and last view-history points of the velocity window (alias c). */
const CLIP_COLUMNS = `c.clip_id, c.title, c.url, c.creator_id, c.creator_name, c.game_id, c.game_name, c.broadcaster_name,
  c.view_count, c.discord_shares, c.discord_reactions, c.discord_reaction_types, c.clip_created_at, c.thumbnail_url,
  (SELECT min(+s.posted_at) FROM shares s WHERE s.guild_id = c.guild_id AND s.clip_id = c.clip_id AND s.deleted_at IS NULL) AS first_shared_at,
  (SELECT h.observed_at FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at > @since AND h.observed_at <= @now ORDER BY h.observed_at LIMIT 1) AS t0,
  (SELECT h.view_count FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at > @since AND h.observed_at <= @now ORDER BY h.observed_at LIMIT 1) AS v0,
  (SELECT h.observed_at FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at > @since AND h.observed_at <= @now ORDER BY h.observed_at DESC LIMIT 1) AS t1,
  (SELECT h.view_count FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at > @since AND h.observed_at <= @now ORDER BY h.observed_at DESC LIMIT 1) AS v1`;

/** A guild's counted clips created in [start, end) with at least `min`; the view-history window is (since, now]. */
export interface ClipListParams {
  guild: string;
  start: number;
  end: number;
  min: number;
  since: number;
  now: number;
  limit: number;
}

const postgresClipTexts = new Map<string, string>();

/**
 * The PostgreSQL text of a clip-list read: no planner hints (postgresText); the reaction types as JSON text, as
 * SQLite stores them (jsonb there); the re-read of the chosen rows by the (guild_id, id) key; the favourites' ratio in
 * double precision with greatest() (SQLite's two-argument max()); a sum of parameters typed.
 */
function postgresClipSql(sql: string): string {
  let text = postgresClipTexts.get(sql);
  if (text === undefined) {
    text = postgresText(sql)
      .replace('c.discord_reaction_types,', 'CAST(c.discord_reaction_types AS TEXT) AS discord_reaction_types,')
      .replaceAll('JOIN clips c ON c.id = ', 'JOIN clips c ON c.guild_id = @guild AND c.id = ')
      .replaceAll(
        'CAST(c.discord_reactions AS REAL) / max(c.view_count, 1)',
        'CAST(c.discord_reactions AS DOUBLE PRECISION) / greatest(c.view_count, 1)',
      )
      .replaceAll('LIMIT @limit + @skip', 'LIMIT CAST(@limit AS BIGINT) + CAST(@skip AS BIGINT)');
    postgresClipTexts.set(sql, text);
  }
  return text;
}

/** Every row of a clip-list read: on SQLite through the connection's cached statement, on PostgreSQL as rewritten. */
function clipRows(db: Db, sql: string, params: SqlParams): Promise<ClipRow[]> {
  if (db.engine === 'postgres') return queries(db).all<ClipRow>(postgresClipSql(sql), params);
  return run(db, (c) => c.statement<Record<string, unknown>, ClipRow>(sql).all(params as Record<string, unknown>));
}

const WHERE = `c.guild_id = @guild AND c.clip_created_at >= @start AND c.clip_created_at < @end
                 AND c.view_count >= @min AND ${COUNTED_CLIP_SQL}`;

/**
 * The top `limit` clips by views or by reactions. `long` (a period over a few months, or all time) walks the views or
 * reactions index in order, with the creation-time index ruled out by a unary +; a short period takes its clips from
 * the creation-time index and sorts them. SQLite's own choice flips with the LIMIT and the data size; the answer is
 * the same either way. The rows are picked first, then their per-clip columns are read for those rows only.
 */
export function readTopClipRows(
  db: Db,
  params: ClipListParams,
  order: 'view_count' | 'discord_reactions',
  long: boolean,
): Promise<ClipRow[]> {
  const by = order === 'view_count' ? 'c.view_count DESC, c.clip_id' : 'c.discord_reactions DESC, c.view_count DESC, c.clip_id';
  const where = long ? WHERE.replaceAll('c.clip_created_at', '+c.clip_created_at') : WHERE;
  return clipRows(
    db,
    `SELECT ${CLIP_COLUMNS} FROM (SELECT c.id FROM clips c WHERE ${where} ORDER BY ${by} ${limitClause(params.limit)}) AS chosen
           JOIN clips c ON c.id = chosen.id ORDER BY ${by}`,
    params as unknown as SqlParams,
  );
}

/**
 * The candidates of a velocity ranking: every clip with view history inside the window (`withHistory`), and when
 * fewer than `limit` of them have a velocity (`hasVelocity`), the most viewed clips to fill up with (`mostViewed`:
 * limit + that many, so that the ones already chosen can be skipped).
 */
export function readVelocityClipRows(
  db: Db,
  params: ClipListParams,
  hasVelocity: (row: ClipRow) => boolean,
): Promise<{ withHistory: ClipRow[]; mostViewed: ClipRow[] }> {
  if (db.engine === 'postgres') return postgresVelocityClipRows(db, params, hasVelocity);
  return run(db, (c) => {
    const withHistory = c.statement<ClipListParams, ClipRow>(WITH_HISTORY_SQL).all(params);
    const skip = withHistory.filter(hasVelocity).length;
    const mostViewed =
      skip >= params.limit ? [] : c.statement<ClipListParams & { skip: number }, ClipRow>(MOST_VIEWED_SQL).all({ ...params, skip });
    return { withHistory, mostViewed };
  });
}

const WITH_HISTORY_SQL = `SELECT ${CLIP_COLUMNS} FROM clips c WHERE ${WHERE}
            AND EXISTS (SELECT 1 FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at > @since AND h.observed_at <= @now)`;
const MOST_VIEWED_SQL = `SELECT ${CLIP_COLUMNS} FROM (SELECT c.id FROM clips c WHERE ${WHERE} ORDER BY c.view_count DESC, c.clip_id LIMIT @limit + @skip) AS top
                 JOIN clips c ON c.id = top.id ORDER BY c.view_count DESC, c.clip_id`;

async function postgresVelocityClipRows(
  db: Db,
  params: ClipListParams,
  hasVelocity: (row: ClipRow) => boolean,
): Promise<{ withHistory: ClipRow[]; mostViewed: ClipRow[] }> {
  const withHistory = await clipRows(db, WITH_HISTORY_SQL, params as unknown as SqlParams);
  const skip = withHistory.filter(hasVelocity).length;
  const mostViewed = skip >= params.limit ? [] : await clipRows(db, MOST_VIEWED_SQL, { ...params, skip });
  return { withHistory, mostViewed };
}

/**
 * Viral clips of one creator and/or one game (game '' = the "Unknown game" bucket), by views or reactions; limit -1
 * = every candidate. Plain equality on the creator or game picks the clips by their (guild, …) index; the unary +
 * keeps SQLite from preferring the time and views indexes.
 */
export function readClipRowsOf(
  db: Db,
  params: ClipListParams & { creator: string | null; game: string | null },
  order: 'view_count' | 'discord_reactions',
): Promise<ClipRow[]> {
  const where = `c.guild_id = @guild AND +c.clip_created_at >= @start AND +c.clip_created_at < @end AND +c.view_count >= @min
                 AND ${COUNTED_CLIP_SQL}
                 AND ${params.creator ? 'c.creator_id = @creator' : ALWAYS}
                 AND ${params.game === null ? ALWAYS : params.game === '' ? "(c.game_id IS NULL OR c.game_id = '')" : 'c.game_id = @game'}`;
  const by = order === 'discord_reactions' ? '+c.discord_reactions DESC, +c.view_count DESC, c.clip_id' : '+c.view_count DESC, c.clip_id';
  const sql = `SELECT ${CLIP_COLUMNS} FROM clips c
          WHERE c.guild_id = @guild AND c.clip_id IN (SELECT c.clip_id FROM clips c WHERE ${where} ORDER BY ${by} LIMIT @limit)
          ORDER BY ${by}`;
  // SQLite reads LIMIT -1 as no limit; PostgreSQL refuses a negative one and reads LIMIT NULL so.
  if (db.engine === 'postgres')
    return clipRows(db, sql.replaceAll(ALWAYS, 'true'), { ...params, limit: params.limit < 0 ? null : params.limit });
  return clipRows(db, sql, params as unknown as SqlParams);
}

/** A condition that always holds, in a form distinct enough to be replaced by PostgreSQL's `true`. */
const ALWAYS = '1 = 1';

const FAVOURITE_ORDER = 'CAST(c.discord_reactions AS REAL) / max(c.view_count, 1) DESC, c.discord_reactions DESC, c.clip_id';

/** Clips with at least `min` reactions, by reactions per view (community favourites). */
export function readFavouriteClipRows(db: Db, params: ClipListParams): Promise<ClipRow[]> {
  return clipRows(
    db,
    `SELECT ${CLIP_COLUMNS} FROM (
           SELECT c.id FROM clips c
            WHERE c.guild_id = @guild AND c.clip_created_at >= @start AND c.clip_created_at < @end
              AND c.discord_reactions >= @min AND ${COUNTED_CLIP_SQL}
            ORDER BY ${FAVOURITE_ORDER} LIMIT @limit
         ) AS chosen JOIN clips c ON c.id = chosen.id ORDER BY ${FAVOURITE_ORDER}`,
    params as unknown as SqlParams,
  );
}

/** The guild's clips among `ids` (a chosen ranking, at most a page or two), in no particular order. */
export function readClipRowsByIds(
  db: Db,
  params: { guild: string; since: number; now: number },
  ids: readonly string[],
): Promise<ClipRow[]> {
  const list = db.engine === 'postgres' ? 'SELECT jsonb_array_elements_text(CAST(@ids AS jsonb))' : 'SELECT value FROM json_each(@ids)';
  return clipRows(db, `SELECT ${CLIP_COLUMNS} FROM clips c WHERE c.guild_id = @guild AND c.clip_id IN (${list})`, {
    guild: params.guild,
    since: params.since,
    now: params.now,
    ids: JSON.stringify(ids),
  });
}
