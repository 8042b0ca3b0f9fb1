// The aggregator's local-day facts per (game, creator) pair, from which days, ISO weeks, months and all_time are rolled
// up; the same rules as bucket-facts.ts (the read path), and tests hold them equal.
import { readDayFactRows, type DayFactRows, type DaySegment } from '../db/aggregation/raw-days';
import type { Db } from '../db/client';
import type { BucketFacts, CreatorFacts, GameFacts, PeakCell, TopClipFacts } from './bucket-facts';
import { offsetSegments } from './periods';

export interface Pair {
  game: string;
  creator: string;
  n: number;
  views: number;
  shares: number;
  reactions: number;
}

export interface DayFacts {
  key: number;
  pairs: Map<string, Pair>;
  /** Clip creation times of the day's counted clips: first and last. */
  first: number | null;
  last: number | null;
  /** Shares and reactions of clips that do not count (not enriched, gone from Twitch). */
  otherShares: number;
  otherReactions: number;
  tops: Map<string, TopClipFacts>;
  peaks: Map<number, PeakCell>;
}

export interface DayRange {
  key: number;
  start: number;
  end: number;
}

/** Facts of each local day (ranges must be whole local days and must not overlap). */
export async function computeDayFacts(
  db: Db,
  guildId: string,
  timezone: string,
  days: readonly DayRange[],
): Promise<Map<number, DayFacts>> {
  const result = new Map<number, DayFacts>();
  for (const day of days) {
    result.set(day.key, {
      key: day.key,
      pairs: new Map(),
      first: null,
      last: null,
      otherShares: 0,
      otherReactions: 0,
      tops: new Map(),
      peaks: new Map(),
    });
  }
  const segments: DaySegment[] = [];
  for (const day of days) {
    for (const s of offsetSegments(timezone, day.start, day.end))
      segments.push({ key: day.key, start: s.start, end: s.end, offset: s.offset });
  }
  for (const rows of await readDayFactRows(db, guildId, segments)) collectDays(rows, result);
  return result;
}

function pairOf(day: DayFacts, game: string, creator: string): Pair {
  const key = pairKey(game, creator);
  let pair = day.pairs.get(key);
  if (!pair) day.pairs.set(key, (pair = { game, creator, n: 0, views: 0, shares: 0, reactions: 0 }));
  return pair;
}

function cellOf(day: DayFacts, index: number): PeakCell {
  let cell = day.peaks.get(index);
  if (!cell) day.peaks.set(index, (cell = { clips: 0, shares: 0 }));
  return cell;
}

type Ranked = Pick<TopClipFacts, 'id' | 'views'>;

function better(candidate: Ranked, best: Ranked | undefined | null): boolean {
  return !best || candidate.views > best.views || (candidate.views === best.views && candidate.id < best.id);
}

/** Adds one batch of fact rows to the days. */
function collectDays(rows: DayFactRows, days: Map<number, DayFacts>): void {
  for (const row of rows.clips) {
    const day = days.get(row.k) as DayFacts;
    const pair = pairOf(day, row.game_id, row.creator_id);
    pair.n += 1;
    pair.views += row.views;
    day.first = day.first === null ? row.at : Math.min(day.first, row.at);
    day.last = day.last === null ? row.at : Math.max(day.last, row.at);
    cellOf(day, row.wd * 24 + row.hr).clips += 1;
    const candidate = { id: row.clip_id, title: row.title ?? '', views: row.views, url: row.url };
    if (better(candidate, day.tops.get(row.game_id))) day.tops.set(row.game_id, candidate);
  }

  for (const row of rows.shares) {
    const day = days.get(row.k) as DayFacts;
    cellOf(day, row.wd * 24 + row.hr).shares += row.n;
    if (row.creator_id === null || row.game_id === null) day.otherShares += row.n;
    else pairOf(day, row.game_id, row.creator_id).shares += row.n;
  }

  for (const row of rows.reactions) {
    const day = days.get(row.k) as DayFacts;
    if (row.creator_id === null || row.game_id === null) day.otherReactions += row.n;
    else pairOf(day, row.game_id, row.creator_id).reactions += row.n;
  }
}

/** A bucket's facts rolled up from its days, with the (game, creator) pairs they came from. */
export interface RolledUp {
  facts: BucketFacts;
  pairs: Map<string, Pair>;
}

