// The mood counts' part of an aggregation run: each dirty day's reactions per clip and mood recomputed from the raw
// tables and its difference carried into the day, its week, its month and all_time; or, when the guild's mapping
// (overrides, default table) or timezone changed, every bucket rebuilt (docs/adr/0017-reaction-moods.md).
import {
  addClipMoods,
  clearClipMoods,
  insertClipMoods,
  readClipMoodRows,
  readEmojiRows,
  readMoodState,
  writeMoodState,
  type ClipMoodChange,
} from '../../db/aggregation/moods';
import { readActivitySpan } from '../../db/aggregation/raw-days';
import { aggregationStep } from '../../db/aggregation/steps';
import type { Db } from '../../db/database';
import { listMoodOverrides } from '../../db/stores/mood-overrides';
import { MAX_MOOD_OVERRIDES, MOODS, moodMapping, type Mood, type MoodMapping, type MoodOverride } from '../moods-table';
import { bucketOf, bucketsBetween } from '../periods';
import { DAYS_PER_STEP, yieldToEventLoop } from './pace';

/** Rows inserted per transaction by a rebuild. */
const ROWS_PER_WRITE = 2_000;

/** The guild's mapping: its overrides (moods the table does not know are skipped) over the default table. */
export async function readMoodMapping(db: Db, guildId: string): Promise<MoodMapping> {
  const rows = await listMoodOverrides(db, guildId, MAX_MOOD_OVERRIDES);
  const known = new Set<string>(MOODS);
  return moodMapping(rows.filter((r) => known.has(r.mood)).map((r): MoodOverride => ({ emoji: r.emoji, mood: r.mood as Mood })));
}

/** Whether the guild's stored mood rows were built with this mapping in this timezone. */
export async function moodsCurrent(db: Db, guildId: string, timezone: string, mapping: MoodMapping): Promise<boolean> {
  const state = await readMoodState(db, guildId);
  return state !== null && state.timezone === timezone && state.signature === mapping.signature;
}

/** `clip\tmood` → reactions, per range key. */
type DayMoods = Map<number, Map<string, number>>;

async function computeDayMoods(
  db: Db,
  guildId: string,
  mapping: MoodMapping,
  ranges: ReadonlyArray<{ key: number; start: number; end: number }>,
): Promise<DayMoods> {
  const days: DayMoods = new Map(ranges.map((r) => [r.key, new Map()]));
  for (const row of await readEmojiRows(db, guildId, ranges)) {
    const day = days.get(row.k);
    if (!day) continue;
    const id = `${row.clip_id}\t${mapping.moodOf(row.emoji_key)}`;
    day.set(id, (day.get(id) ?? 0) + row.n);
  }
  return days;
}

function splitId(id: string): [clip: string, mood: string] {
  const tab = id.lastIndexOf('\t');
  return [id.slice(0, tab), id.slice(tab + 1)];
}

/**
 * Recomputes the days' mood rows and adds each day's difference to the day, its week, its month and all_time.
 * Call inside the incremental step's transaction (`tx`), with the mapping the stored rows were built with.
 */
export async function carryMoodDays(
  tx: Db,
  guildId: string,
  timezone: string,
  mapping: MoodMapping,
  days: ReadonlyArray<{ key: number; start: number; end: number }>,
): Promise<void> {
  if (days.length === 0) return;
  const fresh = await computeDayMoods(tx, guildId, mapping, days);
  const stored = await readClipMoodRows(
    tx,
    guildId,
    'day',
    days.map((d) => d.key),
  );
  const deltas = new Map<number, Map<string, number>>();
  for (const [key, day] of fresh) deltas.set(key, new Map(day));
  for (const row of stored) {
    const delta = deltas.get(row.period_start);
    if (!delta) continue;
    const id = `${row.clip_id}\t${row.mood}`;
    delta.set(id, (delta.get(id) ?? 0) - row.reactions);
  }
  // Summed per target bucket first, so a week with several dirty days gets one change per row.
  const changes = new Map<string, ClipMoodChange>();
  for (const day of days) {
    const targets: Array<[string, number]> = [
      ['day', day.key],
      ['week', bucketOf(timezone, 'week', day.start).start],
      ['month', bucketOf(timezone, 'month', day.start).start],
      ['all_time', 0],
    ];
    for (const [id, change] of deltas.get(day.key) ?? []) {
      if (change === 0) continue;
      const [clip, mood] = splitId(id);
      for (const [type, key] of targets) {
        const target = `${type}\t${key}\t${id}`;
        const existing = changes.get(target);
        if (existing) existing[4] += change;
        else changes.set(target, [type, key, clip, mood, change]);
      }
    }
  }
  await addClipMoods(tx, guildId, [...changes.values()]);
}

/**
 * Rebuilds every mood row of the guild from the raw tables with `mapping`, in short transactions; the state says
 * current only after the last one (until then reads compute from the raw tables). Returns the rows written.
 */
export async function rebuildMoods(db: Db, guildId: string, timezone: string, mapping: MoodMapping, now: number): Promise<number> {
  const span = await readActivitySpan(db, guildId);
  const ranges = span
    ? bucketsBetween(timezone, 'day', span.lo, span.hi + 1).map((b) => ({ key: b.start, start: b.start, end: b.end }))
    : [];
  const rolled = new Map<string, ClipMoodChange>();
  for (let i = 0; i < ranges.length; i += DAYS_PER_STEP) {
    const part = ranges.slice(i, i + DAYS_PER_STEP);
    const days = await computeDayMoods(db, guildId, mapping, part);
    for (const range of part) {
      const targets: Array<[string, number]> = [
        ['day', range.key],
        ['week', bucketOf(timezone, 'week', range.start).start],
        ['month', bucketOf(timezone, 'month', range.start).start],
        ['all_time', 0],
      ];
      for (const [id, n] of days.get(range.key) ?? []) {
        const [clip, mood] = splitId(id);
        for (const [type, key] of targets) {
          const target = `${type}\t${key}\t${id}`;
          const existing = rolled.get(target);
          if (existing) existing[4] += n;
          else rolled.set(target, [type, key, clip, mood, n]);
        }
      }
    }
    await yieldToEventLoop();
  }
  await aggregationStep(db, (tx) => clearClipMoods(tx, guildId));
  const rows = [...rolled.values()].filter((r) => r[4] !== 0);
  for (let i = 0; i < rows.length; i += ROWS_PER_WRITE) {
    await aggregationStep(db, (tx) => insertClipMoods(tx, guildId, rows.slice(i, i + ROWS_PER_WRITE)));
    await yieldToEventLoop();
  }
  await aggregationStep(db, (tx) => writeMoodState(tx, guildId, { timezone, signature: mapping.signature }, now));
  return rows.length;
}
