// Leaderboards narrowed to one game or one creator (`/topcreators game:`, `/clipstats creator|game`), counted by
// exactly the rules of bucket-facts.ts (clips and views by clip_created_at, shares by posted_at, reactions by
// reacted_at, only clips that count), so that a drill-down row adds up to the unfiltered leaderboards.
import { cachedStatement, type Db } from '../db/client';
import { average, COUNTED_CLIP_SQL, roundAverage } from './bucket-facts';
import { createNameLookup } from './names';
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
import { CLIP_COLUMNS, VELOCITY_WINDOW_MS, viralClipOf, type ClipRow } from './viral-clips';
import { legacyClient } from '../db/client';

type Filter = { column: 'creator_id'; value: string } | { column: 'game_id'; value: string };

interface PairFacts {
  game_id: string;
  creator_id: string;
  clip_count: number;
  total_views: number;
  discord_shares: number;
  discord_reactions: number;
}

/** (game, creator) pairs of the filtered clips in [start, end), with their Discord engagement. */
function pairFacts(db: Db, guildId: string, start: number, end: number, filter: Filter): PairFacts[] {
  // game_id '' and NULL are both the "Unknown game" bucket, as in bucket-facts. Plain equality on the column
  // lets the (guild, game) and (guild, creator) indexes pick the clips; shares and reactions are then looked
  // up per clip. CROSS JOIN fixes that order, and the unary + on time columns keeps SQLite from preferring the
  // time indexes, which would scan the guild's every clip or share.
  const where =
    filter.column === 'creator_id'
      ? `c.creator_id = @value`
      : filter.value === ''
        ? `(c.game_id IS NULL OR c.game_id = '')`
        : `c.game_id = @value`;
  const params = { guild: guildId, start, end, value: filter.value };
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
  const client = legacyClient(db);
  for (const row of client
    .prepare<typeof params, { g: string; cr: string; n: number; views: number }>(
      `SELECT coalesce(c.game_id, '') AS g, c.creator_id AS cr, count(*) AS n, sum(c.view_count) AS views
         FROM clips c
        WHERE c.guild_id = @guild AND +c.clip_created_at >= @start AND +c.clip_created_at < @end AND ${COUNTED_CLIP_SQL} AND ${where}
        GROUP BY 1, 2`,
    )
    .all(params)) {
    const p = pair(row.g, row.cr);
    p.clip_count += row.n;
    p.total_views += row.views;
  }
  for (const row of client
    .prepare<typeof params, { g: string; cr: string; n: number }>(
      `SELECT coalesce(c.game_id, '') AS g, c.creator_id AS cr, count(*) AS n
         FROM clips c CROSS JOIN shares s ON s.guild_id = c.guild_id AND s.clip_id = c.clip_id
        WHERE c.guild_id = @guild AND +s.posted_at >= @start AND +s.posted_at < @end AND s.deleted_at IS NULL
          AND ${COUNTED_CLIP_SQL} AND ${where}
        GROUP BY 1, 2`,
    )
    .all(params)) {
    pair(row.g, row.cr).discord_shares += row.n;
  }
  for (const row of client
    .prepare<typeof params, { g: string; cr: string; n: number }>(
      `SELECT g, cr, sum(n) AS n FROM (
         SELECT coalesce(c.game_id, '') AS g, c.creator_id AS cr, count(*) AS n
           FROM clips c
           CROSS JOIN shares s ON s.guild_id = c.guild_id AND s.clip_id = c.clip_id AND s.deleted_at IS NULL
           CROSS JOIN reactions r ON r.message_id = s.message_id AND r.guild_id = s.guild_id
          WHERE c.guild_id = @guild AND +r.reacted_at >= @start AND +r.reacted_at < @end AND ${COUNTED_CLIP_SQL} AND ${where}
          GROUP BY 1, 2
         UNION ALL
         SELECT coalesce(c.game_id, '') AS g, c.creator_id AS cr, sum(a.anonymous_count) AS n
           FROM clips c
           CROSS JOIN shares s ON s.guild_id = c.guild_id AND s.clip_id = c.clip_id AND s.deleted_at IS NULL
           CROSS JOIN reaction_baselines a ON a.message_id = s.message_id AND a.guild_id = s.guild_id
          WHERE c.guild_id = @guild AND +a.observed_at >= @start AND +a.observed_at < @end AND ${COUNTED_CLIP_SQL} AND ${where}
          GROUP BY 1, 2
       ) GROUP BY 1, 2 HAVING sum(n) <> 0`,
    )
    .all(params)) {
    pair(row.g, row.cr).discord_reactions += row.n;
  }
  return [...pairs.values()];
}

