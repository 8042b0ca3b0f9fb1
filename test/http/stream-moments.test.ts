// GET /analytics/api/stream-moments on both engines: the analysis's answer as the API serves it (written by its
// compiled response schema, byte for byte JSON.stringify's), cached with an ETag, scoped to the token's guild, and
// bad parameters refused with the parameter named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens';
import { createAnalytics } from '../../src/analytics/service';
import { ManualClock } from '../../src/clock';
import { queries } from '../../src/db/sql';
import type { HttpServer } from '../../src/http/server';
import { serializeStreamMoments } from '../../src/http/response-schemas';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { bearer, GUILD_A, GUILD_B, startTestServer, TEST_NOW } from '../helpers/http-server';

const HOUR = 3_600_000;
/** Monday of TEST_NOW's week. */
const WEEK = Date.UTC(2026, 10, 23);

describe.each(testEngines())('stream moments API on %s', (engine) => {
  let t: TestDatabase;
  let server: HttpServer;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'http-stream-moments');
    const q = queries(t.db);
    const video = (guild: string, id: string, startedAt: number, seconds: number, title: string) =>
      q.run(
        `INSERT INTO twitch_videos (guild_id, video_id, broadcaster_id, broadcaster_name, stream_id, title, started_at, duration_seconds, fetched_at)
         VALUES (?, ?, 'b1', 'Streamer', NULL, ?, ?, ?, ?)`,
        [guild, id, title, startedAt, seconds, TEST_NOW],
      );
    const clip = (guild: string, id: string, videoId: string | null, offset: number | null, createdAt: number, views: number) =>
      q.run(
        `INSERT INTO clips (guild_id, clip_id, url, creator_id, creator_name, game_id, game_name, view_count, clip_created_at,
                            first_seen_at, last_updated_at, enrichment_state, video_id, vod_offset)
         VALUES (?, ?, ?, 'cr1', 'Clipper', '509658', 'Just Chatting', ?, ?, ?, ?, 'done', ?, ?)`,
        [guild, id, `https://clips.twitch.tv/${id}`, views, createdAt, TEST_NOW, TEST_NOW, videoId, offset],
      );
    await video(GUILD_A, 'v1', WEEK + 18 * HOUR, 4 * 3600, 'Monday stream');
    await clip(GUILD_A, 'A1', 'v1', 300, WEEK + 18 * HOUR + 300_000, 100);
    await clip(GUILD_A, 'A2', 'v1', 1300, WEEK + 18 * HOUR + 1_300_000, 50);
    await clip(GUILD_A, 'A3', 'v1', 3 * 3600, WEEK + 21 * HOUR, 10);
    await clip(GUILD_A, 'A4', null, null, WEEK + 20 * HOUR, 5);
    await video(GUILD_B, 'vB', WEEK + 18 * HOUR, 3600, 'Secret stream of B');
    await clip(GUILD_B, 'B1', 'vB', 60, WEEK + 18 * HOUR + 60_000, 999);
    tokenA = (await createApiToken(t.db, { guildId: GUILD_A }, TEST_NOW)).token;
    tokenB = (await createApiToken(t.db, { guildId: GUILD_B }, TEST_NOW)).token;
    ({ server } = await startTestServer(t.db, {}, new ManualClock(TEST_NOW)));
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  const get = (url: string, token = tokenA, headers: Record<string, string> = {}) =>
    server.app.inject({ url, headers: { ...bearer(token), ...headers } });

  it('serves the analysis for this week by default, cached, with an ETag', async () => {
    const first = await get('/analytics/api/stream-moments?period=week');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['content-type']).toContain('application/json');
    expect(first.headers['x-cache']).toBe('miss');
    const body = first.json();
    expect(body).toMatchObject({
      bin_minutes: 10,
      clips: { total: 4, placed: 3, without_offset: 1 },
      clips_by_bin: [1, 0, 1, ...new Array(15).fill(0), 1],
      streams: {
        count: 1,
        hours_streamed: 4,
        clips: 3,
        views: 160,
        clips_per_hour: 0.75,
        time_to_first_clip: { streams: 1, median_seconds: 300, mean_seconds: 300 },
        thirds: { first: { clips: 2, clips_per_hour: 1.5 }, middle: { clips: 0 }, last: { clips: 1, clips_per_hour: 0.75 }, beyond_end: 0 },
      },
    });
    expect(body.top_by_clips).toEqual([
      {
        video_id: 'v1',
        url: 'https://www.twitch.tv/videos/v1',
        broadcaster_id: 'b1',
        broadcaster_name: 'Streamer',
        title: 'Monday stream',
        started_at: new Date(WEEK + 18 * HOUR).toISOString(),
        duration_seconds: 14_400,
        clips: 3,
        views: 160,
        clips_per_hour: 0.75,
        first_clip_offset_seconds: 300,
        clips_without_offset: 0,
      },
    ]);
    // The compiled schema writes what JSON.stringify writes of the analysis itself.
    const direct = await createAnalytics(t.db).streamMoments(
      { guildId: GUILD_A, timezone: 'UTC', now: TEST_NOW },
      { period: { type: 'week', offset: 0 }, limit: 10 },
    );
    expect(first.body).toBe(JSON.stringify(direct));
    expect(serializeStreamMoments(direct)).toBe(JSON.stringify(direct));

    const second = await get('/analytics/api/stream-moments?period=week');
    expect(second.headers['x-cache']).toBe('hit');
    const unchanged = await get('/analytics/api/stream-moments?period=week', tokenA, { 'if-none-match': String(first.headers.etag) });
    expect(unchanged.statusCode).toBe(304);
  });

  it("answers each token with its own guild's streams only", async () => {
    const a = await get('/analytics/api/stream-moments?period=all_time&limit=25');
    expect(a.body).not.toContain('Secret stream of B');
    const b = (await get('/analytics/api/stream-moments?period=all_time', tokenB)).json();
    expect(b.streams).toMatchObject({ count: 1, clips: 1, views: 999 });
    expect(b.top_by_views[0].title).toBe('Secret stream of B');
    expect((await server.app.inject({ url: '/analytics/api/stream-moments' })).statusCode).toBe(401);
  });

  it.each([
    ['/analytics/api/stream-moments?limit=0', 'limit', 'a whole number from 1 to 25'],
    ['/analytics/api/stream-moments?limit=26', 'limit', 'a whole number from 1 to 25'],
    ['/analytics/api/stream-moments?period=hour', 'period', 'one of day, week, month, all_time'],
    ['/analytics/api/stream-moments?sort=clips', 'sort', 'a known parameter'],
    ['/analytics/api/stream-moments?from=2026-11-01', 'to', 'from and to together'],
  ])('%s → 400 naming %s', async (url, parameter, rule) => {
    const res = await get(url);
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json();
    expect(body.error).toBe('invalid_parameter');
    const issue = body.issues.find((i: { parameter: string }) => i.parameter === parameter);
    expect(issue.rule).toContain(rule);
  });
});
