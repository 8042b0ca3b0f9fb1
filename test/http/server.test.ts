import http from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock';
import { queries } from '../../src/db/sql';
import { API_CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY } from '../../src/http/security-headers';
import type { HttpServer } from '../../src/http/server';
import { revokeApiToken } from '../../src/auth/tokens';
import { bearer, GUILD_A, GUILD_B, startTestServer, TEST_NOW, tokenFor } from '../helpers/http-server';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { recordMessage } from '../../src/capture/record-share';

function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = http.request({ hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// One database per engine for the file, emptied before each test.
describe.each(testEngines())('HTTP server on %s', (engine) => {
  let temp: TestDatabase;
  let server: HttpServer | null = null;
  beforeAll(async () => {
    temp = await openTestDatabase(engine, 'http-server');
  });
  afterAll(() => temp?.close());
  beforeEach(() => clearTables(temp.db));
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  const tokenId = async (db = temp.db): Promise<number> =>
    Number((await queries(db).get<{ id: number | string }>('SELECT id FROM api_tokens'))!.id);

  describe('authentication', () => {
    it('answers 401 with a way forward when no token is sent', async () => {
      ({ server } = await startTestServer(temp.db));
      const res = await server.app.inject({ url: '/analytics/api/events' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="clipscope"');
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
      expect(res.json().message).toContain('Authorization: Bearer');
    });

    it('answers 401 for an unknown, malformed or non-Bearer token', async () => {
      ({ server } = await startTestServer(temp.db));
      for (const authorization of [`Bearer cs_${'x'.repeat(43)}`, 'Bearer nonsense', `Basic ${Buffer.from('a:b').toString('base64')}`]) {
        const res = await server.app.inject({ url: '/analytics/api/events', headers: { authorization } });
        expect(res.statusCode).toBe(401);
      }
      const res = await server.app.inject({ url: '/analytics/api/events', headers: bearer(`cs_${'x'.repeat(43)}`) });
      expect(res.json()).toMatchObject({ error: 'invalid_token' });
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    });

    it('stops accepting a revoked token on the very next request', async () => {
      ({ server } = await startTestServer(temp.db));
      const token = await tokenFor(temp.db, GUILD_A);
      const before = await server.app.inject({ url: '/healthz' });
      expect(before.statusCode).toBe(200);
      await revokeApiToken(temp.db, await tokenId(), TEST_NOW);
      const res = await server.app.inject({ url: '/analytics/api/events', headers: bearer(token) });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_token' });
    });

    it('stops accepting a token it has just served once another connection revokes it', async () => {
      ({ server } = await startTestServer(temp.db));
      const base = await server.listen('127.0.0.1', 0);
      const token = await tokenFor(temp.db, GUILD_A);
      // Over real sockets, as the CLI's revocation meets a dashboard's requests.
      const ask = () => fetch(`${base}/analytics/api/overview`, { headers: bearer(token) });
      for (let i = 0; i < 3; i++) expect((await ask()).status).toBe(200);
      const other = await temp.openAnother();
      try {
        expect(await revokeApiToken(other.db, await tokenId(other.db), TEST_NOW)).toBe('revoked');
      } finally {
        await other.close();
      }
      const res = await ask();
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    });
  });

  describe('limits', () => {
    it('reports the limit on every answer and opens a new window a minute after the first request', async () => {
      let clock: ManualClock;
      ({ server, clock } = await startTestServer(temp.db, { rateLimitPerMinute: 2 }));
      const token = await tokenFor(temp.db, GUILD_A);
      const ask = () => server!.app.inject({ url: '/analytics/api/overview', headers: bearer(token) });
      const first = await ask();
      expect(first.statusCode).toBe(200);
      expect(first.headers['x-ratelimit-limit']).toBe('2');
      expect(first.headers['x-ratelimit-remaining']).toBe('1');
      expect(first.headers['x-ratelimit-reset']).toBe('60');
      clock.advance(30_000);
      expect((await ask()).headers['x-ratelimit-remaining']).toBe('0');
      const limited = await ask();
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('30');
      clock.advance(30_000);
      const again = await ask();
      expect(again.statusCode).toBe(200);
      expect(again.headers['x-ratelimit-remaining']).toBe('1');
    });

    it('rate-limits each token with Retry-After, without affecting other tokens', async () => {
      ({ server } = await startTestServer(temp.db, { rateLimitPerMinute: 2 }));
      const a = await tokenFor(temp.db, GUILD_A);
      const b = await tokenFor(temp.db, GUILD_B);
      // Unknown parameters fail after the guard, so these requests are cheap and never open a stream.
      const ask = (token: string) => server!.app.inject({ url: '/analytics/api/events?x=1', headers: bearer(token) });
      expect((await ask(a)).statusCode).toBe(400);
      expect((await ask(a)).statusCode).toBe(400);
      const limited = await ask(a);
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.json()).toMatchObject({ error: 'rate_limited' });
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      expect((await ask(b)).statusCode).toBe(400);
    });

    it('rate-limits each IP address, even without a token', async () => {
      ({ server } = await startTestServer(temp.db, { rateLimitPerIpPerMinute: 3 }));
      const from = (remoteAddress: string) => server!.app.inject({ url: '/healthz', remoteAddress });
      for (let i = 0; i < 3; i++) expect((await from('10.0.0.1')).statusCode).toBe(200);
      const limited = await from('10.0.0.1');
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
      expect((await from('10.0.0.2')).statusCode).toBe(200);
    });

    it('refuses a repeated bad query every time, and a good one stays good for every guild', async () => {
      ({ server } = await startTestServer(temp.db));
      const a = await tokenFor(temp.db, GUILD_A);
      const b = await tokenFor(temp.db, GUILD_B);
      for (let i = 0; i < 3; i++) {
        const bad = await server.app.inject({ url: '/analytics/api/top-creators?limit=500', headers: bearer(a) });
        expect(bad.statusCode).toBe(400);
        expect(bad.json()).toMatchObject({ parameter: 'limit' });
      }
      for (const token of [a, b, a]) {
        const good = await server.app.inject({ url: '/analytics/api/top-creators?limit=5&sort=total_views', headers: bearer(token) });
        expect(good.statusCode).toBe(200);
        expect(good.json()).toMatchObject({ sort: 'total_views', creators: [] });
      }
    });

    it('refuses over-long URLs and bodies', async () => {
      ({ server } = await startTestServer(temp.db));
      const long = await server.app.inject({ url: `/healthz?${'a'.repeat(3000)}=1` });
      expect(long.statusCode).toBe(414);
      expect(long.json()).toMatchObject({ error: 'uri_too_long' });
      const body = await server.app.inject({
        method: 'POST',
        url: '/healthz',
        payload: 'x'.repeat(20_000),
        headers: { 'content-type': 'text/plain' },
      });
      expect(body.statusCode).toBe(413);
      expect(body.json()).toMatchObject({ error: 'payload_too_large' });
    });
  });

  describe('headers', () => {
    it('sends security headers on pages, API answers and errors alike', async () => {
      ({ server } = await startTestServer(temp.db));
      for (const url of ['/', '/healthz', '/nope', '/analytics/api/events', '/analytics/api/top-creators', '/analytics/api/nope']) {
        const res = await server.app.inject({ url });
        const api = url.startsWith('/analytics/api/');
        // API answers carry the API set (no page is ever rendered from them); pages the full one.
        expect(res.headers['content-security-policy']).toBe(api ? API_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
        expect(res.headers['permissions-policy'] === undefined).toBe(api);
      }
    });

    it('keeps CORS off unless origins are configured, then allows only those', async () => {
      ({ server } = await startTestServer(temp.db));
      const off = await server.app.inject({ url: '/healthz', headers: { origin: 'https://example.com' } });
      expect(off.headers['access-control-allow-origin']).toBeUndefined();
      await server.close();
      ({ server } = await startTestServer(temp.db, { corsOrigins: ['https://tools.example.com'] }));
      const allowed = await server.app.inject({ url: '/healthz', headers: { origin: 'https://tools.example.com' } });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://tools.example.com');
      const token = await tokenFor(temp.db, GUILD_A);
      const api = await server.app.inject({
        url: '/analytics/api/overview',
        headers: { origin: 'https://tools.example.com', ...bearer(token) },
      });
      expect(api.headers['access-control-allow-origin']).toBe('https://tools.example.com');
      expect(api.headers.vary).toBe('Origin, Authorization, Cookie');
      const other = await server.app.inject({ url: '/healthz', headers: { origin: 'https://evil.example.com' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await server.app.inject({
        method: 'OPTIONS',
        url: '/analytics/api/top-creators',
        headers: { origin: 'https://tools.example.com', 'access-control-request-method': 'GET' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
    });
  });

  describe('/healthz', () => {
    it('reports the database, the last aggregation and the enrichment queue, and nothing secret', async () => {
      ({ server } = await startTestServer(temp.db));
      const token = await tokenFor(temp.db, GUILD_A);
      await temp.db.transaction(async (tx) => {
        await recordMessage(
          tx,
          {
            guildId: GUILD_A,
            channelId: '300',
            messageId: '400',
            authorId: '500',
            authorName: 'mod',
            authorIsBot: false,
            postedAt: TEST_NOW - 1000,
            content: 'https://clips.twitch.tv/AwkwardHelplessSalamanderSwiftRage',
            source: 'discord',
          },
          TEST_NOW,
        );
      });
      await queries(temp.db).run(
        "INSERT INTO job_runs (job, last_started_at, last_finished_at, last_error) VALUES ('aggregate-incremental', ?, ?, NULL), ('enrich', ?, ?, 'Helix said: token abc123 rejected')",
        [TEST_NOW - 5000, TEST_NOW - 4000, TEST_NOW - 3000, TEST_NOW - 2000],
      );
      const res = await server.app.inject({ url: '/healthz' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        status: 'degraded',
        database: 'ok',
        last_aggregation: { job: 'aggregate-incremental', finished_at: new Date(TEST_NOW - 4000).toISOString(), ok: true },
        queues: { enrichment_pending: 1, enrichment_failed: 0 },
      });
      expect(body.jobs).toContainEqual(expect.objectContaining({ job: 'enrich', ok: false }));
      expect(res.body).not.toContain('abc123');
      expect(res.body).not.toContain(token);
      expect(res.body).not.toContain(GUILD_A);
    });

    it('answers 503 when the database is gone', async () => {
      // A handle of its own on the same database: the file's shared one stays open for the other tests.
      const gone = await temp.openAnother();
      ({ server } = await startTestServer(gone.db));
      await gone.close();
      const res = await server.app.inject({ url: '/healthz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', database: 'unreachable' });
    });
  });

  describe('dashboard files', () => {
    it('serves the page, its modules and Chart.js from node_modules', async () => {
      ({ server } = await startTestServer(temp.db));
      const page = await server.app.inject({ url: '/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('/assets/app.js');
      const script = await server.app.inject({ url: '/assets/app.js' });
      expect(script.headers['content-type']).toContain('text/javascript');
      const chart = await server.app.inject({ url: '/vendor/chart.umd.min.js' });
      expect(chart.statusCode).toBe(200);
      expect(chart.body.length).toBeGreaterThan(100_000);
      const again = await server.app.inject({ url: '/', headers: { 'if-none-match': page.headers.etag as string } });
      expect(again.statusCode).toBe(304);
    });

    it('refuses every path that tries to leave the dashboard folder', async () => {
      ({ server } = await startTestServer(temp.db));
      const url = await server.listen('127.0.0.1', 0);
      const attempts = [
        '/assets/../../../package.json',
        '/assets/..%2f..%2f..%2fpackage.json',
        '/assets/%2e%2e%2f%2e%2e%2fserver.ts',
        '/assets/..%5c..%5cserver.ts',
        '/assets/....//....//package.json',
        '/assets/server.ts',
        '/assets/%2fetc%2fpasswd',
        '/vendor/../package.json',
        '/vendor/chart.js',
        '/../../etc/passwd',
        '/assets/.env',
      ];
      for (const path of attempts) {
        const res = await rawGet(url, path);
        expect(res.status, path).toBeGreaterThanOrEqual(400);
        expect(res.body, path).not.toContain('"dependencies"');
        expect(res.body, path).not.toContain('root:');
        expect(res.body, path).not.toContain('createHttpServer');
      }
    });
  });

  it('answers unknown routes with a JSON 404', async () => {
    ({ server } = await startTestServer(temp.db));
    const res = await server.app.inject({ url: '/analytics/api/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });
});
