// Leaderboards narrowed to one game or one creator (`/topcreators game:`, `/clipstats creator|game`), counted by the
// rules of bucket-facts.ts, so that a drill-down row adds up to the unfiltered leaderboards.
import { readPairRows, type PairFilter, type PairRows } from '../db/analytics/drill-down';
import { readClipRowsOf } from '../db/analytics/viral-clips';
import type { Db } from '../db/client';
import { average, roundAverage } from './bucket-facts';
import { readNames } from './names';
import { FAR_FUTURE, FAR_PAST, InvalidPeriodError, periodJson, resolvePeriod } from './periods';
import type {
  AnalysisContext,
  CreatorRow,
  CreatorSort,
  GameRow,
  GameSort,
  PeriodQuery,
  TopCreators,
  TopGames,
  ViralClip,
  ViralClips,
  ViralSort,
} from './types';
import { VELOCITY_WINDOW_MS, viralClipOf } from './viral-clips';

interface PairFacts {
  game_id: string;
  creator_id: string;
  clip_count: number;
  total_views: number;
  discord_shares: number;
  discord_reactions: number;
}

/** (game, creator) pairs of the filtered clips' rows, with their Discord engagement. */
function pairFacts(rows: PairRows): PairFacts[] {
  const pairs = new Map<string, PairFacts>();
  const pair = (gameId: string, creatorId: string): PairFacts => {
    const key = `${gameId}\u0000${creatorId}`;
    let row = pairs.get(key);
    if (!row) {
      row = { game_id: gameId, creator_id: creatorId, clip_count: 0, total_views: 0, discord_shares: 0, discord_reactions: 0 };
      pairs.set(key, row);
    }
    return row;
  };
  for (const row of rows.clips) {
    const p = pair(row.g, row.cr);
    p.clip_count += row.n;
    p.total_views += row.views;
  }
  for (const row of rows.shares) pair(row.g, row.cr).discord_shares += row.n;
  for (const row of rows.reactions) pair(row.g, row.cr).discord_reactions += row.n;
  return [...pairs.values()];
}

