// An incremental run's writes: each changed day's difference added to its own rows, then the days' summed
// differences added to their weeks, months and all_time, touching only the rows and columns that change.
// Over 400 lines: carryDeltas's phases read what the phase before wrote, so they stay in one function.
import { run } from '../client';
import type { Db } from '../database';
import { queries } from '../sql';
import { readCreatorGames, readDaySpans, readTopClips } from './carry-reads';
import { SummaryNameCache } from './names';
import { type BucketRef, type BucketRowsIO, bucketRowKey, PostgresBucketRows, SqliteBucketRows, syncDayTops, type Values } from './sync';
import type { DayTopClipRow, PairCounts, SummaryDelta, SummaryRules, TopClip } from './types';

/** A day an incremental step carries: its new top clips when they changed, and its difference (null: none). */
export interface CarriedDay {
  key: number;
  start: number;
  end: number;
  tops: DayTopClipRow[] | null;
  delta: SummaryDelta | null;
}

/**
 * Carries the days (ascending) into their own rows, deleting their journaled engagement changes (now carried or
 * part of the recomputed facts), then the `buckets` differences into theirs. Call inside the step's transaction.
 */
export async function writeCarriedDays(
  db: Db,
  guildId: string,
  days: readonly CarriedDay[],
  buckets: Iterable<SummaryDelta>,
  rules: SummaryRules,
  now: number,
): Promise<void> {
  const q = queries(db);
  const names = new SummaryNameCache(db, guildId);
  if (db.engine === 'postgres' && days.length > 0) {
    // The days' journal in one statement (each is a round trip on PostgreSQL); carrying does not read it.
    await q.run(
      `DELETE FROM engagement_changes j
        USING (SELECT (x->>0)::bigint AS s, (x->>1)::bigint AS e FROM jsonb_array_elements(?::jsonb) AS x) AS b
        WHERE j.guild_id = ? AND j.at >= b.s AND j.at < b.e`,
      [JSON.stringify(days.map((d) => [d.start, d.end])), guildId],
    );
  }
  if (db.engine !== 'postgres' && days.length > 0) {
    // SQLite: a statement per day, all in one tick.
    await run(db, (c) => {
      const drop = c.statement('DELETE FROM engagement_changes WHERE guild_id = ? AND at >= ? AND at < ?');
      for (const day of days) drop.run(guildId, day.start, day.end);
    });
  }
  // The days' own rows first, then the weeks', months' and all_time's: their first and last clip times may be read
  // from the days' rows (see carryDeltas).
  const tops = days.filter((day) => day.tops !== null);
  if (tops.length > 0) {
    await syncDayTops(
      db,
      guildId,
      tops.map((day) => day.key),
      tops.flatMap((day) => day.tops ?? []),
    );
  }
  await carryDeltas(
    db,
    guildId,
    days.flatMap((day) => (day.delta ? [day.delta] : [])),
    rules,
    names,
    now,
  );
  await carryDeltas(db, guildId, [...buckets], rules, names, now);
}

type PairValues = Pick<PairCounts, 'n' | 'views' | 'shares' | 'reactions'>;
const NO_PAIR: PairValues = { n: 0, views: 0, shares: 0, reactions: 0 };

function isZero(p: PairValues): boolean {
  return p.n === 0 && p.views === 0 && p.shares === 0 && p.reactions === 0;
}

interface Change extends PairValues {
  /** Change in distinct counted partners (creators of a game, games of a creator). */
  partners: number;
  /** Whether the creator's top game must be looked up again. */
  retop: boolean;
}

interface GameRow {
  clip_count: number;
  total_views: number;
  unique_creators: number;
  discord_shares: number;
  discord_reactions: number;
  top_clip_id: string | null;
  top_clip_title: string | null;
  top_clip_views: number | null;
}

interface CreatorRow {
  clip_count: number;
  total_views: number;
  unique_games: number;
  discord_shares: number;
  discord_reactions: number;
  top_game_id: string | null;
}

interface StatsRow {
  clip_count: number;
  total_views: number;
  unique_creators: number;
  unique_games: number;
  discord_shares: number;
  discord_reactions: number;
  first_clip_at: number | null;
  last_clip_at: number | null;
}

/** One bucket's share of a carry: its difference, and what the phases below work out for it. */
interface Carry {
  delta: SummaryDelta;
  bucket: BucketRef;
  games: Map<string, Change>;
  creators: Map<string, Change>;
  gameWrites: Array<{ game: string; old: (Values & GameRow) | undefined; next: Values | null; top: TopClip | null | 'read' }>;
  creatorWrites: Array<{ creator: string; old: (Values & CreatorRow) | undefined; next: Values | null }>;
  countedGames: number;
  countedCreators: number;
}

