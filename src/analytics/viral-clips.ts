// The clips that took off: clips created in the period with at least min_views, by views, reactions or view
// velocity (views per hour over the last day of view history).
import { readRawCandidateEmoji, readStoredMoodCandidates, type MoodCandidate } from '../db/analytics/moods';
import { readClipRowsByIds, readTopClipRows, readVelocityClipRows, type ClipListParams, type ClipRow } from '../db/analytics/viral-clips';
import { moodsCurrent, readMoodMapping } from './aggregate/moods';
import type { Mood } from './moods-table';
import type { Db } from '../db/client';
import { roundAverage } from './bucket-facts';
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

/** Periods longer than this are read down the views or reactions index instead of by creation time. */
const LONG_PERIOD_MS = 92 * 86_400_000;

export async function viralClips(db: Db, ctx: AnalysisContext, options: ViralClipsOptions = {}): Promise<ViralClips> {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const sort = options.sort ?? 'view_count';
  const minViews = options.min_views ?? 0;
  const limit = options.limit ?? 10;
  if (!Number.isInteger(minViews) || minViews < 0) throw new InvalidPeriodError('"min_views" must be a whole number ≥ 0');
  const params: ClipListParams = {
    guild: ctx.guildId,
    start: period.start ?? FAR_PAST,
    end: period.end ?? FAR_FUTURE,
    min: minViews,
    since: ctx.now - VELOCITY_WINDOW_MS,
    now: ctx.now,
    limit,
  };
  let clips: ViralClip[];
  if (sort === 'view_velocity') {
    // Only clips with view history inside the window can have a velocity: compute it for those, then fill up
    // with the most viewed of the rest (a clip without a velocity sorts after every clip with one, by views).
    const rows = await readVelocityClipRows(db, params, (row) => velocity(row) !== null);
    const withHistory = rows.withHistory.map(viralClipOf);
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
    const rest = rows.mostViewed
      .map(viralClipOf)
      .filter((c) => !chosen.has(c.clip_id))
      .slice(0, limit - fast.length);
    clips = [...fast, ...rest];
  } else {
    // Over a long period the top rows come soonest from the views (or reactions) index in order; over a short one
    // from the period's clips, sorted (see readTopClipRows).
    const long = period.start === null || period.end === null || period.end - period.start > LONG_PERIOD_MS;
    clips = (await readTopClipRows(db, params, sort, long)).map(viralClipOf);
  }
  return { period: periodJson(period), sort, min_views: minViews, clips };
}

/**
 * `/viral sort:<mood>`: the counted clips created in the period with the most reactions of `mood` (ties: more views,
 * then clip id), each with that count in `mood_reactions`. The reactions are the clip's all-time ones, as `sort:
 * discord_reactions` ranks by; read from the stored all_time mood rows when they follow the guild's current mapping,
 * else from the raw reactions of the period's clips.
 */
export async function moodViralClips(
  db: Db,
  ctx: AnalysisContext,
  options: { period?: PeriodQuery; mood: Mood; min_views?: number; limit?: number },
): Promise<ViralClips & { mood: Mood }> {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const minViews = options.min_views ?? 0;
  const limit = options.limit ?? 10;
  if (!Number.isInteger(minViews) || minViews < 0) throw new InvalidPeriodError('"min_views" must be a whole number ≥ 0');
  const params = { guild: ctx.guildId, start: period.start ?? FAR_PAST, end: period.end ?? FAR_FUTURE, min: minViews };
  const mapping = await readMoodMapping(db, ctx.guildId);
  let chosen: MoodCandidate[];
  if (await moodsCurrent(db, ctx.guildId, ctx.timezone, mapping)) {
    chosen = await readStoredMoodCandidates(db, { ...params, mood: options.mood, limit });
  } else {
    const counts = new Map<string, { clip_id: string; reactions: number; views: number }>();
    for (const row of await readRawCandidateEmoji(db, params)) {
      if (mapping.moodOf(row.emoji_key) !== options.mood) continue;
      const c = counts.get(row.clip_id);
      if (c) c.reactions += row.n;
      else counts.set(row.clip_id, { clip_id: row.clip_id, reactions: row.n, views: row.views });
    }
    chosen = [...counts.values()]
      .filter((c) => c.reactions > 0)
      .sort((a, b) => b.reactions - a.reactions || b.views - a.views || (a.clip_id < b.clip_id ? -1 : a.clip_id > b.clip_id ? 1 : 0))
      .slice(0, limit);
  }
  const rows = new Map(
    (
      await readClipRowsByIds(
        db,
        { guild: ctx.guildId, since: ctx.now - VELOCITY_WINDOW_MS, now: ctx.now },
        chosen.map((c) => c.clip_id),
      )
    ).map((r) => [r.clip_id, r]),
  );
  const clips = chosen
    .filter((c) => rows.has(c.clip_id))
    .map((c) => ({ ...viralClipOf(rows.get(c.clip_id) as ClipRow), mood_reactions: c.reactions }))
    .sort(
      (a, b) =>
        b.mood_reactions - a.mood_reactions || b.view_count - a.view_count || (a.clip_id < b.clip_id ? -1 : a.clip_id > b.clip_id ? 1 : 0),
    )
    .slice(0, limit);
  return { period: periodJson(period), sort: 'discord_reactions', mood: options.mood, min_views: minViews, clips };
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
