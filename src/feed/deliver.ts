// Delivering one feed (docs/feed.md, docs/adr/0012-clip-feed-polling-and-exactly-once.md): pause it while the bot
// may not post in its channel (and resume when it may), finish claims an earlier attempt left, then judge the
// broadcaster's unposted clips and post the eligible ones, each claimed in the database before it is sent; past
// max_per_hour the rest go into one overflow summary.
import { createHash } from 'node:crypto';
import { recordMessage } from '../capture/record-share';
import type { Db } from '../db/database';
import {
  claimFeedPost,
  feedPostsSentSince,
  getFeedClips,
  memberSharedClips,
  recordFeedPostFailure,
  recordFeedPostSent,
  recordSkipped,
  recordSummarised,
  setFeedPaused,
  staleFeedClaims,
  summarisedClipIds,
  unpostedClips,
  type Feed,
  type FeedClip,
  type FeedPost,
  type FeedPostKey,
} from '../db/stores/feeds';
import type { Logger } from '../logger';
import { judgeClip, WEEK_MS } from './filters';
import { FeedDeliveryError, type FeedMessage, type FeedSender } from './sender';

const HOUR_MS = 3_600_000;
/** A claim this old that is still 'claimed' belongs to an attempt that died; the next run takes it over. */
export const CLAIM_STALE_MS = 5 * 60_000;
/** Clips judged per feed and run, and posts sent per feed and run: the rest wait for the next run. */
const CANDIDATES_PER_RUN = 200;
export const POSTS_PER_RUN = 20;
/** Claims left by earlier attempts finished per run. */
const RETRIES_PER_RUN = 10;

export interface DeliverDeps {
  db: Db;
  sender: FeedSender;
  logger: Logger;
  now: () => number;
}

export interface DeliveryOutcome {
  posted: number;
  summarised: number;
  skipped: number;
  waiting: number;
  failed: number;
  /** Set when the feed is (now) paused because the bot may not post: the reason shown in status. */
  pausedFor: string | null;
  resumed: boolean;
}

/** The nonce Discord dedupes a post's resends by: the same for every attempt at one claim (≤ 25 characters). */
export function postNonce(key: FeedPostKey): string {
  return createHash('sha256').update(`${key.guildId}/${key.channelId}/${key.clipId}/${key.kind}`).digest('base64url').slice(0, 25);
}

