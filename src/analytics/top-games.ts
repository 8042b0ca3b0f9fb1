// Top games of a guild for a period: clips, views, creators and Discord engagement per game ("Unknown game"
// collects clips Twitch gives no game).
import { cachedRawStatement, cachedStatement, limitClause, memoisedSql, type Db } from '../db/client';
import { average, computeBucketFacts, roundAverage, type GameFacts } from './bucket-facts';
import { createNameLookup } from './names';
import { periodJson, resolvePeriod } from './periods';
import { bucketOfPeriod, periodKey, readsSummary, type ReadSource } from './summaries';
import type { AnalysisContext, GameRow, GameSort, PeriodQuery, ResolvedPeriod, TopGames } from './types';

export interface TopGamesOptions {
  period?: PeriodQuery;
  sort?: GameSort;
  /** Rows to return (default 10). */
  limit?: number;
  source?: ReadSource;
}

export function topGames(db: Db, ctx: AnalysisContext, options: TopGamesOptions = {}): TopGames {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const sort = options.sort ?? 'clip_count';
  return { period: periodJson(period), sort, games: gameRows(db, ctx, period, sort, options.limit ?? 10, options.source) };
}

/** Each sort's ORDER BY: the sort column, then clip count, then game id (clip_count is not repeated for its own sort). */
const ORDER_BY: Record<GameSort, string> = {
  clip_count: 'g.clip_count DESC, g.game_id',
  total_views: 'g.total_views DESC, g.clip_count DESC, g.game_id',
  avg_view_count: 'g.avg_view_count DESC, g.clip_count DESC, g.game_id',
  discord_shares: 'g.discord_shares DESC, g.clip_count DESC, g.game_id',
  discord_reactions: 'g.discord_reactions DESC, g.clip_count DESC, g.game_id',
};

export interface StoredGame {
  game_id: string;
  clip_count: number;
  total_views: number;
  avg_view_count: number;
  unique_creators: number;
  discord_shares: number;
  discord_reactions: number;
  top_clip_id: string | null;
  top_clip_title: string | null;
  top_clip_views: number | null;
  top_clip_url: string | null;
}

/**
 * A period's games from game_analytics with their top clip's URL, sorted; `named` adds their display names, which
 * the rows carry exactly (the aggregator writes them from latest_names, whose triggers keep them current).
 */
function summarySql(sort: GameSort, limit: number | null, named: boolean): string {
  return `SELECT g.game_id, g.clip_count, g.total_views, g.avg_view_count, g.unique_creators, g.discord_shares,
                 g.discord_reactions, g.top_clip_id, g.top_clip_title, g.top_clip_views, c.url AS top_clip_url
                 ${named ? ', g.game_name' : ''}
            FROM game_analytics g
            LEFT JOIN clips c ON c.guild_id = g.guild_id AND c.clip_id = g.top_clip_id
           WHERE g.guild_id = ? AND g.period_type = ? AND g.period_start = ?
           ORDER BY ${ORDER_BY[sort]}
           ${limitClause(limit)}`;
}

/** Every game active in the period (limit null = all), sorted; ties by clip count, then game id. */
export function gameRows(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  sort: GameSort,
  limit: number | null,
  source?: ReadSource,
): GameRow[] {
  if (!readsSummary(db, ctx, period, source)) return nameGames(db, ctx, storedGameRows(db, ctx, period, sort, limit, source));
  // The leaderboard's hot path: rows and names in one prepared statement, read as arrays.
  return cachedRawStatement<[string, string, number], NamedGameColumns>(db, namedSummarySql(sort, limit))
    .all(ctx.guildId, period.type, periodKey(period))
    .map(([game_id, clip_count, total_views, avg_view_count, unique_creators, discord_shares, discord_reactions, top_clip_id, top_clip_title, top_clip_views, top_clip_url, gameName]) =>
      gameRow(
        { game_id, clip_count, total_views, avg_view_count, unique_creators, discord_shares, discord_reactions, top_clip_id, top_clip_title, top_clip_views, top_clip_url },
        gameName,
      ),
    );
}

/** The columns of the named summary read, in order: StoredGame's, then the game's name. */
type NamedGameColumns = [
  game_id: string,
  clip_count: number,
  total_views: number,
  avg_view_count: number,
  unique_creators: number,
  discord_shares: number,
  discord_reactions: number,
  top_clip_id: string | null,
  top_clip_title: string | null,
  top_clip_views: number | null,
  top_clip_url: string | null,
  game_name: string,
];

/** summarySql(sort, limit, true), built once per sort and limit. */
const namedSummarySql = memoisedSql((sort: GameSort, limit: number | null) => summarySql(sort, limit, true));

/** Display rows of stored games: names are looked up only for the rows shown. */
export function nameGames(db: Db, ctx: AnalysisContext, rows: readonly StoredGame[]): GameRow[] {
  const names = createNameLookup(db, ctx.guildId);
  return rows.map((row) => gameRow(row, names.gameName(row.game_id)));
}

/** gameRows without the display names (cheap to filter and sort before naming the few shown). */
export function storedGameRows(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  sort: GameSort,
  limit: number | null,
  source?: ReadSource,
): StoredGame[] {
  let stored: StoredGame[];
  if (readsSummary(db, ctx, period, source)) {
    // Prepared once per connection, sort and limit (preparing costs more than this top-N read of a few dozen games).
    stored = cachedStatement<[string, string, number], StoredGame>(db, summarySql(sort, limit, false)).all(
      ctx.guildId,
      period.type,
      periodKey(period),
    );
  } else {
    const facts = computeBucketFacts(db, ctx.guildId, ctx.timezone, [bucketOfPeriod(period)]).get(periodKey(period));
    stored = [...(facts?.games.values() ?? [])].map(storedGame).sort(compareGames(sort));
    if (limit !== null) stored = stored.slice(0, limit);
  }
  return stored;
}

export function storedGame(facts: GameFacts): StoredGame {
  return {
    game_id: facts.game_id,
    clip_count: facts.clip_count,
    total_views: facts.total_views,
    avg_view_count: average(facts.total_views, facts.clip_count),
    unique_creators: facts.unique_creators,
    discord_shares: facts.discord_shares,
    discord_reactions: facts.discord_reactions,
    top_clip_id: facts.top_clip?.id ?? null,
    top_clip_title: facts.top_clip?.title ?? null,
    top_clip_views: facts.top_clip?.views ?? null,
    top_clip_url: facts.top_clip?.url ?? null,
  };
}

function compareGames(sort: GameSort): (a: StoredGame, b: StoredGame) => number {
  return (a, b) =>
    b[sort] - a[sort] || b.clip_count - a.clip_count || (a.game_id < b.game_id ? -1 : a.game_id > b.game_id ? 1 : 0);
}

function gameRow(row: StoredGame, gameName: string): GameRow {
  return {
    game_id: row.game_id,
    game_name: gameName,
    clip_count: row.clip_count,
    total_views: row.total_views,
    avg_view_count: roundAverage(row.avg_view_count),
    unique_creators: row.unique_creators,
    discord_shares: row.discord_shares,
    discord_reactions: row.discord_reactions,
    top_clip:
      row.top_clip_id === null
        ? null
        : { id: row.top_clip_id, title: row.top_clip_title ?? '', views: row.top_clip_views ?? 0, url: row.top_clip_url ?? '' },
  };
}
