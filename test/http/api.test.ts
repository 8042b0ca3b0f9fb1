import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../src/http/server';
import { createApiToken } from '../../src/auth/tokens';
import { CLIPS, FORMULA_GAME, GUILD_A, GUILD_B, HOSTILE_CREATOR, MULTILINE_TITLE, NOW, seedCommunity } from '../fixtures/http-community';
import { bearer, startTestServer } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { copyTables, RAW_TABLES } from '../analytics/community-seed';

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

// On PostgreSQL the server answers over a copy of the rows the capture code wrote on SQLite.
describe.each(testEngines())('analytics API on %s', (engine) => {
  let temp: TempDb;
  let postgres: TestDatabase | undefined;
  let server: HttpServer;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    temp = createTempDb();
    seedCommunity(temp.db);
    let db: Db = temp.db;
    if (engine === 'postgres') {
      postgres = await openTestDatabase('postgres', 'http-api');
      await copyTables(temp.db, postgres.db, RAW_TABLES);
      db = postgres.db;
    }
    tokenA = (await createApiToken(db, { guildId: GUILD_A }, NOW)).token;
    tokenB = (await createApiToken(db, { guildId: GUILD_B }, NOW)).token;
    ({ server } = await startTestServer(db, {}, new ManualClock(NOW)));
  });
  afterAll(async () => {
    await server?.close();
    await postgres?.close();
    temp.cleanup();
  });

  const get = (url: string, token = tokenA, headers: Record<string, string> = {}) =>
    server.app.inject({ url, headers: { ...bearer(token), ...headers } });
  const json = async (url: string, token = tokenA) => {
    const res = await get(url, token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    return res.json();
  };

  describe('answers', () => {
    it('overview: all-time totals of the guild', async () => {
      const body = await json('/analytics/api/overview');
      expect(body).toMatchObject({
        total_clips: 4,
        total_views: 4550,
        unique_creators: 3,
        unique_games: 3,
        discord_shares: 5,
        discord_reactions: 4,
        top_creator: { name: 'Alice', clip_count: 2 },
        top_game: { name: 'Just Chatting', clip_count: 2 },
      });
      expect(body.period).toMatchObject({ type: 'all_time', start: null, end: null });
    });

    it('overview: this week only counts what happened since Monday', async () => {
      const body = await json('/analytics/api/overview?period=week');
      expect(body).toMatchObject({ total_clips: 2, total_views: 1050, discord_shares: 3, discord_reactions: 3 });
      expect(body.period).toMatchObject({ type: 'week', offset: 0, start: '2026-11-23T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z' });
      const today = await json('/analytics/api/overview?period=day');
      expect(today).toMatchObject({ total_clips: 1, total_views: 50, discord_shares: 1 });
      const range = await json('/analytics/api/overview?from=2025-01-01&to=2025-12-31');
      expect(range).toMatchObject({ total_clips: 1, total_views: 3000 });
    });

    it('top-creators: wrapped as { period, creators }, sortable, limited', async () => {
      const body = await json('/analytics/api/top-creators?period=all_time');
      expect(Object.keys(body)).toEqual(expect.arrayContaining(['period', 'sort', 'creators']));
      expect(body.sort).toBe('clip_count');
      expect(body.creators[0]).toMatchObject({
        creator_id: 'c1',
        creator_name: 'Alice',
        clip_count: 2,
        total_views: 1500,
        avg_views: 750,
        unique_games: 2,
      });
      expect(body.creators.map((c: { creator_id: string }) => c.creator_id).sort()).toEqual(['c1', 'c2', 'c3']);
      const byViews = await json('/analytics/api/top-creators?sort=total_views&limit=2');
      expect(byViews.creators.map((c: { creator_name: string }) => c.creator_name)).toEqual(['Bob', 'Alice']);
      const week = await json('/analytics/api/top-creators?period=week&sort=total_views');
      expect(week.creators.map((c: { creator_name: string; total_views: number }) => [c.creator_name, c.total_views])).toEqual([
        ['Alice', 1000],
        [HOSTILE_CREATOR, 50],
      ]);
    });

    it('top-games: wrapped as { period, games }, with the top clip', async () => {
      const body = await json('/analytics/api/top-games?sort=total_views');
      expect(body.sort).toBe('total_views');
      expect(body.games[0]).toMatchObject({
        game_id: 'g1',
        game_name: 'Just Chatting',
        clip_count: 2,
        total_views: 4000,
        unique_creators: 2,
      });
      expect(body.games[0].top_clip).toMatchObject({ id: 'GammaClipThree', views: 3000 });
      expect(body.games).toHaveLength(3);
      const month = await json('/analytics/api/top-games?period=month&limit=1&sort=clip_count');
      expect(month.games).toHaveLength(1);
    });

    it('viral-clips: wrapped as { period, clips } with view_count, filtered by min_views', async () => {
      const body = await json('/analytics/api/viral-clips');
      expect(body.clips.map((c: { clip_id: string }) => c.clip_id)).toEqual([
        'GammaClipThree',
        'AlphaClipOne',
        'BetaClipTwo',
        'HostileClipFour',
      ]);
      expect(body.clips[1]).toMatchObject({
        view_count: 1000,
        discord_shares: 2,
        discord_reactions: 3,
        reaction_types: { '😂': 2, '🔥': 1 },
      });
      const popular = await json('/analytics/api/viral-clips?min_views=600');
      expect(popular.min_views).toBe(600);
      expect(popular.clips.map((c: { clip_id: string }) => c.clip_id)).toEqual(['GammaClipThree', 'AlphaClipOne']);
      const byReactions = await json('/analytics/api/viral-clips?sort=discord_reactions&limit=1');
      expect(byReactions.clips.map((c: { clip_id: string }) => c.clip_id)).toEqual(['AlphaClipOne']);
    });

    it('engagement-timeline: { buckets } with every day present, zeros included', async () => {
      const body = await json('/analytics/api/engagement-timeline?period=day&days=7');
      expect(body.buckets).toHaveLength(7);
      expect(body.buckets.map((b: { date: string }) => b.date)).toEqual([
        '2026-11-19',
        '2026-11-20',
        '2026-11-21',
        '2026-11-22',
        '2026-11-23',
        '2026-11-24',
        '2026-11-25',
      ]);
      const tuesday = body.buckets.find((b: { date: string }) => b.date === '2026-11-24');
      expect(tuesday).toMatchObject({ clips_created: 1, views: 1000, discord_shares: 2, discord_reactions: 3 });
      expect(body.buckets[0]).toMatchObject({ clips_created: 0, views: 0, discord_shares: 0, discord_reactions: 0 });
      const monthly = await json('/analytics/api/engagement-timeline?period=month&days=60');
      expect(monthly.bucket).toBe('month');
      expect(monthly.buckets.reduce((sum: number, b: { clips_created: number }) => sum + b.clips_created, 0)).toBe(3);
    });

    it('peak-times: a 7×24 matrix in the guild’s timezone', async () => {
      const body = await json('/analytics/api/peak-times');
      expect(body.clips_matrix).toHaveLength(7);
      for (const row of body.clips_matrix) expect(row).toHaveLength(24);
      // AlphaClipOne: Tuesday 10:00 UTC.
      expect(body.clips_matrix[1][10]).toBe(1);
      expect(body.clips_matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(4);
      expect(body.clips_by_hour).toHaveLength(24);
      expect(body.timezone).toBe('UTC');
    });

    it('compare: this week against last week, with changes', async () => {
      const body = await json('/analytics/api/compare?period=week');
      expect(body.current).toMatchObject({ type: 'week', offset: 0 });
      expect(body.previous).toMatchObject({ type: 'week', offset: 1 });
      expect(body.clips).toEqual({ current: 2, previous: 0, change: 2, change_pct: null });
      expect(body.views).toMatchObject({ current: 1050, previous: 0 });
    });
    it('growth-opportunities: the three lists, for this month by default', async () => {
      const body = await json('/analytics/api/growth-opportunities?period=all_time&min_reactions=1');
      expect(body.period).toMatchObject({ type: 'all_time' });
      expect(Array.isArray(body.underclipped_games)).toBe(true);
      expect(Array.isArray(body.engaging_creators)).toBe(true);
      expect(body.community_favourites.map((c: { clip_id: string }) => c.clip_id)).toContain('AlphaClipOne');
      expect((await json('/analytics/api/growth-opportunities')).period).toMatchObject({ type: 'month' });
    });
  });

  describe('validation', () => {
    const cases: Array<[string, string, string]> = [
      ['/analytics/api/overview?period=year', 'period', 'one of day, week, month, all_time'],
      ['/analytics/api/overview?offset=-1', 'offset', 'a whole number from 0 to 1000'],
      ['/analytics/api/overview?period=week&offset=1001', 'offset', 'a whole number from 0 to 1000'],
      ['/analytics/api/overview?period=all_time&offset=2', 'offset', 'period=all_time'],
      ['/analytics/api/overview?from=2026-11-01', 'to', 'from and to together'],
      ['/analytics/api/overview?to=2026-11-01', 'from', 'from and to together'],
      ['/analytics/api/overview?from=2026-11-10&to=2026-11-01', 'to', 'a time after from'],
      ['/analytics/api/overview?from=2000-01-01&to=2026-01-01', 'to', 'at most 3660 days'],
      ['/analytics/api/overview?from=yesterday&to=2026-11-01', 'from', 'ISO 8601'],
      ['/analytics/api/overview?from=2026-02-31&to=2026-03-05', 'from', 'a real calendar date'],
      ['/analytics/api/overview?period=week&from=2026-11-01&to=2026-11-02', 'from', 'either period'],
      ['/analytics/api/overview?guild_id=200000000000000002', 'guild_id', 'a known parameter'],
      ['/analytics/api/top-creators?limit=0', 'limit', 'a whole number from 1 to 100'],
      ['/analytics/api/top-creators?limit=101', 'limit', 'a whole number from 1 to 100'],
      ['/analytics/api/top-creators?limit=ten', 'limit', 'a whole number from 1 to 100'],
      ['/analytics/api/top-creators?limit=1.5', 'limit', 'a whole number from 1 to 100'],
      ['/analytics/api/top-creators?limit=', 'limit', 'a whole number from 1 to 100'],
      ['/analytics/api/top-creators?limit=5&limit=500', 'limit', 'given at most once'],
      [
        '/analytics/api/top-creators?sort=avg_view_count',
        'sort',
        'one of clip_count, total_views, avg_views, discord_shares, discord_reactions',
      ],
      ['/analytics/api/top-creators?guild_id=200000000000000002', 'guild_id', 'a known parameter'],
      [
        '/analytics/api/top-games?sort=avg_views',
        'sort',
        'one of clip_count, total_views, avg_view_count, discord_shares, discord_reactions',
      ],
      ['/analytics/api/top-games?limit=1000', 'limit', 'a whole number from 1 to 100'],
      ['/analytics/api/viral-clips?min_views=-5', 'min_views', 'a whole number from 0 to 2000000000'],
      ['/analytics/api/viral-clips?min_views=lots', 'min_views', 'a whole number'],
      ['/analytics/api/viral-clips?sort=random', 'sort', 'one of view_count, discord_reactions, view_velocity'],
      ['/analytics/api/viral-clips?minViews=5', 'minViews', 'a known parameter'],
      ['/analytics/api/engagement-timeline?period=all_time', 'period', 'one of day, week, month'],
      ['/analytics/api/engagement-timeline?days=0', 'days', 'a whole number from 1 to 3660'],
      ['/analytics/api/engagement-timeline?days=3661', 'days', 'a whole number from 1 to 3660'],
      ['/analytics/api/engagement-timeline?limit=5', 'limit', 'a known parameter'],
      ['/analytics/api/peak-times?period=hour', 'period', 'one of day, week, month, all_time'],
      ['/analytics/api/peak-times?sort=clip_count', 'sort', 'a known parameter'],
      ['/analytics/api/compare?period=all_time', 'period', 'all time has no previous period'],
      ['/analytics/api/compare?offset=x', 'offset', 'a whole number'],
      ['/analytics/api/growth-opportunities?limit=26', 'limit', 'a whole number from 1 to 25'],
      ['/analytics/api/growth-opportunities?min_reactions=-1', 'min_reactions', 'a whole number'],
      ['/analytics/api/export.csv', 'report', 'one of top-creators, top-games, viral-clips, timeline'],
      ['/analytics/api/export.csv?report=overview', 'report', 'one of top-creators, top-games, viral-clips, timeline'],
      ['/analytics/api/export.csv?report=timeline&limit=5', 'limit', 'a known parameter'],
      ['/analytics/api/export.csv?report=top-creators&limit=500', 'limit', 'a whole number from 1 to 100'],
      ['/analytics/api/export.csv?report=top-games&report=timeline', 'report', 'given at most once'],
      ['/analytics/api/events?since=0', 'since', 'no parameters here'],
      ['/healthz?verbose=1', 'verbose', 'no parameters here'],
    ];

    it.each(cases)('%s → 400 naming %s', async (url, parameter, rule) => {
      const res = await get(url);
      expect(res.statusCode, res.body).toBe(400);
      const body = res.json();
      expect(body.error).toBe('invalid_parameter');
      expect(body.issues.map((i: { parameter: string }) => i.parameter)).toContain(parameter);
      const issue = body.issues.find((i: { parameter: string }) => i.parameter === parameter);
      expect(issue.rule).toContain(rule);
      expect(body.message).toContain(parameter);
    });

    it('reports every problem of a request at once', async () => {
      const res = await get('/analytics/api/top-creators?limit=0&sort=nope&colour=red');
      expect(res.statusCode).toBe(400);
      expect(
        res
          .json()
          .issues.map((i: { parameter: string }) => i.parameter)
          .sort(),
      ).toEqual(['colour', 'limit', 'sort']);
    });
  });

  describe('isolation', () => {
    const endpoints = [
      '/analytics/api/overview',
      '/analytics/api/top-creators?limit=100',
      '/analytics/api/top-games?limit=100',
      '/analytics/api/viral-clips?limit=100',
      '/analytics/api/engagement-timeline?days=3660',
      '/analytics/api/peak-times',
      '/analytics/api/compare?period=week',
      '/analytics/api/growth-opportunities?period=all_time&limit=25&min_reactions=0',
      '/analytics/api/export.csv?report=top-creators&limit=100',
      '/analytics/api/export.csv?report=top-games&limit=100',
      '/analytics/api/export.csv?report=viral-clips&limit=100',
      '/analytics/api/export.csv?report=timeline&days=3660',
    ];
    const secretsOfB = ['Mallory', 'SecretClipNine', 'SecretGame', '999999', GUILD_B];
    const secretsOfA = ['GammaClipThree', 'Bob', 'Minecraft', GUILD_A];

    it.each(endpoints)('guild A’s token never sees guild B through %s (and the reverse)', async (url) => {
      // Warm the cache with B's answer first, so a cache keyed without the guild would leak it to A.
      const b = await get(url, tokenB);
      const a = await get(url, tokenA);
      expect(a.statusCode).toBe(200);
      expect(b.statusCode).toBe(200);
      for (const secret of secretsOfB) expect(a.body).not.toContain(secret);
      for (const secret of secretsOfA) expect(b.body).not.toContain(secret);
      expect(a.body).not.toBe(b.body);
      // A's ETag presented with B's token is not B's answer: B gets its own body, never a 304.
      const crossed = await get(url, tokenB, { 'if-none-match': a.headers.etag as string });
      expect(crossed.statusCode).toBe(200);
      expect(crossed.body).toBe(b.body);
    });

    it('counts only the guild’s own shares of a clip both guilds shared', async () => {
      const a = await json('/analytics/api/viral-clips?limit=100');
      const b = await json('/analytics/api/viral-clips?limit=100', tokenB);
      expect(a.clips.find((c: { clip_id: string }) => c.clip_id === 'AlphaClipOne').discord_shares).toBe(2);
      expect(b.clips.find((c: { clip_id: string }) => c.clip_id === 'AlphaClipOne').discord_shares).toBe(2);
      expect(b.clips.find((c: { clip_id: string }) => c.clip_id === 'AlphaClipOne').discord_reactions).toBe(0);
    });

    it('has no parameter that names another guild: `guild` may only repeat the token’s own', async () => {
      for (const name of ['guild_id', 'guildId', 'g']) {
        const res = await get(`/analytics/api/overview?${name}=${GUILD_B}`);
        expect(res.statusCode).toBe(400);
      }
      const other = await get(`/analytics/api/overview?guild=${GUILD_B}`);
      expect(other.statusCode).toBe(403);
      expect(other.json()).toMatchObject({ error: 'guild_forbidden' });
      // The same answer for a guild that does not exist: nothing about other guilds leaks.
      expect((await get('/analytics/api/overview?guild=999999999999999999')).body).toBe(other.body);
      expect((await get(`/analytics/api/overview?guild=${GUILD_A}`)).statusCode).toBe(200);
      expect((await get(`/analytics/api/overview?guild=${GUILD_A}&guild=${GUILD_A}`)).statusCode).toBe(400);
    });

    it('asks for a token on every endpoint', async () => {
      for (const url of [...endpoints, '/analytics/api/events']) {
        const res = await server.app.inject({ url });
        expect(res.statusCode, url).toBe(401);
      }
    });
  });

  describe('CSV export', () => {
    it('exports the same rows as the JSON answer, with a download name', async () => {
      const res = await get('/analytics/api/export.csv?report=top-creators&period=week&sort=total_views');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="clipscope-top-creators-week.csv"');
      const rows = parseCsv(res.body.replace(/^\uFEFF/, ''));
      expect(rows[0]).toEqual([
        'rank',
        'creator_id',
        'creator_name',
        'clip_count',
        'total_views',
        'avg_views',
        'discord_shares',
        'discord_reactions',
        'unique_games',
        'top_game_id',
        'top_game_name',
      ]);
      expect(rows.slice(1).map((r) => [r[0], r[2], r[4]])).toEqual([
        ['1', 'Alice', '1000'],
        ['2', HOSTILE_CREATOR, '50'],
      ]);
      // The hostile creator's top game starts with "=": neutralised with a leading apostrophe.
      expect(rows[2]?.[10]).toBe(`'${FORMULA_GAME}`);
    });

    it('quotes commas, quotes and line breaks so every row has every column', async () => {
      const res = await get('/analytics/api/export.csv?report=viral-clips&limit=100');
      const rows = parseCsv(res.body.replace(/^\uFEFF/, ''));
      const width = rows[0]!.length;
      for (const row of rows) expect(row).toHaveLength(width);
      const titles = rows.slice(1).map((r) => r[2]);
      expect(titles).toContain(MULTILINE_TITLE);
      expect(res.body).toContain('"Line one, with comma\nand ""quotes"" on line two"');
      const games = rows.slice(1).map((r) => r[7]);
      expect(games).toContain(`'${FORMULA_GAME}`);
      expect(games).not.toContain(FORMULA_GAME);
    });

    it('exports the timeline buckets', async () => {
      const res = await get('/analytics/api/export.csv?report=timeline&period=day&days=3');
      const rows = parseCsv(res.body.replace(/^\uFEFF/, ''));
      expect(rows.map((r) => r[1])).toEqual(['date', '2026-11-23', '2026-11-24', '2026-11-25']);
      expect(res.headers['content-disposition']).toContain('clipscope-timeline-day-3d.csv');
      // Each bucket's reactions by mood follow the columns the file always had.
      expect(rows[0]).toEqual([
        'start',
        'date',
        'clips_created',
        'views',
        'discord_shares',
        'discord_reactions',
        'reactions_hype',
        'reactions_funny',
        'reactions_love',
        'reactions_wow',
        'reactions_sad',
        'reactions_negative',
        'reactions_other',
      ]);
      expect(rows[2]?.slice(5)).toEqual(['3', '1', '2', '0', '0', '0', '0', '0']);
    });
  });

  describe('caching', () => {
    it('answers 304 to a client that already has the answer, 200 when it has another', async () => {
      const first = await get('/analytics/api/top-games');
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(first.headers['cache-control']).toBe('private, no-cache');
      expect(first.headers.vary).toContain('Authorization');
      const again = await get('/analytics/api/top-games', tokenA, { 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      const other = await get('/analytics/api/top-games', tokenA, { 'if-none-match': '"something-else"' });
      expect(other.statusCode).toBe(200);
    });

    it('serves equal parameters from one cache entry', async () => {
      await get('/analytics/api/top-creators?period=month');
      const spelledOut = await get('/analytics/api/top-creators?limit=10&period=month&sort=clip_count&offset=0');
      expect(spelledOut.headers['x-cache']).toBe('hit');
    });
  });

  it('lists clips in JSON exactly as stored, leaving escaping to the renderer', async () => {
    const body = await json('/analytics/api/viral-clips?limit=100');
    const hostile = body.clips.find((c: { clip_id: string }) => c.clip_id === 'HostileClipFour');
    expect(hostile.title).toBe(CLIPS[3]!.title);
    expect(hostile.thumbnail_url).toBe('https://clips-media-assets2.twitch.tv/HostileClipFour-preview-480x272.jpg');
  });
});
