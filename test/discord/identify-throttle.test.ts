// The identify throttle shared through the database, on both engines: two bots (as two processes would, each with its
// own database handle) running shards of one rate-limit key identify 5 s apart by the fake gateway's clock, and one bot
// running both shards paces them as @discordjs/ws's own throttler does.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCaptureService } from '../../src/capture/service';
import { systemClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { identifySlotStore, listIdentifySlots } from '../../src/db/stores/identify-slots';
import { createDiscordBot, type DiscordBot } from '../../src/discord/bot';
import { sharedIdentifyThrottler } from '../../src/discord/identify-throttle';
import { createLogger } from '../../src/logger';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { guildsOnEveryShard } from '../helpers/shard-guilds';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** Discord's interval less the fake's own allowance for timer rounding. */
const APART_MS = 4_950;

describe.each(testEngines())('the identify throttle shared through the database on %s', (engine) => {
  let t: TestDatabase;
  let other: { db: Db; close(): Promise<void> };
  let discord: FakeDiscord | null = null;
  const bots: DiscordBot[] = [];
  const logs: LogLine[] = [];

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'identify-throttle');
    other = await t.openAnother();
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.stop()));
    await discord?.stop();
    discord = null;
    logs.length = 0;
  });

  const bot = (db: Db, holder: string, ids: number[]): DiscordBot => {
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => logs.push(JSON.parse(line) as LogLine) } });
    const b = createDiscordBot({
      capture: createCaptureService(db, { logger, clock: systemClock, batchMax: 100 }),
      logger,
      clock: systemClock,
      token: discord!.token,
      apiBaseUrl: discord!.apiBaseUrl,
      shards: { count: 2, ids },
      buildIdentifyThrottler: sharedIdentifyThrottler({ slots: identifySlotStore(db), logger, clock: systemClock, holder }),
    });
    bots.push(b);
    return b;
  };

  it('makes the second of two bots wait 5 s for a shard of the key the first one just identified', async () => {
    // max_concurrency 1: shards 0 and 1 share rate-limit key 0, and the fake gateway enforces the interval.
    discord = await startFakeDiscord({ guilds: guildsOnEveryShard(2, 1), shards: 2, maxConcurrency: 1, heartbeatIntervalMs: 100 });
    await Promise.all([bot(t.db, 'host-a:1:aaaaaa', [0]).start(), bot(other.db, 'host-b:2:bbbbbb', [1]).start()]);

    expect(discord.connectedShards).toEqual([0, 1]);
    expect(discord.identifyThrottleViolations).toBe(0);
    const [first, second] = [...discord.identifies].sort((a, b) => a.at - b.at);
    expect(discord.identifies).toHaveLength(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(APART_MS);
    // The one that waited said so, naming the shard that had the slot and the time it waits.
    const waited = second!.shard![0];
    const holderOfFirst = waited === 1 ? 'host-a:1:aaaaaa' : 'host-b:2:bbbbbb';
    expect(logs.find((l) => l.msg.includes('waits'))).toMatchObject({
      shardId: waited,
      key: 0,
      waitMs: expect.any(Number),
      slotShardId: first!.shard![0],
      slotHolder: holderOfFirst,
      msg: expect.stringMatching(new RegExp(`^discord: shard ${waited} waits \\d+ ms to identify: rate-limit key 0 was used by shard`)),
    });
    expect(await listIdentifySlots(t.db)).toEqual([
      { key: 0, shardId: waited, holder: expect.any(String), identifiedAt: expect.any(Number) },
    ]);
  }, 60_000);

  it('paces two shards of one key in one bot 5 s apart, as @discordjs/ws alone does', async () => {
    discord = await startFakeDiscord({ guilds: guildsOnEveryShard(4, 1), shards: 4, maxConcurrency: 2, heartbeatIntervalMs: 100 });
    const b = createDiscordBot({
      capture: createCaptureService(t.db, { logger: createLogger({ level: 'silent' }), clock: systemClock, batchMax: 100 }),
      logger: createLogger({ level: 'silent' }),
      clock: systemClock,
      token: discord.token,
      apiBaseUrl: discord.apiBaseUrl,
      shards: { count: 4, ids: 'all' },
      buildIdentifyThrottler: sharedIdentifyThrottler({
        slots: identifySlotStore(t.db),
        logger: createLogger({ level: 'silent' }),
        clock: systemClock,
        holder: 'host-c:3:cccccc',
      }),
    });
    bots.push(b);
    await b.start();
    expect(discord.connectedShards).toEqual([0, 1, 2, 3]);
    expect(discord.identifyThrottleViolations).toBe(0);
    const at = (shard: number) => discord!.identifies.find((i) => i.shard?.[0] === shard)!.at;
    // Keys 0 (shards 0 and 2) and 1 (shards 1 and 3): each key's second shard 5 s after its first.
    expect(Math.abs(at(2) - at(0))).toBeGreaterThanOrEqual(APART_MS);
    expect(Math.abs(at(3) - at(1))).toBeGreaterThanOrEqual(APART_MS);
  }, 60_000);
});
