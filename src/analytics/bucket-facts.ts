// Computes a guild's numbers for time buckets straight from the raw tables. The aggregator stores these per
// day/week/month/all_time; reads of periods the summaries do not hold call the very same code, so both agree.
//
// What places what in a period (the README's "Periods"):
//   clips, views, creators, games  → the clip's Twitch created_at (clip_created_at)
//   Discord shares                 → the share's message time (shares.posted_at); deleted shares never count
//   Discord reactions              → the reaction's time (reactions.reacted_at; anonymous imported counts by
//                                    observed_at), counted on live shares only, once per shared clip
// A clip counts (clips, views, rankings) once enriched (it has a created_at and a creator) and while Twitch still
// has it (not `not_found`); deleting the messages that shared it removes those shares, not the clip.
// Shares and reactions of clips that do not count (not enriched yet, gone from Twitch) still count in the totals.
import type { Db } from '../db/client';
import { ATTRIBUTION_SQL, COUNTED_CLIP_SQL, reactionsByBucketSql } from '../db/analytics/facts-sql';
import { FAR_FUTURE, FAR_PAST, offsetSegments } from './periods';
import { legacyClient } from '../db/client';

export { ATTRIBUTION_SQL, COUNTED_CLIP_SQL, reactionsByBucketSql };

export const UNKNOWN_GAME_NAME = 'Unknown game';

/** One bucket to compute: [start, end); `key` is what the summaries store as period_start (0 for all_time). */
export interface BucketRange {
  key: number;
  start: number | null;
  end: number | null;
}

export interface TopClipFacts {
  id: string;
  title: string;
  views: number;
  url: string;
}

export interface GameFacts {
  game_id: string;
  clip_count: number;
  total_views: number;
  unique_creators: number;
  discord_shares: number;
  discord_reactions: number;
  top_clip: TopClipFacts | null;
}

export interface CreatorFacts {
  creator_id: string;
  clip_count: number;
  total_views: number;
  discord_shares: number;
  discord_reactions: number;
  unique_games: number;
  top_game_id: string | null;
}

export interface TotalsFacts {
  clip_count: number;
  total_views: number;
  unique_creators: number;
  unique_games: number;
  discord_shares: number;
  discord_reactions: number;
  first_clip_at: number | null;
  last_clip_at: number | null;
}

export interface PeakCell {
  clips: number;
  shares: number;
}

export interface BucketFacts {
  key: number;
  totals: TotalsFacts;
  games: Map<string, GameFacts>;
  creators: Map<string, CreatorFacts>;
  /** weekday * 24 + hour → counts; filled only when asked for. */
  peaks: Map<number, PeakCell>;
}

export interface FactsOptions {
  /** Rankings (games, creators, top clips); default true. */
  rankings?: boolean;
  /** Weekday × hour cells; default false. */
  peaks?: boolean;
}

interface Accumulator {
  facts: BucketFacts;
  creatorSets: Map<string, Set<string>>;
  creatorGames: Map<string, Map<string, { n: number; views: number }>>;
}

const SEGMENTS_PER_STATEMENT = 400;

/** Computes the facts of every bucket (buckets must not overlap). Empty buckets get zero totals. */
export function computeBucketFacts(
  db: Db,
  guildId: string,
  timezone: string,
  buckets: readonly BucketRange[],
  options: FactsOptions = {},
): Map<number, BucketFacts> {
  const rankings = options.rankings ?? true;
  const accumulators = new Map<number, Accumulator>();
  for (const bucket of buckets) accumulators.set(bucket.key, newAccumulator(bucket.key));
  const segments: string[] = [];
  for (const bucket of buckets) {
    for (const s of offsetSegments(timezone, bucket.start ?? FAR_PAST, bucket.end ?? FAR_FUTURE)) {
      segments.push(`(${int(bucket.key)},${int(s.start)},${int(s.end)},${int(s.offset)})`);
    }
  }
  for (let i = 0; i < segments.length; i += SEGMENTS_PER_STATEMENT) {
    const values = segments.slice(i, i + SEGMENTS_PER_STATEMENT).join(',');
    collect(db, guildId, `WITH b(k, s, e, off) AS (VALUES ${values})`, accumulators, rankings, options.peaks ?? false);
  }
  const result = new Map<number, BucketFacts>();
  for (const [key, acc] of accumulators) result.set(key, finish(acc));
  return result;
}

