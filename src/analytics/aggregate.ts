// Keeps the summary tables (game_analytics, creator_analytics, guild_period_stats, guild_peak_activity) in step
// with the raw tables: a full rebuild, or only the buckets whose hours capture and enrichment marked dirty.
//
// Crash safety: dirty hours become pending buckets and are deleted in one transaction; each (guild, period type)
// is then written, and its pending buckets deleted, in one transaction. A crash at any point leaves either the
// dirty hours or the pending buckets behind, and the next run redoes them; re-running changes nothing.
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import { inTransaction } from '../db/client';
import { HOUR_MS } from '../db/dirty';
import { getGuildSettings } from '../db/guild-settings';
import type { Logger } from '../logger';
import type { BucketFacts, BucketRange } from './bucket-facts';
import { allTimeFromMonths, computeDayFacts, rollUpDays, type DayFacts, type DayRange } from './day-facts';
import { createNameLookup, type NameLookup } from './names';
import { bucketOf, bucketsBetween, isValidTimeZone } from './periods';
import { storedCreator } from './top-creators';
import { storedGame } from './top-games';
import { PERIOD_TYPES, type PeriodType } from './types';

export interface AggregateOptions {
  /** One guild; all guilds when absent. */
  guildId?: string;
  /** One period type; all four when absent. */
  period?: PeriodType;
  /** Rebuild every bucket instead of only the dirty ones. */
  full?: boolean;
}

export interface AggregateDeps {
  clock: Clock;
  logger?: Logger;
  /** Called after each (guild, period type) unit with units done and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface AggregateSummary {
  guilds: number;
  /** (guild, period type) pairs looked at. */
  units: number;
  /** Of those, rebuilt from scratch (asked for, first run, or timezone changed). */
  rebuilt: number;
  /** Period buckets recomputed. */
  buckets: number;
  /** Dirty hours consumed. */
  dirty_hours: number;
  ms: number;
}

/** Local days read per step; the event loop gets a turn between steps. */
const DAYS_PER_STEP = 62;

/** Brings the summaries of the given guild(s) and period type(s) up to date. */
export async function aggregateAnalytics(db: Db, options: AggregateOptions, deps: AggregateDeps): Promise<AggregateSummary> {
  const started = deps.clock.now();
  const types: readonly PeriodType[] = options.period ? [options.period] : PERIOD_TYPES;
  const guilds = options.guildId ? [options.guildId] : guildsToVisit(db, options.full ?? false);
  const summary: AggregateSummary = { guilds: guilds.length, units: 0, rebuilt: 0, buckets: 0, dirty_hours: 0, ms: 0 };
  const total = guilds.length * types.length;
  deps.onProgress?.(0, total);
  for (const guildId of guilds) {
    let timezone = getGuildSettings(db, guildId).timezone;
    if (!isValidTimeZone(timezone)) {
      deps.logger?.warn({ guildId, timezone }, 'guild timezone is not a valid IANA name; aggregating in UTC');
      timezone = 'UTC';
    }
    summary.dirty_hours += consumeDirtyHours(db, guildId, timezone);
    await aggregateGuild(db, guildId, timezone, types, options.full ?? false, deps.clock, (plan) => {
      summary.units += 1;
      if (plan) {
        summary.buckets += plan.buckets.length;
        if (plan.full) summary.rebuilt += 1;
      }
      deps.onProgress?.(summary.units, total);
    });
  }
  summary.ms = deps.clock.now() - started;
  deps.logger?.debug({ ...summary }, 'analytics aggregated');
  return summary;
}

/** Every period type of every guild (or one guild). */
export function aggregateAll(db: Db, deps: AggregateDeps, options: Omit<AggregateOptions, 'period'> = {}): Promise<AggregateSummary> {
  return aggregateAnalytics(db, options, deps);
}

export function formatAggregateSummary(summary: AggregateSummary): string {
  if (summary.buckets === 0 && summary.rebuilt === 0) {
    return `0 buckets recomputed (nothing changed since the last run) in ${(summary.ms / 1000).toFixed(2)}s`;
  }
  return `${summary.buckets} buckets recomputed (${summary.rebuilt} of ${summary.units} guild periods rebuilt in full, ${summary.dirty_hours} dirty hours) for ${summary.guilds} guild${summary.guilds === 1 ? '' : 's'} in ${(summary.ms / 1000).toFixed(2)}s`;
}

