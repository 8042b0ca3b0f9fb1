// Stream moments on both engines, against an independent computation in this test from the raw rows it writes:
// broadcasts of followed channels, clips placed in them by vod_offset (some without one, some past the broadcast's
// end, some not counted), a second guild's clips of the same broadcasts that must not show, and a period boundary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/analytics/service';
import type { AnalysisContext, StreamMoments } from '../../src/analytics/types';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const GUILD = 'g-streams';
const OTHER = 'g-other';
const DAY = 86_400_000;
const NOW = Date.parse('2024-06-20T12:00:00Z');
const JUNE = Date.parse('2024-06-01T00:00:00Z');
const ctx: AnalysisContext = { guildId: GUILD, timezone: 'UTC', now: NOW };

interface Video {
  guild: string;
  id: string;
  broadcaster: string;
  title: string;
  startedAt: number;
  duration: number;
}
interface Clip {
  guild: string;
  id: string;
  videoId: string | null;
  offset: number | null;
  gameId: string;
  gameName: string;
  views: number;
  createdAt: number;
  counted: boolean;
}

/** A small deterministic generator (mulberry32), so the data is varied but the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function community(): { videos: Video[]; clips: Clip[] } {
  const random = rng(22);
  const videos: Video[] = [];
  const clips: Clip[] = [];
  const games = [
    ['509658', 'Just Chatting'],
    ['21779', 'League of Legends'],
    ['', ''],
    ['33214', 'Fortnite'],
  ] as const;
  // 12 broadcasts: two in May (outside June), ten in June; one of no length; one without clips.
  for (let i = 0; i < 12; i++) {
    const startedAt = JUNE + (i - 2) * 1.5 * DAY + Math.floor(random() * 6) * 3_600_000;
    const duration = i === 5 ? 0 : 3600 + Math.floor(random() * 6 * 3600);
    videos.push({ guild: GUILD, id: `v${i}`, broadcaster: i % 2 ? 'b1' : 'b2', title: `Stream ${i}`, startedAt, duration });
    if (i === 7) continue;
    const n = 3 + Math.floor(random() * 12);
    for (let k = 0; k < n; k++) {
      const [gameId, gameName] = games[Math.floor(random() * games.length)]!;
      const roll = random();
      const offset =
        roll < 0.12 ? null : roll < 0.18 ? duration + Math.floor(random() * 600) : Math.floor(random() * Math.max(1, duration));
      const createdAt = startedAt + (offset ?? Math.floor(random() * duration)) * 1000;
      clips.push({
        guild: GUILD,
        id: `c${i}-${k}`,
        videoId: `v${i}`,
        offset,
        gameId,
        gameName,
        views: Math.floor(random() * 500),
        createdAt,
        counted: random() > 0.08,
      });
    }
  }
  // Clips Twitch placed in broadcasts the guild does not follow, and clips never placed.
  for (let k = 0; k < 15; k++)
    clips.push({
      guild: GUILD,
      id: `x${k}`,
      videoId: k % 3 === 0 ? null : `unfollowed${k % 2}`,
      offset: k % 3 === 0 ? null : Math.floor(random() * 20_000),
      gameId: '509658',
      gameName: 'Just Chatting',
      views: k,
      createdAt: JUNE + k * DAY,
      counted: true,
    });
  // The other guild follows the same broadcasts and has clips of them: none of it may show.
  videos.push({ guild: OTHER, id: 'v3', broadcaster: 'b1', title: 'Stream 3', startedAt: JUNE + DAY, duration: 7200 });
  videos.push({ guild: OTHER, id: 'vo', broadcaster: 'b9', title: 'Other', startedAt: JUNE + DAY, duration: 7200 });
  for (let k = 0; k < 10; k++)
    clips.push({
      guild: OTHER,
      id: `o${k}`,
      videoId: k % 2 ? 'v3' : 'vo',
      offset: 60 * k,
      gameId: '99',
      gameName: 'Other Game',
      views: 1000,
      createdAt: JUNE + DAY + k,
      counted: true,
    });
  return { videos, clips };
}

/** The answer worked out from the raw rows, without the analysis's code. */
function expected(data: { videos: Video[]; clips: Clip[] }, start: number, end: number): Omit<StreamMoments, 'period'> {
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const perHour = (n: number, seconds: number) => (seconds > 0 ? round2((n * 3600) / seconds) : null);
  const mine = data.clips.filter((c) => c.guild === GUILD && c.counted);
  const inPeriod = mine.filter((c) => c.createdAt >= start && c.createdAt < end);
  const placed = inPeriod.filter((c) => c.offset !== null);
  const binsOf = (list: Clip[]) => {
    const last = Math.max(-1, ...list.map((c) => Math.floor((c.offset as number) / 600)));
    const bins = new Array<number>(last + 1).fill(0);
    for (const c of list) bins[Math.floor((c.offset as number) / 600)]! += 1;
    return bins;
  };
  const gameCounts = new Map<string, number>();
  for (const c of placed) gameCounts.set(c.gameId, (gameCounts.get(c.gameId) ?? 0) + 1);
  const gameName = (id: string) => (id === '' ? 'Unknown game' : (mine.find((c) => c.gameId === id)?.gameName ?? `Game ${id}`));
  const topGames = [...gameCounts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);

  const videos = data.videos.filter((v) => v.guild === GUILD && v.startedAt >= start && v.startedAt < end);
  const rows = videos.map((v) => {
    const of = mine.filter((c) => c.videoId === v.id);
    const offsets = of.filter((c) => c.offset !== null).map((c) => c.offset as number);
    return {
      v,
      of,
      row: {
        video_id: v.id,
        url: `https://www.twitch.tv/videos/${v.id}`,
        broadcaster_id: v.broadcaster,
        broadcaster_name: v.broadcaster.toUpperCase(),
        title: v.title,
        started_at: new Date(v.startedAt).toISOString(),
        duration_seconds: v.duration,
        clips: of.length,
        views: of.reduce((t, c) => t + c.views, 0),
        clips_per_hour: perHour(of.length, v.duration),
        first_clip_offset_seconds: offsets.length > 0 ? Math.min(...offsets) : null,
        clips_without_offset: of.length - offsets.length,
      },
      thirds: [0, 1, 2].map((i) => offsets.filter((o) => o < v.duration && Math.floor((3 * o) / v.duration) === i).length),
      beyond: offsets.filter((o) => o >= v.duration).length,
    };
  });
  const seconds = videos.reduce((t, v) => t + v.duration, 0);
  const clips = rows.reduce((t, r) => t + r.row.clips, 0);
  const firsts = rows.filter((r) => r.row.first_clip_offset_seconds !== null).map((r) => r.row.first_clip_offset_seconds as number);
  firsts.sort((a, b) => a - b);
  const mid = Math.floor(firsts.length / 2);
  const byStart = (a: (typeof rows)[number], b: (typeof rows)[number]) => a.v.startedAt - b.v.startedAt || (a.v.id < b.v.id ? -1 : 1);
  const withClips = rows.filter((r) => r.row.clips > 0);
  const third = (i: number) => {
    const n = rows.reduce((t, r) => t + (r.thirds[i] as number), 0);
    return { clips: n, clips_per_hour: perHour(n, seconds / 3) };
  };
  const perGame = new Map<string, { streams: Set<string>; clips: number }>();
  for (const r of rows)
    for (const c of r.of) {
      const g = perGame.get(c.gameId) ?? { streams: new Set<string>(), clips: 0 };
      g.streams.add(r.v.id);
      g.clips += 1;
      perGame.set(c.gameId, g);
    }
  return {
    bin_minutes: 10,
    clips: { total: inPeriod.length, placed: placed.length, without_offset: inPeriod.length - placed.length },
    clips_by_bin: binsOf(placed),
    games_by_bin: topGames.map(([id, n]) => ({
      game_id: id,
      game_name: gameName(id),
      clips: n,
      clips_by_bin: binsOf(placed.filter((c) => c.gameId === id)),
    })),
    streams: {
      count: videos.length,
      truncated: false,
      hours_streamed: round2(seconds / 3600),
      clips,
      views: rows.reduce((t, r) => t + r.row.views, 0),
      clips_without_offset: rows.reduce((t, r) => t + r.row.clips_without_offset, 0),
      clips_per_hour: perHour(clips, seconds),
      time_to_first_clip: {
        streams: firsts.length,
        median_seconds: firsts.length === 0 ? null : firsts.length % 2 ? firsts[mid]! : Math.round((firsts[mid - 1]! + firsts[mid]!) / 2),
        mean_seconds: firsts.length === 0 ? null : Math.round(firsts.reduce((a, b) => a + b, 0) / firsts.length),
      },
      thirds: { first: third(0), middle: third(1), last: third(2), beyond_end: rows.reduce((t, r) => t + r.beyond, 0) },
    },
    top_by_clips: [...withClips]
      .sort((a, b) => b.row.clips - a.row.clips || b.row.views - a.row.views || byStart(a, b))
      .slice(0, 10)
      .map((r) => r.row),
    top_by_views: [...withClips]
      .sort((a, b) => b.row.views - a.row.views || b.row.clips - a.row.clips || byStart(a, b))
      .slice(0, 10)
      .map((r) => r.row),
    games_per_hour: [...perGame.entries()]
      .map(([id, g]) => {
        const s = [...g.streams].reduce((t, vid) => t + (videos.find((v) => v.id === vid)?.duration ?? 0), 0);
        return {
          game_id: id,
          game_name: gameName(id),
          streams: g.streams.size,
          hours_streamed: round2(s / 3600),
          clips: g.clips,
          clips_per_hour: perHour(g.clips, s),
        };
      })
      .sort((a, b) => b.clips - a.clips || (a.game_id < b.game_id ? -1 : 1))
      .slice(0, 10),
  };
}

