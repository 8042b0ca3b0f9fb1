// feed_clips: the clips the feed's polls saw (shared Twitch data, keyed by clip id), and the reads that pick a
// feed's candidates and the clips whose views must be refreshed.
import type { Db } from '../../database';
import { queries } from '../../sql';

export interface FeedClip {
  clipId: string;
  broadcasterId: string;
  url: string;
  title: string;
  creatorId: string;
  creatorName: string;
  gameId: string;
  gameName: string | null;
  viewCount: number;
  duration: number;
  clipCreatedAt: number;
  firstSeenAt: number;
  viewsAt: number;
}

interface ClipRow {
  clip_id: string;
  broadcaster_id: string;
  url: string;
  title: string;
  creator_id: string;
  creator_name: string;
  game_id: string;
  game_name: string | null;
  view_count: number;
  duration: number;
  clip_created_at: number;
  first_seen_at: number;
  views_at: number;
}

function toClip(row: ClipRow): FeedClip {
  return {
    clipId: row.clip_id,
    broadcasterId: row.broadcaster_id,
    url: row.url,
    title: row.title,
    creatorId: row.creator_id,
    creatorName: row.creator_name,
    gameId: row.game_id,
    gameName: row.game_name,
    viewCount: row.view_count,
    duration: row.duration,
    clipCreatedAt: row.clip_created_at,
    firstSeenAt: row.first_seen_at,
    viewsAt: row.views_at,
  };
}

export type SeenClip = Omit<FeedClip, 'firstSeenAt' | 'viewsAt'>;

/**
 * Records what a poll or a view refresh saw; views only move forward (a stale answer never lowers them). Each answer
 * is also a view observation in clip_view_history, the history "taking off" alerts compare against.
 */
export function upsertFeedClips(db: Db, clips: readonly SeenClip[], now: number): Promise<void> {
  if (clips.length === 0) return Promise.resolve();
  return db.transaction(async (tx) => {
    const q = queries(tx);
    for (const c of clips) {
      await q.run(
        `INSERT INTO feed_clips (clip_id, broadcaster_id, url, title, creator_id, creator_name, game_id, game_name, view_count, duration,
           clip_created_at, first_seen_at, views_at)
         VALUES (@id, @broadcaster, @url, @title, @creatorId, @creatorName, @gameId, @gameName, @views, @duration, @createdAt, @now, @now)
         ON CONFLICT (clip_id) DO UPDATE SET title = excluded.title, game_id = excluded.game_id,
           game_name = coalesce(excluded.game_name, feed_clips.game_name),
           view_count = CASE WHEN excluded.view_count > feed_clips.view_count THEN excluded.view_count ELSE feed_clips.view_count END,
           views_at = excluded.views_at`,
        {
          id: c.clipId,
          broadcaster: c.broadcasterId,
          url: c.url,
          title: c.title,
          creatorId: c.creatorId,
          creatorName: c.creatorName,
          gameId: c.gameId,
          gameName: c.gameName,
          views: c.viewCount,
          duration: c.duration,
          createdAt: c.clipCreatedAt,
          now,
        },
      );
      await q.run(
        `INSERT INTO clip_view_history (clip_id, observed_at, view_count) VALUES (?, ?, ?)
         ON CONFLICT (clip_id, observed_at) DO UPDATE SET view_count = excluded.view_count`,
        [c.clipId, now, c.viewCount],
      );
    }
  });
}

/**
 * The broadcaster's clips created from `since` on with at least `minViews` views that have no clip post in the channel
 * yet (oldest first, at most `limit`): what a feed may still post. Clips still short of their views are left out here,
 * so however many wait, newer clips are judged.
 */
export async function unpostedClips(
  db: Db,
  feed: { guildId: string; channelId: string; broadcasterId: string; since: number; minViews: number },
  limit: number,
): Promise<FeedClip[]> {
  const rows = await queries(db).all<ClipRow>(
    `SELECT c.* FROM feed_clips c
     WHERE c.broadcaster_id = @broadcaster AND c.clip_created_at >= @since AND c.view_count >= @minViews
       AND NOT EXISTS (SELECT 1 FROM feed_posts p WHERE p.guild_id = @guild AND p.channel_id = @channel AND p.clip_id = c.clip_id
                       AND p.kind = 'clip')
     ORDER BY c.clip_created_at, c.clip_id LIMIT @limit`,
    { broadcaster: feed.broadcasterId, since: feed.since, minViews: feed.minViews, guild: feed.guildId, channel: feed.channelId, limit },
  );
  return rows.map(toClip);
}