function guildsToVisit(db: Db, full: boolean): string[] {
  // Incremental: guilds with dirty or pending work, and configured guilds never aggregated (checked per unit).
  const sql = full
    ? `SELECT guild_id FROM clips UNION SELECT guild_id FROM shares UNION SELECT guild_id FROM guild_settings
       UNION SELECT guild_id FROM analytics_state UNION SELECT guild_id FROM dirty_hours`
    : `SELECT guild_id FROM dirty_hours UNION SELECT guild_id FROM aggregation_pending UNION SELECT guild_id FROM guild_settings`;
  return db.$client
    .prepare<[], { guild_id: string }>(`SELECT DISTINCT guild_id FROM (${sql}) ORDER BY guild_id`)
    .all()
    .map((r) => r.guild_id);
}

/** Turns the guild's dirty hours into pending buckets of every period type, atomically. Returns hours consumed. */
function consumeDirtyHours(db: Db, guildId: string, timezone: string): number {
  return inTransaction(db, () => {
    const hours = db.$client
      .prepare<[string], { hour_start: number }>('SELECT hour_start FROM dirty_hours WHERE guild_id = ?')
      .all(guildId)
      .map((r) => r.hour_start);
    if (hours.length === 0) return 0;
    const insert = db.$client.prepare(
      'INSERT OR IGNORE INTO aggregation_pending (guild_id, period_type, period_start) VALUES (?, ?, ?)',
    );
    const seen = new Set<string>();
    for (const hour of hours) {
      // An hour can straddle two local days in zones with half-hour offsets: mark both ends.
      for (const at of [hour, hour + HOUR_MS - 1]) {
        for (const type of ['day', 'week', 'month'] as const) {
          const start = bucketOf(timezone, type, at).start;
          const key = `${type}:${start}`;
          if (seen.has(key)) continue;
          seen.add(key);
          insert.run(guildId, type, start);
        }
      }
    }
    insert.run(guildId, 'all_time', 0);
    const remove = db.$client.prepare('DELETE FROM dirty_hours WHERE guild_id = ? AND hour_start = ?');
    for (const hour of hours) remove.run(guildId, hour);
    return hours.length;
  });
}

interface UnitPlan {
  type: PeriodType;
  full: boolean;
  buckets: BucketRange[];
  pendingKeys: number[];
}

/** What one period type of a guild needs: everything (first run, new timezone, asked), its pending buckets, or nothing. */
function planUnit(db: Db, guildId: string, timezone: string, type: PeriodType, forceFull: boolean): UnitPlan | null {
  const state = db.$client
    .prepare<[string, string], { timezone: string }>('SELECT timezone FROM analytics_state WHERE guild_id = ? AND period_type = ?')
    .get(guildId, type);
  const full = forceFull || state === undefined || state.timezone !== timezone;
  if (full) return { type, full, buckets: allBuckets(db, guildId, timezone, type), pendingKeys: [] };
  const pendingKeys = db.$client
    .prepare<[string, string], { period_start: number }>(
      'SELECT period_start FROM aggregation_pending WHERE guild_id = ? AND period_type = ? ORDER BY period_start',
    )
    .all(guildId, type)
    .map((r) => r.period_start);
  if (pendingKeys.length === 0) return null;
  return { type, full, buckets: pendingKeys.map((key) => bucketRangeOf(timezone, type, key)), pendingKeys };
}

/**
 * Brings one guild's period types up to date: the local days under every bucket to redo are read once, days,
 * weeks and months are rolled up from them, and all_time from the months (so months are done first).
 */
async function aggregateGuild(
  db: Db,
  guildId: string,
  timezone: string,
  types: readonly PeriodType[],
  forceFull: boolean,
  clock: Clock,
  onUnit: (plan: UnitPlan | null) => void,
): Promise<void> {
  const order: PeriodType[] = ['day', 'week', 'month', 'all_time'];
  // all_time adds up the stored months, so they must be current first.
  const wanted = new Set<PeriodType>(types.includes('all_time') ? [...types, 'month'] : types);
  const plans = new Map<PeriodType, UnitPlan | null>();
  for (const type of order) if (wanted.has(type)) plans.set(type, planUnit(db, guildId, timezone, type, forceFull));

  const names = createNameLookup(db, guildId);
  const dayRanges = new Map<number, DayRange>();
  for (const type of ['day', 'week', 'month'] as const) {
    for (const bucket of plans.get(type)?.buckets ?? []) {
      for (const day of bucketsBetween(timezone, 'day', bucket.start as number, bucket.end as number)) {
        dayRanges.set(day.start, { key: day.start, start: day.start, end: day.end });
      }
    }
  }
  const days = new Map<number, DayFacts>();
  const ranges = [...dayRanges.values()].sort((a, b) => a.key - b.key);
  for (let i = 0; i < ranges.length; i += DAYS_PER_STEP) {
    for (const [key, facts] of computeDayFacts(db, guildId, timezone, ranges.slice(i, i + DAYS_PER_STEP))) days.set(key, facts);
    await yieldToEventLoop();
  }

  for (const type of order) {
    if (!plans.has(type)) continue;
    const plan = plans.get(type) ?? null;
    if (plan) {
      const facts =
        type === 'all_time'
          ? [allTimeFromMonths(db, guildId)]
          : plan.buckets.map((bucket) =>
              rollUpDays(
                bucket.key,
                bucketsBetween(timezone, 'day', bucket.start as number, bucket.end as number).map((d) => days.get(d.start) as DayFacts),
              ),
            );
      writeUnit(db, guildId, timezone, plan, facts, clock.now(), names);
    }
    if (types.includes(type)) onUnit(plan);
    await yieldToEventLoop();
  }
}

