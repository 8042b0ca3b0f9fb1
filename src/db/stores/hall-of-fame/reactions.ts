// The reads the hall of fame makes of what capture recorded (shares, per-user reactions, anonymous counts): which
// recent shares may have reached the threshold, and who reacted to one message. Capture's own stores are not
// touched; only its key hints are reused so SQLite takes the primary keys (src/db/stores/capture/keys.ts).
import type { Db } from '../../database';
import { queries } from '../../sql';
import { captureJoins } from '../capture/keys';

/** Reactions of one emoji on one message: the users capture named, and the count known only as a number. */
export interface EmojiTally {
  messageId: string;
  emojiKey: string;
  /** Named reactors, the sharer's own reaction left out unless self reactions count (bots are not known here). */
  named: number;
  anonymous: number;
}

/**
 * Per (message, emoji), the reactions on the guild's members' live shares posted since `since`: an upper bound of
 * each message's count (bots are taken off per message later), so a run reads only the messages that may qualify.
 */
export async function recentShareTallies(
  db: Db,
  guildId: string,
  options: { since: number; selfReactions: boolean },
): Promise<EmojiTally[]> {
  const j = captureJoins(db.engine);
  // A message sharing two clips has two share rows: DISTINCT keeps its reactions counted once.
  const recent = `SELECT DISTINCT message_id, author_id FROM shares
       WHERE guild_id = @guild AND posted_at >= @since AND deleted_at IS NULL AND NOT author_is_bot`;
  const rows = await queries(db).all<{ message_id: string; emoji_key: string; named: number; anonymous: number }>(
    `SELECT message_id, emoji_key, sum(named) AS named, sum(anonymous) AS anonymous FROM (
       SELECT s.message_id, r.emoji_key, count(*) AS named, 0 AS anonymous
         FROM (${recent}) s ${j.join} reactions r ${j.reactionsKey} ON r.guild_id = @guild AND r.message_id = s.message_id
         WHERE @self OR r.user_id <> s.author_id
         GROUP BY s.message_id, r.emoji_key
       UNION ALL
       SELECT s.message_id, b.emoji_key, 0 AS named, b.anonymous_count AS anonymous
         FROM (${recent}) s ${j.join} reaction_baselines b ${j.baselinesKey} ON b.guild_id = @guild AND b.message_id = s.message_id
     ) t GROUP BY message_id, emoji_key ORDER BY message_id, emoji_key`,
    { guild: guildId, since: options.since, self: options.selfReactions },
  );
  return rows.map((r) => ({ messageId: r.message_id, emojiKey: r.emoji_key, named: Number(r.named), anonymous: Number(r.anonymous) }));
}

/** One message's reactions: every named (emoji, user), and each emoji's anonymous count. */
export interface MessageReactors {
  named: Array<{ emojiKey: string; userId: string }>;
  anonymous: Array<{ emojiKey: string; count: number }>;
}

export async function messageReactors(db: Db, guildId: string, messageId: string): Promise<MessageReactors> {
  const j = captureJoins(db.engine);
  const q = queries(db);
  const named = await q.all<{ emoji_key: string; user_id: string }>(
    `SELECT emoji_key, user_id FROM reactions ${j.reactionsKey} WHERE guild_id = ? AND message_id = ? ORDER BY emoji_key, user_id`,
    [guildId, messageId],
  );
  const anonymous = await q.all<{ emoji_key: string; anonymous_count: number }>(
    `SELECT emoji_key, anonymous_count FROM reaction_baselines ${j.baselinesKey} WHERE guild_id = ? AND message_id = ? ORDER BY emoji_key`,
    [guildId, messageId],
  );
  return {
    named: named.map((r) => ({ emojiKey: r.emoji_key, userId: r.user_id })),
    anonymous: anonymous.map((r) => ({ emojiKey: r.emoji_key, count: Number(r.anonymous_count) })),
  };
}

/** A message that shares a clip, as the hall of fame reposts it. */
export interface SharedMessage {
  guildId: string;
  messageId: string;
  /** The parent channel (what NSFW is judged by). */
  channelId: string;
  /** The thread it was posted in, if any: with channelId, where the jump link leads. */
  threadId: string | null;
  /** The first clip it shares (by id), when it shares several. */
  clipId: string;
  authorId: string;
  authorName: string;
  authorIsBot: boolean;
  postedAt: number;
  /** Deleted, or edited so that it shares no clip any more. */
  deleted: boolean;
}

export async function sharedMessage(db: Db, guildId: string, messageId: string): Promise<SharedMessage | null> {
  const rows = await queries(db).all<{
    channel_id: string;
    thread_id: string | null;
    clip_id: string;
    author_id: string;
    author_name: string;
    author_is_bot: number | boolean;
    posted_at: number;
    deleted_at: number | null;
  }>(
    `SELECT channel_id, thread_id, clip_id, author_id, author_name, author_is_bot, posted_at, deleted_at FROM shares
     WHERE guild_id = ? AND message_id = ? ORDER BY clip_id`,
    [guildId, messageId],
  );
  if (rows.length === 0) return null;
  const live = rows.find((r) => r.deleted_at === null);
  const row = live ?? rows[0]!;
  return {
    guildId,
    messageId,
    channelId: row.channel_id,
    threadId: row.thread_id,
    clipId: row.clip_id,
    authorId: row.author_id,
    authorName: row.author_name,
    authorIsBot: Boolean(row.author_is_bot),
    postedAt: Number(row.posted_at),
    deleted: live === undefined,
  };
}
