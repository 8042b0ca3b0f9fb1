// Top creators of a guild for a period: clips, views and Discord engagement per Twitch user id.
import { cachedRawStatement, cachedStatement, limitClause, memoisedSql, type Db } from '../db/client';
import { average, computeBucketFacts, roundAverage, type CreatorFacts } from './bucket-facts';
import { createNameLookup } from './names';
import { periodJson, resolvePeriod } from './periods';
import { bucketOfPeriod, periodKey, readsSummary, type ReadSource } from './summaries';
import type { AnalysisContext, CreatorRow, CreatorSort, PeriodQuery, ResolvedPeriod, TopCreators } from './types';

export interface TopCreatorsOptions {
  period?: PeriodQuery;
  sort?: CreatorSort;
  /** Rows to return (default 10). */
  limit?: number;
  source?: ReadSource;
}

export function topCreators(db: Db, ctx: AnalysisContext, options: TopCreatorsOptions = {}): TopCreators {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const sort = options.sort ?? 'clip_count';
  return { period: periodJson(period), sort, creators: creatorRows(db, ctx, period, sort, options.limit ?? 10, options.source) };
}

const SORT_COLUMNS: Record<CreatorSort, string> = {
  clip_count: 'clip_count',
  total_views: 'total_views',
  avg_views: 'avg_views',
  discord_shares: 'discord_shares',
  discord_reactions: 'discord_reactions',
};

/**
 * Each sort's ORDER BY, matching its creator_analytics index column for column. "clip_count DESC" written twice
 * (sort=clip_count, then the clip_count tie-break) made SQLite pick the wrong index and sort every row instead.
 */
const ORDER_BY: Record<CreatorSort, string> = Object.fromEntries(
  Object.entries(SORT_COLUMNS).map(([sort, column]) => [
    sort,
    column === 'clip_count' ? 'ca.clip_count DESC, ca.creator_id' : `ca.${column} DESC, ca.clip_count DESC, ca.creator_id`,
  ]),
) as Record<CreatorSort, string>;

const STORED_COLUMNS =
  'ca.creator_id, ca.clip_count, ca.total_views, ca.avg_views, ca.discord_shares, ca.discord_reactions, ca.unique_games, ca.top_game_id';

/**
 * A period's creators from creator_analytics, in the sort's index order; `named` adds their display names, which
 * the rows carry exactly (the aggregator writes them from latest_names, whose triggers keep them current).
 */
function summarySql(sort: CreatorSort, limit: number | null, named: boolean): string {
  return `SELECT ${STORED_COLUMNS}${named ? ', ca.creator_name, ca.top_game_name' : ''}
      FROM creator_analytics ca
     WHERE ca.guild_id = ? AND ca.period_type = ? AND ca.period_start = ?
     ORDER BY ${ORDER_BY[sort]}
     ${limitClause(limit)}`;
}

export interface StoredCreator {
  creator_id: string;
  clip_count: number;
  total_views: number;
  avg_views: number;
  discord_shares: number;
  discord_reactions: number;
  unique_games: number;
  top_game_id: string | null;
}

/** Every creator active in the period (limit null = all), sorted; ties by clip count, then creator id. */
export function creatorRows(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  sort: CreatorSort,
  limit: number | null,
  source?: ReadSource,
): CreatorRow[] {
  if (!readsSummary(db, ctx, period, source)) return nameCreators(db, ctx, storedCreatorRows(db, ctx, period, sort, limit, source));
  // The leaderboard's hot path: rows with their names in one prepared statement, read as arrays.
  return cachedRawStatement<[string, string, number], NamedCreatorColumns>(db, namedSummarySql(sort, limit))
    .all(ctx.guildId, period.type, periodKey(period))
    .map(([creator_id, clip_count, total_views, avg_views, discord_shares, discord_reactions, unique_games, top_game_id, creatorName, topGameName]) =>
      creatorRow(
        { creator_id, clip_count, total_views, avg_views, discord_shares, discord_reactions, unique_games, top_game_id },
        creatorName,
        topGameName,
      ),
    );
}

/** The columns of the named summary read, in order: STORED_COLUMNS, then the creator's and top game's names. */
type NamedCreatorColumns = [
  creator_id: string,
  clip_count: number,
  total_views: number,
  avg_views: number,
  discord_shares: number,
  discord_reactions: number,
  unique_games: number,
  top_game_id: string | null,
  creator_name: string,
  top_game_name: string | null,
];

/** summarySql(sort, limit, true), built once per sort and limit. */
const namedSummarySql = memoisedSql((sort: CreatorSort, limit: number | null) => summarySql(sort, limit, true));

/** Display rows of stored creators: names are looked up only for the rows shown. */
export function nameCreators(db: Db, ctx: AnalysisContext, rows: readonly StoredCreator[]): CreatorRow[] {
  const names = createNameLookup(db, ctx.guildId);
  return rows.map((row) =>
    creatorRow(row, names.creatorName(row.creator_id), row.top_game_id === null ? null : names.gameName(row.top_game_id)),
  );
}

/** creatorRows without the display names (cheap to filter and sort before naming the few shown). */
export function storedCreatorRows(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  sort: CreatorSort,
  limit: number | null,
  source?: ReadSource,
): StoredCreator[] {
  let stored: StoredCreator[];
  if (readsSummary(db, ctx, period, source)) {
    // Prepared once per connection, sort and limit (preparing costs more than this indexed top-N read itself).
    stored = cachedStatement<[string, string, number], StoredCreator>(db, summarySql(sort, limit, false)).all(
      ctx.guildId,
      period.type,
      periodKey(period),
    );
  } else {
    const facts = computeBucketFacts(db, ctx.guildId, ctx.timezone, [bucketOfPeriod(period)]).get(periodKey(period));
    stored = [...(facts?.creators.values() ?? [])].map(storedCreator).sort(compareCreators(sort));
    if (limit !== null) stored = stored.slice(0, limit);
  }
  return stored;
}

export function storedCreator(facts: CreatorFacts): StoredCreator {
  return { ...facts, avg_views: average(facts.total_views, facts.clip_count) };
}

function compareCreators(sort: CreatorSort): (a: StoredCreator, b: StoredCreator) => number {
  const column = SORT_COLUMNS[sort] as keyof StoredCreator;
  return (a, b) =>
    (b[column] as number) - (a[column] as number) ||
    b.clip_count - a.clip_count ||
    (a.creator_id < b.creator_id ? -1 : a.creator_id > b.creator_id ? 1 : 0);
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
