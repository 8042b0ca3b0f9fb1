// Marks the hours in which a guild's raw data changed, so incremental aggregation redoes only those buckets.
import { cachedStatement, type Db } from './client';

export const HOUR_MS = 3_600_000;

export function markDirtyHours(db: Db, guildId: string, timestamps: Iterable<number | null | undefined>): void {
  const hours = new Set<number>();
  for (const ts of timestamps) {
    if (typeof ts === 'number' && Number.isFinite(ts)) hours.add(Math.floor(ts / HOUR_MS) * HOUR_MS);
  }
  if (hours.size === 0) return;
  const insert = cachedStatement(db, 'INSERT OR IGNORE INTO dirty_hours (guild_id, hour_start) VALUES (?, ?)');
  for (const hour of hours) insert.run(guildId, hour);
}
