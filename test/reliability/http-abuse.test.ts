// The HTTP API under abuse: one walk over every registered endpoint, the CSV export of every report, the SSE
// stream and the answer cache with guild A's token, and again with a signed-in manager of guild A (Sign in with
// Discord), asserting guild B's distinctive data never appears and B is refused to both; every
// query parameter fuzzed with fast-check (a 4xx with a message, never a 500); oversized query strings and
// headers refused; tokens random, hashed and revoked at once.
import fc from 'fast-check';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAnalytics } from '../../src/analytics/aggregate';
import { ManualClock } from '../../src/clock';
import type { HttpServer } from '../../src/http/server';
import { createApiToken, hashToken, revokeApiToken } from '../../src/auth/tokens';
import { GUILD_A, GUILD_B, NOW, seedCommunity, shareNewClip } from '../fixtures/http-community';
import { apiQueries } from '../helpers/api-queries';
import { bearer, startTestServer } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { InjectBrowser, startSignInWorld } from '../helpers/sign-in';

// What only guild B has: its clip, title, creator, game and view count.
const B_SECRETS = ['SecretClipNine', 'Secret of guild B', 'Mallory', 'SecretGame', '999999', 'ZebraOnlyInGuildB'];

/** Parameters each endpoint knows, for the fuzzer (plus names it does not know). */
const PARAMS = ['period', 'offset', 'from', 'to', 'limit', 'sort', 'min_views', 'days', 'report', 'guild', 'guild_id'];