const SUMMARY_TABLES = ['game_analytics', 'creator_analytics', 'guild_period_stats', 'guild_peak_activity'] as const;

/** The [start, end) of a stored bucket key. */
function bucketRangeOf(timezone: string, type: PeriodType, key: number): BucketRange {
  if (type === 'all_time') return { key: 0, start: null, end: null };
  const bucket = bucketOf(timezone, type, key);
  return { key, start: bucket.start, end: bucket.end };
}

/** Every bucket of the type between the guild's earliest and latest timestamp. */
function allBuckets(db: Db, guildId: string, timezone: string, type: PeriodType): BucketRange[] {
  if (type === 'all_time') return [{ key: 0, start: null, end: null }];
  const range = db.$client
    .prepare<Record<string, string>, { lo: number | null; hi: number | null }>(
      `SELECT min(lo) AS lo, max(hi) AS hi FROM (
         SELECT min(clip_created_at) AS lo, max(clip_created_at) AS hi FROM clips WHERE guild_id = @g
         UNION ALL SELECT min(posted_at), max(posted_at) FROM shares WHERE guild_id = @g
         UNION ALL SELECT min(reacted_at), max(reacted_at) FROM reactions WHERE guild_id = @g
         UNION ALL SELECT min(observed_at), max(observed_at) FROM reaction_baselines WHERE guild_id = @g)`,
    )
    .get({ g: guildId });
  if (!range || range.lo === null || range.hi === null) return [];
  return bucketsBetween(timezone, type, range.lo, range.hi + 1).map((b) => ({ key: b.start, start: b.start, end: b.end }));
}

function writeUnit(db: Db, guildId: string, timezone: string, plan: UnitPlan, facts: BucketFacts[], now: number, names: NameLookup): void {
  const { type, full, buckets, pendingKeys } = plan;
  const rows = summaryRows(type, buckets, facts, names);
  inTransaction(db, () => {
    const client = db.$client;
    const scope = full ? null : pendingKeys;
    for (const table of SUMMARY_TABLES) syncRows(db, table, guildId, type, scope, rows[table], now);
    if (full) client.prepare('DELETE FROM aggregation_pending WHERE guild_id = ? AND period_type = ?').run(guildId, type);
    else {
      const donePending = client.prepare('DELETE FROM aggregation_pending WHERE guild_id = ? AND period_type = ? AND period_start = ?');
      for (const key of pendingKeys) donePending.run(guildId, type, key);
    }
    client
      .prepare(
        `INSERT INTO analytics_state (guild_id, period_type, timezone, last_full_at, last_run_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, period_type) DO UPDATE SET timezone = excluded.timezone, last_run_at = excluded.last_run_at,
           last_full_at = CASE WHEN ? THEN excluded.last_full_at ELSE last_full_at END`,
      )
      .run(guildId, type, timezone, now, now, full ? 1 : 0);
  });
}

type SummaryTable = (typeof SUMMARY_TABLES)[number];
type Row = Array<string | number | null>;

/** Each summary table's key columns (after guild_id, period_type) and value columns. */
const TABLE_COLUMNS: Record<SummaryTable, { keys: string[]; values: string[]; stamped?: false }> = {
  guild_period_stats: {
    keys: ['period_start'],
    values: ['period_end', 'clip_count', 'total_views', 'unique_creators', 'unique_games', 'discord_shares', 'discord_reactions', 'first_clip_at', 'last_clip_at'],
  },
  game_analytics: {
    keys: ['period_start', 'game_id'],
    values: ['game_name', 'period_end', 'clip_count', 'total_views', 'avg_view_count', 'unique_creators', 'discord_shares', 'discord_reactions',
      'top_clip_id', 'top_clip_title', 'top_clip_views'],
  },
  creator_analytics: {
    keys: ['period_start', 'creator_id'],
    values: ['creator_name', 'period_end', 'clip_count', 'total_views', 'avg_views', 'discord_shares', 'discord_reactions', 'unique_games',
      'top_game_id', 'top_game_name'],
  },
  guild_peak_activity: { keys: ['period_start', 'weekday', 'hour'], values: ['clips', 'shares'], stamped: false },
};

