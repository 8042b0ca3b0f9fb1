// Two `bot` processes (ROLES=bot, DISCORD_SHARD_IDS 0-1 and 2-3 of 4) over one database, on both engines: events
// streamed to every shard are recorded exactly once though one process is killed with -9 and started again, and no two
// IDENTIFYs of one rate-limit key come within 5 s of each other (identify slots in the database, the fake checks).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client';
import type { Db } from '../../src/db/database';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import { listActiveShares } from '../../src/db/stores/capture/shares';
import { shardOfGuild, startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { clipMessage, guildsOnEveryShard } from '../helpers/shard-guilds';
import { logLines, spawnApp, waitUntil, type Child } from '../reliability/child-process';

const SHARDS = 4;
/** Two rate-limit keys: shards 0 and 2 share key 0, shards 1 and 3 key 1, across the two processes. */
const MAX_CONCURRENCY = 2;
/** Discord's 5 s less the fake gateway's allowance for timer rounding. */
const APART_MS = 4_950;

interface Running {
  child: Child;
  log: string;
}

const lines = (log: string): Record<string, unknown>[] => logLines(log);

describe.each(testEngines())('bot processes over one database on %s', (engine) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-bots-'));
  const started: Running[] = [];
  let discord: FakeDiscord | null = null;
  let pg: TestPostgresDatabase | null = null;
  let db: Db | null = null;

  afterAll(async () => {
    await Promise.all(started.map((r) => r.child.kill()));
    if (db) {
      if (engine === 'postgres') await closePostgres(db as never);
      else closeDatabase(db);
    }
    await pg?.drop();
    await discord?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records every event once across a kill -9 and restart of one bot process, and paces identifies per rate-limit key', async () => {
    const guilds = guildsOnEveryShard(SHARDS, 2, 'Bots');
    const fake = await startFakeDiscord({ guilds, shards: SHARDS, maxConcurrency: MAX_CONCURRENCY, heartbeatIntervalMs: 1000 });
    discord = fake;
    const database: Record<string, string> = {};
    if (engine === 'postgres') {
      pg = await createPostgresDatabase('bot-roles');
      database.DATABASE_URL = pg.url;
      database.DATABASE_POOL_SIZE = '4';
    } else {
      database.DATABASE_PATH = path.join(dir, 'clipscope.db');
    }
    const common = {
      ...database,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      TZ: 'UTC',
      ROLES: 'bot',
      DISCORD_TOKEN: fake.token,
      DISCORD_API_BASE_URL: fake.apiBaseUrl,
      DISCORD_SHARD_COUNT: String(SHARDS),
    };
    const start = (name: string, ids: string): Running => {
      const log = path.join(dir, `${name}.log`);
      const running = { child: spawnApp({ ...common, DISCORD_SHARD_IDS: ids }, log), log };
      started.push(running);
      return running;
    };
    const running = (r: Running) =>
      waitUntil(() => lines(r.log).some((l) => l.msg === 'clipscope running'), `${r.log} to start`, 90_000, 100);

    // Both start together on a new database: one migrates, and shards 0 and 2 (key 0), 1 and 3 (key 1) race.
    const a = start('bot-a', '0-1');
    const b = start('bot-b', '2-3');
    await running(a);
    await running(b);
    expect(fake.connectedShards).toEqual([0, 1, 2, 3]);
    db =
      engine === 'postgres'
        ? openPostgres({ url: database.DATABASE_URL!, poolSize: 2 })
        : openDatabase({ path: database.DATABASE_PATH!, migrate: false });
    const handle = db;

    const sent = new Map<string, string[]>(guilds.map((g) => [g.id, []]));
    let clip = 0;
    const post = async (guild: (typeof guilds)[number]) => {
      const m = clipMessage(guild, `https://clips.twitch.tv/BotRoles${++clip}Clip-${guild.id.slice(-6)}`);
      sent.get(guild.id)!.push(String(m.id));
      await fake.dispatch('MESSAGE_CREATE', m);
    };
    const round = async () => {
      for (const g of guilds) await post(g);
    };
    const recorded = async () =>
      new Map(await Promise.all(guilds.map(async (g) => [g.id, (await listActiveShares(handle, g.id)).map((s) => s.messageId)] as const)));
    const allRecorded = async (what: string) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const now = await recorded();
        if (guilds.every((g) => sent.get(g.id)!.every((id) => now.get(g.id)!.includes(id)))) return now;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}: sent ${JSON.stringify([...sent])}, recorded ${JSON.stringify([...now])}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };

    await round();
    await round();
    // What the victim received is committed before it dies: what a killed process had not committed is lost, on
    // Discord as here.
    await allRecorded('the first rounds');

    await a.child.kill();
    await fake.waitFor(() => fake.connectedShards.join() === '2,3', 20_000);
    // Shards 0 and 1 are down: their events wait for the shards' next sessions; 2 and 3 go on in bot-b.
    await round();
    await round();
    const again = start('bot-a-again', '0-1');
    // The stream goes on to the live shards while bot-a starts again.
    const liveGuilds = guilds.filter((g) => shardOfGuild(g.id, SHARDS) >= 2);
    let streaming = true;
    const background = (async () => {
      while (streaming) {
        for (const g of liveGuilds) await post(g);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    try {
      await running(again);
    } finally {
      streaming = false;
      await background;
    }
    expect(fake.connectedShards).toEqual([0, 1, 2, 3]);
    await round();
    const final = await allRecorded('every event after the restart');

    // Exactly once: every message sent is one active share, and nothing else is.
    for (const g of guilds) expect([...final.get(g.id)!].sort(), `guild ${g.name}`).toEqual([...sent.get(g.id)!].sort());
    expect([...sent.values()].flat().length).toBeGreaterThanOrEqual(guilds.length * 5);

    // No two IDENTIFYs of one rate-limit key within 5 s, by the fake gateway's clock, across both processes and the restart.
    expect(fake.identifyThrottleViolations).toBe(0);
    for (let key = 0; key < MAX_CONCURRENCY; key++) {
      const at = fake.identifies
        .filter((i) => i.shard![0] % MAX_CONCURRENCY === key)
        .map((i) => i.at)
        .sort((x, y) => x - y);
      expect(at.length, `key ${key}`).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!, `key ${key}, identify ${i}`).toBeGreaterThanOrEqual(APART_MS);
    }
  }, 240_000);
});
