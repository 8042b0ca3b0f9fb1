// The mood counts' part of an aggregation run: each dirty day's reactions per clip and mood recomputed from the raw
// tables and its difference carried into the day, its week, its month and all_time; or, when the guild's mapping
// (overrides, default table) or timezone changed, every bucket rebuilt (docs/adr/0017-reaction-moods.md).
import {
  addClipMoods,
  addMoodMixes,
  clearClipMoods,
  insertClipMoods,
  insertMoodMixes,
  MOOD_COLUMNS,
  readClipFacets,
  readClipMoodRows,
  readEmojiRows,
  readMoodMixRows,
  readMoodState,
  refreshClipInfo,
  writeMoodState,
  type ClipBucket,
  type ClipFacet,
  type ClipMoodChange,
  type MoodMixChange,
} from '../../db/aggregation/moods';
import { readActivitySpan } from '../../db/aggregation/raw-days';
import { aggregationStep } from '../../db/aggregation/steps';
import type { Db } from '../../db/database';
import { listMoodOverrides } from '../../db/stores/mood-overrides';
import { MAX_MOOD_OVERRIDES, MOODS, moodMapping, type Mood, type MoodMapping, type MoodOverride } from '../moods-table';
import { bucketOf, bucketsBetween } from '../periods';
import { REBUILD_READ_DAYS, yieldToEventLoop } from './pace';

/** Rows inserted per transaction by a rebuild. */
const ROWS_PER_WRITE = 2_000;

// The mix rows' columns follow MOODS: a mood added to the table needs its column (and a migration).
const SAME_ORDER: readonly Mood[] = MOOD_COLUMNS satisfies readonly Mood[];
if (SAME_ORDER.length !== MOODS.length || SAME_ORDER.some((m, i) => MOODS[i] !== m)) {
  throw new Error('analytics_mood_mixes columns (MOOD_COLUMNS) must list MOODS in order');
}
const MOOD_INDEX = new Map<string, number>(MOODS.map((m, i) => [m, i]));

/** The guild's mapping: its overrides (moods the table does not know are skipped) over the default table. */
export async function readMoodMapping(db: Db, guildId: string): Promise<MoodMapping> {
  return mappingOf(await listMoodOverrides(db, guildId, MAX_MOOD_OVERRIDES));
}

