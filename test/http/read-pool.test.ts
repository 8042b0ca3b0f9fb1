// Uncached answers computed on read workers (SQLite): the same bytes as on the HTTP thread, errors that mean the same,
// a time limit that SQLite itself lacks, and a calling thread that stays free while a worker waits on the database.
// SQLite only: on PostgreSQL a query does not block the thread that asks, and the server's statement_timeout bounds it
// (test/http/api and the PostgreSQL fault tests cover that engine), so the HTTP thread never starts a read pool there.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aggregateAnalytics } from '../../src/analytics/aggregate';
import { InvalidPeriodError } from '../../src/analytics/periods';
import { createAnalytics } from '../../src/analytics/service';
import { createApiToken } from '../../src/auth/tokens';
import { ManualClock } from '../../src/clock';
import { generateCommunity } from '../../src/demo/generator';
import { HttpError } from '../../src/http/errors';
import { startReadPool, type ReadPool } from '../../src/http/read-pool';
import type { HttpServer } from '../../src/http/server';
import { silentLogger } from '../../src/logger';
import { GUILD_A, GUILD_B, NOW, seedCommunity } from '../fixtures/http-community';
import { bearer, startTestServer } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const ROUTES = [
  '/analytics/api/overview?period=week',
  '/analytics/api/overview?period=all_time',
  '/analytics/api/top-creators?period=month&limit=5',
  '/analytics/api/top-games?period=all_time&sort=total_views',
  '/analytics/api/viral-clips?period=all_time&sort=view_velocity',
  '/analytics/api/engagement-timeline?period=day&days=30',
  '/analytics/api/peak-times?period=all_time',
  '/analytics/api/compare?period=month',
  '/analytics/api/growth-opportunities?period=all_time',
  '/analytics/api/status',
  '/analytics/api/linked-accounts',
  '/analytics/api/export.csv?report=top-creators&period=all_time',
  '/analytics/api/overview?from=2026-11-01T00:00:00Z&to=2026-11-25T00:00:00Z',
];