export async function deliverFeed(deps: DeliverDeps, feed: Feed, deadline: number): Promise<DeliveryOutcome> {
  const { db, sender, logger } = deps;
  const outcome: DeliveryOutcome = { posted: 0, summarised: 0, skipped: 0, waiting: 0, failed: 0, pausedFor: null, resumed: false };
  if (feed.paused && feed.pauseCause === 'admin') return outcome;

  let problem: Awaited<ReturnType<FeedSender['checkChannel']>>;
  try {
    problem = await sender.checkChannel(feed.guildId, feed.channelId);
  } catch (error) {
    // Discord cannot tell yet (not connected, an outage): the feed waits for the next run, neither posting nor pausing.
    if (error instanceof FeedDeliveryError && error.failure === 'transient') {
      logger.debug({ guildId: feed.guildId, feedId: feed.id, err: error.message }, 'clip feed waits: Discord cannot tell yet');
      return outcome;
    }
    throw error;
  }
  if (problem) {
    await pauseForPermissions(deps, feed, problem.reason);
    outcome.pausedFor = problem.reason;
    return outcome;
  }
  if (feed.paused && (await setFeedPaused(db, feed.guildId, feed.id, null, deps.now(), 'permissions'))) {
    logger.info(
      { guildId: feed.guildId, feedId: feed.id, channelId: feed.channelId },
      'clip feed resumed: Clipscope may post in its channel again',
    );
    outcome.resumed = true;
  }

  const send = async (key: FeedPostKey, message: FeedMessage, resumed: boolean): Promise<'sent' | 'failed' | 'stop'> => {
    const nonce = postNonce(key);
    try {
      // An earlier attempt may have posted it and lost the answer: look before posting again.
      const found = resumed ? await sender.findPosted(key.channelId, message) : null;
      const messageId = found ?? (await sender.send(key.channelId, message, nonce));
      const now = deps.now();
      // The post and the share it is (so members' reactions on it count for the clip) are recorded together.
      await db.transaction(async (tx) => {
        await recordFeedPostSent(tx, key, messageId, now);
        if (message.kind === 'clip') await recordFeedShare(deps, tx, key, message.clip, messageId, now);
      });
      return 'sent';
    } catch (error) {
      const failure = error instanceof FeedDeliveryError ? error.failure : 'transient';
      const text = error instanceof Error ? error.message : String(error);
      await recordFeedPostFailure(db, key, { message: text, permanent: failure === 'refused' });
      if (failure === 'permissions') {
        await pauseForPermissions(deps, feed, text);
        outcome.pausedFor = text;
        return 'stop';
      }
      logger.warn(
        { guildId: key.guildId, channelId: key.channelId, clipId: key.clipId, kind: key.kind, err: text },
        'clip feed post failed',
      );
      // A transient failure (Discord 5xx, network) stops this run: the next one retries, after looking in the channel.
      return failure === 'refused' ? 'failed' : 'stop';
    }
  };

  // Claims an earlier attempt left unfinished (it died, or Discord failed): finish them first.
  for (const post of await staleFeedClaims(db, feed.guildId, feed.id, deps.now() - CLAIM_STALE_MS, RETRIES_PER_RUN)) {
    if (deps.now() > deadline) return outcome;
    const message = await messageOf(db, post, feed);
    if (!message) continue;
    const claim = await claimFeedPost(db, { ...post, nonce: post.nonce, now: deps.now(), staleBefore: deps.now() - CLAIM_STALE_MS });
    if (claim === null) continue;
    const result = await send(post, message, true);
    if (result === 'stop') return outcome;
    if (result === 'sent' && post.kind === 'clip') outcome.posted += 1;
  }

  const now = deps.now();
  const clips = await unpostedClips(
    db,
    {
      guildId: feed.guildId,
      channelId: feed.channelId,
      broadcasterId: feed.broadcasterId,
      since: Math.max(feed.startsAt, now - WEEK_MS),
      minViews: feed.minViews,
    },
    CANDIDATES_PER_RUN,
  );
  const shared = feed.postMemberShared
    ? new Set<string>()
    : await memberSharedClips(
        db,
        feed.guildId,
        clips.map((c) => c.clipId),
      );
  const eligible: FeedClip[] = [];
  const skipped: FeedPostKey[] = [];
  for (const clip of clips) {
    const verdict = judgeClip(feed, clip, shared.has(clip.clipId));
    if (verdict === 'post') eligible.push(clip);
    else if (verdict === 'skip') skipped.push(keyOf(feed, clip.clipId, 'clip'));
    else outcome.waiting += 1;
  }
  await recordSkipped(
    db,
    skipped.map((k) => ({ ...k, feedId: feed.id })),
    now,
  );
  outcome.skipped = skipped.length;

  let room =
    feed.maxPerHour === null
      ? Number.POSITIVE_INFINITY
      : Math.max(0, feed.maxPerHour - (await feedPostsSentSince(db, feed.guildId, feed.id, now - HOUR_MS)));
  const overflow: FeedClip[] = [];
  let sentThisRun = 0;
  for (const clip of eligible) {
    if (room <= 0) {
      overflow.push(clip);
      continue;
    }
    if (sentThisRun >= POSTS_PER_RUN || deps.now() > deadline) break;
    const key = keyOf(feed, clip.clipId, 'clip');
    const claim = await claimFeedPost(db, {
      ...key,
      feedId: feed.id,
      nonce: postNonce(key),
      now: deps.now(),
      staleBefore: deps.now() - CLAIM_STALE_MS,
    });
    if (claim === null) continue;
    const result = await send(key, { kind: 'clip', clip, mentionRoleId: feed.mentionRoleId }, claim === 'resumed');
    if (result === 'stop') return outcome;
    if (result === 'failed') outcome.failed += 1;
    else {
      outcome.posted += 1;
      sentThisRun += 1;
      room -= 1;
    }
  }

  if (overflow.length > 0 && deps.now() <= deadline) {
    const summaryKey = keyOf(feed, overflow[0]!.clipId, 'overflow');
    const nonce = postNonce(summaryKey);
    // The summary is claimed and its clips recorded in one transaction: either both or neither.
    const taken = await db.transaction(async (tx) => {
      const claim = await claimFeedPost(tx, { ...summaryKey, feedId: feed.id, nonce, now, staleBefore: now - CLAIM_STALE_MS });
      if (claim !== 'fresh') return [];
      return recordSummarised(
        tx,
        overflow.map((c) => ({ ...keyOf(feed, c.clipId, 'clip'), feedId: feed.id, nonce })),
        now,
      );
    });
    if (taken.length > 0) {
      outcome.summarised = taken.length;
      const byId = new Map(overflow.map((c) => [c.clipId, c]));
      await send(summaryKey, { kind: 'overflow', clips: taken.map((id) => byId.get(id)!), broadcasterName: feed.broadcasterName }, false);
    }
  }
  return outcome;
}

