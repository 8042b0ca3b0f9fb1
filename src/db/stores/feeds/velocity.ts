// The view history "taking off" alerts read (docs/feed.md#taking-off): the guild's clips' views at a given age, from
// clip_view_history, over the guild's own clips and the clips of the channels its feeds follow; and the young clips
// of a feed that have no alert in its alert channel yet.
import type { Db } from '../../database';
import { queries } from '../../sql';
import type { FeedClip } from './clips';

/** One observation: how many views a clip had how long after it was made. */
export interface AgedViews {
  clipId: string;
  ageMs: number;
  views: number;
}

/**
 * Observations of the guild's clips made between `createdAfter` and `createdBefore`, taken when the clip was between
 * `minAgeMs` and `maxAgeMs` old (at most `limit`, the most recent clips first).
 */
export async function viewsAtAge(
  db: Db,
  guildId: string,
  q: { minAgeMs: number; maxAgeMs: number; createdAfter: number; createdBefore: number },
  limit: number,
): Promise<AgedViews[]> {
  const rows = await queries(db).all<{ clip_id: string; age: number; views: number }>(
    `SELECT h.clip_id, h.observed_at - k.created AS age, h.view_count AS views
     FROM (SELECT clip_id, clip_created_at AS created FROM clips
             WHERE guild_id = @guild AND clip_created_at >= @after AND clip_created_at < @before
           UNION
           SELECT clip_id, clip_created_at FROM feed_clips
             WHERE broadcaster_id IN (SELECT broadcaster_id FROM feeds WHERE guild_id = @guild)
               AND clip_created_at >= @after AND clip_created_at < @before) k
     JOIN clip_view_history h ON h.clip_id = k.clip_id
     WHERE h.observed_at >= k.created + @minAge AND h.observed_at < k.created + @maxAge
     ORDER BY k.created DESC, h.clip_id, h.observed_at LIMIT @limit`,
    { guild: guildId, after: q.createdAfter, before: q.createdBefore, minAge: q.minAgeMs, maxAge: q.maxAgeMs, limit },
  );
  return rows.map((r) => ({ clipId: r.clip_id, ageMs: Number(r.age), views: Number(r.views) }));
}

/** The broadcaster's clips made since `since` without a taking-off alert in `channelId` (claimed, sent or failed). */
export async function clipsWithoutAlert(
  db: Db,
  feed: { guildId: string; channelId: string; broadcasterId: string; since: number },
  limit: number,
): Promise<FeedClip[]> {
  const rows = await queries(db).all<Record<string, unknown>>(
    `SELECT c.* FROM feed_clips c
     WHERE c.broadcaster_id = @broadcaster AND c.clip_created_at >= @since
       AND NOT EXISTS (SELECT 1 FROM feed_posts p WHERE p.guild_id = @guild AND p.channel_id = @channel AND p.clip_id = c.clip_id
                       AND p.kind = 'taking_off' AND p.state <> 'claimed')
     ORDER BY c.view_count DESC, c.clip_id LIMIT @limit`,
    { broadcaster: feed.broadcasterId, since: feed.since, guild: feed.guildId, channel: feed.channelId, limit },
  );
  return rows.map((r) => ({
    clipId: r.clip_id as string,
    broadcasterId: r.broadcaster_id as string,
    url: r.url as string,
    title: r.title as string,
    creatorId: r.creator_id as string,
    creatorName: r.creator_name as string,
    gameId: r.game_id as string,
    gameName: (r.game_name as string | null) ?? null,
    viewCount: Number(r.view_count),
    duration: Number(r.duration),
    clipCreatedAt: Number(r.clip_created_at),
    firstSeenAt: Number(r.first_seen_at),
    viewsAt: Number(r.views_at),
  }));
}

/** Records view observations (as a poll would), for history that predates the feed. */
export async function recordViewObservations(
  db: Db,
  observations: ReadonlyArray<{ clipId: string; observedAt: number; viewCount: number }>,
): Promise<void> {
  for (const o of observations) {
    await queries(db).run(
      `INSERT INTO clip_view_history (clip_id, observed_at, view_count) VALUES (?, ?, ?)
       ON CONFLICT (clip_id, observed_at) DO UPDATE SET view_count = excluded.view_count`,
      [o.clipId, o.observedAt, o.viewCount],
    );
  }
}
