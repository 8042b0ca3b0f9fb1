// hall_of_fame_posts: every original message that reached the hall of fame, claimed before its repost is sent, and
// every later change (an edit of the count, the removal) claimed by a compare-and-set before Discord is asked
// (docs/adr/0014-hall-of-fame-exactly-once-and-batched-edits.md): of any number of processes exactly one acts.
import type { HallOfFamePostState } from '../../schema/hall-of-fame';
import type { Db } from '../../database';
import { queries } from '../../sql';

export interface HallOfFameKey {
  guildId: string;
  messageId: string;
}

export interface HallOfFamePost extends HallOfFameKey {
  channelId: string;
  clipId: string;
  authorId: string;
  hallChannelId: string;
  state: HallOfFamePostState;
  nonce: string;
  repostMessageId: string | null;
  /** The count the repost shows; -1 when an edit must be redone. */
  postedCount: number;
  attempts: number;
  error: string | null;
  claimedAt: number;
  sentAt: number | null;
  removedAt: number | null;
}

/** 'fresh': nobody tried; 'resumed': an earlier attempt died or failed (its repost may exist). */
export type HallOfFameClaim = 'fresh' | 'resumed';

interface PostRow {
  guild_id: string;
  message_id: string;
  channel_id: string;
  clip_id: string;
  author_id: string;
  hall_channel_id: string;
  state: HallOfFamePostState;
  nonce: string;
  repost_message_id: string | null;
  posted_count: number;
  attempts: number;
  error: string | null;
  claimed_at: number;
  sent_at: number | null;
  removed_at: number | null;
}

