// The reads an incremental carry makes besides the summary rows themselves (./sync.ts): creators' counted games, games'
// top clips and days' first and last clip times, for all the buckets of a step at once (one statement on PostgreSQL).
import { run } from '../client';
import type { Db } from '../database';
import { queries } from '../sql';
import type { BucketRef } from './sync';
import type { SummaryRules, TopClip } from './types';

export type CreatorGames = Map<string, Array<{ game_id: string; n: number; views: number }>>;

/**
 * The counted (game, clips, views) of each creator in each bucket, for their top games, by the JSON of [period type,
 * period start]: one statement on PostgreSQL (a scan of each bucket's pairs for its creators), one read per creator
 * in one tick on SQLite.
 */
export async function readCreatorGames(
  db: Db,
  guildId: string,
  requests: ReadonlyArray<{ bucket: BucketRef; creators: readonly string[] }>,
): Promise<Map<string, CreatorGames>> {
  const byBucket = new Map<string, CreatorGames>();
  const wanted = requests.filter((r) => r.creators.length > 0);
  if (wanted.length === 0) return byBucket;
  if (db.engine !== 'postgres') {
    return run(db, (c) => {
      const statement = c.statement<[string, string, number, string], { game_id: string; n: number; views: number }>(
        `SELECT game_id, clip_count AS n, total_views AS views FROM analytics_pair_facts
          WHERE guild_id = ? AND period_type = ? AND period_start = ? AND creator_id = ? AND clip_count > 0`,
      );
      for (const { bucket, creators } of wanted) {
        const byCreator: CreatorGames = new Map();
        for (const creator of creators) byCreator.set(creator, statement.all(guildId, bucket.type, bucket.start, creator));
        byBucket.set(JSON.stringify([bucket.type, bucket.start]), byCreator);
      }
      return byBucket;
    });
  }
  // Per bucket (LATERAL, fenced by OFFSET 0): its pairs' index range, filtered by its creators (an array, as
  // KEYS_IN_JSON_LIST in ../sql.ts explains).
  const rows = await queries(db).all<{
    period_type: string;
    period_start: number;
    creator_id: string;
    game_id: string;
    n: number;
    views: number;
  }>(
    `SELECT r->>0 AS period_type, (r->>1)::bigint AS period_start, x.creator_id, x.game_id, x.n, x.views
       FROM jsonb_array_elements(?::jsonb) AS r
       CROSS JOIN LATERAL (
         SELECT creator_id, game_id, clip_count AS n, total_views AS views FROM analytics_pair_facts
          WHERE guild_id = ? AND period_type = (r->>0) COLLATE "C" AND period_start = (r->>1)::bigint AND clip_count > 0
            AND creator_id = ANY (ARRAY(SELECT c COLLATE "C" FROM jsonb_array_elements_text(r->2) AS c))
         OFFSET 0) AS x`,
    [JSON.stringify(wanted.map((r) => [r.bucket.type, r.bucket.start, r.creators])), guildId],
  );
  for (const r of rows) {
    const id = JSON.stringify([r.period_type, Number(r.period_start)]);
    let byCreator = byBucket.get(id);
    if (!byCreator) byBucket.set(id, (byCreator = new Map()));
    let list = byCreator.get(r.creator_id);
    if (!list) byCreator.set(r.creator_id, (list = []));
    list.push({ game_id: r.game_id, n: r.n, views: r.views });
  }
  return byBucket;
}

/**
 * Each game's top clip over the stored day tops of its bucket [start, end), or of all days when start is null: the
 * rows with the most views (the rules' first order), the best of them by the rules. One statement on PostgreSQL, a
 * read per game on SQLite.
 */
export async function readTopClips(
  db: Db,
  guildId: string,
  requests: ReadonlyArray<{ game: string; start: number | null; end: number | null }>,
  rules: SummaryRules,
): Promise<Array<TopClip | null>> {
  if (requests.length === 0) return [];
  type Found = { i: number; clip_id: string; title: string; views: number };
  const ranges = requests.map((r) => [r.game, r.start ?? Number.MIN_SAFE_INTEGER, r.end ?? Number.MAX_SAFE_INTEGER] as const);
  let found: Found[];
  if (db.engine === 'postgres') {
    found = await queries(db).all<Found>(
      `SELECT (r.i - 1)::integer AS i, x.clip_id, x.title, x.views
         FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS r(v, i)
         CROSS JOIN LATERAL (
           SELECT clip_id, title, views FROM analytics_day_top_clips t
            WHERE t.guild_id = ? AND t.game_id = (r.v->>0) COLLATE "C"
              AND t.day_start >= (r.v->>1)::bigint AND t.day_start < (r.v->>2)::bigint
              AND t.views = (SELECT max(views) FROM analytics_day_top_clips m
                              WHERE m.guild_id = t.guild_id AND m.game_id = t.game_id
                                AND m.day_start >= (r.v->>1)::bigint AND m.day_start < (r.v->>2)::bigint)
           OFFSET 0) AS x`,
      [JSON.stringify(ranges), guildId],
    );
  } else {
    found = await run(db, (c) => {
      const statement = c.statement<[string, string, number, number, string, string, number, number], Omit<Found, 'i'>>(
        `SELECT clip_id, title, views FROM analytics_day_top_clips t
          WHERE guild_id = ? AND game_id = ? AND day_start >= ? AND day_start < ?
            AND views = (SELECT max(views) FROM analytics_day_top_clips WHERE guild_id = ? AND game_id = ? AND day_start >= ? AND day_start < ?)`,
      );
      return ranges.flatMap(([game, from, to], i) =>
        statement.all(guildId, game, from, to, guildId, game, from, to).map((row) => ({ i, ...row })),
      );
    });
  }
  const best: Array<TopClip | null> = requests.map(() => null);
  for (const r of found) {
    const candidate = { id: r.clip_id, title: r.title, views: r.views };
    if (rules.betterTopClip(candidate, best[r.i] ?? null)) best[r.i] = candidate;
  }
  return best;
}

/** The first and last clip times of the stored days in each [from, to): one statement on PostgreSQL. */
export async function readDaySpans(
  db: Db,
  guildId: string,
  ranges: ReadonlyArray<{ from: number; to: number }>,
): Promise<Array<{ first: number | null; last: number | null }>> {
  if (ranges.length === 0) return [];
  const sql = `SELECT min(first_clip_at) AS first, max(last_clip_at) AS last FROM guild_period_stats
                WHERE guild_id = ? AND period_type = 'day' AND period_start >= ? AND period_start < ?`;
  if (db.engine !== 'postgres') {
    return run(db, (c) => {
      const statement = c.statement<[string, number, number], { first: number | null; last: number | null }>(sql);
      return ranges.map((r) => statement.get(guildId, r.from, r.to) ?? { first: null, last: null });
    });
  }
  const rows = await queries(db).all<{ i: number; first: number | null; last: number | null }>(
    `SELECT (r.i - 1)::integer AS i, x.first, x.last FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS r(v, i)
       CROSS JOIN LATERAL (
         SELECT min(first_clip_at) AS first, max(last_clip_at) AS last FROM guild_period_stats
          WHERE guild_id = ? AND period_type = 'day' AND period_start >= (r.v->>0)::bigint AND period_start < (r.v->>1)::bigint) AS x`,
    [JSON.stringify(ranges.map((r) => [r.from, r.to])), guildId],
  );
  const spans = ranges.map(() => ({ first: null as number | null, last: null as number | null }));
  for (const r of rows) spans[r.i] = { first: r.first, last: r.last };
  return spans;
}
