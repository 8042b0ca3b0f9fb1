// "Taking off" alerts (docs/feed.md#taking-off): a clip in its first 24 hours whose view velocity (views per hour
// since it was made) is above the 95th percentile of the server's clips at the same age, with at least MIN_VIEWS
// views, gets one "🔥 taking off" post in the feed's alert channel (or its channel).
import type { Db } from '../db/database';
import {
  claimFeedPost,
  clipsWithoutAlert,
  recordFeedPostFailure,
  recordFeedPostSent,
  viewsAtAge,
  type AgedViews,
  type Feed,
  type FeedClip,
  type FeedPostKey,
} from '../db/stores/feeds';
import type { Logger } from '../logger';
import { CLAIM_STALE_MS, postNonce } from './deliver';
import { FeedDeliveryError, type FeedSender, type TakingOffFigures } from './sender';

const HOUR_MS = 3_600_000;
/** Alerts only in a clip's first day. */
export const TAKING_OFF_WINDOW_MS = 24 * HOUR_MS;
/** Before this age a handful of views makes any velocity: too noisy to judge. */
export const MIN_AGE_MS = 10 * 60_000;
export const MIN_VIEWS = 50;
export const PERCENTILE = 95;
/** The server's history must hold at least this many clips at the age, or no alert is given. */
export const MIN_SAMPLE = 20;
/** Ages compared together: a clip 1 h 20 min old is compared with the history between 1 h and 2 h. */
export const AGE_BUCKETS_MS: ReadonlyArray<readonly [number, number]> = [
  [MIN_AGE_MS, HOUR_MS],
  [HOUR_MS, 2 * HOUR_MS],
  [2 * HOUR_MS, 4 * HOUR_MS],
  [4 * HOUR_MS, 8 * HOUR_MS],
  [8 * HOUR_MS, 16 * HOUR_MS],
  [16 * HOUR_MS, TAKING_OFF_WINDOW_MS],
];
/** History read per age bucket at most (the most recent clips), to bound the work of a run. */
const HISTORY_ROWS = 20_000;
/** The history is the server's clips made in the 90 days before the window. */
const HISTORY_DAYS = 90;
const CANDIDATES_PER_RUN = 100;

export const velocityOf = (views: number, ageMs: number): number => (views * HOUR_MS) / ageMs;

/** A history's observations grouped by clip, read once per run and judged against at many ages. */
export function historyByClip(observations: readonly AgedViews[]): AgedViews[][] {
  const byClip = new Map<string, AgedViews[]>();
  for (const o of observations) {
    const list = byClip.get(o.clipId);
    if (list) list.push(o);
    else byClip.set(o.clipId, [o]);
  }
  return [...byClip.values()];
}

/**
 * One velocity per clip of the history: its observation nearest to `ageMs` (ties: the later), or its latest within the
 * bucket without one. Nearest, because velocity since creation falls as a clip ages: against the bucket's latest
 * readings, a clip judged early in a bucket would look faster than it is (ADR 0022).
 */
export function velocitiesNear(byClip: readonly (readonly AgedViews[])[], ageMs: number = Number.POSITIVE_INFINITY): number[] {
  const velocities: number[] = [];
  for (const observations of byClip) {
    let best: AgedViews | null = null;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const o of observations) {
      const d = Math.abs(o.ageMs - ageMs);
      if (best === null || d < bestDistance || (d === bestDistance && o.ageMs > best.ageMs)) {
        best = o;
        bestDistance = d;
      }
    }
    if (best !== null && best.ageMs > 0) velocities.push(velocityOf(best.views, best.ageMs));
  }
  return velocities;
}

/** velocitiesNear over ungrouped observations. */
export function velocitiesAtAge(observations: readonly AgedViews[], ageMs?: number): number[] {
  return velocitiesNear(historyByClip(observations), ageMs);
}

