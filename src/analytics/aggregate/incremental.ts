// A guild's incremental run: its pending days, recomputed from the raw tables or taken from the engagement journal,
// their differences carried into the days' own rows and into their weeks, months and all_time.
import { writeCarriedDays, type CarriedDay } from '../../db/aggregation/carry';
import { dropPendingDays, readPendingDays } from '../../db/aggregation/dirty-days';
import { readJournal } from '../../db/aggregation/raw-days';
import { readStoredDays } from '../../db/aggregation/stored-days';
import { hasIncrementalWork, recordRun } from '../../db/aggregation/state';
import { aggregationStep } from '../../db/aggregation/steps';
import type { Db } from '../../db/database';
import { computeDayFacts, type DayRange } from '../day-facts';
import type { MoodMapping } from '../moods-table';
import { bucketOf } from '../periods';
import { PERIOD_TYPES, type PeriodType } from '../types';
import { emptyDelta, isEmptyDelta, journaledDelta, mergeDelta, replacedDayDelta, type BucketDelta } from './delta';
import { consumeDirtyHours, type PendingDays } from './dirty-days';
import { carryMoodDays } from './moods';
import { DAYS_PER_STEP, yieldToEventLoop, type GuildWork } from './pace';
import { dayTopRows, summaryRules } from './rows';

/**
 * The dirty hours are first taken into pending days in a transaction of their own (consumeDirtyHours), so every
 * capture whose mark is taken has committed before the next steps read (ADR 0043). Then each step is one
 * transaction: it recomputes up to DAYS_PER_STEP pending days, carries their differences into their weeks, months
 * and all_time and deletes those days from the pending ones.
 * `moods`: the mapping the guild's mood rows were built with, whose days are carried in the same steps; null when
 * they are rebuilt after this run instead.
 */
export async function carryDirtyDays(
  db: Db,
  guildId: string,
  timezone: string,
  now: number,
  moods: MoodMapping | null = null,
): Promise<GuildWork> {
  const buckets: Record<PeriodType, number> = { day: 0, week: 0, month: 0, all_time: 0 };
  const work: GuildWork = { full: false, buckets, dirtyHours: 0 };
  if (!(await hasIncrementalWork(db, guildId))) return work;
  // Not in the first carrying step: on PostgreSQL that step's snapshot would predate a capture that holds the lock
  // on an hour's existing mark (its upsert) and commits while the step waits to delete it, so the step would take
  // the mark without seeing the capture's writes. Taken and committed first, a mark is gone only once every capture
  // that locked it has committed, and the steps below read after that; they never delete a mark.
  work.dirtyHours = await consumeDirtyHours(db, guildId, timezone);
  const touched: Record<PeriodType, Set<number>> = { day: new Set(), week: new Set(), month: new Set(), all_time: new Set() };
  for (;;) {
    const finished = await aggregationStep(db, async (tx) => {
      const pending: PendingDays = new Map((await readPendingDays(tx, guildId)).map((r) => [r.period_start, r.engagement_only]));
      if (pending.size === 0) return true;
      const order = [...pending.keys()].sort((a, b) => a - b);
      const step = order.slice(0, DAYS_PER_STEP);
      const withKind = (day: number): [number, boolean] => [day, pending.get(day) as boolean];
      await carryDays(tx, guildId, timezone, step.map(withKind), touched, now);
      if (moods) {
        const ranges = step.map((key) => {
          const day = bucketOf(timezone, 'day', key);
          return { key, start: day.start, end: day.end as number };
        });
        await carryMoodDays(tx, guildId, timezone, moods, ranges);
      }
      await dropPendingDays(tx, guildId, step);
      await recordRun(tx, guildId, PERIOD_TYPES, timezone, now, false);
      return order.length <= DAYS_PER_STEP;
    });
    await yieldToEventLoop();
    if (finished) break;
  }
  for (const type of PERIOD_TYPES) buckets[type] = touched[type].size;
  return work;
}

/**
 * Recomputes the days (ascending) and carries their differences into their own rows and their week's, month's and
 * all_time's. Call inside the step's transaction (`tx`).
 */
async function carryDays(
  tx: Db,
  guildId: string,
  timezone: string,
  days: ReadonlyArray<[number, boolean]>,
  touched: Record<PeriodType, Set<number>>,
  now: number,
): Promise<void> {
  const rangeOf = (key: number): DayRange => {
    const day = bucketOf(timezone, 'day', key);
    return { key, start: day.start, end: day.end };
  };
  const whole = days.filter(([, engagementOnly]) => !engagementOnly).map(([key]) => rangeOf(key));
  const engagement = days.filter(([, engagementOnly]) => engagementOnly).map(([key]) => rangeOf(key));
  // Each day's old and new state is read before any is written: a day's writes touch no other day's rows.
  const fresh = await computeDayFacts(tx, guildId, timezone, whole);
  const stored = await readStoredDays(
    tx,
    guildId,
    whole.map((r) => r.key),
  );
  const journal = await readJournal(tx, guildId, engagement);
  const carried: CarriedDay[] = [];
  const deltas = new Map<string, BucketDelta>();
  for (const range of [...whole, ...engagement].sort((a, b) => a.key - b.key)) {
    const wholeDay = fresh.get(range.key);
    const delta = wholeDay
      ? replacedDayDelta(range, wholeDay, stored.get(range.key) ?? { pairs: [], cells: [], totals: undefined, tops: [] })
      : journaledDelta(timezone, range, journal.get(range.key) ?? []);
    const tops = wholeDay && delta.topGames.size > 0 ? dayTopRows([wholeDay]) : null;
    touched.day.add(range.key);
    const empty = isEmptyDelta(delta);
    carried.push({ key: range.key, start: range.start, end: range.end, tops, delta: empty ? null : delta });
    if (empty) continue;
    for (const type of ['week', 'month', 'all_time'] as const) {
      const bucket = type === 'all_time' ? { start: 0, end: null } : bucketOf(timezone, type, range.start);
      const id = `${type}:${bucket.start}`;
      let target = deltas.get(id);
      if (!target) deltas.set(id, (target = emptyDelta(type, bucket.start, bucket.end)));
      mergeDelta(target, delta);
      touched[type].add(bucket.start);
    }
  }
  await writeCarriedDays(tx, guildId, carried, deltas.values(), summaryRules, now);
}
