// Keeps the summary tables (game_analytics, creator_analytics, guild_period_stats, guild_peak_activity) in step
// with the raw tables. Every level is built from local-day facts (analytics_pair_facts per (bucket, game, creator),
// analytics_day_top_clips, the day rows of the summaries): a full rebuild computes every day from the raw tables
// and rolls weeks, months and all_time up from them; an incremental run handles only the days whose hours capture
// and enrichment marked dirty, and adds each day's difference to its week, its month and all_time, writing only
// the columns that changed. An incremental run therefore costs what changed, not the size of the periods it touches.
//
// Two kinds of dirty day (db/dirty.ts). A day where a clip's Twitch metadata changed is recomputed from the raw
// tables. A day only Discord activity touched (shares, reactions, edits, deletions: most events) is not re-read at
// all: capture journals the exact engagement change of every write (engagement_changes, capture/engagement-changes.ts)
// and the day's difference is that journal, attributed to each clip's current game and creator. That is exact
// because a clip whose metadata changes marks every hour its engagement lies in as a clip change, so no
// engagement-only day ever holds engagement whose attribution moved.
//
// Crash safety: an incremental step is one transaction per guild and batch of pending days: the first takes the
// guild's dirty hours (days beyond the batch are stored as pending, with their kind), and each computes its days'
// differences, carries them into weeks, months and all_time, and deletes the days' journaled changes and pending
// marks. A full rebuild of a guild first turns its dirty hours into pending days, marks its facts stale
// (analytics_state.facts_version 0), writes its buckets in short transactions (every level rolled up from the
// same day facts), and in its last transaction deletes its pending days and journal and marks the facts current
// (hours capture marked meanwhile are left to be recomputed in full). A crash at any point leaves the dirty hours,
// the pending days or the stale mark behind, and the next run redoes that work; re-running changes nothing.
//
// All period types of a guild are kept together (weeks, months and all_time are carried forward from the same
// day facts), so a run asked for one period type brings the others up to date as well.
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import { cachedStatement, inTransaction } from '../db/client';
import { HOUR_MS } from '../db/dirty';
import { getGuildSettings } from '../db/guild-settings';
import type { Logger } from '../logger';
import { ATTRIBUTION_SQL, average, type BucketFacts, type BucketRange, type PeakCell, type TopClipFacts } from './bucket-facts';
import { betterTopClip, computeDayFacts, pairKey, rollUpDays, type DayFacts, type DayRange, type Pair, type RolledUp } from './day-facts';
import { createNameLookup, type NameLookup } from './names';
import { bucketOf, bucketsBetween, isValidTimeZone, offsetSegments } from './periods';
import { storedCreator } from './top-creators';
import { storedGame } from './top-games';
import { PERIOD_TYPES, type PeriodType } from './types';
import { legacyClient } from '../db/client';

/**
 * The layout of the stored facts; summaries built with another one are rebuilt (analytics_state.facts_version).
 * 2: pairs above the day level hold clip counts and views only (their engagement lives in the game and creator rows).
 */
export const FACTS_VERSION = 2;

