// Top creators of a guild for a period: clips, views and Discord engagement per Twitch user id.
import { readNamedCreators, readStoredCreators, type StoredCreator } from '../db/analytics/leaderboards';
import type { Db } from '../db/client';
import { average, computeBucketFacts, roundAverage, type CreatorFacts } from './bucket-facts';
import { readNames } from './names';
import { periodJson, resolvePeriod } from './periods';
import { bucketOfPeriod, leaderboardRead, periodKey, summaryPeriod, type ReadSource } from './summaries';
import type { AnalysisContext, CreatorRow, CreatorSort, PeriodQuery, ResolvedPeriod, TopCreators } from './types';

export type { StoredCreator } from '../db/analytics/leaderboards';

export interface TopCreatorsOptions {
  period?: PeriodQuery;
  sort?: CreatorSort;
  /** Rows to return (default 10). */
  limit?: number;
  source?: ReadSource;
}

export async function topCreators(db: Db, ctx: AnalysisContext, options: TopCreatorsOptions = {}): Promise<TopCreators> {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const sort = options.sort ?? 'clip_count';
  return { period: periodJson(period), sort, creators: await creatorRows(db, ctx, period, sort, options.limit ?? 10, options.source) };
}

/** Every creator active in the period (limit null = all), sorted; ties by clip count, then creator id. */
export async function creatorRows(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  sort: CreatorSort,
  limit: number | null,
  source?: ReadSource,
): Promise<CreatorRow[]> {
  const summary = summaryPeriod(ctx, period, source);
  // The leaderboard's hot path: rows with their names in one statement, read as arrays.
  const named = summary && (await readNamedCreators(db, leaderboardRead(summary, sort, limit)));
  if (named) {
    return named.map(
      ([
        creator_id,
        clip_count,
        total_views,
        avg_views,
        discord_shares,
        discord_reactions,
        unique_games,
        top_game_id,
        creatorName,
        topGameName,
      ]) =>
        creatorRow(
          { creator_id, clip_count, total_views, avg_views, discord_shares, discord_reactions, unique_games, top_game_id },
          creatorName,
          topGameName,
        ),
    );
  }
  return nameCreators(db, ctx, await computedCreators(db, ctx, period, sort, limit));
}

/** Display rows of stored creators: names are looked up only for the rows shown. */
export async function nameCreators(db: Db, ctx: AnalysisContext, rows: readonly StoredCreator[]): Promise<CreatorRow[]> {
  const games = rows.flatMap((row) => (row.top_game_id === null ? [] : [row.top_game_id]));
  const names = await readNames(db, ctx.guildId, { creators: rows.map((row) => row.creator_id), games });
  return rows.map((row) =>
    creatorRow(row, names.creatorName(row.creator_id), row.top_game_id === null ? null : names.gameName(row.top_game_id)),
  );
}

/** creatorRows without the display names (cheap to filter and sort before naming the few shown). */
export async function storedCreatorRows(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  sort: CreatorSort,
  limit: number | null,
  source?: ReadSource,
): Promise<StoredCreator[]> {
  const summary = summaryPeriod(ctx, period, source);
  const stored = summary && (await readStoredCreators(db, leaderboardRead(summary, sort, limit)));
  return stored ?? computedCreators(db, ctx, period, sort, limit);
}

/** The period's creators computed from the raw tables, sorted like the summary read. */
async function computedCreators(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  sort: CreatorSort,
  limit: number | null,
): Promise<StoredCreator[]> {
  const facts = (await computeBucketFacts(db, ctx.guildId, ctx.timezone, [bucketOfPeriod(period)])).get(periodKey(period));
  const stored = [...(facts?.creators.values() ?? [])].map(storedCreator).sort(compareCreators(sort));
  return limit === null ? stored : stored.slice(0, limit);
}

export function storedCreator(facts: CreatorFacts): StoredCreator {
  return { ...facts, avg_views: average(facts.total_views, facts.clip_count) };
}

function compareCreators(sort: CreatorSort): (a: StoredCreator, b: StoredCreator) => number {
  return (a, b) =>
    b[sort] - a[sort] || b.clip_count - a.clip_count || (a.creator_id < b.creator_id ? -1 : a.creator_id > b.creator_id ? 1 : 0);
}

function creatorRow(row: StoredCreator, creatorName: string, topGameName: string | null): CreatorRow {
  return {
    creator_id: row.creator_id,
    creator_name: creatorName,
    clip_count: row.clip_count,
    total_views: row.total_views,
    avg_views: roundAverage(row.avg_views),
    discord_shares: row.discord_shares,
    discord_reactions: row.discord_reactions,
    unique_games: row.unique_games,
    top_game: row.top_game_id === null ? null : { id: row.top_game_id, name: topGameName ?? '' },
  };
}
