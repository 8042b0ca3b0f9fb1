// Stream moments: when in a broadcast a guild's clips happen. Clips are placed by Twitch's vod_offset (seconds into
// the broadcast); a clip without one is counted apart, never placed by a guess. Streams are the followed channels'
// past broadcasts (twitch_videos) that started in the period, each with all the guild's clips of it.
import {
  clipPlacementCounts,
  clipsByStreamBin,
  MAX_STREAM_BINS,
  STREAM_BIN_SECONDS,
  streamGameRows,
  topPlacedGames,
  type BinRow,
  type MomentRange,
  type StreamGameRow,
} from '../db/analytics/stream-moments';
import type { Db } from '../db/client';
import { readNames } from './names';
import { FAR_FUTURE, FAR_PAST, periodJson, resolvePeriod } from './periods';
import type { AnalysisContext, PeriodQuery, StreamMoments, StreamRow, StreamThird } from './types';

export interface StreamMomentsOptions {
  period?: PeriodQuery;
  /** Streams in each top list (default 10). */
  limit?: number;
  /** Games given their own bins (default 5). */
  games?: number;
}

const HOUR_S = 3600;

/** A rate rounded to hundredths; null over no time. */
export function perHour(clips: number, seconds: number): number | null {
  return seconds > 0 ? Math.round((clips * HOUR_S * 100) / seconds) / 100 : null;
}

/** The bins 0 … last non-empty as a dense array (empty when there are none). */
function dense(rows: readonly BinRow[]): number[] {
  const last = rows.reduce((m, r) => Math.max(m, r.bin), -1);
  const bins = new Array<number>(Math.min(MAX_STREAM_BINS, last + 1)).fill(0);
  for (const r of rows) bins[r.bin] = r.clips;
  return bins;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : Math.round(((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2);
}

interface StreamTotals extends Omit<StreamGameRow, 'game_id'> {}

export async function streamMoments(db: Db, ctx: AnalysisContext, options: StreamMomentsOptions = {}): Promise<StreamMoments> {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const range: MomentRange = { guild: ctx.guildId, start: period.start ?? FAR_PAST, end: period.end ?? FAR_FUTURE };
  const limit = options.limit ?? 10;

  const counts = await clipPlacementCounts(db, range);
  const overall = dense(await clipsByStreamBin(db, range));
  const topGames = await topPlacedGames(db, range, options.games ?? 5);
  const gameBins = [];
  for (const game of topGames) gameBins.push({ game, bins: dense(await clipsByStreamBin(db, range, game.game_id)) });

  const { rows, truncated } = await streamGameRows(db, range);
  const streams = new Map<string, StreamTotals>();
  const games = new Map<string, { streams: Set<string>; clips: number }>();
  for (const row of rows) {
    const s = streams.get(row.video_id);
    if (!s) streams.set(row.video_id, { ...row });
    else {
      s.clips += row.clips;
      s.views += row.views;
      s.without_offset += row.without_offset;
      s.first_third += row.first_third;
      s.middle_third += row.middle_third;
      s.last_third += row.last_third;
      s.beyond_end += row.beyond_end;
      if (row.first_offset !== null && (s.first_offset === null || row.first_offset < s.first_offset)) s.first_offset = row.first_offset;
    }
    if (row.game_id !== null && row.clips > 0) {
      let g = games.get(row.game_id);
      if (!g) games.set(row.game_id, (g = { streams: new Set(), clips: 0 }));
      g.streams.add(row.video_id);
      g.clips += row.clips;
    }
  }

  const names = await readNames(db, ctx.guildId, { games: [...new Set([...games.keys(), ...topGames.map((g) => g.game_id)])] });
  const all = [...streams.values()];
  const seconds = all.reduce((t, s) => t + s.duration_seconds, 0);
  const clips = all.reduce((t, s) => t + s.clips, 0);
  const third = (n: (s: StreamTotals) => number): StreamThird => {
    const total = all.reduce((t, s) => t + n(s), 0);
    return { clips: total, clips_per_hour: perHour(total, seconds / 3) };
  };
  const firsts = all.filter((s) => s.first_offset !== null).map((s) => s.first_offset as number);
  const streamRow = (s: StreamTotals): StreamRow => ({
    video_id: s.video_id,
    url: `https://www.twitch.tv/videos/${s.video_id}`,
    broadcaster_id: s.broadcaster_id,
    broadcaster_name: s.broadcaster_name,
    title: s.title,
    started_at: new Date(s.started_at).toISOString(),
    duration_seconds: s.duration_seconds,
    clips: s.clips,
    views: s.views,
    clips_per_hour: perHour(s.clips, s.duration_seconds),
    first_clip_offset_seconds: s.first_offset,
    clips_without_offset: s.without_offset,
  });
  // Ties: the earlier broadcast first, then by video id, so the lists are stable.
  const tie = (a: StreamTotals, b: StreamTotals): number => a.started_at - b.started_at || (a.video_id < b.video_id ? -1 : 1);
  const withClips = all.filter((s) => s.clips > 0);

  return {
    period: periodJson(period),
    bin_minutes: STREAM_BIN_SECONDS / 60,
    clips: { total: counts.total, placed: counts.placed, without_offset: counts.total - counts.placed },
    clips_by_bin: overall,
    games_by_bin: gameBins.map(({ game, bins }) => ({
      game_id: game.game_id,
      game_name: names.gameName(game.game_id),
      clips: game.clips,
      clips_by_bin: bins,
    })),
    streams: {
      count: all.length,
      truncated,
      hours_streamed: Math.round((seconds / HOUR_S) * 100) / 100,
      clips,
      views: all.reduce((t, s) => t + s.views, 0),
      clips_without_offset: all.reduce((t, s) => t + s.without_offset, 0),
      clips_per_hour: perHour(clips, seconds),
      time_to_first_clip: {
        streams: firsts.length,
        median_seconds: median(firsts),
        mean_seconds: firsts.length > 0 ? Math.round(firsts.reduce((a, b) => a + b, 0) / firsts.length) : null,
      },
      thirds: {
        first: third((s) => s.first_third),
        middle: third((s) => s.middle_third),
        last: third((s) => s.last_third),
        beyond_end: all.reduce((t, s) => t + s.beyond_end, 0),
      },
    },
    top_by_clips: [...withClips]
      .sort((a, b) => b.clips - a.clips || b.views - a.views || tie(a, b))
      .slice(0, limit)
      .map(streamRow),
    top_by_views: [...withClips]
      .sort((a, b) => b.views - a.views || b.clips - a.clips || tie(a, b))
      .slice(0, limit)
      .map(streamRow),
    games_per_hour: [...games.entries()]
      .map(([gameId, g]) => {
        const gameSeconds = [...g.streams].reduce((t, id) => t + (streams.get(id)?.duration_seconds ?? 0), 0);
        return {
          game_id: gameId,
          game_name: names.gameName(gameId),
          streams: g.streams.size,
          hours_streamed: Math.round((gameSeconds / HOUR_S) * 100) / 100,
          clips: g.clips,
          clips_per_hour: perHour(g.clips, gameSeconds),
        };
      })
      .sort((a, b) => b.clips - a.clips || (a.game_id < b.game_id ? -1 : 1))
      .slice(0, limit),
  };
}
