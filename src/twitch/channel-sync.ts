// Channel sync: a guild registers the Twitch channels it follows (login → broadcaster id through Get Users),
// and the sync pages through Get Clips by broadcaster_id in started_at/ended_at windows — halved when a window
// reaches Helix's pagination cap, widened when sparse — upserting every clip of the channel (discord_shares 0,
// source 'twitch_sync') so that top creators and games cover all clips, not only those shared in Discord.
// After the first complete run a sync starts a day before the newest clip it has seen. Each run then reads the
// channel's past broadcasts (Get Videos, type=archive) back to that start, for the stream-moments analysis.
import { canonicalClipUrl } from '../capture/clip-url';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { isTransientDatabaseError } from '../db/storage-errors';
import {
  listAllTwitchChannels,
  listTwitchChannels,
  recordChannelSynced,
  recordChannelSyncFailure,
  removeTwitchChannel as deleteTwitchChannel,
  upsertTwitchChannels,
  type TwitchChannel,
} from '../db/stores/twitch-channels';
import { writeSyncedClips } from '../db/stores/twitch-clips';
import { upsertTwitchVideos } from '../db/stores/twitch-videos';
import type { Logger } from '../logger';
import { HELIX_MAX_IDS, type TwitchApi } from './client';
import { classifyTwitchError } from './errors';
import type { HelixClip } from './schemas';
import { nextGameNameTry, unnamedGameIds } from './game-name-repair';
import { createGameNames, type GameNames } from './game-names';
import { ClipscopeError } from '../errors';

const DAY_MS = 86_400_000;
/** Twitch launched clips in May 2016: nothing older exists. */
export const EARLIEST_CLIP_AT = Date.UTC(2016, 4, 1);
/** How far before the newest clip seen an incremental sync starts (clips appear in Helix with some delay). */
export const SYNC_OVERLAP_MS = DAY_MS;
/** Twitch ends a broadcast after 48 hours: a stream that started this long before a sync's start may still hold its clips. */
const LONGEST_STREAM_MS = 2 * DAY_MS;
/** Get Videos pages read per channel and run at most (100 broadcasts each; Twitch keeps archives 7 to 60 days). */
export const MAX_VIDEO_PAGES = 10;

export { listAllTwitchChannels, listTwitchChannels, type TwitchChannel };

/** A user-facing problem with the channels asked for (unknown login, malformed login, not registered). */
export class ChannelError extends ClipscopeError {
  constructor(message: string) {
    super('twitch_channel', message, { userFacing: true });
  }
}

const LOGIN = /^[a-z0-9_]{1,25}$/;

