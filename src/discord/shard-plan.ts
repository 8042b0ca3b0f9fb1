// Which gateway shards this process runs, decided from the settings and Discord's GET /gateway/bot answer: the total
// count, this host's ids, and the identify waves Discord's max_concurrency allows (docs/adr/0015-sharding.md). Pure:
// no discord.js, no network, so every rule is tested alone.
import { ClipscopeError } from '../errors';

/** DISCORD_SHARD_COUNT: Discord's recommendation ('auto') or a fixed total for every host of the bot. */
export type ShardCountSetting = 'auto' | number;
/** DISCORD_SHARD_IDS: every shard ('all') or the ids this host runs, ascending and distinct. */
export type ShardIdsSetting = 'all' | number[];

/** The largest total shard count accepted (Discord's biggest bots run a few thousand). */
export const MAX_SHARD_COUNT = 16_384;
/** Seconds Discord asks between two identifies of one rate-limit key (shard_id % max_concurrency). */
export const IDENTIFY_INTERVAL_SECONDS = 5;

/** What GET /gateway/bot answers, as the plan needs it. */
export interface GatewayBotInfo {
  /** The recommended total shard count. */
  shards: number;
  sessionStartLimit: {
    total: number;
    remaining: number;
    /** Milliseconds until `remaining` is reset to `total`. */
    resetAfterMs: number;
    /** Shards that may identify at once, one per rate-limit key. */
    maxConcurrency: number;
  };
}

export interface ShardPlan {
  /** The total shard count every IDENTIFY carries ([id, shardCount]). */
  shardCount: number;
  /** The shards this process runs, ascending. */
  shardIds: number[];
  /** Discord's recommendation at start, for the log (a fixed count below it risks close code 4011). */
  recommended: number;
  maxConcurrency: number;
  /**
   * The identify waves: wave n holds the n-th shard of every rate-limit key, so a wave never has two shards of one key
   * and waves start IDENTIFY_INTERVAL_SECONDS apart. Startup takes about (waves - 1) × 5 s.
   */
  waves: number[][];
}

/** A shard setting that cannot work with what Discord answered; the message names the variable to change. */
export class ShardPlanError extends ClipscopeError {
  constructor(message: string, detail: Record<string, unknown> = {}) {
    super('shard_plan', message, { userFacing: true, detail });
  }
}

/** Decides the shards to run; throws ShardPlanError naming DISCORD_SHARD_COUNT or DISCORD_SHARD_IDS when they cannot work. */
export function planShards(settings: { count: ShardCountSetting; ids: ShardIdsSetting }, gateway: GatewayBotInfo): ShardPlan {
  const recommended = gateway.shards;
  const shardCount = settings.count === 'auto' ? recommended : settings.count;
  if (shardCount > MAX_SHARD_COUNT) {
    throw new ShardPlanError(
      `Discord recommends ${recommended} shards, more than the ${MAX_SHARD_COUNT} Clipscope runs: set DISCORD_SHARD_COUNT explicitly`,
      { recommended },
    );
  }
  const shardIds = settings.ids === 'all' ? Array.from({ length: shardCount }, (_, i) => i) : settings.ids;
  const outside = shardIds.filter((id) => id >= shardCount);
  if (outside.length > 0) {
    const source =
      settings.count === 'auto' ? `Discord recommends ${shardCount} (DISCORD_SHARD_COUNT=auto)` : `DISCORD_SHARD_COUNT=${shardCount}`;
    throw new ShardPlanError(
      `DISCORD_SHARD_IDS names shard ${outside.join(', ')}, but shard ids run from 0 to ${shardCount - 1}: ${source}. ` +
        'Set DISCORD_SHARD_COUNT to the total of every host and DISCORD_SHARD_IDS within it',
      { shardCount, outside },
    );
  }
  const { remaining, resetAfterMs, maxConcurrency } = gateway.sessionStartLimit;
  if (remaining < shardIds.length) {
    throw new ShardPlanError(
      `Discord allows ${remaining} more gateway session starts for this bot until it resets in ${Math.ceil(resetAfterMs / 60_000)} min, ` +
        `fewer than the ${shardIds.length} shards to start: wait for the reset (restarts in a loop use them up)`,
      { remaining, resetAfterMs, shards: shardIds.length },
    );
  }
  return { shardCount, shardIds: [...shardIds], recommended, maxConcurrency, waves: identifyWaves(shardIds, maxConcurrency) };
}

/** Groups shard ids into waves that respect max_concurrency: one shard per rate-limit key (id % maxConcurrency) per wave. */
export function identifyWaves(shardIds: readonly number[], maxConcurrency: number): number[][] {
  const byKey = new Map<number, number[]>();
  for (const id of [...shardIds].sort((a, b) => a - b)) {
    const key = id % maxConcurrency;
    const queue = byKey.get(key) ?? [];
    queue.push(id);
    byKey.set(key, queue);
  }
  const depth = Math.max(0, ...[...byKey.values()].map((q) => q.length));
  const waves: number[][] = [];
  for (let n = 0; n < depth; n++) {
    waves.push(
      [...byKey.values()]
        .map((q) => q[n])
        .filter((id): id is number => id !== undefined)
        .sort((a, b) => a - b),
    );
  }
  return waves;
}

/** The shard a guild's events arrive on: (guild_id >> 22) % shardCount, as Discord routes them (DMs go to shard 0). */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/**
 * Parses DISCORD_SHARD_IDS: `all`, or ids and inclusive ranges separated by commas (`0-3`, `4,5`, `0-1,6`). Returns
 * the ids ascending, or a problem saying what is wrong (the config module prefixes the variable's name).
 */
export function parseShardIds(text: string): { ids: ShardIdsSetting } | { problem: string } {
  const value = text.trim();
  if (value === 'all') return { ids: 'all' };
  const ids = new Set<number>();
  for (const part of value.split(',').map((p) => p.trim())) {
    const match = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(part);
    if (!match) return { problem: `"all" or shard ids and ranges such as "0-3" or "4,5" (not "${part.slice(0, 20)}")` };
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) return { problem: `ranges from low to high ("${part}" runs backwards)` };
    if (to >= MAX_SHARD_COUNT) return { problem: `shard ids below ${MAX_SHARD_COUNT} ("${part}")` };
    for (let id = from; id <= to; id++) {
      if (ids.has(id)) return { problem: `each shard once (shard ${id} is listed twice)` };
      ids.add(id);
    }
  }
  return { ids: [...ids].sort((a, b) => a - b) };
}

/** A shard as /healthz and the log show it. */
export interface ShardStatus {
  id: number;
  /** discord.js's status, lowercased: ready, connecting, reconnecting, idle, nearly, disconnected, waiting_for_guilds, identifying, resuming. */
  status: string;
  /** The last heartbeat's round trip in ms, or null before the first one. */
  pingMs: number | null;
  /** Guilds this shard serves now. */
  guilds: number;
}

/** The gateway as this process runs it: the bot's total shard count and this process's shards. */
export interface GatewayStatus {
  shardCount: number;
  shards: ShardStatus[];
}