/**
 * The broadcaster's clips whose views are due to be read again, least recently read first: those in their first day
 * (created from `youngAfter` on, for taking-off alerts) and those made since `waitingAfter` still below `minViews`,
 * whose views were last read before `viewsBefore`. One queue ordered by the last read is the rotation that keeps a
 * busy channel's young clips from starving the older ones waiting for their views.
 */
export async function clipsDueForViews(
  db: Db,
  q: { broadcasterId: string; youngAfter: number | null; waitingAfter: number; minViews: number; viewsBefore: number },
  limit: number,
): Promise<string[]> {
  const rows = await queries(db).all<{ clip_id: string }>(
    `SELECT clip_id FROM feed_clips
     WHERE broadcaster_id = @broadcaster AND views_at < @viewsBefore
       AND (clip_created_at >= @youngAfter OR (clip_created_at >= @waitingAfter AND view_count < @minViews))
     ORDER BY views_at, clip_id LIMIT @limit`,
    {
      broadcaster: q.broadcasterId,
      viewsBefore: q.viewsBefore,
      // No young clips asked for: a creation time no clip has.
      youngAfter: q.youngAfter ?? Number.MAX_SAFE_INTEGER,
      waitingAfter: q.waitingAfter,
      minViews: q.minViews,
      limit,
    },
  );
  return rows.map((r) => r.clip_id);
}

/**
 * Marks clips whose views were asked for but that Helix no longer lists (deleted on Twitch) as read at `now`, so they
 * go to the back of the refresh queue instead of holding its head for ever. Their views stay as they were.
 */
export async function markViewsChecked(db: Db, clipIds: readonly string[], now: number): Promise<void> {
  if (clipIds.length === 0) return;
  await queries(db).run(`UPDATE feed_clips SET views_at = ? WHERE clip_id IN (${clipIds.map(() => '?').join(', ')}) AND views_at < ?`, [
    now,
    ...clipIds,
    now,
  ]);
}

/** Game ids of the broadcaster's clips since `createdAfter` that have no game name yet (Get Games was not asked). */
export async function unnamedGameIds(db: Db, broadcasterId: string, createdAfter: number, limit: number): Promise<string[]> {
  const rows = await queries(db).all<{ game_id: string }>(
    `SELECT DISTINCT game_id FROM feed_clips
     WHERE broadcaster_id = ? AND clip_created_at >= ? AND game_name IS NULL AND game_id <> '' ORDER BY game_id LIMIT ?`,
    [broadcasterId, createdAfter, limit],
  );
  return rows.map((r) => r.game_id);
}

/** Names the games of clips that have none yet. */
export async function nameFeedClipGames(db: Db, names: ReadonlyMap<string, string | null>): Promise<void> {
  for (const [gameId, name] of names) {
    if (name === null) continue;
    await queries(db).run('UPDATE feed_clips SET game_name = ? WHERE game_id = ? AND game_name IS NULL', [name, gameId]);
  }
}

export async function getFeedClips(db: Db, clipIds: readonly string[]): Promise<FeedClip[]> {
  const found: FeedClip[] = [];
  for (const id of clipIds) {
    const row = await queries(db).get<ClipRow>('SELECT * FROM feed_clips WHERE clip_id = ?', [id]);
    if (row) found.push(toClip(row));
  }
  return found;
}

/** Of `clipIds`, those a member (not a bot) shared in the guild: capture's shares, read for the feed's option. */
export async function memberSharedClips(db: Db, guildId: string, clipIds: readonly string[]): Promise<Set<string>> {
  const shared = new Set<string>();
  for (const id of clipIds) {
    const row = await queries(db).get<{ n: number }>(
      'SELECT count(*) AS n FROM shares WHERE guild_id = ? AND clip_id = ? AND author_is_bot = false AND deleted_at IS NULL',
      [guildId, id],
    );
    if (row && Number(row.n) > 0) shared.add(id);
  }
  return shared;
}
