// A guild's numbers for time buckets computed from the raw tables: what the aggregator stores per bucket, and what
// reads of periods the summaries do not hold compute with the very same code, so both agree.
import { readBucketFactRows, type BucketFactRows, type BucketSegment } from '../db/analytics/bucket-facts';
import type { Db } from '../db/client';
import { FAR_FUTURE, FAR_PAST, offsetSegments } from './periods';

// Transitional: the aggregation's files still import the shared fragments from here (see src/db/analytics/facts-sql.ts).
export { ATTRIBUTION_SQL, COUNTED_CLIP_SQL, reactionsByBucketSql } from '../db/analytics/facts-sql';

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

/**
 * Computes the facts of every bucket (buckets must not overlap). Empty buckets get zero totals.
 *
 * What places what in a period (the README's "Periods"):
 *   clips, views, creators, games  → the clip's Twitch created_at (clip_created_at)
 *   Discord shares                 → the share's message time (shares.posted_at); deleted shares never count
 *   Discord reactions              → the reaction's time (reactions.reacted_at; anonymous imported counts by
 *                                    observed_at), counted on live shares only, once per shared clip
 * A clip counts (clips, views, rankings) once enriched (it has a created_at and a creator) and while Twitch still
 * has it (not `not_found`); deleting the messages that shared it removes those shares, not the clip. Shares and
 * reactions of clips that do not count (not enriched yet, gone from Twitch) still count in the totals.
 */
export async function computeBucketFacts(
  db: Db,
  guildId: string,
  timezone: string,
  buckets: readonly BucketRange[],
  options: FactsOptions = {},
): Promise<Map<number, BucketFacts>> {
  const rankings = options.rankings ?? true;
  const accumulators = new Map<number, Accumulator>();
  for (const bucket of buckets) accumulators.set(bucket.key, newAccumulator(bucket.key));
  const segments: BucketSegment[] = [];
  for (const bucket of buckets) {
    for (const s of offsetSegments(timezone, bucket.start ?? FAR_PAST, bucket.end ?? FAR_FUTURE)) {
      segments.push({ key: bucket.key, start: s.start, end: s.end, offset: s.offset });
    }
  }
  for (const rows of await readBucketFactRows(db, guildId, segments, { rankings, peaks: options.peaks ?? false })) {
    collect(rows, accumulators, rankings);
  }
  const result = new Map<number, BucketFacts>();
  for (const [key, acc] of accumulators) result.set(key, finish(acc));
  return result;
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
    row = {
      creator_id: creatorId,
      clip_count: 0,
      total_views: 0,
      discord_shares: 0,
      discord_reactions: 0,
      unique_games: 0,
      top_game_id: null,
    };
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

/** Adds one batch of fact rows to the buckets' accumulators. */
function collect(rows: BucketFactRows, accs: Map<number, Accumulator>, rankings: boolean): void {
  for (const row of rows.clips) {
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

  const engagement = (engagementRows: BucketFactRows['shares'], field: 'discord_shares' | 'discord_reactions'): void => {
    for (const row of engagementRows) {
      const acc = accs.get(row.k) as Accumulator;
      acc.facts.totals[field] += row.n;
      if (!rankings || row.creator_id === null || row.game_id === null) continue;
      game(acc, row.game_id)[field] += row.n;
      creator(acc, row.creator_id)[field] += row.n;
    }
  };
  engagement(rows.shares, 'discord_shares');
  engagement(rows.reactions, 'discord_reactions');

  for (const row of rows.tops) {
    const acc = accs.get(row.k) as Accumulator;
    const candidate = { id: row.clip_id, title: row.title ?? '', views: row.views, url: row.url };
    const gameRow = game(acc, row.game_id);
    // A bucket split at a DST change yields one candidate per piece: keep the best.
    const best = gameRow.top_clip;
    if (!best || candidate.views > best.views || (candidate.views === best.views && candidate.id < best.id)) gameRow.top_clip = candidate;
  }

  for (const row of rows.clipCells) cell(accs.get(row.k) as Accumulator, row.wd * 24 + row.hr).clips += row.n;
  for (const row of rows.shareCells) cell(accs.get(row.k) as Accumulator, row.wd * 24 + row.hr).shares += row.n;
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