function summaryRows(type: PeriodType, buckets: BucketRange[], facts: BucketFacts[], names: NameLookup): Record<SummaryTable, Row[]> {
  const rows: Record<SummaryTable, Row[]> = { guild_period_stats: [], game_analytics: [], creator_analytics: [], guild_peak_activity: [] };
  const ends = new Map(buckets.map((b) => [b.key, b.end]));
  for (const f of facts) {
    const end = ends.get(f.key) ?? null;
    const t = f.totals;
    if (t.clip_count === 0 && t.discord_shares === 0 && t.discord_reactions === 0) continue;
    rows.guild_period_stats.push([f.key, end, t.clip_count, t.total_views, t.unique_creators, t.unique_games, t.discord_shares,
      t.discord_reactions, t.first_clip_at, t.last_clip_at]);
    // Days keep totals only (see summaries.ts): their rankings and peak times are read from the raw tables.
    if (type === 'day') continue;
    for (const g of f.games.values()) {
      const s = storedGame(g);
      rows.game_analytics.push([f.key, s.game_id, names.gameName(s.game_id), end, s.clip_count, s.total_views, s.avg_view_count,
        s.unique_creators, s.discord_shares, s.discord_reactions, s.top_clip_id, s.top_clip_title, s.top_clip_views]);
    }
    for (const c of f.creators.values()) {
      const s = storedCreator(c);
      rows.creator_analytics.push([f.key, s.creator_id, names.creatorName(s.creator_id), end, s.clip_count, s.total_views, s.avg_views,
        s.discord_shares, s.discord_reactions, s.unique_games, s.top_game_id, s.top_game_id === null ? null : names.gameName(s.top_game_id)]);
    }
    for (const [index, cell] of f.peaks) rows.guild_peak_activity.push([f.key, Math.floor(index / 24), index % 24, cell.clips, cell.shares]);
  }
  return rows;
}

/**
 * Makes the table's rows of (guild, period type) — of the given buckets, or all when scope is null — equal to
 * `rows`, writing only what differs: a nightly rebuild of unchanged data reads much and writes little.
 */
function syncRows(db: Db, table: SummaryTable, guildId: string, type: PeriodType, scope: number[] | null, rows: Row[], now: number): void {
  const client = db.$client;
  const { keys, values, stamped } = TABLE_COLUMNS[table];
  const columns = [...keys, ...values];
  // computed_at says when a row last changed; guild_peak_activity has none.
  const stamp = stamped === false ? [] : [now];
  const select = client.prepare<unknown[], Row>(
    `SELECT ${columns.join(', ')} FROM ${table} WHERE guild_id = ? AND period_type = ?${scope ? ' AND period_start = ?' : ''}`,
  ).raw(true);
  const existing = new Map<string, string>();
  const keyOf = (row: Row): string => JSON.stringify(row.slice(0, keys.length));
  for (const start of scope ?? [null]) {
    for (const row of scope ? select.all(guildId, type, start) : select.all(guildId, type)) existing.set(keyOf(row), JSON.stringify(row));
  }
  const insert = client.prepare(
    `INSERT INTO ${table} (guild_id, period_type, ${[...columns, ...(stamp.length ? ['computed_at'] : [])].join(', ')})
     VALUES (?, ?, ${[...columns, ...stamp].map(() => '?').join(', ')})`,
  );
  const where = keys.map((k) => `${k} = ?`).join(' AND ');
  const update = client.prepare(
    `UPDATE ${table} SET ${[...values, ...(stamp.length ? ['computed_at'] : [])].map((v) => `${v} = ?`).join(', ')}
      WHERE guild_id = ? AND period_type = ? AND ${where}`,
  );
  const remove = client.prepare(`DELETE FROM ${table} WHERE guild_id = ? AND period_type = ? AND ${where}`);
  for (const row of rows) {
    const key = keyOf(row);
    const before = existing.get(key);
    if (before === undefined) insert.run(guildId, type, ...row, ...stamp);
    else {
      existing.delete(key);
      if (before !== JSON.stringify(row)) update.run(...row.slice(keys.length), ...stamp, guildId, type, ...row.slice(0, keys.length));
    }
  }
  for (const key of existing.keys()) remove.run(guildId, type, ...(JSON.parse(key) as Row));
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
