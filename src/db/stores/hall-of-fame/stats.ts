// What /halloffame shows: the guild's most-reacted reposted clips and the members whose shares reached it most often.
import type { Db } from '../../database';
import { queries } from '../../sql';

export interface HallOfFameEntry {
  messageId: string;
  channelId: string;
  clipId: string;
  authorId: string;
  count: number;
  repostMessageId: string | null;
  hallChannelId: string;
}

export interface HallOfFameSharer {
  authorId: string;
  /** Shares of theirs that reached the hall (whether or not the repost was removed since). */
  reposts: number;
  /** The highest count one of them reached. */
  best: number;
}

/** The reposts standing in the hall, highest count first. */
export async function topHallOfFameEntries(db: Db, guildId: string, limit: number): Promise<HallOfFameEntry[]> {
  const rows = await queries(db).all<{
    message_id: string;
    channel_id: string;
    clip_id: string;
    author_id: string;
    posted_count: number;
    repost_message_id: string | null;
    hall_channel_id: string;
  }>(
    `SELECT message_id, channel_id, clip_id, author_id, posted_count, repost_message_id, hall_channel_id FROM hall_of_fame_posts
     WHERE guild_id = ? AND state = 'sent' ORDER BY posted_count DESC, message_id LIMIT ?`,
    [guildId, limit],
  );
  return rows.map((r) => ({
    messageId: r.message_id,
    channelId: r.channel_id,
    clipId: r.clip_id,
    authorId: r.author_id,
    count: Number(r.posted_count),
    repostMessageId: r.repost_message_id,
    hallChannelId: r.hall_channel_id,
  }));
}

/** Members by how many of their shares reached the hall (sent or since removed), most first. */
export async function topHallOfFameSharers(db: Db, guildId: string, limit: number): Promise<HallOfFameSharer[]> {
  const rows = await queries(db).all<{ author_id: string; reposts: number; best: number }>(
    `SELECT author_id, count(*) AS reposts, max(posted_count) AS best FROM hall_of_fame_posts
     WHERE guild_id = ? AND state IN ('sent', 'removed') GROUP BY author_id ORDER BY count(*) DESC, author_id LIMIT ?`,
    [guildId, limit],
  );
  return rows.map((r) => ({ authorId: r.author_id, reposts: Number(r.reposts), best: Number(r.best) }));
}
