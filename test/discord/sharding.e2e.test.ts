// The sharded gateway end to end: a real discord.js Client against the fake Discord, which recommends 4 shards,
// checks every IDENTIFY's shard and sends each guild's events only on the guild's shard ((guild_id >> 22) % 4).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCaptureService } from '../../src/capture/service';
import { systemClock } from '../../src/clock';
import { queries } from '../../src/db/sql';
import { createDiscordBot, type DiscordBot } from '../../src/discord/bot';
import type { FatalClose } from '../../src/discord/fatal-close';
import type { ShardCountSetting, ShardIdsSetting } from '../../src/discord/shard-plan';
import { createLogger } from '../../src/logger';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { clipMessage, guildsOnEveryShard } from '../helpers/shard-guilds';
import { shardOfGuild, startFakeDiscord, type FakeDiscord, type FakeGuild } from '../fakes/discord';

const SHARDS = 4;
const clipIn = (guild: FakeGuild) =>
  clipMessage(guild, `https://clips.twitch.tv/Shard${shardOfGuild(guild.id, SHARDS)}Clip-${guild.id.slice(-6)}`);

/** `guild@shard` for every MESSAGE_CREATE the client's shards receive from now on. */
function receivedMessages(bot: DiscordBot): string[] {
  const received: string[] = [];
  bot.client.on('raw', (packet: { t?: string; d?: { guild_id?: string } }, shardId: number) => {
    if (packet.t === 'MESSAGE_CREATE') received.push(`${packet.d?.guild_id}@${shardId}`);
  });
  return received;
}

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

