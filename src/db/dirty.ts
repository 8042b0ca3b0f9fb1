// Marks the hours in which a guild's raw data changed, so incremental aggregation redoes only those buckets.
import { cachedStatement, type Db } from './client';

export const HOUR_MS = 3_600_000;

// Hours collected by deferDirtyHours, per connection: guild → hours.
const deferred = new WeakMap<object, Map<string, Set<number>>>();

export function markDirtyHours(db: Db, guildId: string, timestamps: Iterable<number | null | undefined>): void {
  const pending = deferred.get(db.$client);
  let hours = pending?.get(guildId);
  if (pending && !hours) pending.set(guildId, (hours = new Set()));
  hours ??= new Set<number>();
  const before = hours.size;
  for (const ts of timestamps) {
    if (typeof ts === 'number' && Number.isFinite(ts)) hours.add(Math.floor(ts / HOUR_MS) * HOUR_MS);
  }
  if (pending || hours.size === before) return;
  insertDirtyHours(db, guildId, hours);
}

/**
 * Runs `fn` (a batch of writes inside one transaction) with the dirty hours it marks written once at its end,
 * each (guild, hour) one row, still inside the transaction. If `fn` throws, nothing is written.
 */
export function deferDirtyHours<T>(db: Db, fn: () => T): T {
  if (deferred.has(db.$client)) return fn();
  const pending = new Map<string, Set<number>>();
  deferred.set(db.$client, pending);
  let result: T;
  try {
    result = fn();
  } finally {
    deferred.delete(db.$client);
  }
  for (const [guildId, hours] of pending) insertDirtyHours(db, guildId, hours);
  return result;
}

function insertDirtyHours(db: Db, guildId: string, hours: Iterable<number>): void {
  const insert = cachedStatement(db, 'INSERT OR IGNORE INTO dirty_hours (guild_id, hour_start) VALUES (?, ?)');
  for (const hour of hours) insert.run(guildId, hour);
}

/**
 * Marks every hour a clip's numbers are placed in: its Twitch creation time and the times of its shares and of
 * the reactions on them. Call it (inside the write's transaction) whenever a clip's metadata changes — enrichment,
 * a view refresh, a clip gone from Twitch — because the clip's creator and game decide where those shares and
 * reactions are counted. Pass the previous created_at too if it changed.
 */
export function markClipHoursDirty(db: Db, guildId: string, clipIds: Iterable<string>, extraTimes: Iterable<number | null | undefined> = []): void {
  const times: Array<number | null | undefined> = [...extraTimes];
  const created = db.$client.prepare<[string, string], { t: number | null }>(
    'SELECT clip_created_at AS t FROM clips WHERE guild_id = ? AND clip_id = ?',
  );
  const engaged = db.$client.prepare<[string, string, string, string, string, string], { t: number }>(
    `SELECT +s.posted_at AS t FROM shares s WHERE s.guild_id = ? AND s.clip_id = ?
     UNION SELECT r.reacted_at FROM shares s JOIN reactions r ON r.message_id = s.message_id WHERE s.guild_id = ? AND s.clip_id = ?
     UNION SELECT b.observed_at FROM shares s JOIN reaction_baselines b ON b.message_id = s.message_id WHERE s.guild_id = ? AND s.clip_id = ?`,
  );
  for (const clipId of clipIds) {
    times.push(created.get(guildId, clipId)?.t);
    for (const row of engaged.all(guildId, clipId, guildId, clipId, guildId, clipId)) times.push(row.t);
  }
  markDirtyHours(db, guildId, times);
}
