// The aggregation's to-do list: the dirty hours capture and enrichment mark (db/dirty.ts), and the local days taken
// from them that are still to be carried (aggregation_pending, with whether only their engagement changed).
// engagement_only is 0/1 on SQLite and a boolean on PostgreSQL; both come back as booleans.
import type { Db } from '../database';
import { queries } from '../sql';

export interface DirtyHourRow {
  hour_start: number;
  engagement_only: boolean;
}

export interface PendingDayRow {
  period_start: number;
  engagement_only: boolean;
}

/**
 * Deletes the guild's dirty hours and returns them: call inside a transaction that records what they became and
 * reads nothing else (see consumeDirtyHours). On PostgreSQL the delete waits for a capture that holds a mark's lock
 * (every mark upsert takes it) and then takes that mark, whose writes only later transactions see (ADR 0043).
 */
export async function takeDirtyHours(db: Db, guildId: string): Promise<DirtyHourRow[]> {
  const rows = await queries(db).all<{ hour_start: number; engagement_only: number | boolean }>(
    'DELETE FROM dirty_hours WHERE guild_id = ? RETURNING hour_start, engagement_only',
    [guildId],
  );
  return rows.map((r) => ({ hour_start: r.hour_start, engagement_only: Boolean(r.engagement_only) }));
}

export async function readPendingDays(db: Db, guildId: string): Promise<PendingDayRow[]> {
  const rows = await queries(db).all<{ period_start: number; engagement_only: number | boolean }>(
    "SELECT period_start, engagement_only FROM aggregation_pending WHERE guild_id = ? AND period_type = 'day'",
    [guildId],
  );
  return rows.map((r) => ({ period_start: r.period_start, engagement_only: Boolean(r.engagement_only) }));
}

const STORE_PENDING = `INSERT INTO aggregation_pending (guild_id, period_type, period_start, engagement_only) VALUES (?, 'day', ?, ?)
       ON CONFLICT (guild_id, period_type, period_start) DO UPDATE SET engagement_only = excluded.engagement_only
        WHERE NOT excluded.engagement_only AND aggregation_pending.engagement_only`;
// PostgreSQL: every day in one statement (each is a round trip; a run's days all pass through here, ADR 0043).
const STORE_PENDING_POSTGRES = `INSERT INTO aggregation_pending (guild_id, period_type, period_start, engagement_only)
       SELECT ?, 'day', (x->>0)::bigint, (x->>1)::boolean FROM jsonb_array_elements(?::jsonb) AS x
       ON CONFLICT (guild_id, period_type, period_start) DO UPDATE SET engagement_only = excluded.engagement_only
        WHERE NOT excluded.engagement_only AND aggregation_pending.engagement_only`;

/** Records pending days, merged with those already recorded (a day that needs a full recompute keeps needing it). */
export async function storePendingDays(db: Db, guildId: string, days: Iterable<[day: number, engagementOnly: boolean]>): Promise<void> {
  const q = queries(db);
  if (db.engine === 'postgres') {
    // One row per day (a statement may not update a row twice), full when any listing of it is.
    const merged = new Map<number, boolean>();
    for (const [day, engagementOnly] of days) merged.set(day, (merged.get(day) ?? true) && engagementOnly);
    if (merged.size > 0) await q.run(STORE_PENDING_POSTGRES, [guildId, JSON.stringify([...merged])]);
    return;
  }
  for (const [day, engagementOnly] of days) await q.run(STORE_PENDING, [guildId, day, engagementOnly]);
}

/** Deletes pending days once carried. */
export async function dropPendingDays(db: Db, guildId: string, days: readonly number[]): Promise<void> {
  const q = queries(db);
  if (db.engine === 'postgres') {
    if (days.length > 0) {
      await q.run(
        "DELETE FROM aggregation_pending WHERE guild_id = ? AND period_type = 'day' AND period_start IN (SELECT x::bigint FROM jsonb_array_elements_text(?::jsonb) AS x)",
        [guildId, JSON.stringify(days)],
      );
    }
    return;
  }
  for (const day of days) {
    await q.run("DELETE FROM aggregation_pending WHERE guild_id = ? AND period_type = 'day' AND period_start = ?", [guildId, day]);
  }
}
