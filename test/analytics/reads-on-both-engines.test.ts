// Every analytics read gives the same answer on PostgreSQL as on SQLite: one generated community written to both
// with the same statements, its summaries built by each engine's own full rebuild, then every analysis asked of both, from the summaries and from the raw tables. The SQLite answers are pinned on a
// few figures worked out from the seed, so that two engines agreeing on an empty answer cannot pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildGuild } from '../../src/analytics/aggregate/rebuild';
import { compare } from '../../src/analytics/compare';
import { engagementTimeline } from '../../src/analytics/engagement-timeline';
import { growthOpportunities } from '../../src/analytics/growth-opportunities';
import { overview } from '../../src/analytics/overview';
import { peakTimes } from '../../src/analytics/peak-times';
import { createAnalytics, type Analytics } from '../../src/analytics/service';
import { topCreators } from '../../src/analytics/top-creators';
import { topGames } from '../../src/analytics/top-games';
import type { AnalysisContext, PeriodQuery } from '../../src/analytics/types';
import { viralClips } from '../../src/analytics/viral-clips';
import { queries } from '../../src/db/sql';
import { openTestDatabase, SKIP_POSTGRES, type TestDatabase } from '../helpers/engines';
import { GUILD, NOW, OTHER_GUILD, seedCommunity } from './community-seed';

const TZ = 'Europe/Berlin';
const ctx: AnalysisContext = { guildId: GUILD, timezone: TZ, now: NOW };
const PERIODS: PeriodQuery[] = [
  { type: 'all_time' },
  { type: 'month' },
  { type: 'month', offset: 1 },
  { type: 'week', offset: 1 },
  { type: 'day', offset: 2 },
];

let sqlite: TestDatabase;
let postgres: TestDatabase | undefined;

beforeAll(async () => {
  sqlite = await openTestDatabase('sqlite', 'reads-parity');
  await seedCommunity(sqlite.db);
  await rebuildGuild(sqlite.db, GUILD, TZ, NOW);
  if (!SKIP_POSTGRES) {
    postgres = await openTestDatabase('postgres', 'reads-parity');
    await seedCommunity(postgres.db);
    await rebuildGuild(postgres.db, GUILD, TZ, NOW);
  }
}, 60_000);

afterAll(async () => {
  await postgres?.close();
  await sqlite?.close();
});

/** The answer of `read` on each engine: the PostgreSQL one must equal SQLite's, which is returned for pinning. */
async function both<T>(read: (db: TestDatabase['db'], analytics: Analytics) => Promise<T>): Promise<T> {
  const expected = await read(sqlite.db, createAnalytics(sqlite.db));
  if (postgres) expect(await read(postgres.db, createAnalytics(postgres.db))).toEqual(expected);
  return expected;
}