describe('HTTP API under abuse', () => {
  let temp: TempDb;
  let server: HttpServer;
  let tokenA: string;
  let tokenB: string;
  let routes: string[];
  let baseUrl: string;

  beforeAll(async () => {
    temp = createTempDb();
    seedCommunity(temp.db);
    shareNewClip(temp.db, GUILD_B, 'ZebraOnlyInGuildB', {
      views: 77,
      creator: ['c77', 'ZebraOnlyInGuildB'],
      at: NOW - 3_600_000,
      messageId: '6100',
    });
    await aggregateAnalytics(temp.db, { full: true }, { clock: new ManualClock(NOW) });
    tokenA = (await createApiToken(temp.db, { guildId: GUILD_A, name: 'a' }, NOW)).token;
    tokenB = (await createApiToken(temp.db, { guildId: GUILD_B, name: 'b' }, NOW)).token;
    ({ server } = await startTestServer(temp.db, { changeCheckMs: 20 }, new ManualClock(NOW)));
    baseUrl = await server.listen('127.0.0.1', 0);
    routes = [
      ...new Set([...server.app.printRoutes({ commonPrefix: false }).matchAll(/(analytics\/api\/[\w.-]+)/g)].map((m) => `/${m[1]!}`)),
    ].sort();
  });
  afterAll(async () => {
    await server?.close();
    temp?.cleanup();
  });

  it('never shows guild B’s data to guild A’s token, on any endpoint, report, period or cached answer', async () => {
    expect(routes).toEqual(expect.arrayContaining(['/analytics/api/overview', '/analytics/api/export.csv', '/analytics/api/events']));
    let requests = 0;
    for (const route of routes) {
      for (const query of apiQueries(route)) {
        const url = `${route}?${query}`;
        // B asks first, so a cache keyed by anything less than the guild would hand B's answer to A.
        const asB = await server.app.inject({ url, headers: bearer(tokenB) });
        expect(asB.statusCode, `${url} as B: ${asB.body}`).toBe(200);
        const asA = await server.app.inject({ url, headers: bearer(tokenA) });
        requests += 2;
        expect(asA.statusCode, `${url}: ${asA.body}`).toBe(200);
        for (const secret of B_SECRETS) expect(asA.body, `${url} leaks ${secret}`).not.toContain(secret);
        // The distinctive data is reachable at all (else the check above proves nothing) — at least on all_time.
        if (query.includes('all_time') && !route.includes('peak') && !route.includes('overview')) {
          expect(
            B_SECRETS.some((s) => asB.body.includes(s)),
            `${url} as B shows B's data`,
          ).toBe(true);
        }
      }
    }
    expect(requests).toBeGreaterThan(40);

    // The live stream: A's stream stays silent about B's writes and never carries B's names.
    const base = baseUrl;
    const controller = new AbortController();
    const response = await fetch(`${base}/analytics/api/events`, { headers: bearer(tokenA), signal: controller.signal });
    expect(response.status).toBe(200);
    let text = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk);
      } catch {
        // aborted
      }
    })();
    await expect.poll(() => text.includes('event: version')).toBe(true);
    shareNewClip(temp.db, GUILD_B, 'ZebraTwoOnlyInGuildB', { views: 5, creator: ['c78', 'Mallory'], at: NOW, messageId: '6101' });
    // Give the stream several change-check intervals to (wrongly) tell A about it.
    const sawChange = await expect
      .poll(() => text.includes('event: change'), { timeout: 500 })
      .toBe(true)
      .then(
        () => true,
        () => false,
      );
    controller.abort();
    await reading;
    expect(sawChange).toBe(false);
    for (const secret of B_SECRETS) expect(text).not.toContain(secret);
  });

  it('never shows guild B’s data to a session that manages guild A, and refuses B by token and by session alike', async () => {
    const world = await startSignInWorld(temp.db, { guildA: GUILD_A, guildB: GUILD_B, clock: new ManualClock(NOW) });
    try {
      const browser = new InjectBrowser(world.server);
      // Alice manages A; in B she is a plain member, so her session gets A only.
      expect((await browser.signIn(world, world.alice.id)).statusCode).toBe(303);
      let requests = 0;
      for (const route of routes) {
        for (const query of apiQueries(route)) {
          // B's owner asks for B first through a token, so a cache keyed by less than the guild would serve it to A.
          expect((await server.app.inject({ url: `${route}?${query}`, headers: bearer(tokenB) })).statusCode).toBe(200);
          const asA = await browser.get(`${route}?${query}&guild=${GUILD_A}`);
          expect(asA.statusCode, `${route}?${query}: ${asA.body}`).toBe(200);
          expect(asA.headers.vary).toContain('Cookie');
          for (const secret of B_SECRETS) expect(asA.body, `${route}?${query} leaks ${secret}`).not.toContain(secret);
          const asB = await browser.get(`${route}?${query}&guild=${GUILD_B}`);
          expect(asB.statusCode, `${route}?${query}&guild=B`).toBe(403);
          for (const secret of B_SECRETS) expect(asB.body).not.toContain(secret);
          // A's token naming B is refused the same way.
          const tokenAsB = await server.app.inject({ url: `${route}?${query}&guild=${GUILD_B}`, headers: bearer(tokenA) });
          expect(tokenAsB.statusCode).toBe(403);
          expect(tokenAsB.body).toBe(asB.body);
          requests += 3;
        }
      }
      expect(requests).toBeGreaterThan(60);
      // The live stream of a session: B's stream is refused, A's never names B.
      expect((await browser.get(`/analytics/api/events?guild=${GUILD_B}`)).statusCode).toBe(403);
    } finally {
      await world.stop();
    }
  });

  it('answers every fuzzed query parameter with a 2xx or a 4xx that says what is wrong, never a 500', async () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(
        '',
        '-1',
        '0',
        '1e9',
        '99999999999999999999',
        'NaN',
        'null',
        '[]',
        '{}',
        '2026-02-31',
        '2026-11-01T25:00:00Z',
        '../../etc/passwd',
        '%00',
        '%',
        '%E0%A4%A',
        'all_time',
        'week',
        '1',
        '100',
        '101',
        "' OR 1=1 --",
        '\u0000',
        '🔥'.repeat(50),
      ),
      fc.integer().map(String),
    );
    const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMS), fc.string({ maxLength: 10 })), value), { maxLength: 5 });
    let tried = 0;
    await fc.assert(
      // The PDF report draws charts for every valid query: it gets its own, shorter walk below.
      fc.asyncProperty(
        fc.constantFrom(...routes.filter((r) => !r.endsWith('/events') && !r.endsWith('/report'))),
        query,
        async (route, params) => {
          const qs = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
          const res = await server.app.inject({ url: `${route}?${qs}`, headers: bearer(tokenA) });
          tried++;
          expect(res.statusCode, `${route}?${qs}: ${res.body}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const body = res.json() as { error?: string; message?: string };
            expect(body.message, `${route}?${qs}`).toMatch(/\w/);
            expect(res.body).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/); // no stack trace
          }
        },
      ),
      { numRuns: 600 },
    );
    // Raw, unencoded garbage in the query string too.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes.filter((r) => !r.endsWith('/events') && !r.endsWith('/report'))),
        fc.string({ unit: 'binary-ascii', maxLength: 80 }),
        async (route, raw) => {
          const res = await server.app.inject({ url: `${route}?${raw.replace(/[#\s]/g, '')}`, headers: bearer(tokenA) });
          tried++;
          expect(res.statusCode, `${route}?${raw}: ${res.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
    expect(tried).toBe(900);
  });

  it('answers fuzzed report queries with the PDF or a 4xx that says what is wrong, never a 500', { timeout: 180_000 }, async () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom('', 'day', 'week', 'month', 'all_time', '-1', '0', '120', '121', '1e2', 'NaN', '%00', '🔥'),
    );
    const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom('period', 'offset', 'guild', 'from'), fc.string({ maxLength: 8 })), value), {
      maxLength: 3,
    });
    let pdfs = 0;
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        const qs = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const res = await server.app.inject({ url: `/analytics/api/report?${qs}`, headers: bearer(tokenA) });
        expect(res.statusCode, `report?${qs}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
        if (res.statusCode === 200) {
          pdfs++;
          expect(res.headers['content-type']).toBe('application/pdf');
        } else {
          const body = res.json() as { message?: string };
          expect(body.message, `report?${qs}`).toMatch(/\w/);
          expect(res.body).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
        }
      }),
      // Each valid query draws a whole report: a short walk, with the valid cases made likely by the constants.
      {
        numRuns: 25,
        examples: [
          [[]],
          [[['period', 'month']]],
          [
            [
              ['period', 'week'],
              ['offset', '121'],
            ],
          ],
        ],
      },
    );
    expect(pdfs).toBeGreaterThan(0);
  });

  it('refuses oversized query strings and headers over a real socket', async () => {
    const base = new URL(baseUrl);
    // Node answers 431 and closes; the client may see the reset before it reads the answer. Either is a refusal.
    const send = (path: string, headers: Record<string, string>): Promise<number | 'reset'> =>
      new Promise((resolve) => {
        const req = http.request({ host: '127.0.0.1', port: base.port, path, headers, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve('reset'));
        req.end();
      });
    expect(await send(`/analytics/api/overview?period=week&x=${'a'.repeat(10_000)}`, bearer(tokenA))).toBe(414);
    expect(await send('/analytics/api/overview', { ...bearer(tokenA), 'x-padding': 'a'.repeat(64 * 1024) })).toSatisfy(
      (s) => s === 431 || s === 'reset',
    );
    // The server is still serving afterwards.
    expect(await send('/analytics/api/overview', bearer(tokenA))).toBe(200);
    expect(await send('/analytics/api/overview', { authorization: `Bearer ${'b'.repeat(4000)}` })).toBe(401);
  });

  it('issues tokens of at least 128 random bits, stores only their hash, and refuses a revoked one at once', async () => {
    const created = await createApiToken(temp.db, { guildId: GUILD_A, name: 'short-lived' }, NOW);
    const secretPart = created.token.replace(/^cs_/, '');
    // base64url or hex: at least 128 bits of it.
    const bits = /^[0-9a-f]+$/.test(secretPart) ? secretPart.length * 4 : secretPart.length * 6;
    expect(bits).toBeGreaterThanOrEqual(128);
    const stored = temp.db.$client.prepare('SELECT * FROM api_tokens WHERE id = ?').get(created.id) as Record<string, unknown>;
    expect(JSON.stringify(stored)).not.toContain(secretPart);
    expect(Object.values(stored)).toContain(hashToken(created.token));
    expect((await server.app.inject({ url: '/analytics/api/overview', headers: bearer(created.token) })).statusCode).toBe(200);
    await revokeApiToken(temp.db, created.id, NOW);
    expect((await server.app.inject({ url: '/analytics/api/overview', headers: bearer(created.token) })).statusCode).toBe(401);
  });
});
