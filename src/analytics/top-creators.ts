// Top creators of a guild for a period: clips, views and Discord engagement per Twitch user id.
import { cachedStatement, limitClause, type Db } from '../db/client';
import { average, computeBucketFacts, roundAverage, type CreatorFacts } from './bucket-facts';
import { createNameLookup, type NameLookup } from './names';
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
    column === 'clip_count' ? 'clip_count DESC, creator_id' : `${column} DESC, clip_count DESC, creator_id`,
  ]),
) as Record<CreatorSort, string>;

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
  return nameCreators(db, ctx, storedCreatorRows(db, ctx, period, sort, limit, source));
}

/** Display rows of stored creators: names are looked up only for the rows shown. */
export function nameCreators(db: Db, ctx: AnalysisContext, rows: readonly StoredCreator[]): CreatorRow[] {
  const names = createNameLookup(db, ctx.guildId);
  return rows.map((row) => creatorRow(row, names));
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
    // Prepared once per connection and sort (preparing costs more than this indexed top-N read itself).
    stored = cachedStatement<[string, string, number], StoredCreator>(
      db,
      `SELECT creator_id, clip_count, total_views, avg_views, discord_shares, discord_reactions, unique_games, top_game_id
         FROM creator_analytics
        WHERE guild_id = ? AND period_type = ? AND period_start = ?
        ORDER BY ${ORDER_BY[sort]}
        ${limitClause(limit)}`,
    ).all(ctx.guildId, period.type, periodKey(period));
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

function creatorRow(row: StoredCreator, names: NameLookup): CreatorRow {
  return {
    creator_id: row.creator_id,
    creator_name: names.creatorName(row.creator_id),
    clip_count: row.clip_count,
    total_views: row.total_views,
    avg_views: roundAverage(row.avg_views),
    discord_shares: row.discord_shares,
    discord_reactions: row.discord_reactions,
    unique_games: row.unique_games,
    top_game: row.top_game_id === null ? null : { id: row.top_game_id, name: names.gameName(row.top_game_id) },
  };
}
