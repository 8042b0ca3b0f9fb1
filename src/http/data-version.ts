// Per-guild data versions: a cheap fingerprint that changes whenever a guild's answers may have changed. It drives
// the response cache, ETags and the live-update stream, and sees writes by any process (it is read from the database).
import type { Analytics } from '../analytics/service';

export interface DataVersions {
  /** The guild's current data version. Re-reads the database at most once per check interval. */
  current(guildId: string): Promise<string>;
  /**
   * The guild's current data version with its IANA timezone (guild settings; UTC when unset), read together: an
   * answer cached under a version was computed in that version's timezone, and an uncached answer reads no settings
   * row of its own.
   */
  read(guildId: string): Promise<{ version: string; timezone: string }>;
  /** The guild's timezone as of the version current() (or read()) last returned. */
  timezone(guildId: string): Promise<string>;
  /** Calls listener with each new version of the guild's data; polls only while someone listens. */
  watch(guildId: string, listener: (version: string) => void): () => void;
  /**
   * For in-process writers: publish a change now instead of at the next check (all guilds when none given); resolves
   * once the watchers have been told.
   */
  notifyChanged(guildId?: string): Promise<void>;
  close(): void;
}

export interface DataVersionOptions {
  /** Where the versions are read: the change marker and each guild's fingerprint. */
  analytics: Pick<Analytics, 'changeMarker' | 'dataVersion'>;
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

/**
 * Two levels keep it cheap: a change marker (SQLite's data_version and this connection's total changes) tells in
 * microseconds whether anything at all was written; only then is a guild's fingerprint re-read (its clips' last
 * update, its dirty hours, its settings). A background job that changes nothing of a guild leaves its version
 * alone, so open dashboards do not refetch every time the enrichment worker wakes up.
 */
export function createDataVersions({ analytics, now = Date.now, checkIntervalMs }: DataVersionOptions): DataVersions {
  const guilds = new Map<string, GuildState>();
  const watchers = new Map<string, Set<(version: string) => void>>();
  let lastGlobal = '';
  // Bumped each time the marker moves: a fingerprint read that began before may not see what moved it.
  let generation = 0;
  let lastCheckAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  /** Marks every known guild stale when anything at all was committed since the last check. */
  const checkGlobal = async (force: boolean): Promise<void> => {
    const t = now();
    if (!force && t - lastCheckAt < checkIntervalMs) return;
    lastCheckAt = t;
    const marker = await analytics.changeMarker();
    if (marker === lastGlobal) return;
    lastGlobal = marker;
    generation += 1;
    for (const state of guilds.values()) state.stale = true;
  };

  const stateOf = async (guildId: string): Promise<GuildState> => {
    let state = guilds.get(guildId);
    if (!state || state.stale) {
      const readFrom = generation;
      const { fingerprint, timezone } = await analytics.dataVersion(guildId);
      // A marker that moved while the fingerprint was read may stand for a commit the read did not see: the answer
      // is used, and the next call reads the guild again.
      const stale = generation !== readFrom;
      state = guilds.get(guildId);
      if (!state) {
        state = { fingerprint, timezone, bumps: 0, stale };
        guilds.set(guildId, state);
      } else {
        state.fingerprint = fingerprint;
        state.timezone = timezone;
        state.stale = stale;
      }
    }
    return state;
  };
  const versionOf = (state: GuildState): string => `${state.fingerprint}.${state.bumps}`;

  let lastPublished = new Map<string, string>();
  const pollOnce = async (): Promise<void> => {
    if (closed) return;
    await checkGlobal(true);
    const next = new Map<string, string>();
    for (const [guildId, listeners] of watchers) {
      const version = versionOf(await stateOf(guildId));
      next.set(guildId, version);
      if (lastPublished.get(guildId) !== version) for (const listener of listeners) listener(version);
    }
    lastPublished = next;
  };
  // One poll at a time: a poll asked for while one runs starts after it, so no change is published twice or lost.
  let polls: Promise<void> = Promise.resolve();
  const poll = (): Promise<void> => {
    // A failed check (the database is busy or closing) is retried at the next tick; the streams stay open.
    polls = polls.then(pollOnce).catch(() => undefined);
    return polls;
  };

  const ensureTimer = (): void => {
    if (timer || closed || watchers.size === 0) return;
    timer = setInterval(() => void poll(), Math.max(checkIntervalMs, 50));
    timer.unref();
  };

  const checkedRead = async (guildId: string): Promise<{ version: string; timezone: string }> => {
    await checkGlobal(false);
    const state = await stateOf(guildId);
    return { version: versionOf(state), timezone: state.timezone };
  };
  const read = (guildId: string): Promise<{ version: string; timezone: string }> => {
    // Within the check interval a known guild's version needs no read at all: the cached answers' path.
    const state = guilds.get(guildId);
    if (state && !state.stale && now() - lastCheckAt < checkIntervalMs)
      return Promise.resolve({ version: versionOf(state), timezone: state.timezone });
    return checkedRead(guildId);
  };

  return {
    read,
    async current(guildId) {
      return (await read(guildId)).version;
    },
    async timezone(guildId) {
      // No change check of its own: after current(), this is the timezone of the version it returned.
      return (await stateOf(guildId)).timezone;
    },
    watch(guildId, listener) {
      let listeners = watchers.get(guildId);
      if (!listeners) {
        listeners = new Set();
        watchers.set(guildId, listeners);
      }
      listeners.add(listener);
      const known = guilds.get(guildId);
      if (known && !known.stale) lastPublished.set(guildId, versionOf(known));
      else {
        // Read now (a store call reads at once when no transaction is open); published from the next poll on.
        stateOf(guildId).then(
          (state) => {
            if (watchers.has(guildId) && !lastPublished.has(guildId)) lastPublished.set(guildId, versionOf(state));
          },
          () => undefined,
        );
      }
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
      return poll();
    },
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = null;
      watchers.clear();
    },
  };
}
