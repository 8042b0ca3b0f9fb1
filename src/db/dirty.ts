// Marks the hours in which a guild's raw data changed, so incremental aggregation redoes only those buckets.
import { connectionNow, openDeferredBatch, withDeferredBatch, type Connection, type DeferredBatch, type Db } from './client';
import { SHARES_OF_CLIP } from './stores/capture/keys';

/** The connection behind a handle (capture's statements still take a Db until they move behind stores). */
const connectionOf = (on: Connection | Db): Connection => ('client' in on ? on : connectionNow(on));

export const HOUR_MS = 3_600_000;

/**
 * What changed in an hour. 'engagement': only Discord shares and reactions (capture writes, which also journal
 * the exact change in engagement_changes), so the aggregator carries the journal into the hour's local day
 * without re-reading it. 'clips': a clip's Twitch metadata (creator, game, views, creation time, gone from
 * Twitch), which moves its clip counts and re-attributes its engagement, so the whole day is recomputed from the
 * raw tables. An hour marked both ways counts as 'clips'.
 */
export type DirtyKind = 'engagement' | 'clips';

// Hours collected by deferDirtyHours, per connection: guild → hour → whether only engagement changed.
const deferred = new WeakMap<object, Map<string, Map<number, boolean>>>();

export function markDirtyHours(
  on: Connection | Db,
  guildId: string,
  timestamps: Iterable<number | null | undefined>,
  kind: DirtyKind = 'clips',
): void {
  const engagementOnly = kind === 'engagement';
  const db = connectionOf(on);
  const pending = deferred.get(db.client);
  let hours = pending?.get(guildId);
  if (pending && !hours) pending.set(guildId, (hours = new Map()));
  hours ??= new Map<number, boolean>();
  let changed = false;
  for (const ts of timestamps) {
    if (typeof ts !== 'number' || !Number.isFinite(ts)) continue;
    const hour = Math.floor(ts / HOUR_MS) * HOUR_MS;
    const before = hours.get(hour);
    if (before === undefined || (before && !engagementOnly)) {
      hours.set(hour, engagementOnly);
      changed = true;
    }
  }
  if (pending || !changed) return;
  insertDirtyHours(db, guildId, hours);
}

/**
 * Runs `fn` (a batch of writes inside one transaction) with the dirty hours it marks written once at its end,
 * each (guild, hour) one row, still inside the transaction. If `fn` throws, nothing is written.
 */
export function deferDirtyHours<T>(on: Connection | Db, fn: () => T): T {
  const db = connectionOf(on);
  return withDeferredBatch(deferred, db, newDirtyBatch, (pending) => flushDirtyBatch(db, pending), fn);
}

/** deferDirtyHours for a transaction that does not fit one callback: the hours are written at flush(). */
export function openDirtyHoursBatch(on: Connection | Db): DeferredBatch {
  const db = connectionOf(on);
  return openDeferredBatch(deferred, db, newDirtyBatch, (pending) => flushDirtyBatch(db, pending));
}

const newDirtyBatch = (): Map<string, Map<number, boolean>> => new Map();

function flushDirtyBatch(db: Connection, pending: Map<string, Map<number, boolean>>): void {
  for (const [guildId, hours] of pending) insertDirtyHours(db, guildId, hours);
}

function insertDirtyHours(db: Connection, guildId: string, hours: Map<number, boolean>): void {
  // A 'clips' mark overrides an 'engagement' one; an 'engagement' mark never weakens a 'clips' one.
  const insert = db.statement(
    `INSERT INTO dirty_hours (guild_id, hour_start, engagement_only) VALUES (?, ?, ?)
     ON CONFLICT (guild_id, hour_start) DO UPDATE SET engagement_only = 0 WHERE excluded.engagement_only = 0 AND dirty_hours.engagement_only <> 0`,
  );
  for (const [hour, engagementOnly] of hours) insert.run(guildId, hour, engagementOnly ? 1 : 0);
}

/**
 * Marks every hour a clip's numbers are placed in: its Twitch creation time and the times of its shares and of
 * the reactions on them. Call it (inside the write's transaction) whenever a clip's metadata changes — enrichment,
 * a view refresh, a clip gone from Twitch — because the clip's creator and game decide where those shares and
 * reactions are counted. Pass the previous created_at too if it changed.
 */
export function markClipHoursDirty(
  on: Connection | Db,
  guildId: string,
  clipIds: Iterable<string>,
  extraTimes: Iterable<number | null | undefined> = [],
): void {
  const times: Array<number | null | undefined> = [...extraTimes];
  const db = connectionOf(on);
  const created = db.statement<[string, string], { t: number | null }>(
    'SELECT clip_created_at AS t FROM clips WHERE guild_id = ? AND clip_id = ?',
  );
  const engaged = db.statement<[string, string, string, string, string, string], { t: number }>(
    `SELECT +s.posted_at AS t FROM shares s WHERE s.guild_id = ? AND s.clip_id = ?
     UNION SELECT r.reacted_at FROM shares s ${SHARES_OF_CLIP} CROSS JOIN reactions r ON r.guild_id = s.guild_id AND r.message_id = s.message_id WHERE s.guild_id = ? AND s.clip_id = ?
     UNION SELECT b.observed_at FROM shares s ${SHARES_OF_CLIP} CROSS JOIN reaction_baselines b ON b.guild_id = s.guild_id AND b.message_id = s.message_id WHERE s.guild_id = ? AND s.clip_id = ?`,
  );
  for (const clipId of clipIds) {
    times.push(created.get(guildId, clipId)?.t);
    for (const row of engaged.all(guildId, clipId, guildId, clipId, guildId, clipId)) times.push(row.t);
  }
  markDirtyHours(db, guildId, times);
}
