// Top games of a guild for a period: clips, views, creators and Discord engagement per game ("Unknown game"
// collects clips Twitch gives no game).
import { readNamedGames, readStoredGames, type StoredGame } from '../db/analytics/leaderboards';
import type { Db } from '../db/client';
import { average, computeBucketFacts, roundAverage, type GameFacts } from './bucket-facts';
import { readNames } from './names';
import { periodJson, resolvePeriod } from './periods';
import { bucketOfPeriod, leaderboardRead, periodKey, summaryPeriod, type ReadSource } from './summaries';
import type { AnalysisContext, GameRow, GameSort, PeriodQuery, ResolvedPeriod, TopGames } from './types';

export type { StoredGame } from '../db/analytics/leaderboards';

export interface TopGamesOptions {
  period?: PeriodQuery;
  sort?: GameSort;
  /** Rows to return (default 10). */
  limit?: number;
  source?: ReadSource;
}

export async function topGames(db: Db, ctx: AnalysisContext, options: TopGamesOptions = {}): Promise<TopGames> {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const sort = options.sort ?? 'clip_count';
  return { period: periodJson(period), sort, games: await gameRows(db, ctx, period, sort, options.limit ?? 10, options.source) };
}

/** Every game active in the period (limit null = all), sorted; ties by clip count, then game id. */
export async function gameRows(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  sort: GameSort,
  limit: number | null,
  source?: ReadSource,
): Promise<GameRow[]> {
  const summary = summaryPeriod(ctx, period, source);
  // The leaderboard's hot path: rows and names in one statement, read as arrays.
  const named = summary && (await readNamedGames(db, leaderboardRead(summary, sort, limit)));
  if (named) {
    return named.map(
      ([
        game_id,
        clip_count,
        total_views,
        avg_view_count,
        unique_creators,
        discord_shares,
        discord_reactions,
        top_clip_id,
        top_clip_title,
        top_clip_views,
        top_clip_url,
        gameName,
      ]) =>
        gameRow(
          {
            game_id,
            clip_count,
            total_views,
            avg_view_count,
            unique_creators,
            discord_shares,
            discord_reactions,
            top_clip_id,
            top_clip_title,
            top_clip_views,
            top_clip_url,
          },
          gameName,
        ),
    );
  }
  return nameGames(db, ctx, await computedGames(db, ctx, period, sort, limit));
}

/** Display rows of stored games: names are looked up only for the rows shown. */
export async function nameGames(db: Db, ctx: AnalysisContext, rows: readonly StoredGame[]): Promise<GameRow[]> {
  const names = await readNames(db, ctx.guildId, { games: rows.map((row) => row.game_id) });
  return rows.map((row) => gameRow(row, names.gameName(row.game_id)));
}

/** gameRows without the display names (cheap to filter and sort before naming the few shown). */
export async function storedGameRows(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  sort: GameSort,
  limit: number | null,
  source?: ReadSource,
): Promise<StoredGame[]> {
  const summary = summaryPeriod(ctx, period, source);
  const stored = summary && (await readStoredGames(db, leaderboardRead(summary, sort, limit)));
  return stored ?? computedGames(db, ctx, period, sort, limit);
}

/** The period's games computed from the raw tables, sorted like the summary read. */
async function computedGames(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  sort: GameSort,
  limit: number | null,
): Promise<StoredGame[]> {
  const facts = (await computeBucketFacts(db, ctx.guildId, ctx.timezone, [bucketOfPeriod(period)])).get(periodKey(period));
  const stored = [...(facts?.games.values() ?? [])].map(storedGame).sort(compareGames(sort));
  return limit === null ? stored : stored.slice(0, limit);
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
  return (a, b) => b[sort] - a[sort] || b.clip_count - a.clip_count || (a.game_id < b.game_id ? -1 : a.game_id > b.game_id ? 1 : 0);
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