function toPost(row: PostRow): HallOfFamePost {
  return {
    guildId: row.guild_id,
    messageId: row.message_id,
    channelId: row.channel_id,
    clipId: row.clip_id,
    authorId: row.author_id,
    hallChannelId: row.hall_channel_id,
    state: row.state,
    nonce: row.nonce,
    repostMessageId: row.repost_message_id,
    postedCount: Number(row.posted_count),
    attempts: Number(row.attempts),
    error: row.error,
    claimedAt: Number(row.claimed_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    removedAt: row.removed_at === null ? null : Number(row.removed_at),
  };
}

/**
 * Claims the repost of one original message: 'fresh' when nobody claimed it, 'resumed' when an earlier claim made
 * before `staleBefore` never finished, null otherwise (sent, removed, refused, or being sent right now).
 */
export async function claimHallOfFamePost(
  db: Db,
  post: Omit<HallOfFamePost, 'state' | 'repostMessageId' | 'attempts' | 'error' | 'claimedAt' | 'sentAt' | 'removedAt'> & {
    now: number;
    staleBefore: number;
  },
): Promise<HallOfFameClaim | null> {
  const q = queries(db);
  const inserted = await q.run(
    `INSERT INTO hall_of_fame_posts (guild_id, message_id, channel_id, clip_id, author_id, hall_channel_id, state, nonce,
       posted_count, attempts, claimed_at)
     VALUES (?, ?, ?, ?, ?, ?, 'claimed', ?, ?, 1, ?) ON CONFLICT (guild_id, message_id) DO NOTHING`,
    [post.guildId, post.messageId, post.channelId, post.clipId, post.authorId, post.hallChannelId, post.nonce, post.postedCount, post.now],
  );
  if (inserted.changes > 0) return 'fresh';
  const resumed = await q.run(
    `UPDATE hall_of_fame_posts SET claimed_at = ?, attempts = attempts + 1, posted_count = ?
     WHERE guild_id = ? AND message_id = ? AND state = 'claimed' AND claimed_at <= ?`,
    [post.now, post.postedCount, post.guildId, post.messageId, post.staleBefore],
  );
  return resumed.changes > 0 ? 'resumed' : null;
}

/** The repost went out as `repostMessageId`, showing `count`. */
export async function recordHallOfFameSent(db: Db, key: HallOfFameKey, repostMessageId: string, count: number, now: number): Promise<void> {
  await queries(db).run(
    `UPDATE hall_of_fame_posts SET state = 'sent', repost_message_id = ?, posted_count = ?, sent_at = ?, error = NULL
     WHERE guild_id = ? AND message_id = ? AND state = 'claimed'`,
    [repostMessageId, count, now, key.guildId, key.messageId],
  );
}

/**
 * A failed repost. Permanent (Discord refused it for good): failed, never retried. Otherwise the claim stays and is
 * made stale at once, so the next run takes it over and first looks for the repost in the hall channel.
 */
export async function recordHallOfFameFailure(db: Db, key: HallOfFameKey, failure: { message: string; permanent: boolean }): Promise<void> {
  await queries(db).run(
    `UPDATE hall_of_fame_posts SET state = CASE WHEN @permanent THEN 'failed' ELSE state END, error = @error, claimed_at = 0
     WHERE guild_id = @guild AND message_id = @message AND state = 'claimed'`,
    { permanent: failure.permanent, error: failure.message, guild: key.guildId, message: key.messageId },
  );
}

/**
 * Claims an edit of a sent repost from the count it shows to `to`: true for exactly one caller. A failed edit gives
 * the claim back with `releaseHallOfFameEdit`, so a later run edits again.
 */
export async function claimHallOfFameEdit(db: Db, key: HallOfFameKey, from: number, to: number): Promise<boolean> {
  const r = await queries(db).run(
    `UPDATE hall_of_fame_posts SET posted_count = ? WHERE guild_id = ? AND message_id = ? AND state = 'sent' AND posted_count = ?`,
    [to, key.guildId, key.messageId, from],
  );
  return r.changes > 0;
}

/** The edit to `count` did not reach Discord: the repost's count is unknown (-1) until the next edit. */
export async function releaseHallOfFameEdit(db: Db, key: HallOfFameKey, count: number, error: string): Promise<void> {
  await queries(db).run(
    `UPDATE hall_of_fame_posts SET posted_count = -1, error = ? WHERE guild_id = ? AND message_id = ? AND state = 'sent' AND posted_count = ?`,
    [error, key.guildId, key.messageId, count],
  );
}

/** Claims the removal of a sent repost: true for exactly one caller. A removed original is never reposted again. */
export async function claimHallOfFameRemoval(db: Db, key: HallOfFameKey, reason: string, now: number): Promise<boolean> {
  const r = await queries(db).run(
    `UPDATE hall_of_fame_posts SET state = 'removed', removed_at = ?, error = ? WHERE guild_id = ? AND message_id = ? AND state = 'sent'`,
    [now, reason, key.guildId, key.messageId],
  );
  return r.changes > 0;
}

/** Ends a claim whose original may no longer be reposted (deleted, NSFW): removed, never reposted. */
export async function abandonHallOfFameClaim(db: Db, key: HallOfFameKey, reason: string, now: number): Promise<boolean> {
  const r = await queries(db).run(
    `UPDATE hall_of_fame_posts SET state = 'removed', removed_at = ?, error = ? WHERE guild_id = ? AND message_id = ? AND state = 'claimed'`,
    [now, reason, key.guildId, key.messageId],
  );
  return r.changes > 0;
}

/** The removal did not reach Discord (a transient failure): the repost is 'sent' again, so a later run retries. */
export async function releaseHallOfFameRemoval(db: Db, key: HallOfFameKey, error: string): Promise<void> {
  await queries(db).run(
    `UPDATE hall_of_fame_posts SET state = 'sent', removed_at = NULL, posted_count = -1, error = ?
     WHERE guild_id = ? AND message_id = ? AND state = 'removed'`,
    [error, key.guildId, key.messageId],
  );
}

export async function getHallOfFamePost(db: Db, key: HallOfFameKey): Promise<HallOfFamePost | null> {
  const row = await queries(db).get<PostRow>('SELECT * FROM hall_of_fame_posts WHERE guild_id = ? AND message_id = ?', [
    key.guildId,
    key.messageId,
  ]);
  return row ? toPost(row) : null;
}

/** The guild's reposts that still follow their original ('sent'), newest first (bounded). */
export async function sentHallOfFamePosts(db: Db, guildId: string, limit: number): Promise<HallOfFamePost[]> {
  const rows = await queries(db).all<PostRow>(
    `SELECT * FROM hall_of_fame_posts WHERE guild_id = ? AND state = 'sent' ORDER BY claimed_at DESC, message_id DESC LIMIT ?`,
    [guildId, limit],
  );
  return rows.map(toPost);
}

/** Claims left unfinished before `staleBefore` (the attempt died or failed): retried before anything new. */
export async function staleHallOfFameClaims(db: Db, guildId: string, staleBefore: number, limit: number): Promise<HallOfFamePost[]> {
  const rows = await queries(db).all<PostRow>(
    `SELECT * FROM hall_of_fame_posts WHERE guild_id = ? AND state = 'claimed' AND claimed_at <= ? ORDER BY claimed_at, message_id LIMIT ?`,
    [guildId, staleBefore, limit],
  );
  return rows.map(toPost);
}

/** Every post recorded for the guild, for tests and diagnostics (bounded). */
export async function listHallOfFamePosts(db: Db, guildId: string, limit = 1000): Promise<HallOfFamePost[]> {
  const rows = await queries(db).all<PostRow>(
    'SELECT * FROM hall_of_fame_posts WHERE guild_id = ? ORDER BY claimed_at, message_id LIMIT ?',
    [guildId, limit],
  );
  return rows.map(toPost);
}
