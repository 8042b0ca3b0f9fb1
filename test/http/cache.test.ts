import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import { ManualClock } from '../../src/clock';
import { closeDatabase, openDatabase } from '../../src/db/client';
import type { Db } from '../../src/db/database';
import { createResponseCache, etagOf } from '../../src/http/response-cache';
import type { HttpServer } from '../../src/http/server';
import { createApiToken } from '../../src/auth/tokens';
import { GUILD_A, GUILD_B, NOW, seedCommunity, shareNewClipOn } from '../fixtures/http-community';
import { bearer, startTestServer } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { clearTables } from '../helpers/clear-tables';
import { copyTables, RAW_TABLES } from '../analytics/community-seed';

/**
 * The seeded community on `engine`: the SQLite file the fixtures wrote, or (PostgreSQL) the file's one database,
 * emptied and given a copy of those rows (with the dirty hours capture marked, which aggregation consumes).
 */
async function seeded(engine: string, temp: TempDb, postgres: TestDatabase | undefined): Promise<Db> {
  seedCommunity(temp.db);
  if (engine === 'sqlite' || !postgres) return temp.db;
  await clearTables(postgres.db);
  await copyTables(temp.db, postgres.db, [...RAW_TABLES, 'dirty_hours']);
  return postgres.db;
}

/** A second handle on the database under test, as another process would open it. */
async function another(temp: TempDb, postgres: TestDatabase | undefined): Promise<{ db: Db; close(): Promise<void> }> {
  if (postgres) return postgres.openAnother();
  const other = openDatabase({ path: temp.path });
  return { db: other, close: async () => closeDatabase(other) };
}

describe.each(testEngines())('answer cache on %s', (engine) => {
  let temp: TempDb;
  let postgres: TestDatabase | undefined;
  let db: Db;
  let server: HttpServer | null = null;
  let clock: ManualClock;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    if (engine === 'postgres') postgres = await openTestDatabase('postgres', 'http-cache');
  });
  afterAll(() => postgres?.close());
  beforeEach(async () => {
    temp = createTempDb();
    db = await seeded(engine, temp, postgres);
    tokenA = (await createApiToken(db, { guildId: GUILD_A }, NOW)).token;
    tokenB = (await createApiToken(db, { guildId: GUILD_B }, NOW)).token;
    clock = new ManualClock(NOW);
    ({ server } = await startTestServer(db, {}, clock));
  });
  afterEach(async () => {
    await server?.close();
    server = null;
    temp.cleanup();
  });

  const get = (url: string, token: string, headers: Record<string, string> = {}) =>
    server!.app.inject({ url, headers: { ...bearer(token), ...headers } });

  it('serves a repeated question from the cache until the guild’s data changes', async () => {
    const url = '/analytics/api/top-creators?period=week';
    const first = await get(url, tokenA);
    expect(first.headers['x-cache']).toBe('miss');
    const second = await get(url, tokenA);
    expect(second.headers['x-cache']).toBe('hit');
    expect(second.body).toBe(first.body);
    const bFirst = await get(url, tokenB);

    clock.advance(1000);
    await shareNewClipOn(db, GUILD_A, 'FreshClipFive', { views: 7777, creator: ['c7', 'Newcomer'], at: clock.now(), messageId: '7001' });

    const after = await get(url, tokenA, { 'if-none-match': first.headers.etag as string });
    expect(after.statusCode).toBe(200);
    expect(after.headers['x-cache']).toBe('miss');
    expect(after.json().creators.map((c: { creator_name: string }) => c.creator_name)).toContain('Newcomer');
    expect(after.headers.etag).not.toBe(first.headers.etag);
    // Guild B's data did not change: its cached answer stays valid.
    const bAfter = await get(url, tokenB, { 'if-none-match': bFirst.headers.etag as string });
    expect(bAfter.statusCode).toBe(304);
    expect(bAfter.headers['x-cache']).toBe('hit');
  });

  it('recomputes after an aggregation run and gives the same numbers from the summary tables', async () => {
    const urls = ['/analytics/api/top-creators?period=week', '/analytics/api/overview?period=month', '/analytics/api/top-games'];
    const before = await Promise.all(urls.map((url) => get(url, tokenA)));
    await aggregateAll(db, { clock });
    for (const [i, url] of urls.entries()) {
      const after = await get(url, tokenA);
      expect(after.headers['x-cache']).toBe('miss');
      expect(after.json()).toEqual(before[i]!.json());
    }
  });

  it('notices a write made by another process', async () => {
    const url = '/analytics/api/overview';
    const before = (await get(url, tokenA)).json();
    const other = await another(temp, postgres);
    try {
      await shareNewClipOn(other.db, GUILD_A, 'ElsewhereClip', {
        views: 10,
        creator: ['c8', 'Elsewhere'],
        at: NOW + 5000,
        messageId: '7002',
      });
    } finally {
      await other.close();
    }
    const after = (await get(url, tokenA)).json();
    expect(after.total_clips).toBe(before.total_clips + 1);
  });

  it('expires cached answers after the configured lifetime even without changes (periods roll over)', async () => {
    await server!.close();
    ({ server } = await startTestServer(db, { cacheSeconds: 5 }, clock));
    const url = '/analytics/api/overview?period=day';
    await get(url, tokenA);
    expect((await get(url, tokenA)).headers['x-cache']).toBe('hit');
    clock.advance(5000);
    expect((await get(url, tokenA)).headers['x-cache']).toBe('miss');
  });

  it('computes every answer afresh when the cache is off', async () => {
    await server!.close();
    ({ server } = await startTestServer(db, { cacheSeconds: 0 }, clock));
    const url = '/analytics/api/overview';
    const first = await get(url, tokenA);
    const second = await get(url, tokenA, { 'if-none-match': first.headers.etag as string });
    expect(second.headers['x-cache']).toBe('miss');
    expect(second.statusCode).toBe(304);
  });
});

