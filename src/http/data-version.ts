// Per-guild data versions: a cheap fingerprint that changes whenever a guild's answers may have changed.
// It drives the response cache, ETags and the live-update stream, and it sees writes made by any process
// (the bot, a CLI import, a second server) because it is read from the database, not from in-memory events.
//
// Two levels keep it cheap: SQLite's `PRAGMA data_version` (changes when another connection commits) plus this
// connection's `total_changes()` tell in microseconds whether anything at all was written; only then is the
// guild's fingerprint re-read: max(clips.last_updated_at) (capture and enrichment bump it), the guild's count of
// dirty hours (capture and enrichment add, aggregation consumes) and its settings (the timezone moves every
// period; it is read with them, so answers use the timezone of the version they are cached under). A background
// job that changes nothing of a guild leaves its version alone, so open dashboards do not refetch every time the
// enrichment worker wakes up.
import type { Db } from '../db/client';
import { legacyClient } from '../db/client';

export interface DataVersions {
  /** The guild's current data version. Re-reads the database at most once per check interval. */
  current(guildId: string): string;
  /**
   * The guild's IANA timezone (guild settings; UTC when unset) as of the version current() last returned: read
   * with it, so an answer cached under a version was computed in that version's timezone, and an uncached answer
   * reads no settings row of its own.
   */
  timezone(guildId: string): string;
  /** Calls listener with each new version of the guild's data; polls only while someone listens. */
  watch(guildId: string, listener: (version: string) => void): () => void;
  /** For in-process writers: publish a change now instead of at the next check (all guilds when none given). */
  notifyChanged(guildId?: string): void;
  close(): void;
}

export interface DataVersionOptions {
  db: Db;
  /** Monotonic-enough milliseconds; injected for tests. */
  now?: () => number;
  /** Minimum time between two database checks; 0 checks on every call. */
  checkIntervalMs: number;
}

interface GuildState {
  fingerprint: string;
  timezone: string;
  /** Bumped by notifyChanged; part of the version so in-process notifications always produce a new one. */
  bumps: number;
  stale: boolean;
}

export function createDataVersions({ db, now = Date.now, checkIntervalMs }: DataVersionOptions): DataVersions {
  const client = legacyClient(db);
  const totalChanges = client.prepare<[], { n: number }>('SELECT total_changes() AS n');
  const fingerprintOf = client.prepare<
    { guild: string },
    { clips: number | null; dirty: number; settings: number | null; timezone: string | null }
  >(
    `SELECT (SELECT max(last_updated_at) FROM clips WHERE guild_id = @guild) AS clips,
            (SELECT count(*) FROM dirty_hours WHERE guild_id = @guild) AS dirty,
            s.updated_at AS settings, s.timezone AS timezone
       FROM (SELECT 1) LEFT JOIN guild_settings s ON s.guild_id = @guild`,
  );
  const guilds = new Map<string, GuildState>();
  const watchers = new Map<string, Set<(version: string) => void>>();
  let lastGlobal = '';
  let lastCheckAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const globalMarker = (): string => `${String(client.pragma('data_version', { simple: true }))}:${totalChanges.get()?.n ?? 0}`;

  /** Marks every known guild stale when anything at all was committed since the last check. */
  const checkGlobal = (force: boolean): void => {
    const t = now();
    if (!force && t - lastCheckAt < checkIntervalMs) return;
    lastCheckAt = t;
    const marker = globalMarker();
    if (marker === lastGlobal) return;
    lastGlobal = marker;
    for (const state of guilds.values()) state.stale = true;
  };

  const stateOf = (guildId: string): GuildState => {
    let state = guilds.get(guildId);
    if (!state || state.stale) {
      const row = fingerprintOf.get({ guild: guildId });
      // The timezone is in the fingerprint too: two settings writes within one millisecond share an updated_at.
      const timezone = row?.timezone ?? 'UTC';
      const fingerprint = `${row?.clips ?? 0}.${row?.dirty ?? 0}.${row?.settings ?? 0}.${timezone}`;
      if (!state) {
        state = { fingerprint, timezone, bumps: 0, stale: false };
        guilds.set(guildId, state);
      } else {
        state.fingerprint = fingerprint;
        state.timezone = timezone;
        state.stale = false;
      }
    }
    return state;
  };
  const versionOf = (guildId: string): string => {
    const state = stateOf(guildId);
    return `${state.fingerprint}.${state.bumps}`;
  };

  let lastPublished = new Map<string, string>();
  const poll = (): void => {
    if (closed) return;
    checkGlobal(true);
    const next = new Map<string, string>();
    for (const [guildId, listeners] of watchers) {
      const version = versionOf(guildId);
      next.set(guildId, version);
      if (lastPublished.get(guildId) !== version) for (const listener of listeners) listener(version);
    }
    lastPublished = next;
  };

  const ensureTimer = (): void => {
    if (timer || closed || watchers.size === 0) return;
    timer = setInterval(poll, Math.max(checkIntervalMs, 50));
    timer.unref();
  };

  return {
    current(guildId) {
      checkGlobal(false);
      return versionOf(guildId);
    },
    timezone(guildId) {
      // No change check of its own: after current(), this is the timezone of the version it returned.
      return stateOf(guildId).timezone;
    },
    watch(guildId, listener) {
      let listeners = watchers.get(guildId);
      if (!listeners) {
        listeners = new Set();
        watchers.set(guildId, listeners);
      }
      listeners.add(listener);
      lastPublished.set(guildId, versionOf(guildId));
      ensureTimer();
      return () => {
        const set = watchers.get(guildId);
        set?.delete(listener);
        if (set && set.size === 0) {
          watchers.delete(guildId);
          lastPublished.delete(guildId);
        }
        if (watchers.size === 0 && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
    notifyChanged(guildId) {
      for (const [id, state] of guilds) if (guildId === undefined || id === guildId) state.bumps += 1;
      poll();
    },
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = null;
      watchers.clear();
    },
  };
}