function bounds(ctx: AnalysisContext, query: PeriodQuery): { period: ReturnType<typeof resolvePeriod>; start: number; end: number } {
  const period = resolvePeriod(query, ctx.timezone, ctx.now);
  return { period, start: period.start ?? FAR_PAST, end: period.end ?? FAR_FUTURE };
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The pairs of the filtered clips in the period, with the display names of their creators and games. */
async function namedPairs(db: Db, ctx: AnalysisContext, start: number, end: number, filter: PairFilter, tops = false) {
  const rows = await readPairRows(db, { guild: ctx.guildId, start, end }, filter, { tops });
  const pairs = pairFacts(rows);
  const names = await readNames(db, ctx.guildId, { creators: pairs.map((p) => p.creator_id), games: pairs.map((p) => p.game_id) });
  return { pairs, names, tops: rows.tops };
}

/**
 * The creators of one game's clips in a period, ranked like /topcreators. As there, a creator whose older clips
 * were shared or reacted to in the period is listed with their engagement and zero clips.
 */
export async function topCreatorsOfGame(
  db: Db,
  ctx: AnalysisContext,
  options: { period?: PeriodQuery; gameId: string; sort?: CreatorSort; limit?: number },
): Promise<TopCreators> {
  const { period, start, end } = bounds(ctx, options.period ?? { type: 'all_time' });
  const sort = options.sort ?? 'clip_count';
  const { pairs, names } = await namedPairs(db, ctx, start, end, { column: 'game_id', value: options.gameId });
  const rows: CreatorRow[] = pairs
    .map((p) => ({
      creator_id: p.creator_id,
      creator_name: names.creatorName(p.creator_id),
      clip_count: p.clip_count,
      total_views: p.total_views,
      avg_views: average(p.total_views, p.clip_count),
      discord_shares: p.discord_shares,
      discord_reactions: p.discord_reactions,
      unique_games: 1,
      top_game: { id: p.game_id, name: names.gameName(p.game_id) },
    }))
    .sort((a, b) => b[sort] - a[sort] || b.clip_count - a.clip_count || byId(a.creator_id, b.creator_id))
    .slice(0, options.limit ?? 10)
    .map((row) => ({ ...row, avg_views: roundAverage(row.avg_views) }));
  return { period: periodJson(period), sort, creators: rows };
}

/** The games one creator clipped in a period, ranked like /topgames (each with the creator's best clip of it). */
export async function topGamesOfCreator(
  db: Db,
  ctx: AnalysisContext,
  options: { period?: PeriodQuery; creatorId: string; sort?: GameSort; limit?: number },
): Promise<TopGames> {
  const { period, start, end } = bounds(ctx, options.period ?? { type: 'all_time' });
  const sort = options.sort ?? 'clip_count';
  const named = await namedPairs(db, ctx, start, end, { column: 'creator_id', value: options.creatorId }, true);
  const tops = new Map(named.tops.map((t) => [t.g, { id: t.clip_id, title: t.title ?? '', views: t.views, url: t.url }] as const));
  const rows: GameRow[] = named.pairs
    .map((p) => ({
      game_id: p.game_id,
      game_name: named.names.gameName(p.game_id),
      clip_count: p.clip_count,
      total_views: p.total_views,
      avg_view_count: average(p.total_views, p.clip_count),
      unique_creators: 1,
      discord_shares: p.discord_shares,
      discord_reactions: p.discord_reactions,
      top_clip: tops.get(p.game_id) ?? null,
    }))
    .sort((a, b) => b[sort] - a[sort] || b.clip_count - a.clip_count || byId(a.game_id, b.game_id))
    .slice(0, options.limit ?? 10)
    .map((row) => ({ ...row, avg_view_count: roundAverage(row.avg_view_count) }));
  return { period: periodJson(period), sort, games: rows };
}

/** Viral clips of one creator or one game, ordered exactly like viralClips. */
export async function viralClipsOf(
  db: Db,
  ctx: AnalysisContext,
  options: {
    period?: PeriodQuery;
    sort?: ViralSort;
    min_views?: number;
    limit?: number;
    creatorId?: string | null;
    gameId?: string | null;
  },
): Promise<ViralClips> {
  const { period, start, end } = bounds(ctx, options.period ?? { type: 'all_time' });
  const sort = options.sort ?? 'view_count';
  const minViews = options.min_views ?? 0;
  const limit = options.limit ?? 10;
  if (!Number.isInteger(minViews) || minViews < 0) throw new InvalidPeriodError('"min_views" must be a whole number ≥ 0');
  const params = {
    guild: ctx.guildId,
    start,
    end,
    min: minViews,
    since: ctx.now - VELOCITY_WINDOW_MS,
    now: ctx.now,
    creator: options.creatorId ?? null,
    game: options.gameId ?? null,
    // Velocity needs every candidate; the other orders stop at the limit.
    limit: sort === 'view_velocity' ? -1 : limit,
  };
  // The page is picked first, then the per-clip columns (first share, view history) are read for those rows only.
  let clips: ViralClip[] = (await readClipRowsOf(db, params, sort === 'discord_reactions' ? 'discord_reactions' : 'view_count')).map(
    viralClipOf,
  );
  if (sort === 'view_velocity') {
    clips = clips.sort(
      (a, b) =>
        (b.view_velocity ?? -Infinity) - (a.view_velocity ?? -Infinity) || b.view_count - a.view_count || byId(a.clip_id, b.clip_id),
    );
  }
  return { period: periodJson(period), sort, min_views: minViews, clips: clips.slice(0, limit) };
}

/** One creator's leaderboard row for a period, added up from their per-game rows (the same counting rules). */
export async function creatorSummaryOf(
  db: Db,
  ctx: AnalysisContext,
  options: { period?: PeriodQuery; creatorId: string },
): Promise<CreatorRow | null> {
  const games = await topGamesOfCreator(db, ctx, {
    period: options.period,
    creatorId: options.creatorId,
    sort: 'clip_count',
    limit: Number.MAX_SAFE_INTEGER,
  });
  if (games.games.length === 0) return null;
  const sum = (key: 'clip_count' | 'total_views' | 'discord_shares' | 'discord_reactions'): number =>
    games.games.reduce((n, g) => n + g[key], 0);
  // Games count (and the top game is picked) by clips made in the period; engagement with older clips does not
  // make a game "clipped". The top game: most clips, then most views, then the smaller id (as the aggregator).
  const clipped = games.games.filter((g) => g.clip_count > 0);
  const top = [...clipped].sort((a, b) => b.clip_count - a.clip_count || b.total_views - a.total_views || byId(a.game_id, b.game_id))[0];
  const names = await readNames(db, ctx.guildId, { creators: [options.creatorId] });
  const clips = sum('clip_count');
  return {
    creator_id: options.creatorId,
    creator_name: names.creatorName(options.creatorId),
    clip_count: clips,
    total_views: sum('total_views'),
    avg_views: roundAverage(average(sum('total_views'), clips)),
    discord_shares: sum('discord_shares'),
    discord_reactions: sum('discord_reactions'),
    unique_games: clipped.length,
    top_game: top ? { id: top.game_id, name: top.game_name } : null,
  };
}
