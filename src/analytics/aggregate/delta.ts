// A day's difference as an incremental run computes it (recomputed facts against stored ones, or the engagement
// journal), and the sums of days' differences that weeks, months and all_time receive.
import type { JournalRow } from '../../db/aggregation/raw-days';
import type { StoredDay } from '../../db/aggregation/stored-days';
import type { SummaryDelta } from '../../db/aggregation/types';
import { HOUR_MS } from '../../db/dirty';
import type { PeakCell } from '../bucket-facts';
import { pairKey, rollUpDays, type DayFacts, type DayRange, type Pair } from '../day-facts';
import { offsetSegments } from '../periods';
import type { PeriodType } from '../types';

/** What changed in a bucket, to be added to the buckets that contain it. */
export type BucketDelta = SummaryDelta;

const DAY_MS = 86_400_000;

export function emptyDelta(type: PeriodType, key: number, end: number | null): BucketDelta {
  return {
    type,
    key,
    end,
    pairs: new Map(),
    peaks: new Map(),
    totals: { clip_count: 0, total_views: 0, discord_shares: 0, discord_reactions: 0 },
    topGames: new Set(),
    firstLast: false,
  };
}

/** True when the day's facts did not change at all (nothing to carry). */
export function isEmptyDelta(delta: BucketDelta): boolean {
  const t = delta.totals;
  return (
    delta.pairs.size === 0 &&
    delta.peaks.size === 0 &&
    delta.topGames.size === 0 &&
    !delta.firstLast &&
    t.clip_count === 0 &&
    t.total_views === 0 &&
    t.discord_shares === 0 &&
    t.discord_reactions === 0
  );
}

export function mergeDelta(target: BucketDelta, delta: BucketDelta): void {
  for (const [key, p] of delta.pairs) {
    const t = target.pairs.get(key);
    if (!t) target.pairs.set(key, { ...p });
    else {
      t.n += p.n;
      t.views += p.views;
      t.shares += p.shares;
      t.reactions += p.reactions;
    }
  }
  for (const [index, cell] of delta.peaks) {
    const t = target.peaks.get(index);
    if (!t) target.peaks.set(index, { ...cell });
    else {
      t.clips += cell.clips;
      t.shares += cell.shares;
    }
  }
  target.totals.clip_count += delta.totals.clip_count;
  target.totals.total_views += delta.totals.total_views;
  target.totals.discord_shares += delta.totals.discord_shares;
  target.totals.discord_reactions += delta.totals.discord_reactions;
  for (const game of delta.topGames) target.topGames.add(game);
  target.firstLast ||= delta.firstLast;
}

type PairValues = Pick<Pair, 'n' | 'views' | 'shares' | 'reactions'>;
const NO_PAIR: PairValues = { n: 0, views: 0, shares: 0, reactions: 0 };

function isZero(p: PairValues): boolean {
  return p.n === 0 && p.views === 0 && p.shares === 0 && p.reactions === 0;
}

/**
 * A day's difference between its stored facts and its new ones (read from the raw tables). The caller stores the
 * day's new top clips when `topGames` is not empty; carrying then applies the difference to the day's own rows as to
 * its week's, month's and all_time's.
 */
export function replacedDayDelta(range: DayRange, day: DayFacts, stored: StoredDay): BucketDelta {
  const delta = emptyDelta('day', range.key, range.end);
  const rolled = rollUpDays(range.key, [day]);
  const seen = new Set<string>();
  for (const old of stored.pairs) {
    const key = pairKey(old.game_id, old.creator_id);
    seen.add(key);
    const now_ = rolled.pairs.get(key) ?? NO_PAIR;
    const d = {
      game: old.game_id,
      creator: old.creator_id,
      n: now_.n - old.n,
      views: now_.views - old.views,
      shares: now_.shares - old.shares,
      reactions: now_.reactions - old.reactions,
    };
    if (!isZero(d)) delta.pairs.set(key, d);
  }
  for (const [key, p] of rolled.pairs) if (!seen.has(key) && !isZero(p)) delta.pairs.set(key, { ...p });

  const cells = new Map<number, PeakCell>();
  for (const c of stored.cells) cells.set(c.weekday * 24 + c.hour, { clips: -c.clips, shares: -c.shares });
  for (const [index, cell] of rolled.facts.peaks) {
    const c = cells.get(index) ?? { clips: 0, shares: 0 };
    cells.set(index, { clips: c.clips + cell.clips, shares: c.shares + cell.shares });
  }
  for (const [index, c] of cells) if (c.clips !== 0 || c.shares !== 0) delta.peaks.set(index, c);

  const oldTotals = stored.totals;
  const t = rolled.facts.totals;
  delta.totals = {
    clip_count: t.clip_count - (oldTotals?.clip_count ?? 0),
    total_views: t.total_views - (oldTotals?.total_views ?? 0),
    discord_shares: t.discord_shares - (oldTotals?.discord_shares ?? 0),
    discord_reactions: t.discord_reactions - (oldTotals?.discord_reactions ?? 0),
  };
  delta.firstLast = t.first_clip_at !== (oldTotals?.first_clip_at ?? null) || t.last_clip_at !== (oldTotals?.last_clip_at ?? null);

  const tops = new Map(stored.tops.map((r) => [r.game_id, r]));
  for (const [game, clip] of day.tops) {
    const old = tops.get(game);
    if (!old || old.clip_id !== clip.id || old.title !== clip.title || old.views !== clip.views) delta.topGames.add(game);
    tops.delete(game);
  }
  for (const game of tops.keys()) delta.topGames.add(game);

  if (delta.firstLast) delta.span = { first: t.first_clip_at, last: t.last_clip_at };
  return delta;
}

/**
 * The difference of a day whose clips did not change: the engagement changes capture journaled for it, each
 * counted for its clip's current game and creator (or as uncounted engagement), at the local hour it happened.
 * Its clip counts, views, first/last and top clips stay as stored.
 */
export function journaledDelta(timezone: string, range: DayRange, rows: readonly JournalRow[]): BucketDelta {
  const delta = emptyDelta('day', range.key, range.end);
  if (rows.length === 0) return delta;
  const segments = offsetSegments(timezone, range.start, range.end);
  for (const row of rows) {
    delta.totals.discord_shares += row.shares;
    delta.totals.discord_reactions += row.reactions;
    if (row.game_id !== null && row.creator_id !== null) {
      const key = pairKey(row.game_id, row.creator_id);
      let pair = delta.pairs.get(key);
      if (!pair) delta.pairs.set(key, (pair = { game: row.game_id, creator: row.creator_id, n: 0, views: 0, shares: 0, reactions: 0 }));
      pair.shares += row.shares;
      pair.reactions += row.reactions;
    }
    if (row.shares !== 0) {
      // The local weekday and hour, as readDayFactRows (db/aggregation/raw-days.ts) computes them in SQL.
      const offset = (segments.find((s) => row.at < s.end) ?? segments[segments.length - 1])?.offset ?? 0;
      const local = row.at + offset;
      const index = ((Math.floor(local / DAY_MS) + 3) % 7) * 24 + Math.floor((local % DAY_MS) / HOUR_MS);
      const cell = delta.peaks.get(index);
      if (cell) cell.shares += row.shares;
      else delta.peaks.set(index, { clips: 0, shares: row.shares });
    }
  }
  for (const [key, pair] of delta.pairs) if (isZero(pair)) delta.pairs.delete(key);
  for (const [index, cell] of delta.peaks) if (cell.shares === 0) delta.peaks.delete(index);
  return delta;
}
