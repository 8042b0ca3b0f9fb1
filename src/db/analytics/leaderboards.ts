// The creator and game leaderboards as the summary tables hold them (creator_analytics, game_analytics), read in
// their sort's index order; the hot read of the API and the slash commands. On SQLite the check that the summaries
// hold the period and the read run in one tick on the connection; on PostgreSQL they are one statement (heldSql).
import { limitClause, memoisedSql, run, type Connection, type Db } from '../client';
import { queries } from '../sql';
import {
  heldParams,
  heldRows,
  heldSql,
  periodTotalsOn,
  summaryHoldsOn,
  TOTALS_COLUMNS,
  type SummaryPeriod,
  type TotalsRow,
} from './summaries';

export type CreatorSortKey = 'clip_count' | 'total_views' | 'avg_views' | 'discord_shares' | 'discord_reactions';
export type GameSortKey = 'clip_count' | 'total_views' | 'avg_view_count' | 'discord_shares' | 'discord_reactions';

/** A leaderboard read: the period, the sort and the rows wanted (null = all). */
export interface LeaderboardRead<S> extends SummaryPeriod {
  sort: S;
  limit: number | null;
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

/** The columns of the named creator read, in order: StoredCreator's, then the creator's and top game's names. */
export type NamedCreatorColumns = [
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

/** The columns of the named game read, in order: StoredGame's, then the game's name. */
export type NamedGameColumns = [
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

/**
 * Each creator sort's ORDER BY, matching its creator_analytics index column for column. "clip_count DESC" written
 * twice (sort=clip_count, then the clip_count tie-break) made SQLite pick the wrong index and sort every row instead.
 */
const CREATOR_ORDER_BY: Record<CreatorSortKey, string> = {
  clip_count: 'ca.clip_count DESC, ca.creator_id',
  total_views: 'ca.total_views DESC, ca.clip_count DESC, ca.creator_id',
  avg_views: 'ca.avg_views DESC, ca.clip_count DESC, ca.creator_id',
  discord_shares: 'ca.discord_shares DESC, ca.clip_count DESC, ca.creator_id',
  discord_reactions: 'ca.discord_reactions DESC, ca.clip_count DESC, ca.creator_id',
};

const CREATOR_COLUMNS =
  'ca.creator_id, ca.clip_count, ca.total_views, ca.avg_views, ca.discord_shares, ca.discord_reactions, ca.unique_games, ca.top_game_id';

/**
 * A period's creators from creator_analytics, in the sort's index order; `named` adds their display names, which
 * the rows carry exactly (the aggregator writes them from latest_names, whose triggers keep them current).
 */
function creatorSql(sort: CreatorSortKey, limit: number | null, named: boolean): string {
  return `SELECT ${CREATOR_COLUMNS}${named ? ', ca.creator_name, ca.top_game_name' : ''}
      FROM creator_analytics ca
     WHERE ca.guild_id = ? AND ca.period_type = ? AND ca.period_start = ?
     ORDER BY ${CREATOR_ORDER_BY[sort]}
     ${limitClause(limit)}`;
}

/** Each game sort's ORDER BY: the sort column, then clip count, then game id (clip_count is not repeated for its own sort). */
const GAME_ORDER_BY: Record<GameSortKey, string> = {
  clip_count: 'g.clip_count DESC, g.game_id',
  total_views: 'g.total_views DESC, g.clip_count DESC, g.game_id',
  avg_view_count: 'g.avg_view_count DESC, g.clip_count DESC, g.game_id',
  discord_shares: 'g.discord_shares DESC, g.clip_count DESC, g.game_id',
  discord_reactions: 'g.discord_reactions DESC, g.clip_count DESC, g.game_id',
};

/** A period's games from game_analytics with their top clip's URL, sorted; `named` adds their display names. */
function gameSql(sort: GameSortKey, limit: number | null, named: boolean): string {
  return `SELECT g.game_id, g.clip_count, g.total_views, g.avg_view_count, g.unique_creators, g.discord_shares,
                 g.discord_reactions, g.top_clip_id, g.top_clip_title, g.top_clip_views, c.url AS top_clip_url
                 ${named ? ', g.game_name' : ''}
            FROM game_analytics g
            LEFT JOIN clips c ON c.guild_id = g.guild_id AND c.clip_id = g.top_clip_id
           WHERE g.guild_id = ? AND g.period_type = ? AND g.period_start = ?
           ORDER BY ${GAME_ORDER_BY[sort]}
           ${limitClause(limit)}`;
}

// Built once per sort, limit and naming: a hot read gets the same string, so the statement cache hashes it cheaply.
const creatorSqlOf = memoisedSql(creatorSql);
const gameSqlOf = memoisedSql(gameSql);

// PostgreSQL: the same reads with named parameters, inside heldSql (the summaries' check in the same statement).
const postgresCreatorSqlOf = memoisedSql((sort: CreatorSortKey, limit: number | null, named: boolean) =>
  heldSql(creatorSql(sort, limit, named).replace('ca.guild_id = ? AND ca.period_type = ? AND ca.period_start = ?', periodByName('ca'))),
);
const postgresGameSqlOf = memoisedSql((sort: GameSortKey, limit: number | null, named: boolean) =>
  heldSql(gameSql(sort, limit, named).replace('g.guild_id = ? AND g.period_type = ? AND g.period_start = ?', periodByName('g'))),
);

/** The period's key with named parameters (@guild, @type, @start), as heldSql's reads take it. */
function periodByName(alias: string): string {
  return `${alias}.guild_id = @guild AND ${alias}.period_type = @type AND ${alias}.period_start = @start`;
}

/** PostgreSQL: a leaderboard read's rows (arrays or objects), or null when the summaries do not hold the period. */
async function postgresLeaderboard<R>(db: Db, sql: string, read: SummaryPeriod, arrays: boolean): Promise<R[] | null> {
  const q = queries(db);
  if (arrays) {
    const rows = await q.values<unknown[]>(sql, heldParams(read));
    return heldRows(rows, (row) => row[0]) as R[] | null;
  }
  const rows = await q.all<Record<string, unknown>>(sql, heldParams(read));
  return heldRows(rows, (row) => row.creator_id ?? row.game_id ?? null) as R[] | null;
}

// Sort and limit come as arguments, not spread into a copy of the period: the overview's hot path then allocates
// no objects of its own shape per read.
function namedCreatorsOn(c: Connection, period: SummaryPeriod, sort: CreatorSortKey, limit: number | null): NamedCreatorColumns[] {
  // Read as arrays: building a row object per row costs more than this indexed top-N read itself.
  return c
    .rawStatement<[string, string, number], NamedCreatorColumns>(creatorSqlOf(sort, limit, true))
    .all(period.guildId, period.periodType, period.periodStart);
}

function namedGamesOn(c: Connection, period: SummaryPeriod, sort: GameSortKey, limit: number | null): NamedGameColumns[] {
  return c
    .rawStatement<[string, string, number], NamedGameColumns>(gameSqlOf(sort, limit, true))
    .all(period.guildId, period.periodType, period.periodStart);
}

/** The period's creators with their names, as column arrays; null when the summaries do not hold the period. */
export function readNamedCreators(db: Db, read: LeaderboardRead<CreatorSortKey>): Promise<NamedCreatorColumns[] | null> {
  if (db.engine === 'postgres') return postgresLeaderboard(db, postgresCreatorSqlOf(read.sort, read.limit, true), read, true);
  return run(db, (c) =>
    summaryHoldsOn(c, read.guildId, read.periodType, read.timezone) ? namedCreatorsOn(c, read, read.sort, read.limit) : null,
  );
}

/** The period's creators without names (to filter and sort before naming the few shown); null when not held. */
export function readStoredCreators(db: Db, read: LeaderboardRead<CreatorSortKey>): Promise<StoredCreator[] | null> {
  if (db.engine === 'postgres') return postgresLeaderboard(db, postgresCreatorSqlOf(read.sort, read.limit, false), read, false);
  return run(db, (c) => {
    if (!summaryHoldsOn(c, read.guildId, read.periodType, read.timezone)) return null;
    return c
      .statement<[string, string, number], StoredCreator>(creatorSqlOf(read.sort, read.limit, false))
      .all(read.guildId, read.periodType, read.periodStart);
  });
}

/** The period's games with their names, as column arrays; null when the summaries do not hold the period. */
export function readNamedGames(db: Db, read: LeaderboardRead<GameSortKey>): Promise<NamedGameColumns[] | null> {
  if (db.engine === 'postgres') return postgresLeaderboard(db, postgresGameSqlOf(read.sort, read.limit, true), read, true);
  return run(db, (c) =>
    summaryHoldsOn(c, read.guildId, read.periodType, read.timezone) ? namedGamesOn(c, read, read.sort, read.limit) : null,
  );
}

/** The period's games without names; null when the summaries do not hold the period. */
export function readStoredGames(db: Db, read: LeaderboardRead<GameSortKey>): Promise<StoredGame[] | null> {
  if (db.engine === 'postgres') return postgresLeaderboard(db, postgresGameSqlOf(read.sort, read.limit, false), read, false);
  return run(db, (c) => {
    if (!summaryHoldsOn(c, read.guildId, read.periodType, read.timezone)) return null;
    return c
      .statement<[string, string, number], StoredGame>(gameSqlOf(read.sort, read.limit, false))
      .all(read.guildId, read.periodType, read.periodStart);
  });
}

export interface OverviewSummary {
  /** undefined: the period has no row (nothing happened in it). */
  totals: TotalsRow | undefined;
  /** The period's first game and creator by clip count. */
  topGame: NamedGameColumns | undefined;
  topCreator: NamedCreatorColumns | undefined;
}

/** An overview's stored numbers in one read; null when the summaries do not hold the period. */
export function readOverviewSummary(db: Db, period: SummaryPeriod): Promise<OverviewSummary | null> {
  if (db.engine === 'postgres') return postgresOverviewSummary(db, period);
  return run(db, (c) => {
    if (!summaryHoldsOn(c, period.guildId, period.periodType, period.timezone)) return null;
    const totals = periodTotalsOn(c, period);
    if (!totals || totals.clip_count <= 0) return { totals, topGame: undefined, topCreator: undefined };
    return {
      totals,
      topGame: namedGamesOn(c, period, 'clip_count', 1)[0],
      topCreator: namedCreatorsOn(c, period, 'clip_count', 1)[0],
    };
  });
}

const TOTALS_COUNT = TOTALS_COLUMNS.split(',').length;
const GAME_COUNT = 12;

/**
 * PostgreSQL: the overview's totals, top game and top creator in one statement (one round trip, one snapshot): the
 * summaries' check, then the totals row and each leader side by side in one row of arrays.
 */
const POSTGRES_OVERVIEW_SQL = `SELECT t.*, g.*, cr.*
    FROM analytics_state s
    LEFT JOIN LATERAL (SELECT ${TOTALS_COLUMNS} FROM guild_period_stats
                        WHERE guild_id = @guild AND period_type = @type AND period_start = @start) t ON true
    LEFT JOIN LATERAL (${gameSql('clip_count', 1, true).replace('g.guild_id = ? AND g.period_type = ? AND g.period_start = ?', periodByName('g'))}) g ON true
    LEFT JOIN LATERAL (${creatorSql('clip_count', 1, true).replace('ca.guild_id = ? AND ca.period_type = ? AND ca.period_start = ?', periodByName('ca'))}) cr ON true
   WHERE s.guild_id = @guild AND s.period_type = @type AND s.timezone = @tz`;

async function postgresOverviewSummary(db: Db, period: SummaryPeriod): Promise<OverviewSummary | null> {
  const row = (await queries(db).values<unknown[]>(POSTGRES_OVERVIEW_SQL, heldParams(period)))[0];
  if (row === undefined) return null;
  // clip_count is never null in a stored row: null means the period has none.
  if (row[0] === null) return { totals: undefined, topGame: undefined, topCreator: undefined };
  const names = TOTALS_COLUMNS.split(', ') as (keyof TotalsRow)[];
  const totals = Object.fromEntries(names.map((name, i) => [name, row[i]])) as unknown as TotalsRow;
  if (totals.clip_count <= 0) return { totals, topGame: undefined, topCreator: undefined };
  const game = row.slice(TOTALS_COUNT, TOTALS_COUNT + GAME_COUNT);
  const creator = row.slice(TOTALS_COUNT + GAME_COUNT);
  return {
    totals,
    topGame: game[0] === null ? undefined : (game as NamedGameColumns),
    topCreator: creator[0] === null ? undefined : (creator as NamedCreatorColumns),
  };
}
