// The rankings clipper roles are given by (docs/roles.md), read from what capture and enrichment recorded: Twitch
// clippers by the clips of theirs the guild has, matched to members through verified Twitch links, and members by
// the clips they shared and the reactions those shares received. Every read is bounded and scoped by guild.
import type { Db } from '../../database';
import { queries } from '../../sql';

/** [start, end) in UTC ms; all time is the widest window an instant can be in. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** A Twitch clipper, with the member who verified that Twitch account here (null: unmatched). */
export interface RankedClipper {
  twitchUserId: string;
  twitchName: string;
  /** Clips of theirs in the window. */
  clips: number;
  /** Their clips' views in the window. */
  views: number;
  /** Their most viewed clip's views. */
  bestViews: number;
  discordUserId: string | null;
}

/** A member who shared clips. */
export interface RankedSharer {
  userId: string;
  /** Shares, or reactions received, in the window. */
  value: number;
}

interface ClipperRow {
  creator_id: string;
  creator_name: string | null;
  clips: number;
  views: number;
  best: number;
}

const CLIPPERS = `SELECT creator_id, max(creator_name) AS creator_name, count(*) AS clips, coalesce(sum(view_count), 0) AS views,
    coalesce(max(view_count), 0) AS best
  FROM clips WHERE guild_id = ? AND creator_id IS NOT NULL AND creator_id <> ''`;

/** The top `limit` Twitch clippers of the window by clips or by views (ties: fewer, then by id). */
export async function topTwitchClippers(
  db: Db,
  guildId: string,
  options: TimeWindow & { by: 'clips' | 'views'; limit: number },
): Promise<RankedClipper[]> {
  const order =
    options.by === 'clips' ? 'count(*) DESC, coalesce(sum(view_count), 0) DESC' : 'coalesce(sum(view_count), 0) DESC, count(*) DESC';
  const rows = await queries(db).all<ClipperRow>(
    `${CLIPPERS} AND clip_created_at >= ? AND clip_created_at < ? GROUP BY creator_id ORDER BY ${order}, creator_id LIMIT ?`,
    [guildId, options.start, options.end, options.limit],
  );
  return withMembers(db, guildId, rows);
}

/** Clippers with at least `minClips` clips all time, most first (at most `limit`). */
export async function clippersWithClips(db: Db, guildId: string, options: { minClips: number; limit: number }): Promise<RankedClipper[]> {
  const rows = await queries(db).all<ClipperRow>(
    `${CLIPPERS} GROUP BY creator_id HAVING count(*) >= ? ORDER BY count(*) DESC, creator_id LIMIT ?`,
    [guildId, options.minClips, options.limit],
  );
  return withMembers(db, guildId, rows);
}

/** Clippers with a clip of at least `minViews` views, best first (at most `limit`). */
export async function clippersWithViews(db: Db, guildId: string, options: { minViews: number; limit: number }): Promise<RankedClipper[]> {
  const rows = await queries(db).all<ClipperRow>(
    `${CLIPPERS} GROUP BY creator_id HAVING max(view_count) >= ? ORDER BY max(view_count) DESC, creator_id LIMIT ?`,
    [guildId, options.minViews, options.limit],
  );
  return withMembers(db, guildId, rows);
}

/** The member linked to each Twitch account (the most recent link when several members verified the same one). */
async function withMembers(db: Db, guildId: string, rows: ClipperRow[]): Promise<RankedClipper[]> {
  const linked = new Map<string, string>();
  if (rows.length > 0) {
    const links = await queries(db).all<{ twitch_user_id: string; discord_user_id: string }>(
      `SELECT twitch_user_id, discord_user_id FROM twitch_links WHERE guild_id = ? AND twitch_user_id IN (${rows.map(() => '?').join(', ')})
       ORDER BY linked_at DESC, discord_user_id`,
      [guildId, ...rows.map((r) => r.creator_id)],
    );
    for (const l of links) if (!linked.has(l.twitch_user_id)) linked.set(l.twitch_user_id, l.discord_user_id);
  }
  return rows.map((r) => ({
    twitchUserId: r.creator_id,
    twitchName: r.creator_name ?? r.creator_id,
    clips: Number(r.clips),
    views: Number(r.views),
    bestViews: Number(r.best),
    discordUserId: linked.get(r.creator_id) ?? null,
  }));
}

/** The top `limit` members of the window by clips shared (live shares, not bots'), ties by id. */
export async function topSharersByShares(db: Db, guildId: string, options: TimeWindow & { limit: number }): Promise<RankedSharer[]> {
  const rows = await queries(db).all<{ author_id: string; n: number }>(
    `SELECT author_id, count(*) AS n FROM shares
     WHERE guild_id = ? AND deleted_at IS NULL AND NOT author_is_bot AND posted_at >= ? AND posted_at < ?
     GROUP BY author_id ORDER BY count(*) DESC, author_id LIMIT ?`,
    [guildId, options.start, options.end, options.limit],
  );
  return rows.map((r) => ({ userId: r.author_id, value: Number(r.n) }));
}

/**
 * The top `limit` members by reactions on the messages they shared clips in during the window (each message once,
 * however many clips it links; their own reactions left out), ties by id.
 */
export async function topSharersByReactions(db: Db, guildId: string, options: TimeWindow & { limit: number }): Promise<RankedSharer[]> {
  const rows = await queries(db).all<{ author_id: string; n: number }>(
    `SELECT s.author_id, count(*) AS n
     FROM (SELECT DISTINCT message_id, author_id FROM shares
           WHERE guild_id = ? AND deleted_at IS NULL AND NOT author_is_bot AND posted_at >= ? AND posted_at < ?) s
     JOIN reactions r ON r.guild_id = ? AND r.message_id = s.message_id AND r.user_id <> s.author_id
     GROUP BY s.author_id ORDER BY count(*) DESC, s.author_id LIMIT ?`,
    [guildId, options.start, options.end, guildId, options.limit],
  );
  return rows.map((r) => ({ userId: r.author_id, value: Number(r.n) }));
}
