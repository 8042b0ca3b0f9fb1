// The summary rows of rolled-up facts as the table writers (db/aggregation) store them, and the rules they write by.
import { readSummaryNames } from '../../db/aggregation/names';
import type { BucketRows, DayTopClipRow, SummaryRules } from '../../db/aggregation/types';
import type { Db } from '../../db/database';
import { average, type BucketFacts, type BucketRange } from '../bucket-facts';
import { betterTopClip, type DayFacts, type RolledUp } from '../day-facts';
import type { NameLookup } from '../names';
import { storedCreator } from '../top-creators';
import { storedGame } from '../top-games';
import type { PeriodType } from '../types';

/**
 * The names of every creator and game the rolled-up buckets' rows name, read in the write transaction itself (pass
 * its handle): latest_names' triggers carry a later rename into rows already written (migration 0007), so names read
 * in an earlier transaction could write a name renamed in between.
 */
export function readBucketNames(tx: Db, guildId: string, rolled: readonly RolledUp[]): Promise<NameLookup> {
  const creators = new Set<string>();
  const games = new Set<string>();
  for (const { facts } of rolled) {
    for (const id of facts.games.keys()) games.add(id);
    for (const c of facts.creators.values()) {
      creators.add(c.creator_id);
      if (c.top_game_id !== null) games.add(c.top_game_id);
    }
  }
  return readSummaryNames(tx, guildId, { creators, games });
}

/** The rules an incremental write applies. */
export const summaryRules: SummaryRules = {
  average,
  betterTopClip: (candidate, best) => betterTopClip(candidate, best),
};

/** The summary rows of some buckets of one period type, from their rolled-up facts. */
export function bucketRows(type: PeriodType, buckets: readonly BucketRange[], rolled: readonly RolledUp[], names: NameLookup): BucketRows {
  const rows: BucketRows = {
    guild_period_stats: [],
    game_analytics: [],
    creator_analytics: [],
    guild_peak_activity: [],
    analytics_pair_facts: [],
  };
  const ends = new Map(buckets.map((b) => [b.key, b.end]));
  for (const { facts: f } of rolled) addFactsRows(rows, f, ends.get(f.key) ?? null, names);
  rows.analytics_pair_facts = pairRows(type, buckets, rolled);
  return rows;
}

function addFactsRows(rows: BucketRows, f: BucketFacts, end: number | null, names: NameLookup): void {
  const t = f.totals;
  if (t.clip_count === 0 && t.discord_shares === 0 && t.discord_reactions === 0) return;
  rows.guild_period_stats.push([
    f.key,
    end,
    t.clip_count,
    t.total_views,
    t.unique_creators,
    t.unique_games,
    t.discord_shares,
    t.discord_reactions,
    t.first_clip_at,
    t.last_clip_at,
  ]);
  for (const g of f.games.values()) {
    const s = storedGame(g);
    rows.game_analytics.push([
      f.key,
      s.game_id,
      names.gameName(s.game_id),
      end,
      s.clip_count,
      s.total_views,
      s.avg_view_count,
      s.unique_creators,
      s.discord_shares,
      s.discord_reactions,
      s.top_clip_id,
      s.top_clip_title,
      s.top_clip_views,
    ]);
  }
  for (const c of f.creators.values()) {
    const s = storedCreator(c);
    rows.creator_analytics.push([
      f.key,
      s.creator_id,
      names.creatorName(s.creator_id),
      end,
      s.clip_count,
      s.total_views,
      s.avg_views,
      s.discord_shares,
      s.discord_reactions,
      s.unique_games,
      s.top_game_id,
      s.top_game_id === null ? null : names.gameName(s.top_game_id),
    ]);
  }
  for (const [index, cell] of f.peaks) rows.guild_peak_activity.push([f.key, Math.floor(index / 24), index % 24, cell.clips, cell.shares]);
}

/**
 * The stored (game, creator) pairs of each bucket. A day keeps every pair with clips, shares or reactions (a
 * recomputed day is compared with them). Weeks, months and all_time keep pairs with clips only, without their
 * engagement: they serve the distinct counts and the creators' top games, which only clips move, so a share or a
 * reaction costs no pair writes above its day.
 */
function pairRows(type: PeriodType, buckets: readonly BucketRange[], rolled: readonly RolledUp[]): BucketRows['analytics_pair_facts'] {
  const rows: BucketRows['analytics_pair_facts'] = [];
  rolled.forEach((r, i) => {
    const key = (buckets[i] as BucketRange).key;
    for (const p of r.pairs.values()) {
      if (type === 'day') {
        if (p.n !== 0 || p.shares !== 0 || p.reactions !== 0) rows.push([key, p.game, p.creator, p.n, p.views, p.shares, p.reactions]);
      } else if (p.n !== 0) rows.push([key, p.game, p.creator, p.n, p.views, 0, 0]);
    }
  });
  return rows;
}

export function dayTopRows(days: Iterable<DayFacts>): DayTopClipRow[] {
  const rows: DayTopClipRow[] = [];
  for (const day of days) for (const [game, clip] of day.tops) rows.push([game, day.key, clip.id, clip.title, clip.views]);
  return rows;
}