function bounds(ctx: AnalysisContext, query: PeriodQuery): { period: ReturnType<typeof resolvePeriod>; start: number; end: number } {
  const period = resolvePeriod(query, ctx.timezone, ctx.now);
  return { period, start: period.start ?? FAR_PAST, end: period.end ?? FAR_FUTURE };
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The creators of one game's clips in a period, ranked like /topcreators. As there, a creator whose older clips
 * were shared or reacted to in the period is listed with their engagement and zero clips.
 */
export function topCreatorsOfGame(
  db: Db,
  ctx: AnalysisContext,
  options: { period?: PeriodQuery; gameId: string; sort?: CreatorSort; limit?: number },
): TopCreators {
  const { period, start, end } = bounds(ctx, options.period ?? { type: 'all_time' });
  const sort = options.sort ?? 'clip_count';
  const names = createNameLookup(db, ctx.guildId);
  const rows: CreatorRow[] = pairFacts(db, ctx.guildId, start, end, { column: 'game_id', value: options.gameId })
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
export function topGamesOfCreator(
  db: Db,
  ctx: AnalysisContext,
  options: { period?: PeriodQuery; creatorId: string; sort?: GameSort; limit?: number },
): TopGames {
  const { period, start, end } = bounds(ctx, options.period ?? { type: 'all_time' });
  const sort = options.sort ?? 'clip_count';
  const names = createNameLookup(db, ctx.guildId);
  const tops = new Map(
    cachedStatement<{ guild: string; start: number; end: number; creator: string }, { g: string; clip_id: string; title: string | null; views: number; url: string }>(
        db,
        `SELECT g, clip_id, title, views, url FROM (
           SELECT coalesce(c.game_id, '') AS g, c.clip_id, c.title, c.view_count AS views, c.url,
                  row_number() OVER (PARTITION BY coalesce(c.game_id, '') ORDER BY c.view_count DESC, c.clip_id) AS rn
             FROM clips c
            WHERE c.guild_id = @guild AND +c.clip_created_at >= @start AND +c.clip_created_at < @end AND ${COUNTED_CLIP_SQL}
              AND c.creator_id = @creator
         ) WHERE rn = 1`,
      )
      .all({ guild: ctx.guildId, start, end, creator: options.creatorId })
      .map((t) => [t.g, { id: t.clip_id, title: t.title ?? '', views: t.views, url: t.url }] as const),
  );
  const rows: GameRow[] = pairFacts(db, ctx.guildId, start, end, { column: 'creator_id', value: options.creatorId })
    .map((p) => ({
      game_id: p.game_id,
      game_name: names.gameName(p.game_id),
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
export function viralClipsOf(
  db: Db,
  ctx: AnalysisContext,
  options: { period?: PeriodQuery; sort?: ViralSort; min_views?: number; limit?: number; creatorId?: string | null; gameId?: string | null },
): ViralClips {
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
  const where = `c.guild_id = @guild AND +c.clip_created_at >= @start AND +c.clip_created_at < @end AND +c.view_count >= @min
                 AND ${COUNTED_CLIP_SQL}
                 AND ${options.creatorId ? 'c.creator_id = @creator' : '1'}
                 AND ${options.gameId === undefined || options.gameId === null ? '1' : options.gameId === '' ? "(c.game_id IS NULL OR c.game_id = '')" : 'c.game_id = @game'}`;
  const order = sort === 'discord_reactions' ? '+c.discord_reactions DESC, +c.view_count DESC, c.clip_id' : '+c.view_count DESC, c.clip_id';
  // Pick the page first, then compute the per-clip columns (first share, view history) for those rows only.
  let clips: ViralClip[] = cachedStatement<typeof params, ClipRow>(
      db,
      `SELECT ${CLIP_COLUMNS} FROM clips c
        WHERE c.guild_id = @guild AND c.clip_id IN (SELECT c.clip_id FROM clips c WHERE ${where} ORDER BY ${order} LIMIT @limit)
        ORDER BY ${order}`,
    )
    .all(params)
    .map(viralClipOf);
  if (sort === 'view_velocity') {
    clips = clips.sort(
      (a, b) => (b.view_velocity ?? -Infinity) - (a.view_velocity ?? -Infinity) || b.view_count - a.view_count || byId(a.clip_id, b.clip_id),
    );
  }
  return { period: periodJson(period), sort, min_views: minViews, clips: clips.slice(0, limit) };
}

/** One creator's leaderboard row for a period, added up from their per-game rows (the same counting rules). */
export function creatorSummaryOf(db: Db, ctx: AnalysisContext, options: { period?: PeriodQuery; creatorId: string }): CreatorRow | null {
  const games = topGamesOfCreator(db, ctx, { period: options.period, creatorId: options.creatorId, sort: 'clip_count', limit: Number.MAX_SAFE_INTEGER });
  if (games.games.length === 0) return null;
  const sum = (key: 'clip_count' | 'total_views' | 'discord_shares' | 'discord_reactions'): number => games.games.reduce((n, g) => n + g[key], 0);
  // Games count (and the top game is picked) by clips made in the period; engagement with older clips does not
  // make a game "clipped". The top game: most clips, then most views, then the smaller id (as the aggregator).
  const clipped = games.games.filter((g) => g.clip_count > 0);
  const top = [...clipped].sort((a, b) => b.clip_count - a.clip_count || b.total_views - a.total_views || byId(a.game_id, b.game_id))[0];
  const names = createNameLookup(db, ctx.guildId);
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