/** Rolls whole days up into one bucket's facts (a day, an ISO week, a month or all_time). */
export function rollUpDays(key: number, days: readonly DayFacts[]): RolledUp {
  const pairs = new Map<string, Pair>();
  const tops = new Map<string, TopClipFacts>();
  const peaks = new Map<number, PeakCell>();
  let first: number | null = null;
  let last: number | null = null;
  let otherShares = 0;
  let otherReactions = 0;
  for (const day of days) {
    for (const [k, p] of day.pairs) {
      const pair = pairs.get(k);
      if (!pair) pairs.set(k, { ...p });
      else {
        pair.n += p.n;
        pair.views += p.views;
        pair.shares += p.shares;
        pair.reactions += p.reactions;
      }
    }
    for (const [game, clip] of day.tops) if (better(clip, tops.get(game))) tops.set(game, clip);
    for (const [index, cell] of day.peaks) {
      const c = peaks.get(index);
      if (!c) peaks.set(index, { ...cell });
      else {
        c.clips += cell.clips;
        c.shares += cell.shares;
      }
    }
    if (day.first !== null) first = first === null ? day.first : Math.min(first, day.first);
    if (day.last !== null) last = last === null ? day.last : Math.max(last, day.last);
    otherShares += day.otherShares;
    otherReactions += day.otherReactions;
  }
  const facts = factsFromPairs(key, pairs.values(), tops);
  facts.totals.first_clip_at = first;
  facts.totals.last_clip_at = last;
  facts.totals.discord_shares += otherShares;
  facts.totals.discord_reactions += otherReactions;
  facts.peaks = peaks;
  return { facts, pairs };
}

/** Whether a clip is the better top clip: more views, then the smaller clip id. */
export function betterTopClip(candidate: Ranked, best: Ranked | undefined | null): boolean {
  return better(candidate, best);
}

/** The (game, creator) pair's key in DayFacts.pairs and RolledUp.pairs. */
export function pairKey(game: string, creator: string): string {
  return `${game}\u0000${creator}`;
}

/** Games, creators and totals from (game, creator) pairs; first/last and peaks are left to the caller. */
function factsFromPairs(key: number, pairs: Iterable<Pair>, tops: Map<string, TopClipFacts>): BucketFacts {
  const games = new Map<string, GameFacts>();
  const creators = new Map<string, CreatorFacts>();
  const creatorGames = new Map<string, Array<{ game: string; n: number; views: number }>>();
  const countedCreators = new Set<string>();
  const countedGames = new Set<string>();
  const totals = {
    clip_count: 0,
    total_views: 0,
    unique_creators: 0,
    unique_games: 0,
    discord_shares: 0,
    discord_reactions: 0,
    first_clip_at: null,
    last_clip_at: null,
  };
  for (const p of pairs) {
    if (p.n === 0 && p.shares === 0 && p.reactions === 0) continue;
    let g = games.get(p.game);
    if (!g)
      games.set(
        p.game,
        (g = {
          game_id: p.game,
          clip_count: 0,
          total_views: 0,
          unique_creators: 0,
          discord_shares: 0,
          discord_reactions: 0,
          top_clip: tops.get(p.game) ?? null,
        }),
      );
    let c = creators.get(p.creator);
    if (!c)
      creators.set(
        p.creator,
        (c = {
          creator_id: p.creator,
          clip_count: 0,
          total_views: 0,
          discord_shares: 0,
          discord_reactions: 0,
          unique_games: 0,
          top_game_id: null,
        }),
      );
    g.clip_count += p.n;
    g.total_views += p.views;
    g.discord_shares += p.shares;
    g.discord_reactions += p.reactions;
    c.clip_count += p.n;
    c.total_views += p.views;
    c.discord_shares += p.shares;
    c.discord_reactions += p.reactions;
    totals.clip_count += p.n;
    totals.total_views += p.views;
    totals.discord_shares += p.shares;
    totals.discord_reactions += p.reactions;
    if (p.n > 0) {
      g.unique_creators += 1;
      c.unique_games += 1;
      countedCreators.add(p.creator);
      countedGames.add(p.game);
      let list = creatorGames.get(p.creator);
      if (!list) creatorGames.set(p.creator, (list = []));
      list.push({ game: p.game, n: p.n, views: p.views });
    }
  }
  for (const [creator, list] of creatorGames) {
    let best: { game: string; n: number; views: number } | null = null;
    for (const e of list) {
      if (!best || e.n > best.n || (e.n === best.n && (e.views > best.views || (e.views === best.views && e.game < best.game)))) best = e;
    }
    (creators.get(creator) as CreatorFacts).top_game_id = best ? best.game : null;
  }
  totals.unique_creators = countedCreators.size;
  totals.unique_games = countedGames.size;
  return { key, totals, games, creators, peaks: new Map() };
}