function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${n}`);
  return String(n);
}

function newAccumulator(key: number): Accumulator {
  return {
    facts: {
      key,
      totals: {
        clip_count: 0,
        total_views: 0,
        unique_creators: 0,
        unique_games: 0,
        discord_shares: 0,
        discord_reactions: 0,
        first_clip_at: null,
        last_clip_at: null,
      },
      games: new Map(),
      creators: new Map(),
      peaks: new Map(),
    },
    creatorSets: new Map(),
    creatorGames: new Map(),
  };
}

function game(acc: Accumulator, gameId: string): GameFacts {
  let row = acc.facts.games.get(gameId);
  if (!row) {
    row = { game_id: gameId, clip_count: 0, total_views: 0, unique_creators: 0, discord_shares: 0, discord_reactions: 0, top_clip: null };
    acc.facts.games.set(gameId, row);
  }
  return row;
}

function creator(acc: Accumulator, creatorId: string): CreatorFacts {
  let row = acc.facts.creators.get(creatorId);
  if (!row) {
    row = { creator_id: creatorId, clip_count: 0, total_views: 0, discord_shares: 0, discord_reactions: 0, unique_games: 0, top_game_id: null };
    acc.facts.creators.set(creatorId, row);
  }
  return row;
}

function cell(acc: Accumulator, index: number): PeakCell {
  let c = acc.facts.peaks.get(index);
  if (!c) {
    c = { clips: 0, shares: 0 };
    acc.facts.peaks.set(index, c);
  }
  return c;
}

interface ClipGroupRow {
  k: number;
  game_id: string;
  creator_id: string;
  n: number;
  views: number;
  first: number;
  last: number;
}

interface EngagementRow {
  k: number;
  game_id: string | null;
  creator_id: string | null;
  n: number;
}

function collect(db: Db, guildId: string, cte: string, accs: Map<number, Accumulator>, rankings: boolean, peaks: boolean): void {
  const client = legacyClient(db);
  const clipRows = client
    .prepare<[string], ClipGroupRow>(
      `${cte}
       SELECT b.k AS k, coalesce(c.game_id, '') AS game_id, c.creator_id AS creator_id, count(*) AS n,
              sum(c.view_count) AS views, min(c.clip_created_at) AS first, max(c.clip_created_at) AS last
         FROM b CROSS JOIN clips c
        WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}
        GROUP BY b.k, coalesce(c.game_id, ''), c.creator_id`,
    )
    .all(guildId);
  for (const row of clipRows) {
    const acc = accs.get(row.k) as Accumulator;
    const totals = acc.facts.totals;
    totals.clip_count += row.n;
    totals.total_views += row.views;
    totals.first_clip_at = totals.first_clip_at === null ? row.first : Math.min(totals.first_clip_at, row.first);
    totals.last_clip_at = totals.last_clip_at === null ? row.last : Math.max(totals.last_clip_at, row.last);
    let creators = acc.creatorSets.get(row.game_id);
    if (!creators) acc.creatorSets.set(row.game_id, (creators = new Set()));
    creators.add(row.creator_id);
    let games = acc.creatorGames.get(row.creator_id);
    if (!games) acc.creatorGames.set(row.creator_id, (games = new Map()));
    const g = games.get(row.game_id) ?? { n: 0, views: 0 };
    g.n += row.n;
    g.views += row.views;
    games.set(row.game_id, g);
    if (rankings) {
      const gameRow = game(acc, row.game_id);
      gameRow.clip_count += row.n;
      gameRow.total_views += row.views;
      const creatorRow = creator(acc, row.creator_id);
      creatorRow.clip_count += row.n;
      creatorRow.total_views += row.views;
    }
  }

  const engagement = (rows: EngagementRow[], field: 'discord_shares' | 'discord_reactions'): void => {
    for (const row of rows) {
      const acc = accs.get(row.k) as Accumulator;
      acc.facts.totals[field] += row.n;
      if (!rankings || row.creator_id === null || row.game_id === null) continue;
      game(acc, row.game_id)[field] += row.n;
      creator(acc, row.creator_id)[field] += row.n;
    }
  };
  engagement(
    client
      .prepare<[string], EngagementRow>(
        `${cte}
         SELECT b.k AS k, ${ATTRIBUTION_SQL}, count(*) AS n
           FROM b CROSS JOIN shares s
           LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id
          WHERE s.guild_id = ? AND s.posted_at >= b.s AND s.posted_at < b.e AND s.deleted_at IS NULL
          GROUP BY 1, 2, 3`,
      )
      .all(guildId),
    'discord_shares',
  );
  engagement(
    client
      .prepare<[string, string], EngagementRow>(
        reactionsByBucketSql(cte),
      )
      .all(guildId, guildId),
    'discord_reactions',
  );

  if (rankings) {
    const tops = client
      .prepare<[string], { k: number; game_id: string; clip_id: string; title: string | null; views: number; url: string }>(
        `${cte}
         SELECT k, game_id, clip_id, title, views, url FROM (
           SELECT b.k AS k, coalesce(c.game_id, '') AS game_id, c.clip_id AS clip_id, c.title AS title,
                  c.view_count AS views, c.url AS url,
                  row_number() OVER (PARTITION BY b.k, coalesce(c.game_id, '') ORDER BY c.view_count DESC, c.clip_id) AS rn
             FROM b CROSS JOIN clips c
            WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}
         ) WHERE rn = 1`,
      )
      .all(guildId);
    for (const row of tops) {
      const acc = accs.get(row.k) as Accumulator;
      const candidate = { id: row.clip_id, title: row.title ?? '', views: row.views, url: row.url };
      const gameRow = game(acc, row.game_id);
      // A bucket split at a DST change yields one candidate per piece: keep the best.
      const best = gameRow.top_clip;
      if (!best || candidate.views > best.views || (candidate.views === best.views && candidate.id < best.id)) gameRow.top_clip = candidate;
    }
  }

  if (peaks) {
    const local = (column: string): string =>
      `((${column} + b.off) / 86400000 + 3) % 7 AS wd, ((${column} + b.off) % 86400000) / 3600000 AS hr`;
    const clipCells = client
      .prepare<[string], { k: number; wd: number; hr: number; n: number }>(
        `${cte}
         SELECT b.k AS k, ${local('c.clip_created_at')}, count(*) AS n
           FROM b CROSS JOIN clips c
          WHERE c.guild_id = ? AND c.clip_created_at >= b.s AND c.clip_created_at < b.e AND ${COUNTED_CLIP_SQL}
          GROUP BY 1, 2, 3`,
      )
      .all(guildId);
    for (const row of clipCells) cell(accs.get(row.k) as Accumulator, row.wd * 24 + row.hr).clips += row.n;
    const shareCells = client
      .prepare<[string], { k: number; wd: number; hr: number; n: number }>(
        `${cte}
         SELECT b.k AS k, ${local('s.posted_at')}, count(*) AS n
           FROM b CROSS JOIN shares s
          WHERE s.guild_id = ? AND s.posted_at >= b.s AND s.posted_at < b.e AND s.deleted_at IS NULL
          GROUP BY 1, 2, 3`,
      )
      .all(guildId);
    for (const row of shareCells) cell(accs.get(row.k) as Accumulator, row.wd * 24 + row.hr).shares += row.n;
  }
}

function finish(acc: Accumulator): BucketFacts {
  const { facts } = acc;
  facts.totals.unique_games = acc.creatorSets.size;
  facts.totals.unique_creators = acc.creatorGames.size;
  for (const [gameId, creators] of acc.creatorSets) {
    const row = facts.games.get(gameId);
    if (row) row.unique_creators = creators.size;
  }
  for (const [creatorId, games] of acc.creatorGames) {
    const row = facts.creators.get(creatorId);
    if (!row) continue;
    row.unique_games = games.size;
    row.top_game_id = topGameOf(games);
  }
  return facts;
}

/** A creator's top game: most clips, then most views, then the smaller game id. */
function topGameOf(games: Map<string, { n: number; views: number }>): string | null {
  let best: string | null = null;
  let bestN = -1;
  let bestViews = -1;
  for (const [gameId, g] of games) {
    if (g.n > bestN || (g.n === bestN && (g.views > bestViews || (g.views === bestViews && best !== null && gameId < best)))) {
      best = gameId;
      bestN = g.n;
      bestViews = g.views;
    }
  }
  return best;
}

/** The average, exact; answers round it with roundAverage. */
export function average(total: number, count: number): number {
  return count === 0 ? 0 : total / count;
}

export function roundAverage(value: number): number {
  return Math.round(value * 100) / 100;
}
