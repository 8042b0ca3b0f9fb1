// The shard plan: which shards this process runs, in which identify waves, and the settings it refuses.
import { describe, expect, it } from 'vitest';
import { identifyWaves, parseShardIds, planShards, shardOfGuild, ShardPlanError, type GatewayBotInfo } from '../../src/discord/shard-plan';

const gateway = (shards: number, maxConcurrency = 1, remaining = 999): GatewayBotInfo => ({
  shards,
  sessionStartLimit: { total: 1000, remaining, resetAfterMs: 3_600_000, maxConcurrency },
});

describe('planShards', () => {
  it('runs every shard Discord recommends by default', () => {
    expect(planShards({ count: 'auto', ids: 'all' }, gateway(4, 2))).toEqual({
      shardCount: 4,
      shardIds: [0, 1, 2, 3],
      recommended: 4,
      maxConcurrency: 2,
      waves: [
        [0, 1],
        [2, 3],
      ],
    });
  });

  it('runs only the listed shards of a fixed total, whatever Discord recommends', () => {
    const plan = planShards({ count: 8, ids: [4, 5] }, gateway(2));
    expect(plan).toMatchObject({ shardCount: 8, shardIds: [4, 5], recommended: 2 });
  });

  it('refuses shard ids beyond the recommended count, naming DISCORD_SHARD_IDS', () => {
    expect(() => planShards({ count: 'auto', ids: [2, 3, 4] }, gateway(4))).toThrow(ShardPlanError);
    expect(() => planShards({ count: 'auto', ids: [2, 3, 4] }, gateway(4))).toThrow(
      /DISCORD_SHARD_IDS names shard 4, but shard ids run from 0 to 3: Discord recommends 4 \(DISCORD_SHARD_COUNT=auto\)/,
    );
  });

  it('refuses to start more shards than Discord has session starts left', () => {
    expect(() => planShards({ count: 'auto', ids: 'all' }, gateway(4, 1, 3))).toThrow(
      /allows 3 more gateway session starts .* fewer than the 4 shards/,
    );
  });
});

describe('identifyWaves', () => {
  it('puts one shard of each rate-limit key (id % max_concurrency) in a wave', () => {
    expect(identifyWaves([0, 1, 2, 3, 4, 5], 1)).toEqual([[0], [1], [2], [3], [4], [5]]);
    expect(identifyWaves([0, 1, 2, 3, 4, 5], 4)).toEqual([
      [0, 1, 2, 3],
      [4, 5],
    ]);
    // A host running shards 4–7 with max_concurrency 4 starts them in one wave.
    expect(identifyWaves([7, 4, 6, 5], 4)).toEqual([[4, 5, 6, 7]]);
    expect(identifyWaves([1, 3, 5], 2)).toEqual([[1], [3], [5]]);
  });
});

describe('shardOfGuild', () => {
  it('routes a guild as Discord does: (guild_id >> 22) % shard count', () => {
    // 175928847299117063 is Discord's documentation example: created at 41944705796 ms after the epoch.
    expect(shardOfGuild('175928847299117063', 1)).toBe(0);
    expect(shardOfGuild('175928847299117063', 4)).toBe(41944705796 % 4);
    expect(shardOfGuild('175928847299117063', 7)).toBe(41944705796 % 7);
  });
});

describe('parseShardIds', () => {
  it('reads all, single ids and inclusive ranges', () => {
    expect(parseShardIds('all')).toEqual({ ids: 'all' });
    expect(parseShardIds('0-3')).toEqual({ ids: [0, 1, 2, 3] });
    expect(parseShardIds(' 4, 5 ')).toEqual({ ids: [4, 5] });
    expect(parseShardIds('6,0-1')).toEqual({ ids: [0, 1, 6] });
  });

  it('says what is wrong with anything else', () => {
    expect(parseShardIds('3-1')).toEqual({ problem: 'ranges from low to high ("3-1" runs backwards)' });
    expect(parseShardIds('0-2,2')).toEqual({ problem: 'each shard once (shard 2 is listed twice)' });
    expect(parseShardIds('two')).toMatchObject({ problem: expect.stringContaining('"all" or shard ids and ranges') });
    expect(parseShardIds('0-99999')).toMatchObject({ problem: expect.stringContaining('shard ids below 16384') });
    expect(parseShardIds('')).toMatchObject({ problem: expect.any(String) });
  });
});
