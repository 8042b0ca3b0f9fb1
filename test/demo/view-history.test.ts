// The demo's view history (issue #21): a generated community has view readings as Clipscope's refresh would have
// taken them, so that "views per hour" ranks clips otherwise than views, the same way for a seed, on both engines
// (the SQLite build copied into PostgreSQL), and taking-off alerts have a history to compare with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viralClips } from '../../src/analytics/viral-clips';
import { copyDatabase } from '../../src/db/copy/copy-database';
import type { Db } from '../../src/db/database';
import { queries } from '../../src/db/sql';
import { viewsAtAge } from '../../src/db/stores/feeds';
import { generateCommunity } from '../../src/demo/generator';
import { KEEP_ALL_MS, readingTimes, viewsAt } from '../../src/demo/view-history';
import { AGE_BUCKETS_MS, MIN_SAMPLE, velocitiesAtAge } from '../../src/feed/taking-off';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const END = Date.UTC(2026, 10, 1, 17);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function build(seed: number): TempDb {
  const temp = createTempDb();
  generateCommunity(temp.db, { clips: 3000, guilds: 2, seed, endAt: END });
  return temp;
}

async function largestGuild(db: Db): Promise<string> {
  const row = await queries(db).get<{ guild_id: string }>(
    'SELECT guild_id FROM clips GROUP BY guild_id ORDER BY count(*) DESC, guild_id LIMIT 1',
  );
  return row?.guild_id as string;
}

async function thisWeek(db: Db, sort: 'view_count' | 'view_velocity') {
  const guildId = await largestGuild(db);
  const answer = await viralClips(
    db,
    { guildId, timezone: 'UTC', now: END },
    { period: { type: 'range', from: END - 7 * DAY_MS, to: END }, sort, limit: 10 },
  );
  return answer.clips;
}

describe('view readings of one clip', () => {
  it('starts at the first lookup, stays before the end, and keeps every reading of the last 8 days', () => {
    const created = END - 3 * DAY_MS;
    const times = readingTimes(created, created + 20 * 60_000, END, 7);
    expect(times[0]).toBe(created + 20 * 60_000);
    expect(times.every((t, i) => i === 0 || t > (times[i - 1] as number))).toBe(true);
    expect(times[times.length - 1]).toBeLessThan(END);
    // Hourly (with the refresh's 5-minute runs) for a clip under a week old: about 71 readings in 71 hours.
    expect(times.length).toBeGreaterThan(60);
    expect(times.length).toBeLessThanOrEqual(72);
  });

  it('thins an old clip to a handful of readings, the latest within a week of the end', () => {
    const created = END - 400 * DAY_MS;
    const times = readingTimes(created, created + HOUR_MS, END, 3);
    expect(times.length).toBeLessThanOrEqual(8);
    expect(END - (times[times.length - 1] as number)).toBeLessThan(7 * DAY_MS + HOUR_MS);
    expect(times.filter((t) => t >= END - KEEP_ALL_MS).length).toBeGreaterThanOrEqual(1);
  });

  it('gives views that never go down and end at the clip’s count', () => {
    const created = END - 2 * DAY_MS;
    const times = readingTimes(created, created + 15 * 60_000, END, 11);
    const views = viewsAt(times, created, 5 * HOUR_MS, 1234);
    expect(views[views.length - 1]).toBe(1234);
    expect(views.every((v, i) => i === 0 || v >= (views[i - 1] as number))).toBe(true);
    expect(views[0]).toBeLessThan(200);
  });
});

describe('a generated community’s view history', () => {
  let first: TempDb;
  const engines = new Map<string, TestDatabase>();
  beforeAll(async () => {
    first = build(5);
    for (const engine of testEngines()) {
      const target = await openTestDatabase(engine, 'demo-view-history');
      await copyDatabase(first.db, target.db);
      engines.set(engine, target);
    }
  }, 120_000);
  afterAll(async () => {
    first?.cleanup();
    for (const target of engines.values()) await target.close();
  });

  it('ends every clip’s history at the views and refresh time its row shows', () => {
    const mismatched = first.db.$client
      .prepare(
        `SELECT count(*) AS n FROM clips c
          WHERE c.enrichment_state = 'done'
            AND (SELECT h.view_count FROM clip_view_history h WHERE h.clip_id = c.clip_id ORDER BY h.observed_at DESC LIMIT 1) <> c.view_count`,
      )
      .get() as { n: number };
    expect(mismatched.n).toBe(0);
    const stale = first.db.$client
      .prepare(
        `SELECT count(*) AS n FROM clips c
          WHERE c.enrichment_state = 'done'
            AND (SELECT max(h.observed_at) FROM clip_view_history h WHERE h.clip_id = c.clip_id) <> c.views_refreshed_at`,
      )
      .get() as { n: number };
    expect(stale.n).toBe(0);
  });

  for (const engine of testEngines()) {
    describe(engine, () => {
      it('ranks this week’s clips by views per hour otherwise than by views, every one with a velocity', async () => {
        const db = (engines.get(engine) as TestDatabase).db;
        const byViews = (await thisWeek(db, 'view_count')).map((c) => c.clip_id);
        const byVelocity = await thisWeek(db, 'view_velocity');
        expect(byVelocity).toHaveLength(10);
        expect(byVelocity.every((c) => c.view_velocity !== null && c.view_velocity > 0)).toBe(true);
        const velocities = byVelocity.map((c) => c.view_velocity as number);
        expect(velocities).toEqual([...velocities].sort((a, b) => b - a));
        expect(byVelocity.map((c) => c.clip_id)).not.toEqual(byViews);
      });

      it('holds enough first-day history in every age bucket for taking-off alerts to judge', async () => {
        const db = (engines.get(engine) as TestDatabase).db;
        const guildId = await largestGuild(db);
        const windowStart = END - DAY_MS;
        for (const [minAgeMs, maxAgeMs] of AGE_BUCKETS_MS) {
          const history = velocitiesAtAge(
            await viewsAtAge(
              db,
              guildId,
              { minAgeMs, maxAgeMs, createdAfter: windowStart - 90 * DAY_MS, createdBefore: windowStart },
              20_000,
            ),
          );
          expect(history.length, `bucket ${minAgeMs / 60_000} min`).toBeGreaterThanOrEqual(MIN_SAMPLE);
        }
      });
    });
  }

  it('is the same for the same seed and differs for another', async () => {
    const again = build(5);
    const other = build(6);
    try {
      const velocity = async (db: Db) => (await thisWeek(db, 'view_velocity')).map((c) => [c.clip_id, c.view_velocity]);
      expect(await velocity(again.db)).toEqual(await velocity(first.db));
      const history = (db: Db) =>
        queries(db).all('SELECT clip_id, observed_at, view_count FROM clip_view_history ORDER BY clip_id, observed_at');
      expect(await history(again.db)).toEqual(await history(first.db));
      expect(await history(other.db)).not.toEqual(await history(first.db));
    } finally {
      again.cleanup();
      other.cleanup();
    }
  }, 60_000);
});