describe('read workers (SQLite)', () => {
  let temp: TempDb;
  let pool: ReadPool | null = null;
  let servers: HttpServer[] = [];
  beforeEach(() => {
    temp = createTempDb();
    seedCommunity(temp.db);
  });
  afterEach(async () => {
    for (const server of servers) await server.close();
    servers = [];
    await pool?.close();
    pool = null;
    temp.cleanup();
  });

  const openPool = (timeoutMs = 10_000, workers = 2): ReadPool =>
    (pool = startReadPool({ database: { engine: 'sqlite', path: temp.path }, workers, timeoutMs, maxWaiting: 10, logger: silentLogger() }));

  it('answers every route with the same bytes as the HTTP thread computes itself', async () => {
    const token = (await createApiToken(temp.db, { guildId: GUILD_A }, NOW)).token;
    const inThread = (await startTestServer(temp.db, {}, new ManualClock(NOW))).server;
    const reads = openPool().analytics;
    const pooled = (await startTestServer(temp.db, {}, new ManualClock(NOW), { reads })).server;
    servers.push(inThread, pooled);
    for (const url of ROUTES) {
      const expected = await inThread.app.inject({ url, headers: bearer(token) });
      const actual = await pooled.app.inject({ url, headers: bearer(token) });
      expect(expected.statusCode, url).toBe(200);
      expect(actual.statusCode, url).toBe(200);
      expect(actual.headers['x-cache'], url).toBe('miss');
      expect(actual.body, url).toBe(expected.body);
    }
  });

  it('carries the analytics’ own errors across the thread as the same class and message', async () => {
    const reads = openPool().analytics;
    const ctx = { guildId: GUILD_A, timezone: 'UTC', now: NOW };
    const local = await createAnalytics(temp.db)
      .timeline(ctx, { bucket: 'day', days: 0 })
      .catch((e: unknown) => e);
    const carried = await reads.timeline(ctx, { bucket: 'day', days: 0 }).catch((e: unknown) => e);
    expect(local).toBeInstanceOf(InvalidPeriodError);
    expect(carried).toBeInstanceOf(InvalidPeriodError);
    expect((carried as Error).message).toBe((local as Error).message);
  });

  it('refuses calls beyond the waiting bound with a 503 server_busy instead of queueing without end', async () => {
    const reads = openPool(10_000, 1).analytics;
    await reads.guildName(GUILD_A);
    const calls = Array.from({ length: 12 }, () =>
      reads.guildName(GUILD_A).then(
        () => 'ok',
        (e: unknown) => (e instanceof HttpError ? e.code : String(e)),
      ),
    );
    const outcomes = await Promise.all(calls);
    // One running, ten waiting, the twelfth refused.
    expect(outcomes.filter((o) => o === 'server_busy')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(11);
  });
});

describe('read workers on a long query (SQLite, a generated community)', () => {
  const END = Date.parse('2026-11-01T00:00:00Z');
  let temp: TempDb;
  let big: string;
  let small: string;
  let pool: ReadPool | null = null;
  let server: HttpServer | null = null;
  /**
   * Growth opportunities over an explicit two-year range, never cached: 450–620 ms on this data at load 4, against the
   * timeout test's 120 ms limit (at 5,000 clips it took about 150 ms, right at the old 150 ms limit, and passed by luck).
   */
  const longQuery = (n: number) =>
    `/analytics/api/growth-opportunities?from=${new Date(END - 700 * 86_400_000 + n).toISOString()}&to=${new Date(END).toISOString()}`;
  const cached = '/analytics/api/overview?period=week';

  beforeAll(async () => {
    temp = createTempDb();
    generateCommunity(temp.db, { clips: 20000, guilds: 2, seed: 11, endAt: END });
    await aggregateAnalytics(temp.db, { full: true }, { clock: new ManualClock(END) });
    const guilds = await createAnalytics(temp.db).guilds();
    big = (await createApiToken(temp.db, { guildId: guilds[0]!.guildId }, END)).token;
    small = (await createApiToken(temp.db, { guildId: guilds[1]!.guildId }, END)).token;
  }, 120_000);
  afterEach(async () => {
    await server?.close();
    server = null;
    await pool?.close();
    pool = null;
  });
  afterAll(() => temp.cleanup());

  const openPool = (timeoutMs: number, workers = 2): ReadPool =>
    (pool = startReadPool({ database: { engine: 'sqlite', path: temp.path }, workers, timeoutMs, maxWaiting: 10, logger: silentLogger() }));

  it('serves another guild’s cached answer while a read worker computes one guild’s long query', async () => {
    ({ server } = await startTestServer(temp.db, { changeCheckMs: 60_000 }, new ManualClock(END), { reads: openPool(60_000).analytics }));
    const get = (url: string, token: string) => server!.app.inject({ url, headers: bearer(token) });
    expect((await get(cached, small)).statusCode).toBe(200);
    const order: string[] = [];
    const long = get(longQuery(1), big).then((r) => order.push(`long ${r.statusCode}`));
    // Once the long query is under way: on the HTTP thread itself (no read workers) it blocks the thread, so this timer
    // and the cached answer after it wait for the whole query.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool!.stats().running).toBe(1);
    const quick = get(cached, small).then((r) => order.push(`cached ${r.statusCode} ${r.headers['x-cache']}`));
    await Promise.all([long, quick]);
    expect(order).toEqual(['cached 200 hit', 'long 200']);
  });

  it('stops an answer past its time limit with a 503 query_timeout, replaces the worker, and answers again', async () => {
    ({ server } = await startTestServer(temp.db, {}, new ManualClock(END), { reads: openPool(120, 1).analytics }));
    const response = await server.app.inject({ url: longQuery(2), headers: bearer(big) });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: 'query_timeout' });
    expect(response.headers['retry-after']).toBe('5');
    expect(pool!.stats().replaced).toBe(1);
    // The replacement worker answers what fits in the limit.
    const status = await server.app.inject({ url: '/analytics/api/status', headers: bearer(big) });
    expect(status.statusCode).toBe(200);
  });
});