/**
 * Adds the buckets' differences to their stored pairs, game and creator rows, totals and peak cells. The buckets are
 * carried together, a table at a time, so that on PostgreSQL a step costs about a dozen round trips, however many
 * buckets it carries: each phase reads the rows of every bucket in one statement and the writes go in one flush.
 * A bucket's rows are its own: what one bucket reads was written by an earlier call (the days' rows that the
 * weeks' first and last clip times come from) or by an earlier phase of its own.
 */
async function carryDeltas(
  db: Db,
  guildId: string,
  deltas: readonly SummaryDelta[],
  rules: SummaryRules,
  nameCache: SummaryNameCache,
  now: number,
): Promise<void> {
  if (deltas.length === 0) return;
  const bulk: BucketRowsIO = db.engine === 'postgres' ? new PostgresBucketRows(db, guildId) : new SqliteBucketRows(db, guildId);
  const carries: Carry[] = deltas.map((delta) => ({
    delta,
    bucket: { type: delta.type, start: delta.key },
    games: new Map(),
    creators: new Map(),
    gameWrites: [],
    creatorWrites: [],
    countedGames: 0,
    countedCreators: 0,
  }));

  // 1. Pairs. Above the day level pairs hold clips only (see pairRows in src/analytics/aggregate/rows.ts):
  // engagement alone does not touch them.
  const carriesPair = (type: string, p: PairValues): boolean => !isZero(p) && (type === 'day' || p.n !== 0 || p.views !== 0);
  const storedPairs = await bulk.read(
    'analytics_pair_facts',
    carries.flatMap(({ delta, bucket }) =>
      [...delta.pairs.values()].filter((p) => carriesPair(delta.type, p)).map((p) => ({ bucket, key: [p.game, p.creator] })),
    ),
  );
  const change = (map: Map<string, Change>, id: string): Change => {
    let ch = map.get(id);
    if (!ch) map.set(id, (ch = { n: 0, views: 0, shares: 0, reactions: 0, partners: 0, retop: false }));
    return ch;
  };
  for (const carry of carries) {
    const { delta, bucket, games, creators } = carry;
    for (const p of delta.pairs.values()) {
      if (isZero(p)) continue;
      let partners = 0;
      if (carriesPair(delta.type, p)) {
        const stored = storedPairs.get(bucketRowKey(bucket, [p.game, p.creator]));
        const old: PairValues | undefined = stored && {
          n: stored.clip_count as number,
          views: stored.total_views as number,
          shares: stored.discord_shares as number,
          reactions: stored.discord_reactions as number,
        };
        const was = old ?? NO_PAIR;
        const next =
          delta.type === 'day'
            ? { n: was.n + p.n, views: was.views + p.views, shares: was.shares + p.shares, reactions: was.reactions + p.reactions }
            : { n: was.n + p.n, views: was.views + p.views, shares: 0, reactions: 0 };
        const before = old && { clip_count: old.n, total_views: old.views, discord_shares: old.shares, discord_reactions: old.reactions };
        const after =
          next.n === 0 && next.shares === 0 && next.reactions === 0
            ? null
            : { clip_count: next.n, total_views: next.views, discord_shares: next.shares, discord_reactions: next.reactions };
        bulk.write('analytics_pair_facts', bucket, { game_id: p.game, creator_id: p.creator }, before, after);
        partners = (next.n > 0 ? 1 : 0) - (was.n > 0 ? 1 : 0);
      }
      for (const ch of [change(games, p.game), change(creators, p.creator)]) {
        ch.n += p.n;
        ch.views += p.views;
        ch.shares += p.shares;
        ch.reactions += p.reactions;
        ch.partners += partners;
      }
      if (p.n !== 0 || p.views !== 0) change(creators, p.creator).retop = true;
    }
    for (const game of delta.topGames) change(games, game);
  }
  // The creators' top games below read the pairs just written.
  await bulk.flush(now, 'analytics_pair_facts');

  // 2. Games and creators: their stored rows, the pairs of creators whose top game may change, and top clips.
  const storedGames = await bulk.read(
    'game_analytics',
    carries.flatMap(({ bucket, games }) => [...games.keys()].map((g) => ({ bucket, key: [g] }))),
  );
  const storedCreators = await bulk.read(
    'creator_analytics',
    carries.flatMap(({ bucket, creators }) => [...creators.keys()].map((c) => ({ bucket, key: [c] }))),
  );
  const creatorGames = await readCreatorGames(
    db,
    guildId,
    carries.map(({ bucket, creators }) => ({
      bucket,
      creators: [...creators].filter(([id, ch]) => ch.retop || !storedCreators.has(bucketRowKey(bucket, [id]))).map(([id]) => id),
    })),
  );
  for (const carry of carries) {
    const { delta, bucket } = carry;
    for (const [game, ch] of carry.games) {
      const old = storedGames.get(bucketRowKey(bucket, [game])) as (Values & GameRow) | undefined;
      const n = (old?.clip_count ?? 0) + ch.n;
      const views = (old?.total_views ?? 0) + ch.views;
      const shares = (old?.discord_shares ?? 0) + ch.shares;
      const reactions = (old?.discord_reactions ?? 0) + ch.reactions;
      carry.countedGames += (n > 0 ? 1 : 0) - ((old?.clip_count ?? 0) > 0 ? 1 : 0);
      if (n === 0 && shares === 0 && reactions === 0) {
        carry.gameWrites.push({ game, old, next: null, top: null });
        continue;
      }
      const top = delta.topGames.has(game)
        ? 'read'
        : old && old.top_clip_id !== null
          ? { id: old.top_clip_id, title: old.top_clip_title ?? '', views: old.top_clip_views ?? 0 }
          : null;
      carry.gameWrites.push({
        game,
        old,
        top,
        next: {
          game_name: '',
          period_end: delta.end,
          clip_count: n,
          total_views: views,
          avg_view_count: rules.average(views, n),
          unique_creators: (old?.unique_creators ?? 0) + ch.partners,
          discord_shares: shares,
          discord_reactions: reactions,
          top_clip_id: null,
          top_clip_title: null,
          top_clip_views: null,
        },
      });
    }
  }
  const topRequests = carries.flatMap(({ delta, gameWrites }) =>
    gameWrites
      .filter((w) => w.top === 'read')
      .map((w) => ({ write: w, game: w.game, start: delta.type === 'all_time' ? null : delta.key, end: delta.end })),
  );
  const topClips = await readTopClips(db, guildId, topRequests, rules);
  topRequests.forEach((request, i) => {
    request.write.top = topClips[i] ?? null;
  });
  for (const carry of carries) {
    for (const w of carry.gameWrites) {
      if (!w.next) continue;
      const top = w.top === 'read' ? null : w.top;
      w.next.top_clip_id = top?.id ?? null;
      w.next.top_clip_title = top?.title ?? null;
      w.next.top_clip_views = top?.views ?? null;
    }
    const { delta, bucket } = carry;
    const tops = creatorGames.get(JSON.stringify([bucket.type, bucket.start]));
    for (const [creator, ch] of carry.creators) {
      const old = storedCreators.get(bucketRowKey(bucket, [creator])) as (Values & CreatorRow) | undefined;
      const n = (old?.clip_count ?? 0) + ch.n;
      const views = (old?.total_views ?? 0) + ch.views;
      const shares = (old?.discord_shares ?? 0) + ch.shares;
      const reactions = (old?.discord_reactions ?? 0) + ch.reactions;
      carry.countedCreators += (n > 0 ? 1 : 0) - ((old?.clip_count ?? 0) > 0 ? 1 : 0);
      if (n === 0 && shares === 0 && reactions === 0) {
        carry.creatorWrites.push({ creator, old, next: null });
        continue;
      }
      let topGame = old?.top_game_id ?? null;
      if (ch.retop || !old) {
        // Most clips, then most views, then the smaller game id (as analytics/day-facts.ts factsFromPairs).
        let best: { game_id: string; n: number; views: number } | null = null;
        for (const e of tops?.get(creator) ?? []) {
          if (!best || e.n > best.n || (e.n === best.n && (e.views > best.views || (e.views === best.views && e.game_id < best.game_id))))
            best = e;
        }
        topGame = best ? best.game_id : null;
      }
      carry.creatorWrites.push({
        creator,
        old,
        next: {
          creator_name: '',
          period_end: delta.end,
          clip_count: n,
          total_views: views,
          avg_views: rules.average(views, n),
          discord_shares: shares,
          discord_reactions: reactions,
          unique_games: (old?.unique_games ?? 0) + ch.partners,
          top_game_id: topGame,
          top_game_name: null,
        },
      });
    }
  }

  // Names of every game and creator written, read in one go.
  const named = carries.flatMap((c) => c.creatorWrites.filter((w) => w.next !== null));
  const names = await nameCache.read({
    creators: named.map((w) => w.creator),
    games: [
      ...carries.flatMap((c) => c.gameWrites.filter((w) => w.next !== null).map((w) => w.game)),
      ...named.flatMap((w) => (w.next?.top_game_id == null ? [] : [w.next.top_game_id as string])),
    ],
  });
  for (const { bucket, gameWrites, creatorWrites } of carries) {
    for (const w of gameWrites) {
      if (w.next) w.next.game_name = names.gameName(w.game);
      bulk.write('game_analytics', bucket, { game_id: w.game }, w.old, w.next);
    }
    for (const w of creatorWrites) {
      if (w.next) {
        w.next.creator_name = names.creatorName(w.creator);
        const topGame = w.next.top_game_id as string | null;
        w.next.top_game_name = topGame === null ? null : names.gameName(topGame);
      }
      bulk.write('creator_analytics', bucket, { creator_id: w.creator }, w.old, w.next);
    }
  }

  // 3. Totals: the buckets whose totals change, their stored rows, and the first and last clip times to look up.
  const totalled = carries.filter(({ delta: { totals: t, firstLast }, countedGames, countedCreators }) => {
    return (
      t.clip_count !== 0 ||
      t.total_views !== 0 ||
      t.discord_shares !== 0 ||
      t.discord_reactions !== 0 ||
      countedGames !== 0 ||
      countedCreators !== 0 ||
      firstLast
    );
  });
  const storedStats = await bulk.read(
    'guild_period_stats',
    totalled.map(({ bucket }) => ({ bucket, key: [] })),
  );
  const stats = totalled.map((carry) => {
    const old = storedStats.get(bucketRowKey(carry.bucket, [])) as (Values & StatsRow) | undefined;
    const t = carry.delta.totals;
    const clipCount = (old?.clip_count ?? 0) + t.clip_count;
    const shares = (old?.discord_shares ?? 0) + t.discord_shares;
    const reactions = (old?.discord_reactions ?? 0) + t.discord_reactions;
    const empty = clipCount === 0 && shares === 0 && reactions === 0;
    return { carry, old, clipCount, shares, reactions, empty, readSpan: !empty && !carry.delta.span && carry.delta.firstLast };
  });
  const spans = await readDaySpans(
    db,
    guildId,
    stats
      .filter((s) => s.readSpan)
      .map(({ carry: { delta } }) => ({
        from: delta.type === 'all_time' ? Number.MIN_SAFE_INTEGER : delta.key,
        to: delta.end ?? Number.MAX_SAFE_INTEGER,
      })),
  );
  let spanIndex = 0;
  for (const { carry, old, clipCount, shares, reactions, empty, readSpan } of stats) {
    const { delta, bucket } = carry;
    let next: Values | null = null;
    if (!empty) {
      let first = old?.first_clip_at ?? null;
      let last = old?.last_clip_at ?? null;
      if (delta.span) {
        first = delta.span.first;
        last = delta.span.last;
      } else if (readSpan) {
        const span = spans[spanIndex++];
        first = span?.first ?? null;
        last = span?.last ?? null;
      }
      next = {
        period_end: delta.end,
        clip_count: clipCount,
        total_views: (old?.total_views ?? 0) + delta.totals.total_views,
        unique_creators: (old?.unique_creators ?? 0) + carry.countedCreators,
        unique_games: (old?.unique_games ?? 0) + carry.countedGames,
        discord_shares: shares,
        discord_reactions: reactions,
        first_clip_at: first,
        last_clip_at: last,
      };
    }
    bulk.write('guild_period_stats', bucket, {}, old, next);
  }

  // 4. Peak cells, then every collected write.
  const storedCells = await bulk.read(
    'guild_peak_activity',
    carries.flatMap(({ delta, bucket }) => [...delta.peaks.keys()].map((index) => ({ bucket, key: [Math.floor(index / 24), index % 24] }))),
  );
  for (const { delta, bucket } of carries) {
    for (const [index, d] of delta.peaks) {
      const weekday = Math.floor(index / 24);
      const hour = index % 24;
      const old = storedCells.get(bucketRowKey(bucket, [weekday, hour])) as (Values & { clips: number; shares: number }) | undefined;
      const clips = (old?.clips ?? 0) + d.clips;
      const shares = (old?.shares ?? 0) + d.shares;
      bulk.write('guild_peak_activity', bucket, { weekday, hour }, old, clips === 0 && shares === 0 ? null : { clips, shares });
    }
  }
  await bulk.flush(now);
}
