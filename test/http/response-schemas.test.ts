// The compiled leaderboard serialisers write exactly JSON.stringify's text, for real answers over the fixture
// community (every period, sort and a few limits) and for hand-made answers with every awkward value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import { ManualClock } from '../../src/clock';
import { topCreators } from '../../src/analytics/top-creators';
import { summaryHolds } from '../../src/analytics/summaries';
import { topGames } from '../../src/analytics/top-games';
import { CREATOR_SORTS, GAME_SORTS, PERIOD_TYPES, type TopCreators, type TopGames } from '../../src/analytics/types';
import { serializeTopCreators, serializeTopGames } from '../../src/http/response-schemas';
import { GUILD_A, GUILD_B, NOW, seedCommunity } from '../fixtures/http-community';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const AWKWARD = [
  '',
  'plain',
  'quote " and backslash \\',
  'line\nbreak\ttab\r\u0000\u001f',
  '</script><b>',
  'émoji 🎮 中文',
  'lone \ud800 surrogate',
  '=1+1',
  '\u2028\u2029',
];

describe('leaderboard response serialisers', () => {
  let temp: TempDb;
  beforeAll(() => {
    temp = createTempDb();
    seedCommunity(temp.db);
  });
  afterAll(() => temp.cleanup());

  it('write the same text as JSON.stringify for every period, sort and limit of the fixture guilds, raw and summarised', async () => {
    let answers = 0;
    let rows = 0;
    const check = async (guildId: string): Promise<void> => {
      const ctx = { guildId, timezone: 'UTC', now: NOW };
      for (const type of PERIOD_TYPES) {
        for (const limit of [1, 10, 100]) {
          for (const sort of CREATOR_SORTS) {
            const answer = await topCreators(temp.db, ctx, { period: { type, offset: 0 }, sort, limit });
            expect(serializeTopCreators(answer)).toBe(JSON.stringify(answer));
            answers += 1;
            rows += answer.creators.length;
          }
          for (const sort of GAME_SORTS) {
            const answer = await topGames(temp.db, ctx, { period: { type, offset: 0 }, sort, limit });
            expect(serializeTopGames(answer)).toBe(JSON.stringify(answer));
            answers += 1;
            rows += answer.games.length;
          }
        }
      }
    };
    for (const guildId of [GUILD_A, GUILD_B]) await check(guildId);
    // The same answers read from the summary tables (the leaderboards' raw-mode hot path).
    await aggregateAll(temp.db, { clock: new ManualClock(NOW) });
    for (const type of PERIOD_TYPES) expect(await summaryHolds(temp.db, GUILD_A, type, 'UTC')).toBe(true);
    for (const guildId of [GUILD_A, GUILD_B]) await check(guildId);
    expect(answers).toBe(2 * 2 * PERIOD_TYPES.length * 3 * (CREATOR_SORTS.length + GAME_SORTS.length));
    expect(rows).toBeGreaterThan(200);
  });

  it('write the same text as JSON.stringify for awkward strings, nulls, fractions and large numbers', async () => {
    const period = {
      type: 'range' as const,
      offset: 0,
      start: null,
      end: '2026-11-01T00:00:00.000Z',
      timezone: 'Pacific/Chatham',
      label: 'x',
    };
    for (const text of AWKWARD) {
      const creators: TopCreators = {
        period: { ...period, label: text },
        sort: 'avg_views',
        creators: [
          {
            creator_id: text,
            creator_name: text,
            clip_count: 0,
            total_views: 9_007_199_254_740_991,
            avg_views: 0.1 + 0.2,
            discord_shares: 1,
            discord_reactions: 2,
            unique_games: 3,
            top_game: { id: text, name: text },
          },
          {
            creator_id: '1',
            creator_name: 'b',
            clip_count: 1,
            total_views: 1,
            avg_views: 1e21,
            discord_shares: 0,
            discord_reactions: 0,
            unique_games: 0,
            top_game: null,
          },
        ],
      };
      expect(serializeTopCreators(creators)).toBe(JSON.stringify(creators));
      const games: TopGames = {
        period,
        sort: 'clip_count',
        games: [
          {
            game_id: text,
            game_name: text,
            clip_count: 5,
            total_views: 10,
            avg_view_count: 2.5,
            unique_creators: 1,
            discord_shares: 0,
            discord_reactions: 0,
            top_clip: { id: text, title: text, views: 3, url: `https://clips.twitch.tv/${text}` },
          },
          {
            game_id: '',
            game_name: 'Unknown game',
            clip_count: 1,
            total_views: 0,
            avg_view_count: 0,
            unique_creators: 1,
            discord_shares: 0,
            discord_reactions: 0,
            top_clip: null,
          },
        ],
      };
      expect(serializeTopGames(games)).toBe(JSON.stringify(games));
    }
    expect(serializeTopCreators({ period, sort: 'clip_count', creators: [] })).toBe(
      JSON.stringify({ period, sort: 'clip_count', creators: [] }),
    );
  });

  it('refuse an answer that lacks a property instead of dropping it silently', async () => {
    const broken = {
      period: { type: 'all_time', offset: 0, start: null, end: null, timezone: 'UTC', label: 'All time' },
      sort: 'clip_count',
    };
    expect(() => serializeTopCreators(broken as unknown as TopCreators)).toThrow(/creators/);
  });
});
