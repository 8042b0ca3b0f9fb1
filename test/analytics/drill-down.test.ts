// The drill-downs (one creator, one game) against the unfiltered analyses on a generated community with edits,
// deletions, imported reaction counts and a DST change: every filtered number must add up to the leaderboards. On both
// engines: the community is written on SQLite by the capture code and its raw rows copied to PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creatorSummaryOf, topCreatorsOfGame, viralClipsOf } from '../../src/analytics/drill-down';
import { topCreators } from '../../src/analytics/top-creators';
import { topGames } from '../../src/analytics/top-games';
import type { AnalysisContext, PeriodQuery } from '../../src/analytics/types';
import { viralClips } from '../../src/analytics/viral-clips';
import type { Db } from '../../src/db/database';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { copyTables, RAW_TABLES } from './community-seed';
import { Community, type GuildSpec } from './community-model';

const NOW = Date.parse('2026-04-20T15:00:00Z');
const FROM = Date.parse('2025-12-01T00:00:00Z');
const GUILDS: GuildSpec[] = [
  { id: 'g-east', timezone: 'America/New_York', clips: 160, creators: [0, 12] },
  { id: 'g-other', timezone: 'UTC', clips: 40, creators: [5, 15] },
];
const PERIODS: PeriodQuery[] = [
  { type: 'all_time' },
  { type: 'month', offset: 1 },
  { type: 'week', offset: 6 },
  { type: 'range', from: Date.parse('2026-03-01T05:00:00Z'), to: Date.parse('2026-03-20T04:00:00Z') },
];

let temp: TempDb;
let postgres: TestDatabase | undefined;
const ctx: AnalysisContext = { guildId: 'g-east', timezone: 'America/New_York', now: NOW };

beforeAll(async () => {
  temp = createTempDb();
  const community = new Community(temp.db, 424242, GUILDS, FROM, NOW);
  community.setup();
  for (const guild of GUILDS) {
    const clips = community.createClips(guild, guild.clips);
    community.shareClips(guild, clips);
    for (const clip of clips) {
      const stored = community.clips.get(Community.key(clip.guild, clip.clipId));
      if (stored && !stored.meta) community.enrich(stored, community.planned(clip));
    }
    community.reactAtRandom(guild.id, guild.clips * 2);
    const messages = [...community.messages.values()].filter((m) => m.guild === guild.id);
    for (const message of messages.slice(0, 8)) community.snapshot(message, '😂', ['user1'], 4, message.postedAt + 3_600_000);
    for (const message of messages.slice(8, 14)) community.deleteMessage(message);
  }
  if (testEngines().includes('postgres')) {
    postgres = await openTestDatabase('postgres', 'drill-down');
    await copyTables(temp.db, postgres.db, RAW_TABLES);
  }
}, 60_000);

afterAll(async () => {
  await postgres?.close();
  temp.cleanup();
});

const engineDb = (engine: string): Db => (engine === 'postgres' ? postgres!.db : temp.db);

describe.each(testEngines().flatMap((engine) => PERIODS.map((period) => [engine, period] as const)))(
  'drill-down on %s for %o',
  (engine, period) => {
    const db = () => engineDb(engine);
    it('gives every creator exactly their leaderboard row', async () => {
      const rows = (await topCreators(db(), ctx, { period, limit: 10_000 })).creators;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(await creatorSummaryOf(db(), ctx, { period, creatorId: row.creator_id })).toEqual(row);
    });

    it('splits every game into creators that add up to the game row', async () => {
      const games = (await topGames(db(), ctx, { period, limit: 10_000 })).games;
      for (const game of games) {
        const creators = (await topCreatorsOfGame(db(), ctx, { period, gameId: game.game_id, limit: 10_000 })).creators;
        const sum = (key: 'clip_count' | 'total_views' | 'discord_shares' | 'discord_reactions') =>
          creators.reduce((n, c) => n + c[key], 0);
        expect({
          clip_count: sum('clip_count'),
          total_views: sum('total_views'),
          discord_shares: sum('discord_shares'),
          discord_reactions: sum('discord_reactions'),
          unique_creators: creators.filter((c) => c.clip_count > 0).length,
        }).toEqual({
          clip_count: game.clip_count,
          total_views: game.total_views,
          discord_shares: game.discord_shares,
          discord_reactions: game.discord_reactions,
          unique_creators: game.unique_creators,
        });
      }
    });

    it('lists a creator’s or a game’s viral clips in the order of the full list', async () => {
      const all = (await viralClips(db(), ctx, { period, limit: 10_000, sort: 'view_count' })).clips;
      const creatorId = all[0]?.creator_id;
      if (!creatorId) return;
      expect((await viralClipsOf(db(), ctx, { period, limit: 10_000, creatorId })).clips).toEqual(
        all.filter((c) => c.creator_id === creatorId),
      );
      const gameId = all[0]!.game_id ?? '';
      expect((await viralClipsOf(db(), ctx, { period, limit: 10_000, gameId, sort: 'view_count' })).clips).toEqual(
        all.filter((c) => (c.game_id ?? '') === gameId),
      );
    });
  },
);