/** The mapping of these override rows (moods the table does not know are skipped) over the default table. */
export function mappingOf(rows: ReadonlyArray<{ emoji: string; mood: string }>): MoodMapping {
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

/** `dimension\tsubject` → counts in MOODS order. */
type Mixes = Map<string, number[]>;

/** Adds a clip's reactions of one mood to the guild's mix and, for a counted clip, its creator's and game's. */
function addToMixes(mixes: Mixes, facet: ClipFacet | undefined, mood: string, n: number): void {
  const index = MOOD_INDEX.get(mood);
  if (index === undefined) return;
  const subjects = [`guild\t`];
  if (facet?.counted) subjects.push(`creator\t${facet.creator_id ?? ''}`, `game\t${facet.game_id ?? ''}`);
  for (const subject of subjects) {
    let counts = mixes.get(subject);
    if (!counts) mixes.set(subject, (counts = MOODS.map(() => 0)));
    counts[index] = (counts[index] as number) + n;
  }
}

function mixChange(type: string, key: number, subject: string, counts: number[]): MoodMixChange {
  const tab = subject.indexOf('\t');
  return [type, key, subject.slice(0, tab) as MoodMixChange[2], subject.slice(tab + 1), [...counts]];
}

async function facetsOf(db: Db, guildId: string, clipIds: Iterable<string> | 'all'): Promise<Map<string, ClipFacet>> {
  const list = clipIds === 'all' ? 'all' : [...new Set(clipIds)];
  return new Map((await readClipFacets(db, guildId, list)).map((f) => [f.clip_id, f]));
}

function targetsOf(timezone: string, day: { key: number; start: number }): Array<[string, number]> {
  return [
    ['day', day.key],
    ['week', bucketOf(timezone, 'week', day.start).start],
    ['month', bucketOf(timezone, 'month', day.start).start],
    ['all_time', 0],
  ];
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

  // What the rows show of each clip (ADR 0030): a clip whose Twitch data changed marks every day holding its
  // reactions dirty, so the targets of these days' clips are every bucket holding rows of those clips.
  const clipIds: string[] = [];
  const shown = new Map<string, ClipBucket>();
  for (const day of days) {
    for (const id of fresh.get(day.key)?.keys() ?? []) {
      const [clip] = splitId(id);
      clipIds.push(clip);
      for (const [type, key] of targetsOf(timezone, day)) shown.set(`${type}\t${key}\t${clip}`, [type, key, clip]);
    }
  }
  const facets = await facetsOf(tx, guildId, clipIds);
  await refreshClipInfo(tx, guildId, [...shown.values()], facets);

  // The mixes: each day's recomputed from its clips with their current creator and game (a clip whose Twitch data
  // changed marks its days dirty, so they are among these), minus the stored day rows, carried up like the clips'.
  const mixDeltas = new Map<number, Mixes>();
  for (const [key, day] of fresh) {
    const mixes: Mixes = new Map();
    for (const [id, n] of day) {
      const [clip, mood] = splitId(id);
      addToMixes(mixes, facets.get(clip), mood, n);
    }
    mixDeltas.set(key, mixes);
  }
  const storedMixes = await readMoodMixRows(
    tx,
    guildId,
    'day',
    days.map((d) => d.key),
  );
  for (const row of storedMixes) {
    const mixes = mixDeltas.get(row.period_start);
    if (!mixes) continue;
    const subject = `${row.dimension}\t${row.subject_id}`;
    const counts = mixes.get(subject) ?? MOODS.map(() => 0);
    mixes.set(
      subject,
      counts.map((n, i) => n - (row.counts[i] as number)),
    );
  }
  const mixChanges = new Map<string, MoodMixChange>();
  for (const day of days) {
    for (const [subject, counts] of mixDeltas.get(day.key) ?? []) {
      if (counts.every((n) => n === 0)) continue;
      for (const [type, key] of targetsOf(timezone, day)) {
        const target = `${type}\t${key}\t${subject}`;
        const existing = mixChanges.get(target);
        if (existing) existing[4] = existing[4].map((n, i) => n + (counts[i] as number));
        else mixChanges.set(target, mixChange(type, key, subject, counts));
      }
    }
  }
  await addMoodMixes(tx, guildId, [...mixChanges.values()]);
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
  const perRead = REBUILD_READ_DAYS[db.engine];
  for (let i = 0; i < ranges.length; i += perRead) {
    const part = ranges.slice(i, i + perRead);
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
  const rows = [...rolled.values()].filter((r) => r[4] !== 0);
  const clipMixes = new Map<string, number[]>();
  const facets = await facetsOf(db, guildId, 'all');
  const mixes = new Map<string, Mixes>();
  for (const [type, key, clip, mood, n] of rows) {
    const bucket = `${type}\t${key}\t${clip}`;
    let clipMix = clipMixes.get(bucket);
    if (!clipMix) clipMixes.set(bucket, (clipMix = MOODS.map(() => 0)));
    const index = MOOD_INDEX.get(mood);
    if (index !== undefined) clipMix[index] = (clipMix[index] as number) + n;
    const of = `${type}\t${key}`;
    let bucketMixes = mixes.get(of);
    if (!bucketMixes) mixes.set(of, (bucketMixes = new Map()));
    addToMixes(bucketMixes, facets.get(clip), mood, n);
  }
  const mixRows: MoodMixChange[] = [];
  for (const [of, bucketMixes] of mixes) {
    const tab = of.indexOf('\t');
    for (const [subject, counts] of bucketMixes) mixRows.push(mixChange(of.slice(0, tab), Number(of.slice(tab + 1)), subject, counts));
  }
  await aggregationStep(db, (tx) => clearClipMoods(tx, guildId));
  for (let i = 0; i < rows.length; i += ROWS_PER_WRITE) {
    await aggregationStep(db, (tx) => insertClipMoods(tx, guildId, rows.slice(i, i + ROWS_PER_WRITE), clipMixes, facets));
    await yieldToEventLoop();
  }
  for (let i = 0; i < mixRows.length; i += ROWS_PER_WRITE) {
    await aggregationStep(db, (tx) => insertMoodMixes(tx, guildId, mixRows.slice(i, i + ROWS_PER_WRITE)));
    await yieldToEventLoop();
  }
  await aggregationStep(db, (tx) => writeMoodState(tx, guildId, { timezone, signature: mapping.signature }, now));
  return rows.length + mixRows.length;
}