export interface AggregateOptions {
  /** One guild; all guilds when absent. */
  guildId?: string;
  /**
   * The period type to report on. The period types of a guild are carried forward together, so the others are
   * brought up to date too; progress and the summary count this one.
   */
  period?: PeriodType;
  /** Rebuild every bucket from the raw tables instead of only the dirty days. */
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

const DAY_MS = 86_400_000;

/** Local days read per step; the event loop gets a turn between steps. */
const DAYS_PER_STEP = 62;

/** Brings the summaries of the given guild(s) up to date. */
export async function aggregateAnalytics(db: Db, options: AggregateOptions, deps: AggregateDeps): Promise<AggregateSummary> {
  const started = deps.clock.now();
  const types: readonly PeriodType[] = options.period ? [options.period] : PERIOD_TYPES;
  const guilds = options.guildId ? [options.guildId] : guildsToVisit(db, options.full ?? false);
  const summary: AggregateSummary = { guilds: guilds.length, units: 0, rebuilt: 0, buckets: 0, dirty_hours: 0, ms: 0 };
  const total = guilds.length * types.length;
  deps.onProgress?.(0, total);
  for (const guildId of guilds) {
    let timezone = (await getGuildSettings(db, guildId)).timezone;
    if (!isValidTimeZone(timezone)) {
      deps.logger?.warn({ guildId, timezone }, 'guild timezone is not a valid IANA name; aggregating in UTC');
      timezone = 'UTC';
    }
    const work = await aggregateGuild(db, guildId, timezone, options.full ?? false, deps.clock.now());
    summary.dirty_hours += work.dirtyHours;
    for (const type of types) {
      summary.units += 1;
      summary.buckets += work.buckets[type];
      if (work.full) summary.rebuilt += 1;
      deps.onProgress?.(summary.units, total);
    }
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
  // Incremental: guilds with dirty or pending work, and configured guilds never aggregated (checked per guild).
  const sql = full
    ? `SELECT guild_id FROM clips UNION SELECT guild_id FROM shares UNION SELECT guild_id FROM guild_settings
       UNION SELECT guild_id FROM analytics_state UNION SELECT guild_id FROM dirty_hours`
    : `SELECT guild_id FROM dirty_hours UNION SELECT guild_id FROM aggregation_pending UNION SELECT guild_id FROM guild_settings`;
  return legacyClient(db)
    .prepare<[], { guild_id: string }>(`SELECT DISTINCT guild_id FROM (${sql}) ORDER BY guild_id`)
    .all()
    .map((r) => r.guild_id);
}

interface GuildWork {
  full: boolean;
  buckets: Record<PeriodType, number>;
  /** Dirty hours consumed. */
  dirtyHours: number;
}

/** True when every period type's summaries exist, in this timezone and with the current facts layout. */
function guildIsCurrent(db: Db, guildId: string, timezone: string): boolean {
  const row = cachedStatement<[string, string, number], { n: number }>(
    db,
    'SELECT count(*) AS n FROM analytics_state WHERE guild_id = ? AND timezone = ? AND facts_version = ?',
  ).get(guildId, timezone, FACTS_VERSION);
  return row?.n === PERIOD_TYPES.length;
}

async function aggregateGuild(db: Db, guildId: string, timezone: string, forceFull: boolean, now: number): Promise<GuildWork> {
  if (forceFull || !guildIsCurrent(db, guildId, timezone)) {
    const dirtyHours = consumeDirtyHours(db, guildId, timezone);
    return { ...(await rebuildGuild(db, guildId, timezone, now)), dirtyHours };
  }
  return carryDirtyDays(db, guildId, timezone, now);
}

// ---------------------------------------------------------------------------------------------------------
// Full rebuild: every local day from the raw tables, everything else rolled up from them, one transaction.

/** Buckets written per transaction by a full rebuild: short transactions keep the event loop (capture) moving. */
const BUCKETS_PER_WRITE: Record<PeriodType, number> = { day: 14, week: 2, month: 1, all_time: 1 };

async function rebuildGuild(db: Db, guildId: string, timezone: string, now: number): Promise<Omit<GuildWork, 'dirtyHours'>> {
  const ranges: DayRange[] = allDays(db, guildId, timezone);
  const days = new Map<number, DayFacts>();
  for (let i = 0; i < ranges.length; i += DAYS_PER_STEP) {
    for (const [key, facts] of computeDayFacts(db, guildId, timezone, ranges.slice(i, i + DAYS_PER_STEP))) days.set(key, facts);
    await yieldToEventLoop();
  }
  // Written in many short transactions. Until the last one the guild's facts are marked stale (facts_version 0),
  // so a crash part way leaves the next run to rebuild again; reads keep using the summaries meanwhile.
  inTransaction(db, () => cachedStatement(db, 'UPDATE analytics_state SET facts_version = 0 WHERE guild_id = ?').run(guildId));
  const buckets: Record<PeriodType, number> = { day: 0, week: 0, month: 0, all_time: 0 };
  const spans = new Map<PeriodType, { first: number; last: number } | null>();
  for (const type of PERIOD_TYPES) {
    const plan = bucketsOfDays(timezone, type, ranges);
    buckets[type] = plan.length;
    spans.set(type, plan.length === 0 ? null : { first: (plan[0] as PlannedBucket).key, last: (plan[plan.length - 1] as PlannedBucket).key });
    for (let i = 0; i < plan.length; i += BUCKETS_PER_WRITE[type]) {
      const part = plan.slice(i, i + BUCKETS_PER_WRITE[type]);
      const rolled = part.map((bucket) => rollUpDays(bucket.key, bucket.days.map((d) => days.get(d) as DayFacts)));
      const keys = part.map((b) => b.key);
      inTransaction(db, () => {
        const rows = summaryRows(part, rolled.map((r) => r.facts), transactionNames(db, guildId));
        for (const table of SUMMARY_TABLES) syncRows(db, table, guildId, type, keys, rows[table], now);
        syncRows(db, 'analytics_pair_facts', guildId, type, keys, pairRows(type, part, rolled), now);
        if (type === 'day') syncDayTops(db, guildId, keys, dayTopRows(keys.map((k) => days.get(k) as DayFacts)));
      });
      await yieldToEventLoop();
    }
  }
  inTransaction(db, () => {
    // Buckets before the guild's first or after its last day (data deleted since the last rebuild) go.
    for (const type of PERIOD_TYPES) {
      const span = spans.get(type) ?? null;
      for (const table of [...SUMMARY_TABLES, 'analytics_pair_facts'] as const) {
        cachedStatement(db, `DELETE FROM ${table} WHERE guild_id = ? AND period_type = ? AND (period_start < ? OR period_start > ?)`).run(
          guildId, type, span ? span.first : 1, span ? span.last : 0,
        );
      }
    }
    const daySpan = spans.get('day') ?? null;
    cachedStatement(db, 'DELETE FROM analytics_day_top_clips WHERE guild_id = ? AND (day_start < ? OR day_start > ?)').run(
      guildId, daySpan ? daySpan.first : 1, daySpan ? daySpan.last : 0,
    );
    cachedStatement(db, 'DELETE FROM aggregation_pending WHERE guild_id = ?').run(guildId);
    // Capture may have written between the rebuild's reads and now, and the rebuilt days may or may not hold those
    // writes: their journaled changes go, and the hours they marked are recomputed in full by the next run.
    cachedStatement(db, 'DELETE FROM engagement_changes WHERE guild_id = ?').run(guildId);
    cachedStatement(db, 'UPDATE dirty_hours SET engagement_only = 0 WHERE guild_id = ? AND engagement_only <> 0').run(guildId);
    for (const type of PERIOD_TYPES) writeState(db, guildId, type, timezone, now, true);
  });
  return { full: true, buckets };
}

interface PlannedBucket extends BucketRange {
  /** Keys of the local days it is made of. */
  days: number[];
}

/** Every local day between the guild's earliest and latest timestamp. */
function allDays(db: Db, guildId: string, timezone: string): DayRange[] {
  const range = legacyClient(db)
    .prepare<Record<string, string>, { lo: number | null; hi: number | null }>(
      `SELECT min(lo) AS lo, max(hi) AS hi FROM (
         SELECT min(clip_created_at) AS lo, max(clip_created_at) AS hi FROM clips WHERE guild_id = @g
         UNION ALL SELECT min(posted_at), max(posted_at) FROM shares WHERE guild_id = @g
         UNION ALL SELECT min(reacted_at), max(reacted_at) FROM reactions WHERE guild_id = @g
         UNION ALL SELECT min(observed_at), max(observed_at) FROM reaction_baselines WHERE guild_id = @g)`,
    )
    .get({ g: guildId });
  if (!range || range.lo === null || range.hi === null) return [];
  return bucketsBetween(timezone, 'day', range.lo, range.hi + 1).map((b) => ({ key: b.start, start: b.start, end: b.end }));
}

/** The buckets of a type that the days make up (weeks and months whole, even where the days start or end inside). */
function bucketsOfDays(timezone: string, type: PeriodType, days: readonly DayRange[]): PlannedBucket[] {
  if (type === 'day') return days.map((d) => ({ key: d.key, start: d.start, end: d.end, days: [d.key] }));
  if (type === 'all_time') return days.length === 0 ? [] : [{ key: 0, start: null, end: null, days: days.map((d) => d.key) }];
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) return [];
  const plan: PlannedBucket[] = bucketsBetween(timezone, type, first.start, last.end).map((b) => ({ key: b.start, start: b.start, end: b.end, days: [] }));
  let i = 0;
  for (const day of days) {
    while ((plan[i]?.end as number) <= day.start) i += 1;
    plan[i]?.days.push(day.key);
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------------------
// Incremental: pending days recomputed from the raw tables; their differences carried into weeks, months, all_time.

/** Local days to recompute, each with whether only its Discord engagement changed (see db/dirty.ts). */
type PendingDays = Map<number, boolean>;

/** Adds the days the dirty hours fall in; a day is engagement-only while every mark in it is. */
function addDirtyDays(days: PendingDays, hours: ReadonlyArray<{ hour_start: number; engagement_only: number }>, timezone: string): void {
  for (const { hour_start: hour, engagement_only: engagementOnly } of hours) {
    // An hour can straddle two local days in zones with half-hour offsets: mark both ends.
    for (const at of [hour, hour + HOUR_MS - 1]) {
      const start = bucketOf(timezone, 'day', at).start;
      days.set(start, (days.get(start) ?? true) && engagementOnly === 1);
    }
  }
}

/** Records pending days, merged with those already recorded (a day that needs a full recompute keeps needing it). */
function storePendingDays(db: Db, guildId: string, days: Iterable<[number, boolean]>): void {
  const insert = cachedStatement(
    db,
    `INSERT INTO aggregation_pending (guild_id, period_type, period_start, engagement_only) VALUES (?, 'day', ?, ?)
     ON CONFLICT (guild_id, period_type, period_start) DO UPDATE SET engagement_only = 0
      WHERE excluded.engagement_only = 0 AND aggregation_pending.engagement_only <> 0`,
  );
  for (const [day, engagementOnly] of days) insert.run(guildId, day, engagementOnly ? 1 : 0);
}

function dirtyHoursOf(db: Db, guildId: string): Array<{ hour_start: number; engagement_only: number }> {
  return cachedStatement<[string], { hour_start: number; engagement_only: number }>(
    db,
    'SELECT hour_start, engagement_only FROM dirty_hours WHERE guild_id = ?',
  ).all(guildId);
}

function pendingDaysOf(db: Db, guildId: string): PendingDays {
  const rows = cachedStatement<[string], { period_start: number; engagement_only: number }>(
    db,
    "SELECT period_start, engagement_only FROM aggregation_pending WHERE guild_id = ? AND period_type = 'day'",
  ).all(guildId);
  return new Map(rows.map((r) => [r.period_start, r.engagement_only === 1]));
}

/**
 * Moves the guild's dirty hours into `days` (merged with what it holds) and deletes them. Returns the hours taken.
 * Call inside a transaction.
 */
function takeDirtyHours(db: Db, guildId: string, timezone: string, days: PendingDays): number {
  const hours = dirtyHoursOf(db, guildId);
  if (hours.length === 0) return 0;
  addDirtyDays(days, hours, timezone);
  cachedStatement(db, 'DELETE FROM dirty_hours WHERE guild_id = ?').run(guildId);
  return hours.length;
}

/** Turns the guild's dirty hours into pending local days, atomically (before a full rebuild). Returns hours consumed. */
function consumeDirtyHours(db: Db, guildId: string, timezone: string): number {
  return inTransaction(db, () => {
    const days: PendingDays = new Map();
    const taken = takeDirtyHours(db, guildId, timezone, days);
    storePendingDays(db, guildId, days);
    return taken;
  });
}

/** Whether the guild has dirty hours or pending days (read without opening a write transaction). */
function hasIncrementalWork(db: Db, guildId: string): boolean {
  return (
    cachedStatement<[string, string], { n: number }>(
      db,
      `SELECT EXISTS (SELECT 1 FROM dirty_hours WHERE guild_id = ?)
           OR EXISTS (SELECT 1 FROM aggregation_pending WHERE guild_id = ? AND period_type = 'day') AS n`,
    ).get(guildId, guildId)?.n === 1
  );
}

/**
 * Each step is one transaction: the first takes the dirty hours (pending days beyond the step are stored for the
 * next steps), recomputes up to DAYS_PER_STEP days, carries their differences into their weeks, months and
 * all_time and deletes those days from the pending ones. A small run is therefore a single commit per guild.
 */
async function carryDirtyDays(db: Db, guildId: string, timezone: string, now: number): Promise<GuildWork> {
  const buckets: Record<PeriodType, number> = { day: 0, week: 0, month: 0, all_time: 0 };
  const work: GuildWork = { full: false, buckets, dirtyHours: 0 };
  if (!hasIncrementalWork(db, guildId)) return work;
  const touched: Record<PeriodType, Set<number>> = { day: new Set(), week: new Set(), month: new Set(), all_time: new Set() };
  for (let first = true; ; first = false) {
    const finished = inTransaction(db, () => {
      const pending = pendingDaysOf(db, guildId);
      const stored = new Set(pending.keys());
      if (first) work.dirtyHours = takeDirtyHours(db, guildId, timezone, pending);
      if (pending.size === 0) return true;
      const order = [...pending.keys()].sort((a, b) => a - b);
      const step = order.slice(0, DAYS_PER_STEP);
      const later = order.slice(DAYS_PER_STEP);
      // Days left for the next steps are stored with what this step learnt of them (a crash redoes them).
      if (first) storePendingDays(db, guildId, later.map((day) => [day, pending.get(day) as boolean]));
      carryDays(db, guildId, timezone, step.map((day) => [day, pending.get(day) as boolean]), transactionNames(db, guildId), touched, now);
      const done = cachedStatement(db, "DELETE FROM aggregation_pending WHERE guild_id = ? AND period_type = 'day' AND period_start = ?");
      for (const day of step) if (stored.has(day)) done.run(guildId, day);
      for (const type of PERIOD_TYPES) writeState(db, guildId, type, timezone, now, false);
      return later.length === 0;
    });
    await yieldToEventLoop();
    if (finished) break;
  }
  for (const type of PERIOD_TYPES) buckets[type] = touched[type].size;
  return work;
}

/** Recomputes the days (ascending) and carries their differences into their own rows and their week's, month's and all_time's. */
function carryDays(
  db: Db,
  guildId: string,
  timezone: string,
  days: ReadonlyArray<[number, boolean]>,
  names: NameLookup,
  touched: Record<PeriodType, Set<number>>,
  now: number,
): void {
  const rangeOf = (key: number): DayRange => {
    const day = bucketOf(timezone, 'day', key);
    return { key, start: day.start, end: day.end };
  };
  const whole = days.filter(([, engagementOnly]) => !engagementOnly).map(([key]) => rangeOf(key));
  const engagement = days.filter(([, engagementOnly]) => engagementOnly).map(([key]) => rangeOf(key));
  const fresh = computeDayFacts(db, guildId, timezone, whole);
  const deltas = new Map<string, BucketDelta>();
  const dropChanges = cachedStatement(db, 'DELETE FROM engagement_changes WHERE guild_id = ? AND at >= ? AND at < ?');
  for (const range of [...whole, ...engagement].sort((a, b) => a.key - b.key)) {
    const wholeDay = fresh.get(range.key);
    const delta = wholeDay
      ? replaceDay(db, guildId, range, wholeDay)
      : journaledDelta(db, guildId, timezone, range);
    // The day's journaled changes are now carried (engagement-only days) or part of its recomputed facts.
    dropChanges.run(guildId, range.start, range.end);
    touched.day.add(range.key);
    if (isEmptyDelta(delta)) continue;
    carryDelta(db, guildId, delta, names, now);
    for (const type of ['week', 'month', 'all_time'] as const) {
      const bucket = type === 'all_time' ? { start: 0, end: null } : bucketOf(timezone, type, range.start);
      const id = `${type}:${bucket.start}`;
      let target = deltas.get(id);
      if (!target) deltas.set(id, (target = emptyDelta(type, bucket.start, bucket.end)));
      mergeDelta(target, delta);
      touched[type].add(bucket.start);
    }
  }
  for (const delta of deltas.values()) carryDelta(db, guildId, delta, names, now);
}

/** What changed in a day, to be added to the buckets that contain it. */
interface BucketDelta {
  type: PeriodType;
  key: number;
  end: number | null;
  pairs: Map<string, Pair>;
  peaks: Map<number, PeakCell>;
  totals: { clip_count: number; total_views: number; discord_shares: number; discord_reactions: number };
  /** Games whose top clip of some day changed. */
  topGames: Set<string>;
  /** Whether some day's first or last clip time changed. */
  firstLast: boolean;
  /** A day's own new first and last clip times. */
  span?: { first: number | null; last: number | null };
}

function emptyDelta(type: PeriodType, key: number, end: number | null): BucketDelta {
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
function isEmptyDelta(delta: BucketDelta): boolean {
  const t = delta.totals;
  return (
    delta.pairs.size === 0 && delta.peaks.size === 0 && delta.topGames.size === 0 && !delta.firstLast &&
    t.clip_count === 0 && t.total_views === 0 && t.discord_shares === 0 && t.discord_reactions === 0
  );
}

function mergeDelta(target: BucketDelta, delta: BucketDelta): void {
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

type DayTotals = { clip_count: number; total_views: number; discord_shares: number; discord_reactions: number; first_clip_at: number | null; last_clip_at: number | null };

function dayTotalsOf(db: Db, guildId: string, day: number): DayTotals | undefined {
  return cachedStatement<[string, number], DayTotals>(
    db,
    `SELECT clip_count, total_views, discord_shares, discord_reactions, first_clip_at, last_clip_at FROM guild_period_stats
      WHERE guild_id = ? AND period_type = 'day' AND period_start = ?`,
  ).get(guildId, day);
}

/**
 * A day's difference between its stored facts and its new ones (read from the raw tables); stores its new top
 * clips. carryDelta then applies the difference to the day's own rows as to its week's, month's and all_time's.
 */
function replaceDay(db: Db, guildId: string, range: DayRange, day: DayFacts): BucketDelta {
  const delta = emptyDelta('day', range.key, range.end);
  const oldPairs = cachedStatement<[string, number], { game_id: string; creator_id: string } & PairValues>(
    db,
    `SELECT game_id, creator_id, clip_count AS n, total_views AS views, discord_shares AS shares, discord_reactions AS reactions
       FROM analytics_pair_facts WHERE guild_id = ? AND period_type = 'day' AND period_start = ?`,
  ).all(guildId, range.key);
  const rolled = rollUpDays(range.key, [day]);
  const seen = new Set<string>();
  for (const old of oldPairs) {
    const key = pairKey(old.game_id, old.creator_id);
    seen.add(key);
    const now_ = rolled.pairs.get(key) ?? NO_PAIR;
    const d = { game: old.game_id, creator: old.creator_id, n: now_.n - old.n, views: now_.views - old.views, shares: now_.shares - old.shares, reactions: now_.reactions - old.reactions };
    if (!isZero(d)) delta.pairs.set(key, d);
  }
  for (const [key, p] of rolled.pairs) if (!seen.has(key) && !isZero(p)) delta.pairs.set(key, { ...p });

  const oldCells = cachedStatement<[string, number], { weekday: number; hour: number; clips: number; shares: number }>(
    db,
    "SELECT weekday, hour, clips, shares FROM guild_peak_activity WHERE guild_id = ? AND period_type = 'day' AND period_start = ?",
  ).all(guildId, range.key);
  const cells = new Map<number, PeakCell>();
  for (const c of oldCells) cells.set(c.weekday * 24 + c.hour, { clips: -c.clips, shares: -c.shares });
  for (const [index, cell] of rolled.facts.peaks) {
    const c = cells.get(index) ?? { clips: 0, shares: 0 };
    cells.set(index, { clips: c.clips + cell.clips, shares: c.shares + cell.shares });
  }
  for (const [index, c] of cells) if (c.clips !== 0 || c.shares !== 0) delta.peaks.set(index, c);

  const oldTotals = dayTotalsOf(db, guildId, range.key);
  const t = rolled.facts.totals;
  delta.totals = {
    clip_count: t.clip_count - (oldTotals?.clip_count ?? 0),
    total_views: t.total_views - (oldTotals?.total_views ?? 0),
    discord_shares: t.discord_shares - (oldTotals?.discord_shares ?? 0),
    discord_reactions: t.discord_reactions - (oldTotals?.discord_reactions ?? 0),
  };
  delta.firstLast = t.first_clip_at !== (oldTotals?.first_clip_at ?? null) || t.last_clip_at !== (oldTotals?.last_clip_at ?? null);

  const oldTops = cachedStatement<[string, number], { game_id: string; clip_id: string; title: string; views: number }>(
    db,
    'SELECT game_id, clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ? AND day_start = ?',
  ).all(guildId, range.key);
  const tops = new Map(oldTops.map((r) => [r.game_id, r]));
  for (const [game, clip] of day.tops) {
    const old = tops.get(game);
    if (!old || old.clip_id !== clip.id || old.title !== clip.title || old.views !== clip.views) delta.topGames.add(game);
    tops.delete(game);
  }
  for (const game of tops.keys()) delta.topGames.add(game);

  if (delta.firstLast) delta.span = { first: t.first_clip_at, last: t.last_clip_at };
  if (delta.topGames.size > 0) syncDayTops(db, guildId, [range.key], dayTopRows([day]));
  return delta;
}

/**
 * The difference of a day whose clips did not change: the engagement changes capture journaled for it, each
 * counted for its clip's current game and creator (or as uncounted engagement), at the local hour it happened.
 * Its clip counts, views, first/last and top clips stay as stored.
 */
function journaledDelta(db: Db, guildId: string, timezone: string, range: DayRange): BucketDelta {
  const delta = emptyDelta('day', range.key, range.end);
  const rows = cachedStatement<[string, number, number], { at: number; shares: number; reactions: number; game_id: string | null; creator_id: string | null }>(
    db,
    `SELECT j.at AS at, j.shares AS shares, j.reactions AS reactions, ${ATTRIBUTION_SQL}
       FROM engagement_changes j LEFT JOIN clips c ON c.guild_id = j.guild_id AND c.clip_id = j.clip_id
      WHERE j.guild_id = ? AND j.at >= ? AND j.at < ?`,
  ).all(guildId, range.start, range.end);
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
      // The local weekday and hour, as day-facts.ts computes them in SQL.
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

type Values = Record<string, string | number | null>;

/**
 * Writes one summary row given what it held (`old`, undefined when absent): inserts a new row, deletes one that
 * became empty (`next` null), and otherwise updates only the columns whose values changed, so that new shares of
 * a game rewrite its shares index entries and not its clip-count, views and average ones. `stamp` sets
 * computed_at (when the row last changed) on tables that have it.
 */
function writeRow(db: Db, table: string, key: Values, old: Values | undefined, next: Values | null, stamp: number | null): void {
  const keyColumns = Object.keys(key);
  const where = keyColumns.map((c) => `${c} = ?`).join(' AND ');
  if (next === null) {
    if (old) cachedStatement(db, `DELETE FROM ${table} WHERE ${where}`).run(...Object.values(key));
    return;
  }
  const stamped = stamp === null ? [] : [stamp];
  if (!old) {
    const columns = [...keyColumns, ...Object.keys(next), ...(stamp === null ? [] : ['computed_at'])];
    cachedStatement(db, `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(
      ...Object.values(key), ...Object.values(next), ...stamped,
    );
    return;
  }
  const changed = Object.keys(next).filter((c) => next[c] !== old[c]);
  if (changed.length === 0) return;
  const set = [...changed, ...(stamp === null ? [] : ['computed_at'])].map((c) => `${c} = ?`).join(', ');
  cachedStatement(db, `UPDATE ${table} SET ${set} WHERE ${where}`).run(...changed.map((c) => next[c]), ...stamped, ...Object.values(key));
}

/** Adds a bucket's difference to its stored pairs, game and creator rows, totals and peak cells. */
function carryDelta(db: Db, guildId: string, delta: BucketDelta, names: NameLookup, now: number): void {
  const { type, key, end } = delta;
  const bucket = { guild_id: guildId, period_type: type, period_start: key };
  const getPair = cachedStatement<[string, string, number, string, string], PairValues>(
    db,
    `SELECT clip_count AS n, total_views AS views, discord_shares AS shares, discord_reactions AS reactions FROM analytics_pair_facts
      WHERE guild_id = ? AND period_type = ? AND period_start = ? AND game_id = ? AND creator_id = ?`,
  );
  interface Change extends PairValues {
    /** Change in distinct counted partners (creators of a game, games of a creator). */
    partners: number;
    /** Whether the creator's top game must be looked up again. */
    retop: boolean;
  }
  const change = (map: Map<string, Change>, id: string): Change => {
    let c = map.get(id);
    if (!c) map.set(id, (c = { n: 0, views: 0, shares: 0, reactions: 0, partners: 0, retop: false }));
    return c;
  };
  const games = new Map<string, Change>();
  const creators = new Map<string, Change>();
  for (const p of delta.pairs.values()) {
    if (isZero(p)) continue;
    let partners = 0;
    // Above the day level pairs hold clips only (see pairRows): engagement alone does not touch them.
    if (type === 'day' || p.n !== 0 || p.views !== 0) {
      const old = getPair.get(guildId, type, key, p.game, p.creator);
      const was = old ?? NO_PAIR;
      const next = type === 'day'
        ? { n: was.n + p.n, views: was.views + p.views, shares: was.shares + p.shares, reactions: was.reactions + p.reactions }
        : { n: was.n + p.n, views: was.views + p.views, shares: 0, reactions: 0 };
      writeRow(
        db,
        'analytics_pair_facts',
        { ...bucket, game_id: p.game, creator_id: p.creator },
        old && { clip_count: old.n, total_views: old.views, discord_shares: old.shares, discord_reactions: old.reactions },
        next.n === 0 && next.shares === 0 && next.reactions === 0
          ? null
          : { clip_count: next.n, total_views: next.views, discord_shares: next.shares, discord_reactions: next.reactions },
        null,
      );
      partners = (next.n > 0 ? 1 : 0) - (was.n > 0 ? 1 : 0);
    }
    for (const c of [change(games, p.game), change(creators, p.creator)]) {
      c.n += p.n;
      c.views += p.views;
      c.shares += p.shares;
      c.reactions += p.reactions;
      c.partners += partners;
    }
    if (p.n !== 0 || p.views !== 0) change(creators, p.creator).retop = true;
  }
  for (const game of delta.topGames) change(games, game);

  let countedGames = 0;
  const getGame = cachedStatement<[string, string, number, string], Values & { clip_count: number; total_views: number; unique_creators: number; discord_shares: number; discord_reactions: number; top_clip_id: string | null; top_clip_title: string | null; top_clip_views: number | null }>(
    db,
    `SELECT game_name, period_end, clip_count, total_views, avg_view_count, unique_creators, discord_shares, discord_reactions,
            top_clip_id, top_clip_title, top_clip_views
       FROM game_analytics WHERE guild_id = ? AND period_type = ? AND period_start = ? AND game_id = ?`,
  );
  for (const [game, c] of games) {
    const old = getGame.get(guildId, type, key, game);
    const n = (old?.clip_count ?? 0) + c.n;
    const views = (old?.total_views ?? 0) + c.views;
    const shares = (old?.discord_shares ?? 0) + c.shares;
    const reactions = (old?.discord_reactions ?? 0) + c.reactions;
    countedGames += (n > 0 ? 1 : 0) - ((old?.clip_count ?? 0) > 0 ? 1 : 0);
    const empty = n === 0 && shares === 0 && reactions === 0;
    const top = empty
      ? null
      : delta.topGames.has(game)
        ? topClipOf(db, guildId, game, type === 'all_time' ? null : key, end)
        : old && old.top_clip_id !== null
          ? { id: old.top_clip_id, title: old.top_clip_title ?? '', views: old.top_clip_views ?? 0 }
          : null;
    writeRow(db, 'game_analytics', { ...bucket, game_id: game }, old, empty ? null : {
      game_name: names.gameName(game), period_end: end, clip_count: n, total_views: views, avg_view_count: average(views, n),
      unique_creators: (old?.unique_creators ?? 0) + c.partners, discord_shares: shares, discord_reactions: reactions,
      top_clip_id: top?.id ?? null, top_clip_title: top?.title ?? null, top_clip_views: top?.views ?? null,
    }, now);
  }

  let countedCreators = 0;
  const getCreator = cachedStatement<[string, string, number, string], Values & { clip_count: number; total_views: number; unique_games: number; discord_shares: number; discord_reactions: number; top_game_id: string | null }>(
    db,
    `SELECT creator_name, period_end, clip_count, total_views, avg_views, discord_shares, discord_reactions, unique_games, top_game_id, top_game_name
       FROM creator_analytics WHERE guild_id = ? AND period_type = ? AND period_start = ? AND creator_id = ?`,
  );
  const creatorPairs = cachedStatement<[string, string, number, string], { game_id: string; n: number; views: number }>(
    db,
    `SELECT game_id, clip_count AS n, total_views AS views FROM analytics_pair_facts
      WHERE guild_id = ? AND period_type = ? AND period_start = ? AND creator_id = ? AND clip_count > 0`,
  );
  for (const [creator, c] of creators) {
    const old = getCreator.get(guildId, type, key, creator);
    const n = (old?.clip_count ?? 0) + c.n;
    const views = (old?.total_views ?? 0) + c.views;
    const shares = (old?.discord_shares ?? 0) + c.shares;
    const reactions = (old?.discord_reactions ?? 0) + c.reactions;
    countedCreators += (n > 0 ? 1 : 0) - ((old?.clip_count ?? 0) > 0 ? 1 : 0);
    if (n === 0 && shares === 0 && reactions === 0) {
      writeRow(db, 'creator_analytics', { ...bucket, creator_id: creator }, old, null, now);
      continue;
    }
    let topGame = old?.top_game_id ?? null;
    if (c.retop || !old) {
      // Most clips, then most views, then the smaller game id (as day-facts.ts factsFromPairs).
      let best: { game_id: string; n: number; views: number } | null = null;
      for (const e of creatorPairs.all(guildId, type, key, creator)) {
        if (!best || e.n > best.n || (e.n === best.n && (e.views > best.views || (e.views === best.views && e.game_id < best.game_id)))) best = e;
      }
      topGame = best ? best.game_id : null;
    }
    writeRow(db, 'creator_analytics', { ...bucket, creator_id: creator }, old, {
      creator_name: names.creatorName(creator), period_end: end, clip_count: n, total_views: views, avg_views: average(views, n),
      discord_shares: shares, discord_reactions: reactions, unique_games: (old?.unique_games ?? 0) + c.partners,
      top_game_id: topGame, top_game_name: topGame === null ? null : names.gameName(topGame),
    }, now);
  }

  const t = delta.totals;
  if (t.clip_count !== 0 || t.total_views !== 0 || t.discord_shares !== 0 || t.discord_reactions !== 0 || countedGames !== 0 || countedCreators !== 0 || delta.firstLast) {
    const old = cachedStatement<[string, string, number], Values & { clip_count: number; total_views: number; unique_creators: number; unique_games: number; discord_shares: number; discord_reactions: number; first_clip_at: number | null; last_clip_at: number | null }>(
      db,
      `SELECT period_end, clip_count, total_views, unique_creators, unique_games, discord_shares, discord_reactions, first_clip_at, last_clip_at
         FROM guild_period_stats WHERE guild_id = ? AND period_type = ? AND period_start = ?`,
    ).get(guildId, type, key);
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
        const span = cachedStatement<[string, number, number], { first: number | null; last: number | null }>(
          db,
          `SELECT min(first_clip_at) AS first, max(last_clip_at) AS last FROM guild_period_stats
            WHERE guild_id = ? AND period_type = 'day' AND period_start >= ? AND period_start < ?`,
        ).get(guildId, type === 'all_time' ? Number.MIN_SAFE_INTEGER : key, end ?? Number.MAX_SAFE_INTEGER);
        first = span?.first ?? null;
        last = span?.last ?? null;
      }
      next = {
        period_end: end, clip_count: clipCount, total_views: (old?.total_views ?? 0) + t.total_views,
        unique_creators: (old?.unique_creators ?? 0) + countedCreators, unique_games: (old?.unique_games ?? 0) + countedGames,
        discord_shares: shares, discord_reactions: reactions, first_clip_at: first, last_clip_at: last,
      };
    }
    writeRow(db, 'guild_period_stats', bucket, old, next, now);
  }

  const getCell = cachedStatement<[string, string, number, number, number], Values & PeakCell>(
    db,
    'SELECT clips, shares FROM guild_peak_activity WHERE guild_id = ? AND period_type = ? AND period_start = ? AND weekday = ? AND hour = ?',
  );
  for (const [index, d] of delta.peaks) {
    const weekday = Math.floor(index / 24);
    const hour = index % 24;
    const old = getCell.get(guildId, type, key, weekday, hour);
    const clips = (old?.clips ?? 0) + d.clips;
    const shares = (old?.shares ?? 0) + d.shares;
    writeRow(db, 'guild_peak_activity', { ...bucket, weekday, hour }, old, clips === 0 && shares === 0 ? null : { clips, shares }, null);
  }
}

/** A game's top clip over the stored day tops: of one bucket [start, end), or of all days when start is null. */
function topClipOf(db: Db, guildId: string, game: string, start: number | null, end: number | null): Omit<TopClipFacts, 'url'> | null {
  const rows =
    start === null
      ? cachedStatement<[string, string, string, string], { clip_id: string; title: string; views: number }>(
          db,
          `SELECT clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ? AND game_id = ?
              AND views = (SELECT max(views) FROM analytics_day_top_clips WHERE guild_id = ? AND game_id = ?)`,
        ).all(guildId, game, guildId, game)
      : cachedStatement<[string, string, number, number], { clip_id: string; title: string; views: number }>(
          db,
          'SELECT clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ? AND game_id = ? AND day_start >= ? AND day_start < ?',
        ).all(guildId, game, start, end ?? Number.MAX_SAFE_INTEGER);
  let best: TopClipFacts | null = null;
  for (const r of rows) {
    const candidate = { id: r.clip_id, title: r.title, views: r.views, url: '' };
    if (betterTopClip(candidate, best)) best = candidate;
  }
  return best ? { id: best.id, title: best.title, views: best.views } : null;
}

function writeState(db: Db, guildId: string, type: PeriodType, timezone: string, now: number, full: boolean): void {
  cachedStatement(
    db,
    `INSERT INTO analytics_state (guild_id, period_type, timezone, last_full_at, last_run_at, facts_version) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (guild_id, period_type) DO UPDATE SET timezone = excluded.timezone, last_run_at = excluded.last_run_at,
       facts_version = excluded.facts_version, last_full_at = CASE WHEN ? THEN excluded.last_full_at ELSE last_full_at END`,
  ).run(guildId, type, timezone, now, now, FACTS_VERSION, full ? 1 : 0);
}

/**
 * The names summary rows are written with, for one write transaction only: latest_names' triggers carry a later
 * rename into rows already written (migration 0007), so a lookup kept across a rebuild's transactions would write
 * a name renamed in between into its later rows.
 */
function transactionNames(db: Db, guildId: string): NameLookup {
  return createNameLookup(db, guildId);
}

const SUMMARY_TABLES = ['game_analytics', 'creator_analytics', 'guild_period_stats', 'guild_peak_activity'] as const;

type SummaryTable = (typeof SUMMARY_TABLES)[number] | 'analytics_pair_facts';
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
  analytics_pair_facts: {
    keys: ['period_start', 'game_id', 'creator_id'],
    values: ['clip_count', 'total_views', 'discord_shares', 'discord_reactions'],
    stamped: false,
  },
};

function summaryRows(buckets: readonly BucketRange[], facts: BucketFacts[], names: NameLookup): Record<(typeof SUMMARY_TABLES)[number], Row[]> {
  const rows: Record<(typeof SUMMARY_TABLES)[number], Row[]> = { guild_period_stats: [], game_analytics: [], creator_analytics: [], guild_peak_activity: [] };
  const ends = new Map(buckets.map((b) => [b.key, b.end]));
  for (const f of facts) {
    const end = ends.get(f.key) ?? null;
    const t = f.totals;
    if (t.clip_count === 0 && t.discord_shares === 0 && t.discord_reactions === 0) continue;
    rows.guild_period_stats.push([f.key, end, t.clip_count, t.total_views, t.unique_creators, t.unique_games, t.discord_shares,
      t.discord_reactions, t.first_clip_at, t.last_clip_at]);
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

/** The stored (game, creator) pairs of each bucket: those with any clips, shares or reactions. */
/**
 * The stored (game, creator) pairs of each bucket. A day keeps every pair with clips, shares or reactions (a
 * recomputed day is compared with them). Weeks, months and all_time keep pairs with clips only, without their
 * engagement: they serve the distinct counts and the creators' top games, which only clips move, so a share or a
 * reaction costs no pair writes above its day.
 */
function pairRows(type: PeriodType, buckets: readonly BucketRange[], rolled: readonly RolledUp[]): Row[] {
  const rows: Row[] = [];
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

type TopRow = [game: string, day: number, clipId: string, title: string, views: number];

function dayTopRows(days: Iterable<DayFacts>): TopRow[] {
  const rows: TopRow[] = [];
  for (const day of days) for (const [game, clip] of day.tops) rows.push([game, day.key, clip.id, clip.title, clip.views]);
  return rows;
}

/** Makes the guild's day top clips — of the given days, or all when scope is null — equal to `rows`. */
function syncDayTops(db: Db, guildId: string, scope: number[] | null, rows: TopRow[]): void {
  const existing = new Map<string, string>();
  const found = scope
    ? scope.flatMap((day) =>
        cachedStatement<[string, number], TopRow>(db, 'SELECT game_id, day_start, clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ? AND day_start = ?')
          .raw(true)
          .all(guildId, day),
      )
    : cachedStatement<[string], TopRow>(db, 'SELECT game_id, day_start, clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ?')
        .raw(true)
        .all(guildId);
  for (const row of found) existing.set(`${row[0]}\u0000${row[1]}`, JSON.stringify(row));
  const put = cachedStatement(
    db,
    `INSERT INTO analytics_day_top_clips (guild_id, game_id, day_start, clip_id, title, views) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET clip_id = excluded.clip_id, title = excluded.title, views = excluded.views`,
  );
  const drop = cachedStatement(db, 'DELETE FROM analytics_day_top_clips WHERE guild_id = ? AND game_id = ? AND day_start = ?');
  for (const row of rows) {
    const key = `${row[0]}\u0000${row[1]}`;
    const before = existing.get(key);
    existing.delete(key);
    if (before !== JSON.stringify(row)) put.run(guildId, ...row);
  }
  for (const before of existing.values()) {
    const [game, day] = JSON.parse(before) as TopRow;
    drop.run(guildId, game, day);
  }
}

/**
 * Makes the table's rows of (guild, period type) — of the given buckets, or all when scope is null — equal to
 * `rows`, writing only what differs: a nightly rebuild of unchanged data reads much and writes little.
 */
function syncRows(db: Db, table: SummaryTable, guildId: string, type: PeriodType, scope: number[] | null, rows: Row[], now: number): void {
  const { keys, values, stamped } = TABLE_COLUMNS[table];
  const columns = [...keys, ...values];
  // computed_at says when a row last changed; guild_peak_activity has none.
  const stamp = stamped === false ? [] : [now];
  const select = cachedStatement<unknown[], Row>(
    db,
    `SELECT ${columns.join(', ')} FROM ${table} WHERE guild_id = ? AND period_type = ?${scope ? ' AND period_start = ?' : ''}`,
  ).raw(true);
  const existing = new Map<string, string>();
  const keyOf = (row: Row): string => JSON.stringify(row.slice(0, keys.length));
  for (const start of scope ?? [null]) {
    for (const row of scope ? select.all(guildId, type, start) : select.all(guildId, type)) existing.set(keyOf(row), JSON.stringify(row));
  }
  const insert = cachedStatement(
    db,
    `INSERT INTO ${table} (guild_id, period_type, ${[...columns, ...(stamp.length ? ['computed_at'] : [])].join(', ')})
     VALUES (?, ?, ${[...columns, ...stamp].map(() => '?').join(', ')})`,
  );
  const where = keys.map((k) => `${k} = ?`).join(' AND ');
  const update = cachedStatement(
    db,
    `UPDATE ${table} SET ${[...values, ...(stamp.length ? ['computed_at'] : [])].map((v) => `${v} = ?`).join(', ')}
      WHERE guild_id = ? AND period_type = ? AND ${where}`,
  );
  const remove = cachedStatement(db, `DELETE FROM ${table} WHERE guild_id = ? AND period_type = ? AND ${where}`);
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