describe.each(testEngines())('answer cache bounds on %s', (engine) => {
  let temp: TempDb;
  let postgres: TestDatabase | undefined;
  let db: Db;
  let server: HttpServer | null = null;
  beforeAll(async () => {
    if (engine === 'postgres') postgres = await openTestDatabase('postgres', 'http-cache-bounds');
  });
  afterAll(() => postgres?.close());
  beforeEach(async () => {
    temp = createTempDb();
    db = await seeded(engine, temp, postgres);
  });
  afterEach(async () => {
    await server?.close();
    server = null;
    temp.cleanup();
  });

  it('holds at most its byte bound across many distinct questions, dropping the oldest answers first', async () => {
    const maxBytes = 48 * 1024;
    ({ server } = await startTestServer(db, { cacheMaxBytes: maxBytes }, new ManualClock(NOW)));
    const token = (await createApiToken(db, { guildId: GUILD_A }, NOW)).token;
    let stored = 0;
    for (let days = 1; days <= 150; days++) {
      const res = await server.app.inject({ url: `/analytics/api/engagement-timeline?days=${days}`, headers: bearer(token) });
      expect(res.statusCode).toBe(200);
      stored += res.rawPayload.length;
      expect(server.cache.bytes).toBeLessThanOrEqual(maxBytes);
    }
    // The answers asked for far exceed the bound: the cache kept some, not all.
    expect(stored).toBeGreaterThan(2 * maxBytes);
    expect(server.cache.size).toBeGreaterThan(0);
    expect(server.cache.size).toBeLessThan(150);
    // The newest answer is still served from the cache; the first one was pushed out.
    const newest = await server.app.inject({ url: '/analytics/api/engagement-timeline?days=150', headers: bearer(token) });
    expect(newest.headers['x-cache']).toBe('hit');
    const oldest = await server.app.inject({ url: '/analytics/api/engagement-timeline?days=1', headers: bearer(token) });
    expect(oldest.headers['x-cache']).toBe('miss');
  });

  it('drops expired answers by itself, without their being asked for again', async () => {
    let now = NOW;
    const cache = createResponseCache({ maxBytes: 1 << 20, ttlMs: 5000, now: () => now, sweepIntervalMs: 5, sweepBatch: 3 });
    try {
      for (let i = 0; i < 10; i++) {
        cache.set(`g\nroute\n${i}`, { version: 'v1', body: Buffer.alloc(100), etag: '"e"', storedAt: now });
      }
      now += 1000;
      cache.set('g\nroute\nfresh', { version: 'v1', body: Buffer.alloc(100), etag: '"e"', storedAt: now });
      expect(cache.size).toBe(11);
      now += 4500;
      // The ten older answers are past their lifetime; the sweep takes them a few at a time and keeps the fresh one.
      await expect.poll(() => cache.size).toBe(1);
      expect(cache.get('g\nroute\nfresh', 'v1', now)).toBeDefined();
      expect(cache.bytes).toBeGreaterThan(100);
      expect(cache.bytes).toBeLessThan(1000);
    } finally {
      cache.close();
    }
  });
});

describe('etagOf', () => {
  it('is the SHA-1 of the guild and the answer’s UTF-8 bytes, different per guild and per byte', () => {
    const text = '{"creator_name":"Zoë 🎮 \\"quoted\\"","n":1}';
    const bytes = createHash('sha1').update('g1\n').update(Buffer.from(text, 'utf8')).digest('base64url');
    expect(etagOf('g1', text)).toBe(`"${bytes.slice(0, 27)}"`);
    expect(etagOf('g1', text)).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(etagOf('g2', text)).not.toBe(etagOf('g1', text));
    expect(etagOf('g1', `${text} `)).not.toBe(etagOf('g1', text));
  });
});
