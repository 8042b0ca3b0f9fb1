// Marks the hours in which a guild's raw data changed, so incremental aggregation redoes only those buckets.
// The logic is steps (src/db/stores/capture/steps.ts): synchronous on a SQLite connection, awaited on PostgreSQL.
import { connectionNow, type Connection, type Db } from './client';
import { captureJoins } from './stores/capture/keys';
import {
  all,
  exec,
  execute,
  executeNow,
  get,
  openDeferred,
  sqliteWriter,
  withDeferredNow,
  type DeferredSteps,
  type Steps,
  type Writer,
} from './stores/capture/steps';

/** The connection behind a handle (the synchronous helpers below take either). */
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

// Hours collected by a batch, per connection (SQLite) or transaction (PostgreSQL): guild → hour → engagement only.
const deferred = new WeakMap<object, Map<string, Map<number, boolean>>>();

/** Marks the hours of `timestamps` dirty for the guild (deferred to the batch's end inside a capture batch). */
export function* markDirtyHoursSteps(
  w: Writer,
  guildId: string,
  timestamps: Iterable<number | null | undefined>,
  kind: DirtyKind = 'clips',
): Steps<void> {
  const engagementOnly = kind === 'engagement';
  const pending = deferred.get(w.key);
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
  yield* insertDirtyHours(w, new Map([[guildId, hours]]));
}

/** markDirtyHoursSteps, synchronously on a SQLite connection (or the handle whose transaction holds it). */
export function markDirtyHours(
  on: Connection | Db,
  guildId: string,
  timestamps: Iterable<number | null | undefined>,
  kind: DirtyKind = 'clips',
): void {
  executeNow(connectionOf(on), (w) => markDirtyHoursSteps(w, guildId, timestamps, kind));
}

/** markDirtyHours on either engine (inside the caller's transaction when `db` is its handle). */
export function recordDirtyHours(
  db: Db,
  guildId: string,
  timestamps: Iterable<number | null | undefined>,
  kind: DirtyKind = 'clips',
): Promise<void> {
  return execute(db, (w) => markDirtyHoursSteps(w, guildId, timestamps, kind));
}

/**
 * Runs `fn` (a batch of writes inside one transaction) with the dirty hours it marks written once at its end,
 * each (guild, hour) one row, still inside the transaction. If `fn` throws, nothing is written.
 */
export function deferDirtyHours<T>(on: Connection | Db, fn: () => T): T {
  const c = connectionOf(on);
  return withDeferredNow(c, openDirtyHoursSteps(sqliteWriter(c)), fn);
}

/** A batch of dirty hours for a transaction that does not fit one callback: the hours are written at flush(). */
export function openDirtyHoursSteps(w: Writer): DeferredSteps {
  return openDeferred(
    deferred,
    w.key,
    () => new Map(),
    (pending) => insertDirtyHours(w, pending),
  );
}

// A 'clips' mark overrides an 'engagement' one; an 'engagement' mark never weakens a 'clips' one.
const UPSERT_SQLITE = `INSERT INTO dirty_hours (guild_id, hour_start, engagement_only) VALUES (?, ?, ?)
     ON CONFLICT (guild_id, hour_start) DO UPDATE SET engagement_only = 0 WHERE excluded.engagement_only = 0 AND dirty_hours.engagement_only <> 0`;
// PostgreSQL: every hour of the batch in one statement (each (guild, hour) appears once: the batch's map keys them).
const UPSERT_POSTGRES = `INSERT INTO dirty_hours (guild_id, hour_start, engagement_only)
     SELECT * FROM unnest(?::text[], ?::bigint[], ?::boolean[])
     ON CONFLICT (guild_id, hour_start) DO UPDATE SET engagement_only = false
       WHERE NOT excluded.engagement_only AND dirty_hours.engagement_only`;

function* insertDirtyHours(w: Writer, byGuild: Map<string, Map<number, boolean>>): Steps<void> {
  if (w.engine === 'sqlite') {
    for (const [guildId, hours] of byGuild) {
      for (const [hour, engagementOnly] of hours) yield* exec(UPSERT_SQLITE, [guildId, hour, engagementOnly ? 1 : 0]);
    }
    return;
  }
  const guilds: string[] = [];
  const starts: number[] = [];
  const flags: boolean[] = [];
  for (const [guildId, hours] of byGuild) {
    for (const [hour, engagementOnly] of hours) {
      guilds.push(guildId);
      starts.push(hour);
      flags.push(engagementOnly);
    }
  }
  if (guilds.length > 0) yield* exec(UPSERT_POSTGRES, [guilds, starts, flags]);
}

const clipTimesSql = (w: Writer): string => {
  const j = captureJoins(w.engine);
  return `SELECT +s.posted_at AS t FROM shares s WHERE s.guild_id = ? AND s.clip_id = ?
     UNION SELECT r.reacted_at FROM shares s ${j.sharesOfClip} ${j.join} reactions r ON r.guild_id = s.guild_id AND r.message_id = s.message_id WHERE s.guild_id = ? AND s.clip_id = ?
     UNION SELECT b.observed_at FROM shares s ${j.sharesOfClip} ${j.join} reaction_baselines b ON b.guild_id = s.guild_id AND b.message_id = s.message_id WHERE s.guild_id = ? AND s.clip_id = ?`;
};
const SQLITE_CLIP_TIMES = clipTimesSql({ engine: 'sqlite', key: {} });
const POSTGRES_CLIP_TIMES = clipTimesSql({ engine: 'postgres', key: {} });

/** Marks every hour a clip's numbers are placed in (see markClipHoursDirty). */
export function* markClipHoursDirtySteps(
  w: Writer,
  guildId: string,
  clipIds: Iterable<string>,
  extraTimes: Iterable<number | null | undefined> = [],
): Steps<void> {
  const times: Array<number | null | undefined> = [...extraTimes];
  const engaged = w.engine === 'postgres' ? POSTGRES_CLIP_TIMES : SQLITE_CLIP_TIMES;
  for (const clipId of clipIds) {
    times.push(
      (yield* get<{ t: number | null }>('SELECT clip_created_at AS t FROM clips WHERE guild_id = ? AND clip_id = ?', [guildId, clipId]))?.t,
    );
    for (const row of yield* all<{ t: number }>(engaged, [guildId, clipId, guildId, clipId, guildId, clipId])) times.push(row.t);
  }
  yield* markDirtyHoursSteps(w, guildId, times);
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
  executeNow(connectionOf(on), (w) => markClipHoursDirtySteps(w, guildId, clipIds, extraTimes));
}

/** markClipHoursDirty on either engine (inside the caller's transaction when `db` is its handle). */
export function recordClipHoursDirty(
  db: Db,
  guildId: string,
  clipIds: Iterable<string>,
  extraTimes: Iterable<number | null | undefined> = [],
): Promise<void> {
  return execute(db, (w) => markClipHoursDirtySteps(w, guildId, clipIds, extraTimes));
}
