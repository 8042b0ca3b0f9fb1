// GET /analytics/api/moods on both engines: the answer the analytics service gives, from the summaries once
// aggregated, with its mix adding up to the guild's raw reactions; parameters validated with errors naming the field;
// answers cached with ETags like the other routes; the compiled serialiser writing JSON.stringify's text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/analytics/service';
import { createApiToken } from '../../src/auth/tokens';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { queries } from '../../src/db/sql';
import { serializeMoods } from '../../src/http/response-schemas';
import type { HttpServer } from '../../src/http/server';
import { aggregatedCommunityOn, GUILD_A, GUILD_B, NOW } from '../fixtures/http-community';
import { testEngines } from '../helpers/engines';
import { bearer, startTestServer } from '../helpers/http-server';

describe.each(testEngines())('GET /analytics/api/moods on %s', (engine) => {
  let community: { db: Db; close(): Promise<void> } | undefined;
  let db: Db;
  let server: HttpServer;
  let tokenA: string;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    community = await aggregatedCommunityOn(engine, 'moods-api', clock);
    db = community.db;
    tokenA = (await createApiToken(db, { guildId: GUILD_A }, NOW)).token;
    ({ server } = await startTestServer(db, {}, clock));
  });
  afterAll(async () => {
    await server?.close();
    await community?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => server.app.inject({ url, headers: { ...bearer(tokenA), ...headers } });

  it('answers what the analytics service answers, from the summaries, its mix adding up to the raw reactions', async () => {
    const res = await get('/analytics/api/moods?period=all_time&limit=3');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const body = res.json();
    const direct = await createAnalytics(db).moods(
      { guildId: GUILD_A, timezone: 'UTC', now: NOW },
      { period: { type: 'all_time' }, limit: 3 },
    );
    expect(body).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(body.source).toBe('summaries');
    const raw = await queries(db).get<{ n: number }>(
      `SELECT (SELECT count(*) FROM reactions r JOIN shares s ON s.guild_id = r.guild_id AND s.message_id = r.message_id
                AND s.deleted_at IS NULL WHERE r.guild_id = ?)
            + (SELECT coalesce(sum(a.anonymous_count), 0) FROM reaction_baselines a JOIN shares s ON s.guild_id = a.guild_id
                AND s.message_id = a.message_id AND s.deleted_at IS NULL WHERE a.guild_id = ?) AS n`,
      [GUILD_A, GUILD_A],
    );
    expect(body.mix.total).toBe(Number(raw?.n));
    expect(body.mix.total).toBeGreaterThan(0);
    expect(Object.keys(body.rankings)).toEqual(['hype', 'funny', 'love', 'wow', 'sad', 'negative', 'other']);
    for (const list of Object.values(body.rankings) as Array<Array<{ reactions: number }>>) expect(list.length).toBeLessThanOrEqual(3);
  });

  it('gives one clip’s mix when asked', async () => {
    const all = (await get('/analytics/api/moods')).json();
    const clip = Object.values(all.rankings as Record<string, Array<{ clip_id: string; total: number }>>).flat()[0];
    expect(clip).toBeDefined();
    const body = (await get(`/analytics/api/moods?clip=${clip?.clip_id}`)).json();
    expect(body.clip).toMatchObject({ clip_id: clip?.clip_id, total: clip?.total });
  });

  it.each([
    ['/analytics/api/moods?limit=0', 'limit', 'a whole number from 1 to 25'],
    ['/analytics/api/moods?limit=26', 'limit', 'a whole number from 1 to 25'],
    ['/analytics/api/moods?clip=not%20a%20clip', 'clip', 'a Twitch clip id'],
    ['/analytics/api/moods?period=year', 'period', 'one of day, week, month, all_time'],
    ['/analytics/api/moods?mood=funny', 'mood', 'a known parameter'],
    [`/analytics/api/moods?guild=${GUILD_B}`, 'guild', ''],
  ])('refuses %s naming %s', async (url, field, message) => {
    const res = await get(url);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).toContain(field);
    expect(res.body).toContain(message);
  });

  it('answers 304 to a client that already has the answer and serves equal parameters from one cache entry', async () => {
    const first = await get('/analytics/api/moods?period=month');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect((await get('/analytics/api/moods?period=month', { 'if-none-match': etag })).statusCode).toBe(304);
    expect((await get('/analytics/api/moods?limit=5&period=month&offset=0')).headers['x-cache']).toBe('hit');
  });

  it('writes the same text with the compiled serialiser as JSON.stringify', async () => {
    const analytics = createAnalytics(db);
    for (const period of [{ type: 'all_time' }, { type: 'month' }, { type: 'week', offset: 1 }] as const) {
      const answer = await analytics.moods({ guildId: GUILD_A, timezone: 'UTC', now: NOW }, { period, limit: 25, clipId: 'x' });
      expect(serializeMoods(answer)).toBe(JSON.stringify(answer));
    }
  });
});
