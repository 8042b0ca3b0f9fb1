// The aggregation's to-do list: the dirty hours capture and enrichment mark (db/dirty.ts), and the local days taken
// from them that are still to be carried (aggregation_pending, with whether only their engagement changed).
import { run, type Db } from '../client';

export interface DirtyHourRow {
  hour_start: number;
  engagement_only: number;
}

export interface PendingDayRow {
  period_start: number;
  engagement_only: number;
}

/** Reads the guild's dirty hours and deletes them: call inside the transaction that records what they became. */
export function takeDirtyHours(db: Db, guildId: string): Promise<DirtyHourRow[]> {
  return run(db, (c) => {
    const hours = c
      .statement<[string], DirtyHourRow>('SELECT hour_start, engagement_only FROM dirty_hours WHERE guild_id = ?')
      .all(guildId);
    if (hours.length > 0) c.statement('DELETE FROM dirty_hours WHERE guild_id = ?').run(guildId);
    return hours;
  });
}

export function readPendingDays(db: Db, guildId: string): Promise<PendingDayRow[]> {
  return run(db, (c) =>
    c
      .statement<[string], PendingDayRow>(
        "SELECT period_start, engagement_only FROM aggregation_pending WHERE guild_id = ? AND period_type = 'day'",
      )
      .all(guildId),
  );
}

/** Records pending days, merged with those already recorded (a day that needs a full recompute keeps needing it). */
export function storePendingDays(db: Db, guildId: string, days: Iterable<[day: number, engagementOnly: boolean]>): Promise<void> {
  return run(db, (c) => {
    const insert = c.statement(
      `INSERT INTO aggregation_pending (guild_id, period_type, period_start, engagement_only) VALUES (?, 'day', ?, ?)
       ON CONFLICT (guild_id, period_type, period_start) DO UPDATE SET engagement_only = 0
        WHERE excluded.engagement_only = 0 AND aggregation_pending.engagement_only <> 0`,
    );
    for (const [day, engagementOnly] of days) insert.run(guildId, day, engagementOnly ? 1 : 0);
  });
}

/** Deletes pending days once carried. */
export function dropPendingDays(db: Db, guildId: string, days: readonly number[]): Promise<void> {
  return run(db, (c) => {
    const done = c.statement("DELETE FROM aggregation_pending WHERE guild_id = ? AND period_type = 'day' AND period_start = ?");
    for (const day of days) done.run(guildId, day);
  });
}
