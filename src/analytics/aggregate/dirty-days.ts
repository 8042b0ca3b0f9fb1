// The local days a guild's dirty hours fall in, and whether only their Discord engagement changed (see db/dirty.ts).
import { storePendingDays, takeDirtyHours, type DirtyHourRow } from '../../db/aggregation/dirty-days';
import { aggregationStep } from '../../db/aggregation/steps';
import type { Db } from '../../db/database';
import { HOUR_MS } from '../../db/dirty';
import { bucketOf } from '../periods';

/** Local days to recompute, each with whether only its Discord engagement changed. */
export type PendingDays = Map<number, boolean>;

/** Adds the days the dirty hours fall in; a day is engagement-only while every mark in it is. */
export function addDirtyDays(days: PendingDays, hours: readonly DirtyHourRow[], timezone: string): void {
  for (const { hour_start: hour, engagement_only: engagementOnly } of hours) {
    // An hour can straddle two local days in zones with half-hour offsets: mark both ends.
    for (const at of [hour, hour + HOUR_MS - 1]) {
      const start = bucketOf(timezone, 'day', at).start;
      days.set(start, (days.get(start) ?? true) && engagementOnly);
    }
  }
}

/**
 * Turns the guild's dirty hours into pending local days, atomically, in a step that reads nothing else: the run's
 * next steps (a rebuild's or the incremental carrying) then see every capture whose mark was taken (ADR 0043).
 * Returns hours consumed.
 */
export function consumeDirtyHours(db: Db, guildId: string, timezone: string): Promise<number> {
  return aggregationStep(db, async (tx) => {
    const hours = await takeDirtyHours(tx, guildId);
    const days: PendingDays = new Map();
    addDirtyDays(days, hours, timezone);
    await storePendingDays(tx, guildId, days);
    return hours.length;
  });
}