describe.each(testEngines())('stream moments on %s', (engine) => {
  let t: TestDatabase;
  const data = community();

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'stream-moments');
    const q = queries(t.db);
    for (const v of data.videos)
      await q.run(
        `INSERT INTO twitch_videos (guild_id, video_id, broadcaster_id, broadcaster_name, stream_id, title, started_at, duration_seconds, fetched_at)
         VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
        [v.guild, v.id, v.broadcaster, v.broadcaster.toUpperCase(), v.title, v.startedAt, v.duration, NOW],
      );
    for (const c of data.clips)
      await q.run(
        `INSERT INTO clips (guild_id, clip_id, url, creator_id, creator_name, game_id, game_name, view_count, clip_created_at,
                            first_seen_at, last_updated_at, enrichment_state, video_id, vod_offset)
         VALUES (?, ?, ?, ?, 'Clipper', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          c.guild,
          c.id,
          `https://clips.twitch.tv/${c.id}`,
          c.counted ? 'cr1' : null,
          c.gameId,
          c.gameName === '' ? null : c.gameName,
          c.views,
          c.createdAt,
          NOW,
          NOW,
          'done',
          c.videoId,
          c.offset,
        ],
      );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('places every counted clip by its offset, per stream and per game, as worked out from the raw rows (all time)', async () => {
    const answer = await createAnalytics(t.db).streamMoments(ctx, { period: { type: 'all_time' }, limit: 10 });
    const { period, ...rest } = answer;
    expect(period.type).toBe('all_time');
    expect(rest).toEqual(expected(data, -Infinity, Infinity));
    // The data covers what the analysis must handle: unplaced clips, offsets past the end, a stream of no length.
    expect(answer.clips.without_offset).toBeGreaterThan(0);
    expect(answer.streams.thirds.beyond_end).toBeGreaterThan(0);
    expect(answer.streams.count).toBe(12);
    expect(answer.top_by_clips.some((s) => s.clips_per_hour === null)).toBe(true);
  });

  it('keeps to the period: streams by their start, clips by their creation time', async () => {
    const answer = await createAnalytics(t.db).streamMoments(ctx, { period: { type: 'month' }, limit: 10 });
    const { period: _period, ...rest } = answer;
    expect(rest).toEqual(expected(data, JUNE, Date.parse('2024-07-01T00:00:00Z')));
    expect(answer.streams.count).toBe(10);
  });

  it('shows nothing of another guild that follows the same broadcasts', async () => {
    const answer = await createAnalytics(t.db).streamMoments(ctx, { period: { type: 'all_time' }, limit: 25 });
    const json = JSON.stringify(answer);
    expect(json).not.toContain('Other Game');
    expect(json).not.toContain('"vo"');
    const other = await createAnalytics(t.db).streamMoments({ ...ctx, guildId: OTHER }, { period: { type: 'all_time' }, limit: 25 });
    expect(other.streams).toMatchObject({ count: 2, clips: 10, views: 10_000 });
    expect(other.clips).toEqual({ total: 10, placed: 10, without_offset: 0 });
  });

  it('answers an empty guild with zeros and nulls, not errors', async () => {
    const answer = await createAnalytics(t.db).streamMoments({ ...ctx, guildId: 'nobody' }, { period: { type: 'week' }, limit: 10 });
    expect(answer).toMatchObject({
      clips: { total: 0, placed: 0, without_offset: 0 },
      clips_by_bin: [],
      games_by_bin: [],
      streams: { count: 0, clips_per_hour: null, time_to_first_clip: { streams: 0, median_seconds: null, mean_seconds: null } },
      top_by_clips: [],
    });
  });
});