function keyOf(feed: Feed, clipId: string, kind: FeedPostKey['kind']): FeedPostKey {
  return { guildId: feed.guildId, channelId: feed.channelId, clipId, kind };
}

/** The message a stale claim stands for, rebuilt from what is recorded; null when its clip is gone. */
async function messageOf(db: Db, post: FeedPost, feed: Feed): Promise<FeedMessage | null> {
  if (post.kind === 'clip') {
    const [clip] = await getFeedClips(db, [post.clipId]);
    return clip ? { kind: 'clip', clip, mentionRoleId: feed.mentionRoleId } : null;
  }
  if (post.kind === 'overflow') {
    const clips = await getFeedClips(db, await summarisedClipIds(db, post, post.nonce));
    clips.sort((a, b) => a.clipCreatedAt - b.clipCreatedAt || (a.clipId < b.clipId ? -1 : 1));
    return clips.length > 0 ? { kind: 'overflow', clips, broadcasterName: feed.broadcasterName } : null;
  }
  // A taking-off alert is not rebuilt: its figures were of that moment (the alert store retries it itself).
  return null;
}

/**
 * Records a clip post as a share by the bot (source 'feed') through capture's own write, so capture recognises the
 * message and counts members' reactions on it like those on a member's share. Rankings of members leave it out as
 * they leave out every bot's share (docs/feed.md#counting).
 */
async function recordFeedShare(deps: DeliverDeps, tx: Db, key: FeedPostKey, clip: FeedClip, messageId: string, now: number): Promise<void> {
  const poster = deps.sender.poster();
  if (!poster) {
    deps.logger.warn({ guildId: key.guildId, messageId }, 'clip feed post not recorded as a share: the bot is not logged in');
    return;
  }
  await recordMessage(
    tx,
    {
      guildId: key.guildId,
      channelId: key.channelId,
      messageId,
      authorId: poster.id,
      authorName: poster.name,
      authorIsBot: true,
      postedAt: now,
      content: clip.url,
      source: 'feed',
    },
    now,
  );
}

async function pauseForPermissions(deps: DeliverDeps, feed: Feed, reason: string): Promise<void> {
  if (await setFeedPaused(deps.db, feed.guildId, feed.id, { cause: 'permissions', reason }, deps.now(), 'permissions')) {
    deps.logger.warn(
      { guildId: feed.guildId, feedId: feed.id, channelId: feed.channelId, reason },
      'clip feed paused: Clipscope may not post in its channel; it resumes by itself once the permissions are fixed',
    );
  }
}
