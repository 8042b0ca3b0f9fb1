// An incremental run's writes: each changed day's difference added to its own rows, then the days' summed
// differences added to their weeks, months and all_time, touching only the rows and columns that change.
import type { Db } from '../database';
import { queries, type Queries } from '../sql';
import { SummaryNameCache } from './names';
import { run } from '../client';
import { type BucketRowsIO, PostgresBucketRows, SqliteBucketRows, syncDayTops, type Values } from './sync';
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
  for (const day of days) {
    if (day.tops) await syncDayTops(db, guildId, [day.key], day.tops);
    if (day.delta) await carryDelta(db, guildId, day.delta, rules, names, now);
  }
  for (const delta of buckets) await carryDelta(db, guildId, delta, rules, names, now);
}

type PairValues = Pick<PairCounts, 'n' | 'views' | 'shares' | 'reactions'>;
const NO_PAIR: PairValues = { n: 0, views: 0, shares: 0, reactions: 0 };

function isZero(p: PairValues): boolean {
  return p.n === 0 && p.views === 0 && p.shares === 0 && p.reactions === 0;
}

/** Adds a bucket's difference to its stored pairs, game and creator rows, totals and peak cells. */
async function carryDelta(
  db: Db,
  guildId: string,
  delta: SummaryDelta,
  rules: SummaryRules,
  nameCache: SummaryNameCache,
  now: number,
): Promise<void> {
  const q = queries(db);
  const { type, key, end } = delta;
  const bucket = { guild_id: guildId, period_type: type, period_start: key };
  // PostgreSQL reads each table's rows of the bucket in one statement and writes them in two (see PostgresBucketRows);
  // SQLite runs its per-row statements a table at a time, in one tick each (SqliteBucketRows).
  const bulk: BucketRowsIO =
    db.engine === 'postgres' ? new PostgresBucketRows(db, guildId, type, key) : new SqliteBucketRows(db, guildId, type, key);
  const carried = [...delta.pairs.values()].filter((p) => !isZero(p) && (type === 'day' || p.n !== 0 || p.views !== 0));
  const storedPairs = await bulk.read(
    'analytics_pair_facts',
    carried.map((p) => [p.game, p.creator]),
  );
  interface Change extends PairValues {
    /** Change in distinct counted partners (creators of a game, games of a creator). */
    partners: number;
    /** Whether the creator's top game must be looked up again. */
    retop: boolean;
  }
  const change = (map: Map<string, Change>, id: string): Change => {
    let ch = map.get(id);
    if (!ch) map.set(id, (ch = { n: 0, views: 0, shares: 0, reactions: 0, partners: 0, retop: false }));
    return ch;
  };
  const games = new Map<string, Change>();
  const creators = new Map<string, Change>();
  for (const p of delta.pairs.values()) {
    if (isZero(p)) continue;
    let partners = 0;
    // Above the day level pairs hold clips only (see pairRows in src/analytics/aggregate/rows.ts): engagement alone does not touch them.
    if (type === 'day' || p.n !== 0 || p.views !== 0) {
      const stored = storedPairs.get(JSON.stringify([p.game, p.creator]));
      const old: PairValues | undefined = stored && {
        n: stored.clip_count as number,
        views: stored.total_views as number,
        shares: stored.discord_shares as number,
        reactions: stored.discord_reactions as number,
      };
      const was = old ?? NO_PAIR;
      const next =
        type === 'day'
          ? { n: was.n + p.n, views: was.views + p.views, shares: was.shares + p.shares, reactions: was.reactions + p.reactions }
          : { n: was.n + p.n, views: was.views + p.views, shares: 0, reactions: 0 };
      const before = old && { clip_count: old.n, total_views: old.views, discord_shares: old.shares, discord_reactions: old.reactions };
      const after =
        next.n === 0 && next.shares === 0 && next.reactions === 0
          ? null
          : { clip_count: next.n, total_views: next.views, discord_shares: next.shares, discord_reactions: next.reactions };
      bulk.write('analytics_pair_facts', { game_id: p.game, creator_id: p.creator }, before, after);
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
  // The creators' top games below read the pairs just written.
  await bulk.flush(now, 'analytics_pair_facts');
  const storedGames = await bulk.read(
    'game_analytics',
    [...games.keys()].map((g) => [g]),
  );
  const storedCreators = await bulk.read(
    'creator_analytics',
    [...creators.keys()].map((c) => [c]),
  );
  const retopped = [...creators].filter(([id, ch]) => ch.retop || !storedCreators.has(JSON.stringify([id]))).map(([id]) => id);
  const creatorGames = await readCreatorGames(db, guildId, type, key, retopped);

  // Old rows and new values first, then the names of every game and creator written, read in one go.
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
  const gameWrites: Array<{ game: string; old: (Values & GameRow) | undefined; next: Values | null }> = [];
  let countedGames = 0;
  for (const [game, ch] of games) {
    const old = storedGames.get(JSON.stringify([game])) as (Values & GameRow) | undefined;
    const n = (old?.clip_count ?? 0) + ch.n;
    const views = (old?.total_views ?? 0) + ch.views;
    const shares = (old?.discord_shares ?? 0) + ch.shares;
    const reactions = (old?.discord_reactions ?? 0) + ch.reactions;
    countedGames += (n > 0 ? 1 : 0) - ((old?.clip_count ?? 0) > 0 ? 1 : 0);
    const empty = n === 0 && shares === 0 && reactions === 0;
    const top = empty
      ? null
      : delta.topGames.has(game)
        ? await topClip(q, guildId, game, type === 'all_time' ? null : key, end, rules)
        : old && old.top_clip_id !== null
          ? { id: old.top_clip_id, title: old.top_clip_title ?? '', views: old.top_clip_views ?? 0 }
          : null;
    gameWrites.push({
      game,
      old,
      next: empty
        ? null
        : {
            game_name: '',
            period_end: end,
            clip_count: n,
            total_views: views,
            avg_view_count: rules.average(views, n),
            unique_creators: (old?.unique_creators ?? 0) + ch.partners,
            discord_shares: shares,
            discord_reactions: reactions,
            top_clip_id: top?.id ?? null,
            top_clip_title: top?.title ?? null,
            top_clip_views: top?.views ?? null,
          },
    });
  }

  const creatorWrites: Array<{ creator: string; old: (Values & CreatorRow) | undefined; next: Values | null }> = [];
  let countedCreators = 0;
  for (const [creator, ch] of creators) {
    const old = storedCreators.get(JSON.stringify([creator])) as (Values & CreatorRow) | undefined;
    const n = (old?.clip_count ?? 0) + ch.n;
    const views = (old?.total_views ?? 0) + ch.views;
    const shares = (old?.discord_shares ?? 0) + ch.shares;
    const reactions = (old?.discord_reactions ?? 0) + ch.reactions;
    countedCreators += (n > 0 ? 1 : 0) - ((old?.clip_count ?? 0) > 0 ? 1 : 0);
    if (n === 0 && shares === 0 && reactions === 0) {
      creatorWrites.push({ creator, old, next: null });
      continue;
    }
    let topGame = old?.top_game_id ?? null;
    if (ch.retop || !old) {
      // Most clips, then most views, then the smaller game id (as analytics/day-facts.ts factsFromPairs).
      let best: { game_id: string; n: number; views: number } | null = null;
      const pairs = creatorGames.get(creator) ?? [];
      for (const e of pairs) {
        if (!best || e.n > best.n || (e.n === best.n && (e.views > best.views || (e.views === best.views && e.game_id < best.game_id))))
          best = e;
      }
      topGame = best ? best.game_id : null;
    }
    creatorWrites.push({
      creator,
      old,
      next: {
        creator_name: '',
        period_end: end,
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

  const named = creatorWrites.filter((w) => w.next !== null);
  const names = await nameCache.read({
    creators: named.map((w) => w.creator),
    games: [
      ...gameWrites.filter((w) => w.next !== null).map((w) => w.game),
      ...named.flatMap((w) => (w.next?.top_game_id == null ? [] : [w.next.top_game_id as string])),
    ],
  });
  for (const w of gameWrites) {
    if (w.next) w.next.game_name = names.gameName(w.game);
    bulk.write('game_analytics', { game_id: w.game }, w.old, w.next);
  }
  for (const w of creatorWrites) {
    if (w.next) {
      w.next.creator_name = names.creatorName(w.creator);
      const topGame = w.next.top_game_id as string | null;
      w.next.top_game_name = topGame === null ? null : names.gameName(topGame);
    }
    bulk.write('creator_analytics', { creator_id: w.creator }, w.old, w.next);
  }

  const t = delta.totals;
  if (
    t.clip_count !== 0 ||
    t.total_views !== 0 ||
    t.discord_shares !== 0 ||
    t.discord_reactions !== 0 ||
    countedGames !== 0 ||
    countedCreators !== 0 ||
    delta.firstLast
  ) {
    const old = await q.get<
      Values & {
        clip_count: number;
        total_views: number;
        unique_creators: number;
        unique_games: number;
        discord_shares: number;
        discord_reactions: number;
        first_clip_at: number | null;
        last_clip_at: number | null;
      }
    >(
      `SELECT period_end, clip_count, total_views, unique_creators, unique_games, discord_shares, discord_reactions, first_clip_at, last_clip_at
         FROM guild_period_stats WHERE guild_id = ? AND period_type = ? AND period_start = ?`,
      [guildId, type, key],
    );
    const clipCount = (old?.clip_count ?? 0) + t.clip_count;
    const shares = (old?.discord_shares ?? 0) + t.discord_shares;
    const reactions = (old?.discord_reactions ?? 0) + t.discord_reactions;
    let next: Values | null = null;
    if (clipCount !== 0 || shares !== 0 || reactions !== 0) {
      let first = old?.first_clip_at ?? null;
      let last = old?.last_clip_at ?? null;
      if (delta.span) {
        first = delta.span.first;
        last = delta.span.last;
      } else if (delta.firstLast) {
        const span = await q.get<{ first: number | null; last: number | null }>(
          `SELECT min(first_clip_at) AS first, max(last_clip_at) AS last FROM guild_period_stats
            WHERE guild_id = ? AND period_type = 'day' AND period_start >= ? AND period_start < ?`,
          [guildId, type === 'all_time' ? Number.MIN_SAFE_INTEGER : key, end ?? Number.MAX_SAFE_INTEGER],
        );
        first = span?.first ?? null;
        last = span?.last ?? null;
      }
      next = {
        period_end: end,
        clip_count: clipCount,
        total_views: (old?.total_views ?? 0) + t.total_views,
        unique_creators: (old?.unique_creators ?? 0) + countedCreators,
        unique_games: (old?.unique_games ?? 0) + countedGames,
        discord_shares: shares,
        discord_reactions: reactions,
        first_clip_at: first,
        last_clip_at: last,
      };
    }
    bulk.write('guild_period_stats', {}, old, next);
  }

  const cells = [...delta.peaks.keys()].map((index) => [Math.floor(index / 24), index % 24]);
  const storedCells = await bulk.read('guild_peak_activity', cells);
  for (const [index, d] of delta.peaks) {
    const weekday = Math.floor(index / 24);
    const hour = index % 24;
    const old = storedCells.get(JSON.stringify([weekday, hour])) as (Values & { clips: number; shares: number }) | undefined;
    const clips = (old?.clips ?? 0) + d.clips;
    const shares = (old?.shares ?? 0) + d.shares;
    const next = clips === 0 && shares === 0 ? null : { clips, shares };
    bulk.write('guild_peak_activity', { weekday, hour }, old, next);
  }
  await bulk.flush(now);
}

/**
 * The counted (game, clips, views) of each creator in a bucket, for their top games: in one statement on PostgreSQL,
 * one per creator in one tick on SQLite.
 */
async function readCreatorGames(
  db: Db,
  guildId: string,
  type: string,
  key: number,
  creators: readonly string[],
): Promise<Map<string, Array<{ game_id: string; n: number; views: number }>>> {
  if (creators.length === 0) return new Map();
  if (db.engine !== 'postgres') {
    return run(db, (c) => {
      const statement = c.statement<[string, string, number, string], { game_id: string; n: number; views: number }>(
        `SELECT game_id, clip_count AS n, total_views AS views FROM analytics_pair_facts
          WHERE guild_id = ? AND period_type = ? AND period_start = ? AND creator_id = ? AND clip_count > 0`,
      );
      const byCreator = new Map<string, Array<{ game_id: string; n: number; views: number }>>();
      for (const creator of creators) byCreator.set(creator, statement.all(guildId, type, key, creator));
      return byCreator;
    });
  }
  const rows = await queries(db).all<{ creator_id: string; game_id: string; n: number; views: number }>(
    `SELECT creator_id, game_id, clip_count AS n, total_views AS views FROM analytics_pair_facts
      WHERE guild_id = ? AND period_type = ? AND period_start = ? AND clip_count > 0
        AND creator_id = ANY (ARRAY(SELECT c COLLATE "C" FROM jsonb_array_elements_text(?::jsonb) AS c))`,
    [guildId, type, key, JSON.stringify(creators)],
  );
  const byCreator = new Map<string, Array<{ game_id: string; n: number; views: number }>>();
  for (const r of rows) {
    let list = byCreator.get(r.creator_id);
    if (!list) byCreator.set(r.creator_id, (list = []));
    list.push({ game_id: r.game_id, n: r.n, views: r.views });
  }
  return byCreator;
}

/** A game's top clip over the stored day tops: of one bucket [start, end), or of all days when start is null. */
async function topClip(
  q: Queries,
  guildId: string,
  game: string,
  start: number | null,
  end: number | null,
  rules: SummaryRules,
): Promise<TopClip | null> {
  const rows =
    start === null
      ? await q.all<{ clip_id: string; title: string; views: number }>(
          `SELECT clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ? AND game_id = ?
              AND views = (SELECT max(views) FROM analytics_day_top_clips WHERE guild_id = ? AND game_id = ?)`,
          [guildId, game, guildId, game],
        )
      : await q.all<{ clip_id: string; title: string; views: number }>(
          'SELECT clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ? AND game_id = ? AND day_start >= ? AND day_start < ?',
          [guildId, game, start, end ?? Number.MAX_SAFE_INTEGER],
        );
  let best: TopClip | null = null;
  for (const r of rows) {
    const candidate = { id: r.clip_id, title: r.title, views: r.views };
    if (rules.betterTopClip(candidate, best)) best = candidate;
  }
  return best;
}
