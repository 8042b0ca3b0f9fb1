// Moods on the timeline through GET /analytics/api/engagement-timeline on both engines: each bucket's reactions by
// mood after the fields it always had (same names, order and values), from the stored mixes once aggregated and from
// the raw reactions with the guild's mapping when an override makes them stale (then equal to a raw read); the
// compiled serialiser writing JSON.stringify's text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import { engagementTimeline } from '../../src/analytics/engagement-timeline';
import { moodKey } from '../../src/analytics/moods-table';
import { createAnalytics } from '../../src/analytics/service';
import type { EngagementTimeline } from '../../src/analytics/types';
import { createApiToken } from '../../src/auth/tokens';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { resetMoodOverride, setMoodOverride } from '../../src/db/stores/mood-overrides';
import { serializeTimeline } from '../../src/http/response-schemas';
import type { HttpServer } from '../../src/http/server';
import { aggregatedCommunityOn, GUILD_A, GUILD_B, NOW } from '../fixtures/http-community';
import { testEngines } from '../helpers/engines';
import { bearer, startTestServer } from '../helpers/http-server';

const ZERO = { hype: 0, funny: 0, love: 0, wow: 0, sad: 0, negative: 0, other: 0 };
const ctxA = { guildId: GUILD_A, timezone: 'UTC', now: NOW };

describe.each(testEngines())('moods on the engagement timeline on %s', (engine) => {
  let community: { db: Db; close(): Promise<void> } | undefined;
  let db: Db;
  let server: HttpServer;
  let tokenA: string;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    community = await aggregatedCommunityOn(engine, 'timeline-moods-api', clock);
    db = community.db;
    tokenA = (await createApiToken(db, { guildId: GUILD_A }, NOW)).token;
    ({ server } = await startTestServer(db, {}, clock));
  });
  afterAll(async () => {
    await server?.close();
    await community?.close();
  });

  const json = async (url: string): Promise<EngagementTimeline> => {
    const res = await server.app.inject({ url, headers: bearer(tokenA) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('adds each bucket’s moods after the existing fields, from the stored mixes, adding up to its reactions', async () => {
    const body = await json('/analytics/api/engagement-timeline?period=day&days=7');
    expect(Object.keys(body)).toEqual(['bucket', 'days', 'timezone', 'buckets', 'mood_source']);
    expect(body.mood_source).toBe('summaries');
    for (const b of body.buckets) {
      expect(Object.keys(b)).toEqual(['start', 'date', 'clips_created', 'views', 'discord_shares', 'discord_reactions', 'moods']);
      expect(Object.values(b.moods).reduce((x, y) => x + y, 0)).toBe(b.discord_reactions);
    }
    // Tuesday 2026-11-24: two 😂 and one 🔥 on AlphaClipOne's shares; guild B's 👀 that day is not A's.
    expect(body.buckets.find((b) => b.date === '2026-11-24')?.moods).toEqual({ ...ZERO, funny: 2, hype: 1 });
    expect(body.buckets[0]?.moods).toEqual(ZERO);
    expect(body).toEqual(JSON.parse(JSON.stringify(await createAnalytics(db).timeline(ctxA, { bucket: 'day', days: 7 }))));
    const monthly = await json('/analytics/api/engagement-timeline?period=month&days=60');
    const funny = monthly.buckets.reduce((n, b) => n + b.moods.funny, 0);
    expect(funny).toBe(3);
  });

  it('answers the same from the stored mixes as from the raw reactions, for days, weeks and months', async () => {
    for (const [bucket, days] of [
      ['day', 30],
      ['week', 120],
      ['month', 400],
    ] as const) {
      const stored = await engagementTimeline(db, ctxA, { bucket, days });
      const raw = await engagementTimeline(db, ctxA, { bucket, days, source: 'raw' });
      expect(stored.mood_source).toBe('summaries');
      expect(raw.mood_source).toBe('raw');
      expect(stored.buckets, `${bucket} × ${days}`).toEqual(raw.buckets);
    }
  });

  it('uses the raw reactions with the new mapping while an override makes the stored mixes stale', async () => {
    await setMoodOverride(db, GUILD_A, { emoji: moodKey('😂'), mood: 'sad', by: 'alice', now: NOW }, 200);
    try {
      const answer = await engagementTimeline(db, ctxA, { bucket: 'day', days: 7 });
      expect(answer.mood_source).toBe('raw');
      expect(answer.buckets.find((b) => b.date === '2026-11-24')?.moods).toEqual({ ...ZERO, sad: 2, hype: 1 });
      // Guild B keeps the default table.
      const b = await engagementTimeline(db, { ...ctxA, guildId: GUILD_B }, { bucket: 'day', days: 7 });
      expect(b.buckets.find((x) => x.date === '2026-11-24')?.moods).toEqual({ ...ZERO, wow: 1 });
    } finally {
      await resetMoodOverride(db, GUILD_A, moodKey('😂'));
    }
    // The next aggregation run rebuilds the stored mixes with the mapping back to the default table.
    expect((await engagementTimeline(db, ctxA, { bucket: 'day', days: 7 })).mood_source).toBe('raw');
    await aggregateAll(db, { clock });
    const rebuilt = await engagementTimeline(db, ctxA, { bucket: 'day', days: 7 });
    expect(rebuilt.mood_source).toBe('summaries');
    expect(rebuilt.buckets.find((b) => b.date === '2026-11-24')?.moods).toEqual({ ...ZERO, funny: 2, hype: 1 });
  });

  it('writes the same text with the compiled serialiser as JSON.stringify', async () => {
    const analytics = createAnalytics(db);
    for (const [bucket, days] of [
      ['day', 1],
      ['day', 90],
      ['week', 365],
      ['month', 3660],
    ] as const) {
      const answer = await analytics.timeline(ctxA, { bucket, days });
      expect(serializeTimeline(answer)).toBe(JSON.stringify(answer));
    }
    const awkward: EngagementTimeline = {
      bucket: 'day',
      days: 1,
      timezone: 'Europe/Berlin "quoted" \\ \u2028',
      buckets: [
        {
          start: '2026-11-25T00:00:00.000Z',
          date: '2026-11-25',
          clips_created: 0,
          views: 2 ** 40,
          discord_shares: 1,
          discord_reactions: 7,
          moods: { ...ZERO, other: 7 },
        },
      ],
      mood_source: 'raw',
    };
    expect(serializeTimeline(awkward)).toBe(JSON.stringify(awkward));
  });
});