describe.each(testEngines())('the sharded gateway on %s', (engine) => {
  let t: TestDatabase;
  let discord: FakeDiscord;
  let bot: DiscordBot | null = null;
  let logs: LogLine[];
  let fatal: FatalClose[];
  const guilds = guildsOnEveryShard(SHARDS, 2);

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'sharding-e2e');
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(async () => {
    await bot?.stop();
    bot = null;
    await discord?.stop();
    await queries(t.db).run('DELETE FROM shares');
    await queries(t.db).run('DELETE FROM clips');
  });

  const startBot = async (shards?: { count: ShardCountSetting; ids: ShardIdsSetting }, maxConcurrency = SHARDS) => {
    discord = await startFakeDiscord({ guilds, shards: SHARDS, maxConcurrency, heartbeatIntervalMs: 100 });
    logs = [];
    fatal = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => logs.push(JSON.parse(line) as LogLine) } });
    bot = createDiscordBot({
      capture: createCaptureService(t.db, { logger, clock: systemClock, batchMax: 100 }),
      logger,
      clock: systemClock,
      token: discord.token,
      apiBaseUrl: discord.apiBaseUrl,
      ...(shards ? { shards } : {}),
      onFatalClose: (close) => fatal.push(close),
    });
    return bot;
  };

  const sharedIn = async () =>
    (await queries(t.db).all<{ guild_id: string }>('SELECT DISTINCT guild_id FROM shares ORDER BY guild_id')).map((r) => r.guild_id);

  it('connects every recommended shard in one process by default and captures every guild’s events', async () => {
    const b = await startBot();
    await b.start();
    expect(discord.connectedShards).toEqual([0, 1, 2, 3]);
    expect(discord.identifies.map((i) => i.shard)).toEqual(expect.arrayContaining([0, 1, 2, 3].map((id) => [id, SHARDS])));
    expect(b.plan).toMatchObject({ shardCount: 4, shardIds: [0, 1, 2, 3], recommended: 4, maxConcurrency: 4 });
    // Heartbeats every 100 ms: each shard soon has a ping.
    await vi.waitFor(() =>
      expect(b.shards()).toEqual([0, 1, 2, 3].map((id) => ({ id, status: 'ready', pingMs: expect.any(Number), guilds: 2 }))),
    );
    expect(b.client.guilds.cache.size).toBe(guilds.length);

    const received = receivedMessages(b);
    for (const guild of guilds) await discord.dispatch('MESSAGE_CREATE', clipIn(guild));
    const expected = guilds.map((g) => g.id).sort();
    await vi.waitFor(async () => expect(await sharedIn()).toEqual(expected), { timeout: 10_000, interval: 50 });
    // Each guild's message came once, on the guild's own shard.
    expect(received.sort()).toEqual(guilds.map((g) => `${g.id}@${shardOfGuild(g.id, SHARDS)}`).sort());

    const started = logs.find((l) => l.msg.startsWith('discord: starting'));
    expect(started).toMatchObject({ shardCount: 4, shardIds: [0, 1, 2, 3], waves: 1 });
    expect(logs.filter((l) => l.msg === 'discord shard ready').map((l) => l.shardId)).toEqual(expect.arrayContaining([0, 1, 2, 3]));
    expect(logs.find((l) => l.msg === 'discord bot logged in; capturing clip links')?.shards).toHaveLength(4);
    expect(fatal).toEqual([]);
  });

  it('runs only DISCORD_SHARD_IDS and so captures only the guilds of those shards', async () => {
    const b = await startBot({ count: 'auto', ids: [1, 3] });
    await b.start();
    expect(discord.connectedShards).toEqual([1, 3]);
    expect(b.shards().map((s) => s.id)).toEqual([1, 3]);

    const received = receivedMessages(b);
    for (const guild of guilds) await discord.dispatch('MESSAGE_CREATE', clipIn(guild));
    const mine = guilds.filter((g) => [1, 3].includes(shardOfGuild(g.id, SHARDS))).map((g) => g.id);
    await vi.waitFor(async () => expect(await sharedIn()).toEqual(mine.sort()), { timeout: 10_000, interval: 50 });
    // The other shards' guilds were never sent to this process.
    await b.idle();
    expect(await sharedIn()).toHaveLength(4);
    expect(received.sort()).toEqual(mine.map((id) => `${id}@${shardOfGuild(id, SHARDS)}`).sort());
  });

  it('ends with a line naming DISCORD_SHARD_COUNT when Discord closes the gateway with 4011 (too few shards)', async () => {
    const b = await startBot({ count: 2, ids: 'all' });
    await expect(b.start()).rejects.toThrow(
      /gateway shard \d closed by Discord with code 4011: sharding required: .*DISCORD_SHARD_COUNT=auto/,
    );
    expect(logs.some((l) => l.level === 60 && l.code === 4011)).toBe(true);
  });

  it('reports a fatal close after login once, for the entry point to exit', async () => {
    const b = await startBot();
    await b.start();
    discord.disconnect(4004, 'Authentication failed.');
    await vi.waitFor(() => expect(fatal).toHaveLength(1));
    expect(fatal[0]).toMatchObject({
      code: 4004,
      message: expect.stringMatching(/closed by Discord with code 4004: Discord rejected DISCORD_TOKEN/),
    });
    expect(logs.filter((l) => l.level === 60)).toHaveLength(1);
  });
});

describe('identify waves', () => {
  it('start shards within Discord’s max_concurrency: one per rate-limit key, 5 s between waves', async () => {
    const discord = await startFakeDiscord({ guilds: guildsOnEveryShard(SHARDS, 2), shards: SHARDS, maxConcurrency: 2 });
    const t = await openTestDatabase('sqlite', 'identify-waves');
    const logger = createLogger({ level: 'silent' });
    const bot = createDiscordBot({
      capture: createCaptureService(t.db, { logger, clock: systemClock, batchMax: 100 }),
      logger,
      clock: systemClock,
      token: discord.token,
      apiBaseUrl: discord.apiBaseUrl,
    });
    try {
      await bot.start();
      expect(discord.connectedShards).toEqual([0, 1, 2, 3]);
      expect(discord.identifyThrottleViolations).toBe(0);
      const at = new Map(discord.identifies.map((i) => [i.shard![0], i.at]));
      // Wave 1 is shards 0 and 1 (keys 0 and 1), wave 2 shards 2 and 3, at least 5 s later per key.
      expect(at.get(2)! - at.get(0)!).toBeGreaterThanOrEqual(4_950);
      expect(at.get(3)! - at.get(1)!).toBeGreaterThanOrEqual(4_950);
      expect(bot.plan?.waves).toEqual([
        [0, 1],
        [2, 3],
      ]);
    } finally {
      await bot.stop();
      await discord.stop();
      await t.close();
    }
  }, 30_000);
});
