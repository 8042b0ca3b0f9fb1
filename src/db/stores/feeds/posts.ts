// feed_posts: every message a feed sends, claimed before it is sent (docs/adr/0012-clip-feed-polling-and-exactly-once.md).
// The claim is one insert that does nothing on conflict, and a stale claim is taken over by one conditional update,
// so of any number of processes exactly one sends a given clip to a given channel.
import type { FeedPostKind, FeedPostState } from '../../schema/feeds';
import type { Db } from '../../database';
import { queries } from '../../sql';

export interface FeedPostKey {
  guildId: string;
  channelId: string;
  clipId: string;
  kind: FeedPostKind;
}

export interface FeedPost extends FeedPostKey {
  feedId: number;
  state: FeedPostState;
  nonce: string;
  messageId: string | null;
  attempts: number;
  error: string | null;
  claimedAt: number;
  sentAt: number | null;
}

/** 'fresh': nobody tried; 'resumed': an earlier attempt died or failed for a while (its message may exist). */
export type FeedClaim = 'fresh' | 'resumed';

interface PostRow {
  guild_id: string;
  channel_id: string;
  clip_id: string;
  kind: FeedPostKind;
  feed_id: number;
  state: FeedPostState;
  nonce: string;
  message_id: string | null;
  attempts: number;
  error: string | null;
  claimed_at: number;
  sent_at: number | null;
}

function toPost(row: PostRow): FeedPost {
  return {
    guildId: row.guild_id,
    channelId: row.channel_id,
    clipId: row.clip_id,
    kind: row.kind,
    feedId: Number(row.feed_id),
    state: row.state,
    nonce: row.nonce,
    messageId: row.message_id,
    attempts: row.attempts,
    error: row.error,
    claimedAt: row.claimed_at,
    sentAt: row.sent_at,
  };
}

/**
 * Claims the post for this attempt: 'fresh' when nobody claimed it, 'resumed' when an earlier claim was made before
 * `staleBefore` and never finished (that attempt died, or failed transiently), null otherwise (sent, summarised,
 * refused for good, or being sent by someone right now).
 */
export async function claimFeedPost(
  db: Db,
  post: FeedPostKey & { feedId: number; nonce: string; now: number; staleBefore: number },
): Promise<FeedClaim | null> {
  const q = queries(db);
  const inserted = await q.run(
    `INSERT INTO feed_posts (guild_id, channel_id, clip_id, kind, feed_id, state, nonce, attempts, claimed_at)
     VALUES (?, ?, ?, ?, ?, 'claimed', ?, 1, ?) ON CONFLICT (guild_id, channel_id, clip_id, kind) DO NOTHING`,
    [post.guildId, post.channelId, post.clipId, post.kind, post.feedId, post.nonce, post.now],
  );
  if (inserted.changes > 0) return 'fresh';
  const resumed = await q.run(
    `UPDATE feed_posts SET claimed_at = ?, attempts = attempts + 1
     WHERE guild_id = ? AND channel_id = ? AND clip_id = ? AND kind = ? AND state = 'claimed' AND claimed_at <= ?`,
    [post.now, post.guildId, post.channelId, post.clipId, post.kind, post.staleBefore],
  );
  return resumed.changes > 0 ? 'resumed' : null;
}

/** Records clips left out by max_per_hour as summarised in `messageId`'s overflow post; never posted on their own. */
export async function recordSummarised(
  db: Db,
  posts: ReadonlyArray<FeedPostKey & { feedId: number; nonce: string }>,
  now: number,
): Promise<string[]> {
  return db.transaction(async (tx) => {
    const q = queries(tx);
    const taken: string[] = [];
    for (const p of posts) {
      const r = await q.run(
        `INSERT INTO feed_posts (guild_id, channel_id, clip_id, kind, feed_id, state, nonce, attempts, claimed_at, sent_at)
         VALUES (?, ?, ?, ?, ?, 'summarised', ?, 0, ?, ?) ON CONFLICT (guild_id, channel_id, clip_id, kind) DO NOTHING`,
        [p.guildId, p.channelId, p.clipId, p.kind, p.feedId, p.nonce, now, now],
      );
      if (r.changes > 0) taken.push(p.clipId);
    }
    return taken;
  });
}

