// The reads behind stream moments (src/analytics/stream-moments.ts): a guild's clips placed in their broadcasts by
// Twitch's vod_offset, and the guild's followed channels' broadcasts with their clips. Every read is the guild's own:
// clips by guild_id, and twitch_videos (keyed by guild) joined to the guild's clips only. Both engines run the same
// texts (integer division and CASE sums mean the same on both).
import type { Db } from '../client';
import { queries } from '../sql';
import { COUNTED_CLIP_SQL } from './facts-sql';

/** Minutes per bin of "clips by minute into the stream". */
export const STREAM_BIN_SECONDS = 600;
/** Bins read at most: 48 hours, Twitch's longest broadcast. Offsets past it are counted in the last bin's overflow. */
export const MAX_STREAM_BINS = 288;
/** Broadcasts of a period analysed at most: the most recent ones (the answer says when more were left out). */
export const MAX_STREAMS = 5000;

export interface MomentRange {
  guild: string;
  start: number;
  end: number;
}

export interface ClipPlacementCounts {
  total: number;
  placed: number;
}

/** The guild's counted clips created in [start, end), and how many of them Twitch placed in a broadcast. */
export async function clipPlacementCounts(db: Db, range: MomentRange): Promise<ClipPlacementCounts> {
  const row = await queries(db).get<{ total: number; placed: number | null }>(
    `SELECT count(*) AS total, sum(CASE WHEN c.vod_offset IS NULL THEN 0 ELSE 1 END) AS placed
       FROM clips c WHERE c.guild_id = @guild AND ${COUNTED_CLIP_SQL} AND c.clip_created_at >= @start AND c.clip_created_at < @end`,
    { ...range },
  );
  return { total: row?.total ?? 0, placed: row?.placed ?? 0 };
}

export interface BinRow {
  bin: number;
  clips: number;
}

// Bins past 48 hours (an offset Twitch should never send) fold into the last one rather than growing the answer.
const BIN_SQL = `CASE WHEN c.vod_offset / ${STREAM_BIN_SECONDS} >= ${MAX_STREAM_BINS} THEN ${MAX_STREAM_BINS - 1} ELSE c.vod_offset / ${STREAM_BIN_SECONDS} END`;

/** Placed clips created in [start, end) per 10-minute bin of their offset; of one game when `gameId` is given. */
export async function clipsByStreamBin(db: Db, range: MomentRange, gameId?: string): Promise<BinRow[]> {
  const byGame = gameId === undefined ? '' : "AND coalesce(c.game_id, '') = @game";
  return queries(db).all<BinRow>(
    `SELECT ${BIN_SQL} AS bin, count(*) AS clips
       FROM clips c WHERE c.guild_id = @guild AND ${COUNTED_CLIP_SQL} AND c.clip_created_at >= @start AND c.clip_created_at < @end
        AND c.vod_offset IS NOT NULL ${byGame}
      GROUP BY 1 ORDER BY 1`,
    gameId === undefined ? { ...range } : { ...range, game: gameId },
  );
}

/** The games with the most placed clips created in [start, end), most first. */
export async function topPlacedGames(db: Db, range: MomentRange, limit: number): Promise<{ game_id: string; clips: number }[]> {
  return queries(db).all<{ game_id: string; clips: number }>(
    `SELECT coalesce(c.game_id, '') AS game_id, count(*) AS clips
       FROM clips c WHERE c.guild_id = @guild AND ${COUNTED_CLIP_SQL} AND c.clip_created_at >= @start AND c.clip_created_at < @end
        AND c.vod_offset IS NOT NULL
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT @limit`,
    { ...range, limit },
  );
}

/** One broadcast and the guild's counted clips of one game in it (game_id null and clips 0: a broadcast without clips). */
export interface StreamGameRow {
  video_id: string;
  broadcaster_id: string;
  broadcaster_name: string;
  title: string;
  started_at: number;
  duration_seconds: number;
  game_id: string | null;
  clips: number;
  views: number;
  without_offset: number;
  first_offset: number | null;
  first_third: number;
  middle_third: number;
  last_third: number;
  beyond_end: number;
}

/**
 * The guild's broadcasts that started in [start, end) (the MAX_STREAMS most recent), each with the guild's counted
 * clips of it per game: counts, views, the earliest offset, and the placed clips per third of the broadcast (an offset
 * at or past the broadcast's length counted apart). Also whether more broadcasts were left out.
 */
export async function streamGameRows(db: Db, range: MomentRange): Promise<{ rows: StreamGameRow[]; truncated: boolean }> {
  const q = queries(db);
  const count = await q.get<{ n: number }>(
    'SELECT count(*) AS n FROM twitch_videos WHERE guild_id = @guild AND started_at >= @start AND started_at < @end',
    { ...range },
  );
  const rows = await q.all<StreamGameRow>(
    `SELECT v.video_id, v.broadcaster_id, v.broadcaster_name, v.title, v.started_at, v.duration_seconds,
            CASE WHEN count(c.clip_id) = 0 THEN NULL ELSE coalesce(c.game_id, '') END AS game_id,
            count(c.clip_id) AS clips, coalesce(sum(c.view_count), 0) AS views,
            sum(CASE WHEN c.clip_id IS NOT NULL AND c.vod_offset IS NULL THEN 1 ELSE 0 END) AS without_offset,
            min(c.vod_offset) AS first_offset,
            sum(CASE WHEN 3 * c.vod_offset < v.duration_seconds THEN 1 ELSE 0 END) AS first_third,
            sum(CASE WHEN 3 * c.vod_offset >= v.duration_seconds AND 3 * c.vod_offset < 2 * v.duration_seconds THEN 1 ELSE 0 END) AS middle_third,
            sum(CASE WHEN 3 * c.vod_offset >= 2 * v.duration_seconds AND c.vod_offset < v.duration_seconds THEN 1 ELSE 0 END) AS last_third,
            sum(CASE WHEN c.vod_offset >= v.duration_seconds THEN 1 ELSE 0 END) AS beyond_end
       FROM twitch_videos v
       LEFT JOIN clips c ON c.guild_id = v.guild_id AND c.video_id = v.video_id AND ${COUNTED_CLIP_SQL}
      WHERE v.guild_id = @guild AND v.video_id IN (
              SELECT w.video_id FROM twitch_videos w WHERE w.guild_id = @guild AND w.started_at >= @start AND w.started_at < @end
               ORDER BY w.started_at DESC, w.video_id LIMIT @max)
      GROUP BY v.video_id, v.broadcaster_id, v.broadcaster_name, v.title, v.started_at, v.duration_seconds, coalesce(c.game_id, '')
      ORDER BY v.started_at DESC, v.video_id`,
    { ...range, max: MAX_STREAMS },
  );
  return { rows, truncated: (count?.n ?? 0) > MAX_STREAMS };
}
