// One guild's hall-of-fame pass (docs/hall-of-fame.md, docs/adr/0014-hall-of-fame-exactly-once-and-batched-edits.md):
// finish reposts an earlier attempt left, repost the recent shares that reached the threshold (each claimed before it
// is sent), then bring the standing reposts up to date: one edit per repost and pass at most (the changes since the
// last pass are batched into it), removed when the original is gone or the count fell below remove_below.
import { createHash } from 'node:crypto';
import type { Db } from '../db/database';
import {
  abandonHallOfFameClaim,
  claimHallOfFameEdit,
  claimHallOfFamePost,
  claimHallOfFameRemoval,
  getHallOfFamePost,
  messageReactors,
  recentShareTallies,
  recordHallOfFameFailure,
  recordHallOfFameSent,
  releaseHallOfFameEdit,
  releaseHallOfFameRemoval,
  sentHallOfFamePosts,
  sharedMessage,
  staleHallOfFameClaims,
  type HallOfFameKey,
  type HallOfFamePost,
  type HallOfFameSettings,
  type SharedMessage,
} from '../db/stores/hall-of-fame';
import type { Logger } from '../logger';
import { countReactions, upperBounds, type ReactionCount } from './count';
import { HallOfFameDeliveryError, type HallOfFameSender, type Repost } from './sender';

/** A claim still 'claimed' this long after it was made belongs to an attempt that died; the next pass takes it over. */
export const CLAIM_STALE_MS = 5 * 60_000;
/** Shares posted longer ago than this are not reposted any more (standing reposts are still kept up to date). */
export const WINDOW_MS = 14 * 24 * 3_600_000;
/** Per guild and pass: reposts sent, messages read whole, standing reposts checked, edits and removals, stale claims retried. */
export const POSTS_PER_PASS = 10;
const CANDIDATES_PER_PASS = 50;
const STANDING_PER_PASS = 200;
export const EDITS_PER_PASS = 20;
const RETRIES_PER_PASS = 5;

export interface ReposterDeps {
  db: Db;
  sender: HallOfFameSender;
  logger: Logger;
  now: () => number;
}

export interface GuildPass {
  posted: number;
  edited: number;
  removed: number;
  failed: number;
  /** Why nothing could be posted in the hall this pass, if so. */
  blocked: string | null;
}

/** The nonce Discord dedupes a repost's resends by: the same for every attempt (≤ 25 characters). */
export function repostNonce(key: HallOfFameKey): string {
  return createHash('sha256').update(`hof/${key.guildId}/${key.messageId}`).digest('base64url').slice(0, 25);
}

export async function runGuildPass(deps: ReposterDeps, settings: HallOfFameSettings, deadline: number): Promise<GuildPass> {
  const { db, sender, logger } = deps;
  const guildId = settings.guildId;
  const pass: GuildPass = { posted: 0, edited: 0, removed: 0, failed: 0, blocked: null };
  const countOf = async (share: SharedMessage): Promise<ReactionCount> => {
    const reactors = await messageReactors(db, guildId, share.messageId);
    const bots = new Set<string>();
    for (const id of new Set(reactors.named.map((r) => r.userId))) if (await sender.isBot(id)) bots.add(id);
    return countReactions(reactors, settings, share.authorId, (id) => bots.has(id));
  };

  pass.blocked = await sender.checkHall(guildId, settings.channelId);
  if (pass.blocked === null) {
    // Reposts an earlier attempt left unfinished (it died, or Discord failed): finished first, after looking.
    for (const post of await staleHallOfFameClaims(db, guildId, deps.now() - CLAIM_STALE_MS, RETRIES_PER_PASS)) {
      if (deps.now() > deadline) return pass;
      const share = await sharedMessage(db, guildId, post.messageId);
      const claim = await claimHallOfFamePost(db, { ...post, now: deps.now(), staleBefore: deps.now() - CLAIM_STALE_MS });
      if (claim === null) continue;
      if (!share || share.deleted || share.authorIsBot || !(await nsfwAllowed(sender, settings, share, post.hallChannelId))) {
        // Not to be reposted any more: what an earlier attempt may have posted comes down, and the claim ends.
        if ((await withdraw(deps, post)) === 'stop') return pass;
        continue;
      }
      const repost = repostOf(share, await countOf(share));
      const result = await send(deps, post.hallChannelId, repost, true);
      if (result === 'stop') return pass;
      pass[result === 'sent' ? 'posted' : 'failed'] += 1;
    }

    const bounds = upperBounds(
      await recentShareTallies(db, guildId, { since: deps.now() - WINDOW_MS, selfReactions: settings.selfReactions }),
      settings,
    );
    const candidates = [...bounds].filter(([, bound]) => bound >= settings.threshold).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [messageId] of candidates.slice(0, CANDIDATES_PER_PASS)) {
      if (pass.posted >= POSTS_PER_PASS || deps.now() > deadline) break;
      if (await getHallOfFamePost(db, { guildId, messageId })) continue;
      const share = await sharedMessage(db, guildId, messageId);
      if (!share || share.deleted || share.authorIsBot || !(await nsfwAllowed(sender, settings, share, settings.channelId))) continue;
      const count = await countOf(share);
      if (count.total < settings.threshold) continue;
      const repost = repostOf(share, count);
      const claim = await claimHallOfFamePost(db, {
        guildId,
        messageId,
        channelId: repost.channelId,
        clipId: share.clipId,
        authorId: share.authorId,
        hallChannelId: settings.channelId,
        nonce: repostNonce({ guildId, messageId }),
        postedCount: count.total,
        now: deps.now(),
        staleBefore: deps.now() - CLAIM_STALE_MS,
      });
      if (claim === null) continue;
      const result = await send(deps, settings.channelId, repost, claim === 'resumed');
      if (result === 'stop') break;
      pass[result === 'sent' ? 'posted' : 'failed'] += 1;
    }
  }

  // Standing reposts, newest first: each edited at most once a pass, whatever number of changes it had since.
  for (const post of await sentHallOfFamePosts(db, guildId, STANDING_PER_PASS)) {
    // Removals spend the same budget as edits: both are message writes in the hall channel.
    if (pass.edited + pass.removed >= EDITS_PER_PASS || deps.now() > deadline) break;
    const share = await sharedMessage(db, guildId, post.messageId);
    const count = share && !share.deleted ? await countOf(share) : null;
    if (!share || !count) {
      if (await remove(deps, post, 'the original message was deleted')) pass.removed += 1;
      continue;
    }
    if (settings.removeBelow !== null && count.total < settings.removeBelow) {
      if (await remove(deps, post, `fewer than ${settings.removeBelow} reactions`)) pass.removed += 1;
      continue;
    }
    if (count.total === post.postedCount) continue;
    if (!(await claimHallOfFameEdit(db, post, post.postedCount, count.total))) continue;
    try {
      await sender.edit(post.hallChannelId, post.repostMessageId!, repostOf(share, count));
      pass.edited += 1;
    } catch (error) {
      const failure = error instanceof HallOfFameDeliveryError ? error.failure : 'transient';
      const text = error instanceof Error ? error.message : String(error);
      if (failure === 'gone') {
        // Someone deleted the repost: it stays down, and the original is never reposted.
        await claimHallOfFameRemoval(db, post, `the repost was deleted: ${text}`, deps.now());
        continue;
      }
      await releaseHallOfFameEdit(db, post, count.total, text);
      logger.warn({ guildId, messageId: post.messageId, err: text }, 'hall of fame: editing a repost failed; the next pass tries again');
      if (failure === 'transient') break;
    }
  }
  return pass;
}