/** Records clips the feed's filters leave out, so the next run does not judge them again. */
export async function recordSkipped(db: Db, posts: ReadonlyArray<FeedPostKey & { feedId: number }>, now: number): Promise<void> {
  if (posts.length === 0) return;
  await db.transaction(async (tx) => {
    const q = queries(tx);
    for (const p of posts) {
      await q.run(
        `INSERT INTO feed_posts (guild_id, channel_id, clip_id, kind, feed_id, state, nonce, attempts, claimed_at)
         VALUES (?, ?, ?, ?, ?, 'skipped', '', 0, ?) ON CONFLICT (guild_id, channel_id, clip_id, kind) DO NOTHING`,
        [p.guildId, p.channelId, p.clipId, p.kind, p.feedId, now],
      );
    }
  });
}

/** The clips an overflow summary (by its nonce) stands for, in the order they were created. */
export async function summarisedClipIds(db: Db, key: { guildId: string; channelId: string }, nonce: string): Promise<string[]> {
  const rows = await queries(db).all<{ clip_id: string }>(
    `SELECT clip_id FROM feed_posts WHERE guild_id = ? AND channel_id = ? AND kind = 'clip' AND state = 'summarised' AND nonce = ?
     ORDER BY clip_id`,
    [key.guildId, key.channelId, nonce],
  );
  return rows.map((r) => r.clip_id);
}

/** The post went out as `messageId`. */
export async function recordFeedPostSent(db: Db, key: FeedPostKey, messageId: string, now: number): Promise<void> {
  await queries(db).run(
    `UPDATE feed_posts SET state = 'sent', message_id = ?, sent_at = ?, error = NULL
     WHERE guild_id = ? AND channel_id = ? AND clip_id = ? AND kind = ?`,
    [messageId, now, key.guildId, key.channelId, key.clipId, key.kind],
  );
}

/**
 * A failed attempt. Permanent (Discord refused this message for good): failed, never retried. Otherwise the claim
 * stays and is made stale at once, so the next run takes it over and first looks for the message in the channel.
 */
export async function recordFeedPostFailure(db: Db, key: FeedPostKey, failure: { message: string; permanent: boolean }): Promise<void> {
  await queries(db).run(
    `UPDATE feed_posts SET state = CASE WHEN @permanent THEN 'failed' ELSE state END, error = @error, claimed_at = 0
     WHERE guild_id = @guild AND channel_id = @channel AND clip_id = @clip AND kind = @kind AND state = 'claimed'`,
    { permanent: failure.permanent, error: failure.message, guild: key.guildId, channel: key.channelId, clip: key.clipId, kind: key.kind },
  );
}

/** Posts of the feed sent (clips and overflow summaries) since `since`: the rolling hour max_per_hour bounds. */
export async function feedPostsSentSince(db: Db, guildId: string, feedId: number, since: number): Promise<number> {
  const row = await queries(db).get<{ n: number }>(
    `SELECT count(*) AS n FROM feed_posts WHERE guild_id = ? AND feed_id = ? AND sent_at >= ? AND kind = 'clip' AND state = 'sent'`,
    [guildId, feedId, since],
  );
  return Number(row?.n ?? 0);
}

/** Claims left unfinished (stale) in the guild's channel: what a run retries before posting anything new. */
export async function staleFeedClaims(db: Db, guildId: string, feedId: number, staleBefore: number, limit: number): Promise<FeedPost[]> {
  const rows = await queries(db).all<PostRow>(
    `SELECT * FROM feed_posts WHERE guild_id = ? AND feed_id = ? AND state = 'claimed' AND claimed_at <= ? AND kind <> 'taking_off'
     ORDER BY claimed_at LIMIT ?`,
    [guildId, feedId, staleBefore, limit],
  );
  return rows.map(toPost);
}

export async function getFeedPost(db: Db, key: FeedPostKey): Promise<FeedPost | null> {
  const row = await queries(db).get<PostRow>(
    'SELECT * FROM feed_posts WHERE guild_id = ? AND channel_id = ? AND clip_id = ? AND kind = ?',
    [key.guildId, key.channelId, key.clipId, key.kind],
  );
  return row ? toPost(row) : null;
}

/** The feed post a message is, if it is one (reactions on it count for its clip). */
export async function feedPostByMessage(db: Db, guildId: string, messageId: string): Promise<FeedPost | null> {
  const row = await queries(db).get<PostRow>('SELECT * FROM feed_posts WHERE guild_id = ? AND message_id = ?', [guildId, messageId]);
  return row ? toPost(row) : null;
}

/** Every post recorded for the guild, for tests and diagnostics (bounded). */
export async function listFeedPosts(db: Db, guildId: string, limit = 1000): Promise<FeedPost[]> {
  const rows = await queries(db).all<PostRow>('SELECT * FROM feed_posts WHERE guild_id = ? ORDER BY claimed_at, clip_id LIMIT ?', [
    guildId,
    limit,
  ]);
  return rows.map(toPost);
}
