// twitch_videos: the past broadcasts of the channels a guild follows (Get Videos, type=archive), written by the
// channel sync and read by the stream-moments analysis (src/db/analytics/stream-moments.ts), always per guild.
import type { Connection } from '../client';
import type { Db } from '../database';
import { queries } from '../sql';

export interface TwitchVideoRecord {
  id: string;
  streamId: string | null;
  broadcasterId: string;
  broadcasterName: string;
  title: string;
  startedAt: number;
  durationSeconds: number;
}

const UPSERT_VIDEO_SQL = `INSERT INTO twitch_videos (guild_id, video_id, broadcaster_id, broadcaster_name, stream_id, title, started_at, duration_seconds, fetched_at)
           VALUES (@guildId, @id, @broadcasterId, @broadcasterName, @streamId, @title, @startedAt, @duration, @now)
           ON CONFLICT (guild_id, video_id) DO UPDATE SET broadcaster_name = excluded.broadcaster_name, stream_id = excluded.stream_id,
             title = excluded.title, started_at = excluded.started_at, duration_seconds = excluded.duration_seconds,
             fetched_at = excluded.fetched_at
           WHERE twitch_videos.title <> excluded.title OR twitch_videos.duration_seconds <> excluded.duration_seconds
              OR twitch_videos.started_at <> excluded.started_at OR twitch_videos.broadcaster_name <> excluded.broadcaster_name`;

const videoParams = (guildId: string, v: TwitchVideoRecord, now: number) => ({
  guildId,
  id: v.id,
  broadcasterId: v.broadcasterId,
  broadcasterName: v.broadcasterName,
  streamId: v.streamId,
  title: v.title,
  startedAt: v.startedAt,
  duration: v.durationSeconds,
  now,
});

/** upsertTwitchVideos on a SQLite connection inside the caller's transaction, for the demo generator's bulk batches. */
export function upsertTwitchVideosOn(c: Connection, guildId: string, videos: readonly TwitchVideoRecord[], now: number): void {
  const statement = c.statement(UPSERT_VIDEO_SQL);
  for (const v of videos) statement.run(videoParams(guildId, v, now));
}

/**
 * Upserts a guild's broadcasts in one transaction (in video id order, so concurrent writers lock alike). A row is
 * rewritten (and its fetched_at moved, which moves the guild's data version) only when Twitch says something new:
 * a broadcast still live grows longer between syncs. Returns the rows inserted or changed.
 */
export function upsertTwitchVideos(db: Db, guildId: string, videos: readonly TwitchVideoRecord[], now: number): Promise<number> {
  if (videos.length === 0) return Promise.resolve(0);
  return db.transaction(async (tx) => {
    const q = queries(tx);
    let changed = 0;
    for (const v of [...videos].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      changed += (await q.run(UPSERT_VIDEO_SQL, videoParams(guildId, v, now))).changes;
    }
    return changed;
  });
}