/** The nearest-rank percentile `p` (0–100) of `values`; null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function bucketOf(ageMs: number): readonly [number, number] | null {
  return AGE_BUCKETS_MS.find(([lo, hi]) => ageMs >= lo && ageMs < hi) ?? null;
}

/** The alert's figures when the clip crosses the rule at the age of its latest views, else null. */
export function judgeTakingOff(
  clip: Pick<FeedClip, 'viewCount' | 'viewsAt' | 'clipCreatedAt'>,
  history: readonly number[],
): TakingOffFigures | null {
  const ageMs = clip.viewsAt - clip.clipCreatedAt;
  if (clip.viewCount < MIN_VIEWS || !bucketOf(ageMs) || history.length < MIN_SAMPLE) return null;
  const threshold = percentile(history, PERCENTILE)!;
  const velocity = velocityOf(clip.viewCount, ageMs);
  if (velocity <= threshold) return null;
  const slower = history.filter((v) => v < velocity).length;
  return { velocity, threshold, percentile: Math.floor((100 * slower) / history.length), ageMinutes: Math.round(ageMs / 60_000) };
}

export interface TakingOffDeps {
  db: Db;
  sender: FeedSender;
  logger: Logger;
  now: () => number;
  /** The run's histories by guild and age bucket: the feeds of one server share them (read once per run). */
  histories?: Map<string, AgedViews[][]>;
}

/** Posts the feed's due taking-off alerts; returns how many went out. */
export async function alertTakingOff(deps: TakingOffDeps, feed: Feed, deadline: number): Promise<number> {
  if (!feed.takingOff || feed.paused) return 0;
  const now = deps.now();
  const channelId = feed.alertChannelId ?? feed.channelId;
  const candidates = await clipsWithoutAlert(
    deps.db,
    { guildId: feed.guildId, channelId, broadcasterId: feed.broadcasterId, since: Math.max(feed.startsAt, now - TAKING_OFF_WINDOW_MS) },
    CANDIDATES_PER_RUN,
  );
  const histories = deps.histories ?? new Map<string, AgedViews[][]>();
  let sent = 0;
  for (const clip of candidates) {
    if (deps.now() > deadline) break;
    const age = clip.viewsAt - clip.clipCreatedAt;
    const bucket = bucketOf(age);
    if (!bucket || clip.viewCount < MIN_VIEWS) continue;
    const historyKey = `${feed.guildId}/${bucket[0]}`;
    let history = histories.get(historyKey);
    if (!history) {
      // The server's clips that are past their first day: their whole early history is known.
      const windowStart = now - TAKING_OFF_WINDOW_MS;
      history = historyByClip(
        await viewsAtAge(
          deps.db,
          feed.guildId,
          { minAgeMs: bucket[0], maxAgeMs: bucket[1], createdAfter: windowStart - HISTORY_DAYS * 24 * HOUR_MS, createdBefore: windowStart },
          HISTORY_ROWS,
        ),
      );
      histories.set(historyKey, history);
    }
    const figures = judgeTakingOff(clip, velocitiesNear(history, age));
    if (!figures) continue;
    const key: FeedPostKey = { guildId: feed.guildId, channelId, clipId: clip.clipId, kind: 'taking_off' };
    const claim = await claimFeedPost(deps.db, {
      ...key,
      feedId: feed.id,
      nonce: postNonce(key),
      now: deps.now(),
      staleBefore: deps.now() - CLAIM_STALE_MS,
    });
    if (claim === null) continue;
    const message = { kind: 'taking_off' as const, clip, alert: figures };
    try {
      const found = claim === 'resumed' ? await deps.sender.findPosted(channelId, message) : null;
      await recordFeedPostSent(deps.db, key, found ?? (await deps.sender.send(channelId, message, postNonce(key))), deps.now());
      sent += 1;
    } catch (error) {
      const failure = error instanceof FeedDeliveryError ? error.failure : 'transient';
      const text = error instanceof Error ? error.message : String(error);
      await recordFeedPostFailure(deps.db, key, { message: text, permanent: failure === 'refused' });
      deps.logger.warn({ guildId: feed.guildId, channelId, clipId: clip.clipId, err: text }, 'taking-off alert failed');
      break;
    }
  }
  return sent;
}
