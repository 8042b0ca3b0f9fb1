// A guild's full rebuild: every local day computed from the raw tables, every week, month and all_time rolled up from
// those days, written in short transactions while the guild's facts are marked stale.
import { finishRebuild, writeBuckets } from '../../db/aggregation/rebuild';
import { readActivitySpan } from '../../db/aggregation/raw-days';
import { markFactsStale } from '../../db/aggregation/state';
import { aggregationStep } from '../../db/aggregation/steps';
import type { Db, Engine } from '../../db/database';
import type { BucketRange } from '../bucket-facts';
import { computeDayFacts, rollUpDays, type DayFacts, type DayRange } from '../day-facts';
import { bucketsBetween } from '../periods';
import { PERIOD_TYPES, type PeriodType } from '../types';
import { REBUILD_READ_DAYS, yieldToEventLoop, type GuildWork } from './pace';
import { bucketRows, dayTopRows, readBucketNames } from './rows';

/**
 * Buckets written per transaction by a full rebuild. SQLite: short transactions keep capture moving (a write
 * transaction holds the file). PostgreSQL: capture writes beside them, so fewer, larger commits (each batch is one
 * set-based statement per table, inside the statement timeout at L: ~30k rows for half a year of the largest guild;
 * fewer statements mean fewer name reads, plans and commits).
 */
const BUCKETS_PER_WRITE: Record<Engine, Record<PeriodType, number>> = {
  sqlite: { day: 14, week: 2, month: 1, all_time: 1 },
  postgres: { day: 183, week: 27, month: 6, all_time: 1 },
};

interface PlannedBucket extends BucketRange {
  /** Keys of the local days it is made of. */
  days: number[];
}

export async function rebuildGuild(db: Db, guildId: string, timezone: string, now: number): Promise<Omit<GuildWork, 'dirtyHours'>> {
  const ranges: DayRange[] = await allDays(db, guildId, timezone);
  const days = new Map<number, DayFacts>();
  const perRead = REBUILD_READ_DAYS[db.engine];
  for (let i = 0; i < ranges.length; i += perRead) {
    for (const [key, facts] of await computeDayFacts(db, guildId, timezone, ranges.slice(i, i + perRead))) days.set(key, facts);
    await yieldToEventLoop();
  }
  // Written in many short transactions. Until the last one the guild's facts are marked stale (facts_version 0),
  // so a crash part way leaves the next run to rebuild again; reads keep using the summaries meanwhile.
  await markFactsStale(db, guildId);
  const buckets: Record<PeriodType, number> = { day: 0, week: 0, month: 0, all_time: 0 };
  const perWrite = BUCKETS_PER_WRITE[db.engine];
  const spans = new Map<PeriodType, { first: number; last: number } | null>();
  for (const type of PERIOD_TYPES) {
    const plan = bucketsOfDays(timezone, type, ranges);
    buckets[type] = plan.length;
    spans.set(
      type,
      plan.length === 0 ? null : { first: (plan[0] as PlannedBucket).key, last: (plan[plan.length - 1] as PlannedBucket).key },
    );
    for (let i = 0; i < plan.length; i += perWrite[type]) {
      const part = plan.slice(i, i + perWrite[type]);
      const rolled = part.map((bucket) =>
        rollUpDays(
          bucket.key,
          bucket.days.map((d) => days.get(d) as DayFacts),
        ),
      );
      const keys = part.map((b) => b.key);
      await aggregationStep(db, async (tx) => {
        const rows = bucketRows(type, part, rolled, await readBucketNames(tx, guildId, rolled));
        const tops = type === 'day' ? dayTopRows(keys.map((k) => days.get(k) as DayFacts)) : null;
        await writeBuckets(tx, guildId, type, keys, rows, tops, now);
      });
      await yieldToEventLoop();
    }
  }
  // Buckets before the guild's first or after its last day (data deleted since the last rebuild) go.
  await aggregationStep(db, (tx) => finishRebuild(tx, guildId, spans, timezone, now));
  return { full: true, buckets };
}

/** Every local day between the guild's earliest and latest timestamp. */
async function allDays(db: Db, guildId: string, timezone: string): Promise<DayRange[]> {
  const range = await readActivitySpan(db, guildId);
  if (!range) return [];
  return bucketsBetween(timezone, 'day', range.lo, range.hi + 1).map((b) => ({ key: b.start, start: b.start, end: b.end }));
}

/** The buckets of a type that the days make up (weeks and months whole, even where the days start or end inside). */
function bucketsOfDays(timezone: string, type: PeriodType, days: readonly DayRange[]): PlannedBucket[] {
  if (type === 'day') return days.map((d) => ({ key: d.key, start: d.start, end: d.end, days: [d.key] }));
  if (type === 'all_time') return days.length === 0 ? [] : [{ key: 0, start: null, end: null, days: days.map((d) => d.key) }];
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) return [];
  const plan: PlannedBucket[] = bucketsBetween(timezone, type, first.start, last.end).map((b) => ({
    key: b.start,
    start: b.start,
    end: b.end,
    days: [],
  }));
  let i = 0;
  for (const day of days) {
    while ((plan[i]?.end as number) <= day.start) i += 1;
    plan[i]?.days.push(day.key);
  }
  return plan;
}
