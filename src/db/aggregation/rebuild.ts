// A full rebuild's writes: buckets of one period type made equal to their rolled-up rows, then the guild's summaries
// trimmed to its data, its journal and pending days cleared and its state marked current.
import { run } from '../client';
import type { Db } from '../database';
import { queries } from '../sql';
import { recordRun } from './state';
import { syncDayTops, syncRowsOn, syncRowsPostgres, type SummaryTable } from './sync';
import type { BucketRows, DayTopClipRow } from './types';

const SUMMARY_TABLES: readonly SummaryTable[] = [
  'game_analytics',
  'creator_analytics',
  'guild_period_stats',
  'guild_peak_activity',
  'analytics_pair_facts',
];

/**
 * Makes the rows of the buckets `keys` of one period type equal to `rows` (and, for days, their top clips): on SQLite
 * row by row on the connection, on PostgreSQL one set-based statement per table.
 */
export async function writeBuckets(
  db: Db,
  guildId: string,
  type: string,
  keys: number[],
  rows: BucketRows,
  dayTops: readonly DayTopClipRow[] | null,
  now: number,
): Promise<void> {
  if (db.engine === 'postgres') {
    for (const table of SUMMARY_TABLES) await syncRowsPostgres(db, table, guildId, type, keys, rows[table], now);
  } else {
    await run(db, (c) => {
      for (const table of SUMMARY_TABLES) syncRowsOn(c, table, guildId, type, keys, rows[table], now);
    });
  }
  if (dayTops) await syncDayTops(db, guildId, keys, dayTops);
}

/**
 * The last write of a rebuild (call inside a transaction): deletes the buckets outside each period type's span of
 * rebuilt keys (null: none), the pending days and the engagement journal, turns the guild's engagement-only dirty
 * hours into full ones, and records the rebuild.
 */
export async function finishRebuild(
  db: Db,
  guildId: string,
  spans: ReadonlyMap<string, { first: number; last: number } | null>,
  timezone: string,
  now: number,
): Promise<void> {
  const q = queries(db);
  for (const [type, span] of spans) {
    for (const table of SUMMARY_TABLES) {
      await q.run(`DELETE FROM ${table} WHERE guild_id = ? AND period_type = ? AND (period_start < ? OR period_start > ?)`, [
        guildId,
        type,
        span ? span.first : 1,
        span ? span.last : 0,
      ]);
    }
  }
  const daySpan = spans.get('day') ?? null;
  await q.run('DELETE FROM analytics_day_top_clips WHERE guild_id = ? AND (day_start < ? OR day_start > ?)', [
    guildId,
    daySpan ? daySpan.first : 1,
    daySpan ? daySpan.last : 0,
  ]);
  await q.run('DELETE FROM aggregation_pending WHERE guild_id = ?', [guildId]);
  // Capture may have written between the rebuild's reads and now, and the rebuilt days may or may not hold those
  // writes: their journaled changes go, and the hours they marked are recomputed in full by the next run. (The
  // journal goes first: on PostgreSQL a capture committing between the two statements leaves its journal entry and
  // its mark, which the update then makes a full one, so the next run recomputes that day from the raw tables.)
  await q.run('DELETE FROM engagement_changes WHERE guild_id = ?', [guildId]);
  await q.run('UPDATE dirty_hours SET engagement_only = ? WHERE guild_id = ? AND engagement_only <> ?', [false, guildId, false]);
  await recordRun(db, guildId, [...spans.keys()], timezone, now, true);
}

/**
 * PostgreSQL, after full rebuilds: fresh planner statistics for the summary tables. Until autovacuum's next ANALYZE the
 * planner takes a table rebuilt from empty for a tiny one: the next incremental run's set-based mood writes (which
 * join their changes to the stored rows) would read the guild's every mood row where they need a few by key, and its
 * probes of creator and game rows by key would take a leaderboard index and scan the bucket for each key (ADR 0046).
 * (A role that does not own the tables gets a warning from the server, not an error.)
 */
export async function analyzeSummaries(db: Db): Promise<void> {
  if (db.engine === 'postgres') {
    await queries(db).run(
      `ANALYZE analytics_clip_moods, analytics_mood_mixes, guild_period_stats, game_analytics, creator_analytics,
               guild_peak_activity, analytics_pair_facts, analytics_day_top_clips`,
    );
  }
}