/** Shares in an NSFW channel go only to an NSFW hall that takes them; a channel the bot does not know is not risked. */
async function nsfwAllowed(
  sender: HallOfFameSender,
  settings: HallOfFameSettings,
  share: SharedMessage,
  hallChannelId: string,
): Promise<boolean> {
  const original = await sender.isNsfw(settings.guildId, share.channelId);
  if (original === null) return false;
  if (!original) return true;
  return settings.nsfw && (await sender.isNsfw(settings.guildId, hallChannelId)) === true;
}

function repostOf(share: SharedMessage, count: ReactionCount): Repost {
  return {
    guildId: share.guildId,
    messageId: share.messageId,
    channelId: share.threadId ?? share.channelId,
    clipId: share.clipId,
    authorId: share.authorId,
    count,
  };
}

async function send(deps: ReposterDeps, hallChannelId: string, repost: Repost, resumed: boolean): Promise<'sent' | 'failed' | 'stop'> {
  const key = { guildId: repost.guildId, messageId: repost.messageId };
  try {
    // An earlier attempt may have posted it and lost the answer: look before posting again.
    const found = resumed ? await deps.sender.findPosted(hallChannelId, repost) : null;
    const id = found ?? (await deps.sender.send(hallChannelId, repost, repostNonce(key)));
    await recordHallOfFameSent(deps.db, key, id, found ? -1 : repost.count.total, deps.now());
    return 'sent';
  } catch (error) {
    const failure = error instanceof HallOfFameDeliveryError ? error.failure : 'transient';
    const text = error instanceof Error ? error.message : String(error);
    await recordHallOfFameFailure(deps.db, key, { message: text, permanent: failure === 'refused' });
    deps.logger.warn({ ...key, hallChannelId, err: text }, 'hall of fame: a repost failed');
    // A transient failure (Discord 5xx, network) ends this pass: the next one retries, after looking in the hall.
    return failure === 'transient' ? 'stop' : 'failed';
  }
}

/** Ends a claim that may no longer be reposted, taking down the repost an earlier attempt may have made. */
async function withdraw(deps: ReposterDeps, post: HallOfFamePost): Promise<'done' | 'stop'> {
  const reason = 'no longer to be reposted (the original was deleted, or its channel may not go to this hall)';
  try {
    const found = await deps.sender.findPosted(post.hallChannelId, { ...post, count: { total: 0, byEmoji: [] } });
    if (found) await deps.sender.remove(post.hallChannelId, found);
  } catch (error) {
    const failure = error instanceof HallOfFameDeliveryError ? error.failure : 'transient';
    if (failure === 'transient') {
      const text = error instanceof Error ? error.message : String(error);
      await recordHallOfFameFailure(deps.db, post, { message: text, permanent: false });
      return 'stop';
    }
  }
  await abandonHallOfFameClaim(deps.db, post, reason, deps.now());
  return 'done';
}

/** Takes a repost down, once across processes; a transient failure puts it back for the next pass. */
async function remove(deps: ReposterDeps, post: HallOfFamePost, reason: string): Promise<boolean> {
  if (!(await claimHallOfFameRemoval(deps.db, post, reason, deps.now()))) return false;
  try {
    await deps.sender.remove(post.hallChannelId, post.repostMessageId!);
    return true;
  } catch (error) {
    const failure = error instanceof HallOfFameDeliveryError ? error.failure : 'transient';
    if (failure === 'gone') return true;
    const text = error instanceof Error ? error.message : String(error);
    if (failure === 'transient') await releaseHallOfFameRemoval(deps.db, post, text);
    deps.logger.warn({ guildId: post.guildId, messageId: post.messageId, err: text }, 'hall of fame: removing a repost failed');
    return false;
  }
}
