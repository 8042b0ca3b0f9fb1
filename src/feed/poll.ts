// Polling one broadcaster's new clips (docs/feed.md, docs/adr/0012-clip-feed-polling-and-exactly-once.md): Get Clips
// with started_at from the last poll minus an overlap (clips appear in Helix late), every page, into feed_clips;
// then the views of clips still below a feed's min_views are read again. A window cut short by the Helix budget is
// resumed from its cursor by the next run.
import type { Db } from '../db/database';
import {
  clipsDueForViews,
  markViewsChecked,
  nameFeedClipGames,
  recordPoll,
  unnamedGameIds,
  upsertFeedClips,
  type PollState,
  type SeenClip,
} from '../db/stores/feeds';
import type { Logger } from '../logger';
import { HELIX_MAX_IDS, type TwitchApi } from '../twitch/client';
import type { GameNames } from '../twitch/game-names';
import type { HelixClip } from '../twitch/schemas';
import { HelixBudgetSpent } from './budget';
import { nextInterval } from './cadence';
import { WEEK_MS } from './filters';
import { TAKING_OFF_WINDOW_MS } from './taking-off';

/** How far before the last poll's end a window starts again: clips show up in Get Clips minutes after they are made. */
export const POLL_OVERLAP_MS = 30 * 60_000;
/** Pages of one window at most (100 clips each); a window with more is resumed by the next run. */
export const MAX_PAGES_PER_POLL = 10;
/** A clip's views are read again at most this often while it waits for min_views. */
export const VIEWS_REFRESH_MS = 10 * 60_000;
/** Get Clips calls (100 ids each) one poll may spend reading views again, at most: the job gives it a fair share. */
export const MAX_REFRESH_CALLS_PER_POLL = 10;

export interface PollDeps {
  db: Db;
  twitch: TwitchApi;
  gameNames: GameNames;
  logger: Logger;
  owner: string;
}

export interface PollOutcome {
  clipsSeen: number;
  viewsRefreshed: number;
  /** The window was not finished (budget spent, or more pages than one poll takes). */
  partial: boolean;
  error: string | null;
}

/**
 * Polls the broadcaster whose lease `state` is, and records the outcome (which gives the lease back).
 * `from` is where a first poll starts (the oldest feed's start); `minViews` the largest min_views of its feeds;
 * `takingOff` whether one of them alerts on clips taking off (their first day's views are then read again);
 * `refreshCalls` the Get Clips calls it may spend reading views again (at most MAX_REFRESH_CALLS_PER_POLL).
 */
export async function pollBroadcaster(
  deps: PollDeps,
  state: PollState,
  options: { now: number; from: number; minViews: number; takingOff: boolean; refreshCalls: number },
): Promise<PollOutcome> {
  const { db, twitch, now } = { ...deps, now: options.now };
  const resuming = state.cursor !== null && state.windowStart !== null && state.windowEnd !== null;
  const windowStart = resuming ? state.windowStart! : Math.max(0, (state.polledThrough ?? options.from) - POLL_OVERLAP_MS);
  const windowEnd = resuming ? state.windowEnd! : now;
  let cursor: string | null = resuming ? state.cursor : null;
  const outcome: PollOutcome = { clipsSeen: 0, viewsRefreshed: 0, partial: false, error: null };
  let newest: number | null = null;
  let windowDone = false;
  try {
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES_PER_POLL) {
        outcome.partial = true;
        break;
      }
      const result = await twitch.getClipsByBroadcaster({
        broadcasterId: state.broadcasterId,
        startedAt: windowStart,
        endedAt: windowEnd,
        first: HELIX_MAX_IDS,
        ...(cursor ? { after: cursor } : {}),
      });
      const clips = result.clips.filter((c) => c.broadcasterId === state.broadcasterId);
      for (const c of clips) newest = Math.max(newest ?? 0, c.createdAt);
      outcome.clipsSeen += clips.length;
      await upsertFeedClips(db, await named(deps.gameNames, clips), now);
      cursor = result.cursor;
      if (!cursor) {
        windowDone = true;
        break;
      }
    }
    if (windowDone) {
      // Names the budget did not leave room for when the clips came in.
      const unnamed = await unnamedGameIds(db, state.broadcasterId, now - WEEK_MS, HELIX_MAX_IDS);
      if (unnamed.length > 0) await nameFeedClipGames(db, await deps.gameNames.resolve(unnamed));
    }
    if (windowDone && (options.minViews > 0 || options.takingOff)) {
      // Views read again, least recently read first, 100 ids a call, within the calls this poll was given.
      const viewsBefore = now - VIEWS_REFRESH_MS;
      for (let call = 0; call < Math.min(options.refreshCalls, MAX_REFRESH_CALLS_PER_POLL); call++) {
        const due = await clipsDueForViews(
          db,
          {
            broadcasterId: state.broadcasterId,
            youngAfter: options.takingOff ? now - TAKING_OFF_WINDOW_MS : null,
            waitingAfter: now - WEEK_MS,
            minViews: options.minViews,
            viewsBefore,
          },
          HELIX_MAX_IDS,
        );
        if (due.length === 0) break;
        const { clips } = await twitch.getClipsByIds(due);
        await upsertFeedClips(db, await named(deps.gameNames, clips), now);
        const listed = new Set(clips.map((c) => c.id));
        await markViewsChecked(
          db,
          due.filter((id) => !listed.has(id)),
          now,
        );
        outcome.viewsRefreshed += clips.length;
        if (due.length < HELIX_MAX_IDS) break;
      }
    }
  } catch (error) {
    if (error instanceof HelixBudgetSpent) {
      outcome.partial = true;
    } else {
      outcome.error = error instanceof Error ? error.message : String(error);
    }
  }
  const interval = outcome.error ? state.intervalMs : nextInterval(state.intervalMs, newest, now);
  // A window cut short (budget, page cap) is due again at once, from its cursor when a page was read.
  const unfinished = !windowDone && outcome.error === null;
  await recordPoll(db, deps.owner, {
    broadcasterId: state.broadcasterId,
    polledThrough: windowDone ? windowEnd : state.polledThrough,
    lastPollAt: now,
    nextPollAt: unfinished ? now : now + interval,
    intervalMs: interval,
    windowStart: unfinished && cursor ? windowStart : null,
    windowEnd: unfinished && cursor ? windowEnd : null,
    cursor: unfinished ? cursor : null,
    lastError: outcome.error,
  });
  if (outcome.error)
    deps.logger.warn({ broadcasterId: state.broadcasterId, err: outcome.error }, 'feed poll failed; retried at the next interval');
  return outcome;
}

/**
 * The clips with their game names (one Get Games per 100 unknown games, remembered for a day). With the budget spent
 * the names stay null, to be filled after the window: the clips themselves must not wait for them.
 */
async function named(gameNames: GameNames, clips: readonly HelixClip[]): Promise<SeenClip[]> {
  let names = new Map<string, string | null>();
  try {
    names = await gameNames.resolve(clips.map((c) => c.gameId));
  } catch (error) {
    if (!(error instanceof HelixBudgetSpent)) throw error;
  }
  return clips.map((c) => ({
    clipId: c.id,
    broadcasterId: c.broadcasterId,
    url: c.url,
    title: c.title,
    creatorId: c.creatorId,
    creatorName: c.creatorName,
    gameId: c.gameId,
    gameName: c.gameId === '' ? null : (names.get(c.gameId) ?? null),
    viewCount: c.viewCount,
    duration: c.duration,
    clipCreatedAt: c.createdAt,
  }));
}