describe.skipIf(SKIP_POSTGRES)('analytics reads on PostgreSQL and SQLite', () => {
  it('seeds a community whose raw rows are the same on both engines', async () => {
    for (const table of ['clips', 'shares', 'reactions', 'reaction_baselines', 'clip_view_history', 'latest_names']) {
      const count = async (t: TestDatabase) => (await queries(t.db).get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n;
      expect(await count(postgres!)).toBe(await count(sqlite));
    }
  });

  it('answers overviews from the summaries and from the raw tables alike', async () => {
    for (const period of PERIODS) {
      const fromSummaries = await both((db) => overview(db, ctx, { period }));
      expect(await both((db) => overview(db, ctx, { period, source: 'raw' }))).toEqual(fromSummaries);
    }
    const all = await both((db) => overview(db, ctx));
    expect(all.total_clips).toBeGreaterThan(50);
    expect(all.top_creator).not.toBeNull();
    // An answer cut in another timezone than the summaries' is computed from the raw tables.
    await both((db) => overview(db, { ...ctx, timezone: 'UTC' }, { period: { type: 'month' } }));
  });

  it('ranks creators and games by every sort, from the summaries and the raw tables alike', async () => {
    for (const period of PERIODS) {
      for (const sort of ['clip_count', 'total_views', 'avg_views', 'discord_shares', 'discord_reactions'] as const) {
        const ranked = await both((db) => topCreators(db, ctx, { period, sort, limit: 4 }));
        expect(await both((db) => topCreators(db, ctx, { period, sort, limit: 4, source: 'raw' }))).toEqual(ranked);
      }
      for (const sort of ['clip_count', 'total_views', 'avg_view_count', 'discord_shares', 'discord_reactions'] as const) {
        const ranked = await both((db) => topGames(db, ctx, { period, sort, limit: 10 }));
        expect(await both((db) => topGames(db, ctx, { period, sort, limit: 10, source: 'raw' }))).toEqual(ranked);
      }
    }
    const creators = await both((db) => topCreators(db, ctx, { limit: 10 }));
    // Alice's newer clips carry her new name; the leaderboard shows it.
    expect(creators.creators.map((c) => c.creator_name)).toContain('Alice_New');
    const games = await both((db) => topGames(db, ctx, { limit: 10 }));
    expect(games.games.map((g) => g.game_name)).toEqual(expect.arrayContaining(['Chess', 'Unknown game', 'Game g9']));
    // A period nothing happened in is held and empty.
    expect((await both((db) => topCreators(db, { ...ctx, now: NOW + 400 * 86_400_000 }, { period: { type: 'day' } }))).creators).toEqual(
      [],
    );
  });

  it('lists viral clips by views, reactions and velocity, for the guild, one creator or one game', async () => {
    for (const period of PERIODS) {
      for (const sort of ['view_count', 'discord_reactions', 'view_velocity'] as const) {
        await both((db) => viralClips(db, ctx, { period, sort, limit: 7 }));
        await both((db) => viralClips(db, ctx, { period, sort, limit: 5, min_views: 1000 }));
      }
    }
    const viral = await both((db) => viralClips(db, ctx, { sort: 'view_velocity', limit: 10 }));
    expect(viral.clips.some((c) => c.view_velocity !== null)).toBe(true);
    const a = createAnalytics(sqlite.db);
    for (const sort of ['view_count', 'discord_reactions', 'view_velocity'] as const) {
      await both((_db, an) => an.viralClips(ctx, { period: { type: 'all_time' }, limit: 5, sort, minViews: 0, creatorId: 'c2' }));
      await both((_db, an) => an.viralClips(ctx, { period: { type: 'all_time' }, limit: 5, sort, minViews: 0, gameId: '' }));
      await both((_db, an) =>
        an.viralClips(ctx, { period: { type: 'month', offset: 1 }, limit: 5, sort, minViews: 10, creatorId: 'c1', gameId: 'g1' }),
      );
    }
    expect(
      (await a.viralClips(ctx, { period: { type: 'all_time' }, limit: 50, sort: 'view_count', minViews: 0, creatorId: 'c2' })).clips.every(
        (c) => c.creator_id === 'c2',
      ),
    ).toBe(true);
  });

  it('answers peak times, timelines, comparisons and growth opportunities alike', async () => {
    for (const period of PERIODS) {
      const peaks = await both((db) => peakTimes(db, ctx, { period }));
      expect(await both((db) => peakTimes(db, ctx, { period, source: 'raw' }))).toEqual(peaks);
      if (period.type !== 'all_time') await both((db) => compare(db, ctx, { period }));
      await both((db) => growthOpportunities(db, ctx, { period, limit: 5 }));
    }
    for (const bucket of ['day', 'week', 'month'] as const) {
      const timeline = await both((db) => engagementTimeline(db, ctx, { bucket, days: 120 }));
      expect(await both((db) => engagementTimeline(db, ctx, { bucket, days: 120, source: 'raw' }))).toEqual(timeline);
    }
    expect((await both((db) => peakTimes(db, ctx))).best_hour).not.toBeNull();
  });

  it('drills down into one game’s creators and one creator’s games', async () => {
    for (const period of PERIODS) {
      await both((_db, an) => an.topCreators(ctx, { period, limit: 5, sort: 'total_views', gameId: 'g1' }));
      await both((_db, an) => an.topCreators(ctx, { period, limit: 5, sort: 'clip_count', gameId: '' }));
      await both((_db, an) => an.topGames(ctx, { period, limit: 5, sort: 'discord_reactions', creatorId: 'c1' }));
      await both((_db, an) => an.creatorRow(ctx, period, 'c3'));
      await both((_db, an) => an.gameRow(ctx, period, 'g2'));
    }
    expect(await both((_db, an) => an.creatorRow(ctx, { type: 'all_time' }, 'c1'))).toMatchObject({ creator_name: 'Alice_New' });
  });

  it('shows clip details, suggests and finds names, lists guilds and reads status alike', async () => {
    for (const clipId of ['Clip000', 'Clip001', 'Clip005', 'Nope'])
      await both((_db, an) => an.clipDetails(GUILD, clipId, { shareLimit: 2, historyLimit: 2 }));
    for (const typed of ['', 'ch', '100%', 'zzz', 'ALICE']) {
      await both((_db, an) => an.suggestGames(GUILD, typed, 5));
      await both((_db, an) => an.suggestCreators(GUILD, typed, 5));
    }
    expect((await both((_db, an) => an.suggestCreators(GUILD, '100%', 5))).map((e) => e.name)).toEqual(['carol_100%']);
    for (const text of ['chess', 'CHESS', 'g2', 'Alice_New', 'c4', 'nobody']) {
      await both((_db, an) => an.findGame(GUILD, text));
      await both((_db, an) => an.findCreator(GUILD, text));
    }
    expect(await both((_db, an) => an.findGame(GUILD, 'chess'))).toMatchObject({ id: 'g1', name: 'Chess' });
    expect(await both((_db, an) => an.guildName(GUILD))).toBe('Clip Club');
    const guilds = await both((_db, an) => an.guilds());
    expect(guilds.map((g) => g.guildId)).toEqual([GUILD, OTHER_GUILD]);
    await both((_db, an) => an.guildStatus(GUILD));
    expect((await both((_db, an) => an.health())).queue.pending).toBeGreaterThan(0);
    expect(await both((_db, an) => an.largestGuild())).toEqual({ guildId: GUILD, clips: 90 });
    await both((_db, an) => an.dataVersion(GUILD));
    await both((_db, an) => an.dataVersion(OTHER_GUILD));
  });

  it('reads a whole answer in one snapshot', async () => {
    await both((_db, an) =>
      an.snapshot(async (s) => [
        await s.overview(ctx, { type: 'all_time' }),
        await s.topGames(ctx, { period: { type: 'all_time' }, limit: 3, sort: 'clip_count' }),
      ]),
    );
  });
});