/** A Twitch login from what a streamer may type: "Name", "@name", "twitch.tv/name", "https://www.twitch.tv/name". */
export function normaliseLogin(input: string): string {
  let value = input.trim();
  const url = /^(?:https?:\/\/)?(?:www\.|m\.)?twitch\.tv\/([^/?#\s]+)/i.exec(value);
  if (url) value = url[1]!;
  value = value.replace(/^@/, '').toLowerCase();
  if (!LOGIN.test(value)) throw new ChannelError(`"${input}" is not a Twitch login (letters, digits and _ only, up to 25)`);
  return value;
}

export interface ChannelDeps {
  db: Db;
  clock: Clock;
  twitch: TwitchApi;
}

/**
 * Registers channels for a guild by login (one Get Users call per 100 logins). All or nothing: if any login is
 * unknown to Twitch, nothing is registered and the error names them. Re-registering updates the names.
 */
export async function registerTwitchChannels(deps: ChannelDeps, guildId: string, logins: readonly string[]): Promise<TwitchChannel[]> {
  const wanted = [...new Set(logins.map(normaliseLogin))];
  if (wanted.length === 0) throw new ChannelError('give at least one Twitch login');
  const users = [];
  for (let i = 0; i < wanted.length; i += HELIX_MAX_IDS) {
    users.push(...(await deps.twitch.getUsersByLogins(wanted.slice(i, i + HELIX_MAX_IDS))));
  }
  const byLogin = new Map(users.map((u) => [u.login.toLowerCase(), u]));
  const unknown = wanted.filter((login) => !byLogin.has(login));
  if (unknown.length > 0)
    throw new ChannelError(`Twitch knows no channel ${unknown.map((l) => `"${l}"`).join(', ')}; nothing was registered`);
  await upsertTwitchChannels(
    deps.db,
    guildId,
    wanted.map((login) => {
      const user = byLogin.get(login)!;
      return { id: user.id, login: user.login.toLowerCase(), displayName: user.displayName };
    }),
    deps.clock.now(),
  );
  const ids = new Set(wanted.map((l) => byLogin.get(l)!.id));
  return (await listTwitchChannels(deps.db, guildId)).filter((c) => ids.has(c.broadcasterId));
}

/** Stops following a channel. Clips already synced stay: they are part of the guild's history. */
export async function removeTwitchChannel(db: Db, guildId: string, login: string): Promise<boolean> {
  return deleteTwitchChannel(db, guildId, normaliseLogin(login));
}

export interface SyncProgress {
  channel: string;
  /** Share of the time range covered so far, 0–1. */
  fraction: number;
  /** The time range being synced, epoch ms. */
  from: number;
  to: number;
  /** Clips received so far (a clip received twice, after a window split, counts twice). */
  clipsSeen: number;
  /** Clips new to the guild so far. */
  clipsAdded: number;
  calls: number;
}

export interface SyncOptions {
  onProgress?(progress: SyncProgress): void;
  /** Helix stops paginating after about this many clips per query; a window that reaches it is halved. */
  paginationCap?: number;
  /** First window length; windows double while sparse, up to a year. */
  initialWindowMs?: number;
  /** The smallest window; one that still reaches the cap is taken as it is (and logged). */
  minWindowMs?: number;
  /** Get Videos pages per run at most (MAX_VIDEO_PAGES by default). */
  maxVideoPages?: number;
}

export interface SyncSummary {
  channel: string;
  broadcasterId: string;
  from: number;
  to: number;
  calls: number;
  clipsSeen: number;
  clipsAdded: number;
  /** Windows that reached the pagination cap even at the smallest window length (some clips may be missing). */
  cappedWindows: number;
  /** Past broadcasts read from Get Videos, and those new or changed in the guild. */
  videosSeen: number;
  videosChanged: number;
  syncedThrough: number | null;
}

export interface SyncDeps extends ChannelDeps {
  logger: Logger;
  gameNames?: GameNames;
}

/**
 * Syncs one registered channel of a guild: every clip created since the last complete sync (or since clips
 * exist) is upserted. On success synced_through moves forward; on failure the error is recorded on the channel,
 * the clips written so far stay (upserts are idempotent) and the next run covers the same range again. A database
 * that refuses the writes (disk full, busy) is not the channel's failure: nothing is recorded on the channel and the
 * raw SQLite error is thrown, for the caller to name as a storage problem.
 */
export async function syncTwitchChannel(deps: SyncDeps, channel: TwitchChannel, options: SyncOptions = {}): Promise<SyncSummary> {
  const { db, clock, logger, twitch } = deps;
  const gameNames = deps.gameNames ?? createGameNames(twitch, clock);
  const cap = options.paginationCap ?? 1000;
  const minWindow = options.minWindowMs ?? 60_000;
  const maxWindow = 365 * DAY_MS;
  const from = channel.syncedThrough !== null ? Math.max(EARLIEST_CLIP_AT, channel.syncedThrough - SYNC_OVERLAP_MS) : EARLIEST_CLIP_AT;
  const to = clock.now();
  const summary: SyncSummary = {
    channel: channel.broadcasterLogin,
    broadcasterId: channel.broadcasterId,
    from,
    to,
    calls: 0,
    clipsSeen: 0,
    clipsAdded: 0,
    cappedWindows: 0,
    videosSeen: 0,
    videosChanged: 0,
    syncedThrough: channel.syncedThrough,
  };
  let newest = channel.syncedThrough;
  const report = (covered: number): void =>
    options.onProgress?.({
      channel: channel.broadcasterLogin,
      fraction: to > from ? Math.min(1, (covered - from) / (to - from)) : 1,
      from,
      to,
      clipsSeen: summary.clipsSeen,
      clipsAdded: summary.clipsAdded,
      calls: summary.calls,
    });

  /** All pages of one window, written page by page; returns how many clips the window gave. */
  const syncWindow = async (start: number, end: number): Promise<number> => {
    let after: string | undefined;
    let count = 0;
    for (;;) {
      const page = await twitch.getClipsByBroadcaster({ broadcasterId: channel.broadcasterId, startedAt: start, endedAt: end, after });
      summary.calls++;
      if (page.rejected.length > 0) {
        logger.warn(
          { channel: channel.broadcasterLogin, problem: page.rejected[0]!.problem, count: page.rejected.length },
          'skipped clip records of an unexpected shape',
        );
      }
      const clips = page.clips.filter((c) => c.broadcasterId === channel.broadcasterId);
      const names = await gameNames.resolve(clips.map((c) => c.gameId));
      summary.clipsAdded += await storeSyncedClips(db, channel.guildId, clips, names, clock.now());
      for (const clip of clips) if (newest === null || clip.createdAt > newest) newest = clip.createdAt;
      count += page.clips.length + page.rejected.length;
      summary.clipsSeen += page.clips.length;
      if (!page.cursor || page.clips.length + page.rejected.length === 0) return count;
      after = page.cursor;
    }
  };

  try {
    let windowMs = options.initialWindowMs ?? 30 * DAY_MS;
    let start = from;
    report(start);
    while (start < to) {
      const end = Math.min(to, start + windowMs);
      const count = await syncWindow(start, end);
      if (count >= cap && end - start > minWindow) {
        // Helix stops paginating here: this window may hold more clips than it returned. Look closer.
        windowMs = Math.max(minWindow, Math.floor((end - start) / 2));
        continue;
      }
      if (count >= cap) {
        summary.cappedWindows++;
        logger.warn(
          { channel: channel.broadcasterLogin, start: new Date(start).toISOString() },
          'a one-minute window still reaches the pagination cap; some clips of it may be missing',
        );
      }
      start = end;
      if (count < cap / 4) windowMs = Math.min(maxWindow, windowMs * 2);
      report(start);
    }
    await syncVideos(deps, channel, from - LONGEST_STREAM_MS, options.maxVideoPages ?? MAX_VIDEO_PAGES, summary);
  } catch (raw) {
    if (isTransientDatabaseError(raw)) throw raw;
    const error = classifyTwitchError(raw, `sync of ${channel.broadcasterLogin}`);
    await recordChannelSyncFailure(db, channel.guildId, channel.broadcasterId, clock.now(), error.message);
    throw error;
  }
  await recordChannelSynced(db, channel.guildId, channel.broadcasterId, newest, clock.now());
  summary.syncedThrough = newest;
  return summary;
}

/**
 * Reads the channel's past broadcasts newest first, page by page, until one started before `since` (or the page
 * budget is spent), and upserts them for the guild. Calls go through the same client, so the same pacer, as the clips.
 */
async function syncVideos(deps: SyncDeps, channel: TwitchChannel, since: number, maxPages: number, summary: SyncSummary): Promise<void> {
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await deps.twitch.getArchiveVideos({ userId: channel.broadcasterId, after });
    summary.calls++;
    if (answer.rejected.length > 0) {
      deps.logger.warn(
        { channel: channel.broadcasterLogin, problem: answer.rejected[0]!.problem, count: answer.rejected.length },
        'skipped video records of an unexpected shape',
      );
    }
    const videos = answer.videos.filter((v) => v.broadcasterId === channel.broadcasterId);
    summary.videosSeen += videos.length;
    summary.videosChanged += await upsertTwitchVideos(deps.db, channel.guildId, videos, deps.clock.now());
    if (!answer.cursor || answer.videos.length === 0 || answer.videos.some((v) => v.startedAt < since)) return;
    after = answer.cursor;
  }
  deps.logger.info(
    { channel: channel.broadcasterLogin, pages: maxPages },
    'stopped reading past broadcasts at the page limit for this run',
  );
}

/**
 * Inserts the clips new to the guild (0 shares) and writes Twitch's data to every guild's row. Returns new rows.
 * Exported for the demo generator (src/demo/generator.ts), which writes synced clips through this same path.
 */
export function storeSyncedClips(
  db: Db,
  guildId: string,
  clips: HelixClip[],
  names: Map<string, string | null>,
  now: number,
): Promise<number> {
  if (clips.length === 0) return Promise.resolve(0);
  const records = clips.map((clip) => ({ clip, url: canonicalClipUrl(clip.id) }));
  return writeSyncedClips(db, guildId, records, names, unnamedGameIds(names), nextGameNameTry(1, now), now);
}

/**
 * Syncs the given channels of a guild (all of its channels when `logins` is empty), one after another.
 * A channel that fails does not stop the others; the returned errors say which failed and why. Refused credentials
 * and a database that refuses writes (disk full, busy) stop them all: every channel would fail the same way.
 */
export async function syncGuildChannels(
  deps: SyncDeps,
  guildId: string,
  logins: readonly string[] = [],
  options: SyncOptions = {},
): Promise<{ synced: SyncSummary[]; errors: { channel: string; error: string }[] }> {
  const all = await listTwitchChannels(deps.db, guildId);
  const wanted = new Set(logins.map(normaliseLogin));
  const missing = [...wanted].filter((login) => !all.some((c) => c.broadcasterLogin === login));
  if (missing.length > 0) throw new ChannelError(`not registered for this guild: ${missing.join(', ')}`);
  const channels = wanted.size > 0 ? all.filter((c) => wanted.has(c.broadcasterLogin)) : all;
  const gameNames = deps.gameNames ?? createGameNames(deps.twitch, deps.clock);
  const synced: SyncSummary[] = [];
  const errors: { channel: string; error: string }[] = [];
  for (const channel of channels) {
    try {
      synced.push(await syncTwitchChannel({ ...deps, gameNames }, channel, options));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isTransientDatabaseError(error) || classifyTwitchError(error, '').kind === 'auth') throw error;
      errors.push({ channel: channel.broadcasterLogin, error: message });
      deps.logger.warn({ guildId, channel: channel.broadcasterLogin, err: message }, 'channel sync failed');
    }
  }
  return { synced, errors };
}
