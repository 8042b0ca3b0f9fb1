// One token's expensive uncached questions cannot take the server from everyone else: a budget of query time per
// token, and a bounded queue of its uncached answers; cached answers and other tokens are served all along.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens';
import { ManualClock } from '../../src/clock';
import type { HttpServer } from '../../src/http/server';
import { GUILD_A, GUILD_B, NOW, seedCommunity } from '../fixtures/http-community';
import { bearer, startTestServer } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';

/** A distinct explicit range per n: each one an uncached answer. */
const range = (n: number, path = 'compare'): string =>
  `/analytics/api/${path}?from=2026-10-01T00:00:${String(n % 60).padStart(2, '0')}Z&to=2026-11-${String(1 + Math.floor(n / 60)).padStart(2, '0')}T00:00:00Z`;

describe('fair shares of query time', () => {
  let temp: TempDb;
  let server: HttpServer | null = null;
  let tokenA: string;
  let tokenB: string;
  beforeEach(async () => {
    temp = createTempDb();
    seedCommunity(temp.db);
    tokenA = (await createApiToken(temp.db, { guildId: GUILD_A }, NOW)).token;
    tokenB = (await createApiToken(temp.db, { guildId: GUILD_B }, NOW)).token;
  });
  afterEach(async () => {
    await server?.close();
    server = null;
    temp.cleanup();
  });

  const get = (url: string, token: string) => server!.app.inject({ url, headers: bearer(token) });

  it('refuses a token’s uncached answers once its query time is spent, and still serves its cached ones and other tokens', async () => {
    // A budget smaller than any real query: the first uncached answer spends it all.
    ({ server } = await startTestServer(temp.db, { querySecondsPerMinute: 1e-9 }, new ManualClock(NOW)));
    const first = await get(range(1), tokenA);
    expect(first.statusCode).toBe(200);
    const second = await get(range(2), tokenA);
    expect(second.statusCode).toBe(429);
    expect(second.json()).toMatchObject({ error: 'query_budget_exceeded' });
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Its cached answer costs no query time.
    const again = await get(range(1), tokenA);
    expect(again.statusCode).toBe(200);
    expect(again.headers['x-cache']).toBe('hit');
    // Another token has its own budget.
    expect((await get(range(2), tokenB)).statusCode).toBe(200);
  });

  it('keeps a bounded queue of one token’s uncached answers and serves another token while it floods', async () => {
    ({ server } = await startTestServer(temp.db, { maxQueuedQueries: 2 }, new ManualClock(NOW)));
    const cachedB = '/analytics/api/overview?period=week';
    expect((await get(cachedB, tokenB)).statusCode).toBe(200);
    const flood = Array.from({ length: 12 }, (_, i) => get(range(i, i % 2 ? 'compare' : 'growth-opportunities'), tokenA));
    const other = await get(cachedB, tokenB);
    expect(other.statusCode).toBe(200);
    expect(other.headers['x-cache']).toBe('hit');
    const statuses = (await Promise.all(flood)).map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    const refused = (await Promise.all(flood)).filter((r) => r.statusCode === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.json()).toMatchObject({ error: 'too_many_queries' });
    // Once they are done, the token may ask again.
    expect((await get(range(40), tokenA)).statusCode).toBe(200);
  });
});
