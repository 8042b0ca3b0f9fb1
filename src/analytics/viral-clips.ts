// The clips that took off: clips created in the period with at least min_views, by views, reactions or view
// velocity (views per hour over the last day of view history).
import { cachedStatement, limitClause, type Db } from '../db/client';
import { COUNTED_CLIP_SQL, roundAverage } from './bucket-facts';
import { InvalidPeriodError, periodJson, resolvePeriod, FAR_FUTURE, FAR_PAST } from './periods';
import type { AnalysisContext, PeriodQuery, ViralClip, ViralClips, ViralSort } from './types';

export interface ViralClipsOptions {
  period?: PeriodQuery;
  sort?: ViralSort;
  min_views?: number;
  /** Rows to return (default 10). */
  limit?: number;
}

/** View history older than this before "now" is not "recent" for view velocity. */
export const VELOCITY_WINDOW_MS = 24 * 3_600_000;
/** Points must span at least this long for a velocity. */
export const VELOCITY_MIN_SPAN_MS = 30 * 60_000;

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
export const CLIP_COLUMNS = `c.clip_id, c.title, c.url, c.creator_id, c.creator_name, c.game_id, c.game_name, c.broadcaster_name,
  c.view_count, c.discord_shares, c.discord_reactions, c.discord_reaction_types, c.clip_created_at, c.thumbnail_url,
  (SELECT min(+s.posted_at) FROM shares s WHERE s.guild_id = c.guild_id AND s.clip_id = c.clip_id AND s.deleted_at IS NULL) AS first_shared_at,
  (SELECT h.observed_at FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at > @since AND h.observed_at <= @now ORDER BY h.observed_at LIMIT 1) AS t0,
  (SELECT h.view_count FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at > @since AND h.observed_at <= @now ORDER BY h.observed_at LIMIT 1) AS v0,
  (SELECT h.observed_at FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at > @since AND h.observed_at <= @now ORDER BY h.observed_at DESC LIMIT 1) AS t1,
  (SELECT h.view_count FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at > @since AND h.observed_at <= @now ORDER BY h.observed_at DESC LIMIT 1) AS v1`;

/** Periods longer than this are read down the views or reactions index instead of by creation time. */
const LONG_PERIOD_MS = 92 * 86_400_000;

export function viralClips(db: Db, ctx: AnalysisContext, options: ViralClipsOptions = {}): ViralClips {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const sort = options.sort ?? 'view_count';
  const minViews = options.min_views ?? 0;
  const limit = options.limit ?? 10;
  if (!Number.isInteger(minViews) || minViews < 0) throw new InvalidPeriodError('"min_views" must be a whole number ≥ 0');
  const params = {
    guild: ctx.guildId,
    start: period.start ?? FAR_PAST,
    end: period.end ?? FAR_FUTURE,
    min: minViews,
    since: ctx.now - VELOCITY_WINDOW_MS,
    now: ctx.now,
    limit,
  };
  const where = `c.guild_id = @guild AND c.clip_created_at >= @start AND c.clip_created_at < @end
                 AND c.view_count >= @min AND ${COUNTED_CLIP_SQL}`;
  let clips: ViralClip[];
  if (sort === 'view_velocity') {
    // Only clips with view history inside the window can have a velocity: compute it for those, then fill up
    // with the most viewed of the rest (a clip without a velocity sorts after every clip with one, by views).
    const withHistory = cachedStatement<typeof params, ClipRow>(
        db,
        `SELECT ${CLIP_COLUMNS} FROM clips c WHERE ${where}
            AND EXISTS (SELECT 1 FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at > @since AND h.observed_at <= @now)`,
      )
      .all(params)
      .map(viralClipOf);
    const fast = withHistory
      .filter((c) => c.view_velocity !== null)
      .sort(
        (a, b) =>
          (b.view_velocity as number) - (a.view_velocity as number) ||
          b.view_count - a.view_count ||
          (a.clip_id < b.clip_id ? -1 : a.clip_id > b.clip_id ? 1 : 0),
      )
      .slice(0, limit);
    const chosen = new Set(withHistory.filter((c) => c.view_velocity !== null).map((c) => c.clip_id));
    const rest =
      fast.length >= limit
        ? []
        : cachedStatement<typeof params & { skip: number }, ClipRow>(
              db,
              `SELECT ${CLIP_COLUMNS} FROM (SELECT c.id FROM clips c WHERE ${where} ORDER BY c.view_count DESC, c.clip_id LIMIT @limit + @skip) AS top
                 JOIN clips c ON c.id = top.id ORDER BY c.view_count DESC, c.clip_id`,
            )
            .all({ ...params, skip: chosen.size })
            .map(viralClipOf)
            .filter((c) => !chosen.has(c.clip_id))
            .slice(0, limit - fast.length);
    clips = [...fast, ...rest];
  } else {
    const order = sort === 'view_count' ? 'c.view_count DESC, c.clip_id' : 'c.discord_reactions DESC, c.view_count DESC, c.clip_id';
    // Pick the rows first, then fetch their details: the history subqueries run for the chosen rows only.
    // Which index to walk is decided here, not left to SQLite, whose choice flips with the LIMIT and the data size
    // (232 ms instead of 0.26 ms for all time at 200k clips): over a long period the top rows come soonest from the
    // views (or reactions) index in order, so the creation-time index is ruled out with a unary +; over a short one
    // the period's clips come from the creation-time index and are sorted. Either way the answer is the same.
    const long = period.start === null || period.end === null || period.end - period.start > LONG_PERIOD_MS;
    const chosenWhere = long ? where.replaceAll('c.clip_created_at', '+c.clip_created_at') : where;
    clips = cachedStatement<typeof params, ClipRow>(
        db,
        `SELECT ${CLIP_COLUMNS} FROM (SELECT c.id FROM clips c WHERE ${chosenWhere} ORDER BY ${order} ${limitClause(limit)}) AS chosen
           JOIN clips c ON c.id = chosen.id ORDER BY ${order}`,
      )
      .all(params)
      .map(viralClipOf);
  }
  return { period: periodJson(period), sort, min_views: minViews, clips };
}

export function viralClipOf(row: ClipRow): ViralClip {
  return {
    clip_id: row.clip_id,
    title: row.title ?? '',
    url: row.url,
    creator_id: row.creator_id,
    creator_name: row.creator_name,
    game_id: row.game_id,
    game_name: row.game_name,
    broadcaster_name: row.broadcaster_name,
    view_count: row.view_count,
    discord_shares: row.discord_shares,
    discord_reactions: row.discord_reactions,
    reaction_types: reactionTypes(row.discord_reaction_types),
    clip_created_at: row.clip_created_at === null ? null : new Date(row.clip_created_at).toISOString(),
    first_shared_at: row.first_shared_at === null ? null : new Date(row.first_shared_at).toISOString(),
    thumbnail_url: row.thumbnail_url,
    view_velocity: velocity(row),
  };
}

function velocity(row: ClipRow): number | null {
  if (row.t0 === null || row.t1 === null || row.v0 === null || row.v1 === null) return null;
  const span = row.t1 - row.t0;
  if (span < VELOCITY_MIN_SPAN_MS) return null;
  return roundAverage((row.v1 - row.v0) / (span / 3_600_000));
}

/** The stored per-emoji counts, most used first (ties by emoji). */
function reactionTypes(json: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object') return {};
  const entries = Object.entries(parsed as Record<string, unknown>).filter(
    (e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0,
  );
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(entries);
}
