// `npm start` with DISCORD_PROCESSES=2 against a Discord that recommends 4 shards: the real entry point forks two bot
// children of 2 shards each; one is killed with -9 while events stream and is restarted; every event is stored once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client';
import type { Db } from '../../src/db/database';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import { queries } from '../../src/db/sql';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { startFakeDiscord, type FakeDiscord, type FakeGuild } from '../fakes/discord';
import { logLines, spawnApp, type Child } from '../reliability/child-process';
import { clipMessage, guildsOnEveryShard } from '../helpers/shard-guilds';

const SHARDS = 4;
type Line = Record<string, unknown>;

describe('npm start with DISCORD_PROCESSES=2', () => {
  let dir: string;
  let discord: FakeDiscord | null = null;
  let child: Child | null = null;
  let reader: { db: Db; close(): Promise<void> } | null = null;
  let postgres: TestPostgresDatabase | null = null;
  let logFile: string;

  afterEach(async () => {
    await child?.kill();
    child = null;
    await reader?.close();
    reader = null;
    await postgres?.drop();
    postgres = null;
    await discord?.stop();
    discord = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const lines = (): Line[] => logLines<Line>(logFile);
  // Generous waits: each child loads the whole app (several seconds each on a loaded machine); none is a timed assertion.
  const waitForLine = (test: (line: Line) => boolean, timeout = 240_000) =>
    vi.waitFor(() => expect(lines().some(test)).toBe(true), { timeout, interval: 50 });

  const start = (env: Record<string, string>): Child => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-processes-'));
    logFile = path.join(dir, 'clipscope.log');
    child = spawnApp(
      {
        DATABASE_PATH: path.join(dir, 'clipscope.db'),
        DISCORD_TOKEN: discord!.token,
        DISCORD_API_BASE_URL: discord!.apiBaseUrl,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        HTTP_ENABLED: 'false',
        DISCORD_PROCESSES: '2',
        ...env,
      },
      logFile,
    );
    return child;
  };

  it.each(testEngines())(
    'on %s, runs 2 shards in each of 2 children, restarts one killed with -9 and stores every event once',
    async (engine) => {
      const guilds = guildsOnEveryShard(SHARDS, 2);
      // max_concurrency 2: child 0's shards (0, 1) and child 1's (2, 3) share the rate-limit keys, so the second child
      // may identify only 5 s after the first; the fake counts an earlier IDENTIFY as a violation.
      discord = await startFakeDiscord({ guilds, shards: SHARDS, maxConcurrency: 2, heartbeatIntervalMs: 1_000 });
      const env: Record<string, string> = { HTTP_ENABLED: 'true', HTTP_PORT: '0', HTTP_READ_WORKERS: '0' };
      if (engine === 'postgres') {
        postgres = await createPostgresDatabase('sharding-processes');
        env.DATABASE_URL = postgres.url;
      }
      const app = start(env);
      await waitForLine((l) => l.msg === 'clipscope running' && l.botProcess === undefined);
      expect(discord.connectedShards).toEqual([0, 1, 2, 3]);
      expect(discord.identifyThrottleViolations).toBe(0);
      const starting = lines().filter((l) => String(l.msg).startsWith('discord: starting'));
      // The children load side by side, so their lines come in any order.
      expect(starting.map((l) => [l.botProcess, l.shardCount, l.shardIds]).sort()).toEqual([
        [0, 4, [0, 1]],
        [1, 4, [2, 3]],
      ]);
      // The parent runs no gateway of its own: every IDENTIFY came from a child, once per shard.
      expect(discord.identifies.map((i) => i.shard).sort()).toEqual([0, 1, 2, 3].map((id) => [id, SHARDS]));
      // The parent schedules the jobs that post to Discord itself, over REST (docs/adr/0037), instead of warning.
      const parent = lines().filter((l) => l.botProcess === undefined);
      expect(parent.some((l) => String(l.msg).includes('run here over REST'))).toBe(true);
      expect(parent.some((l) => String(l.msg).includes('are not run on this host'))).toBe(false);

      const url = String(lines().find((l) => typeof l.url === 'string')?.url);
      const health = async () => (await (await fetch(`${url}/healthz`)).json()).discord;
      await vi.waitFor(
        async () =>
          expect(await health()).toEqual({
            status: 'ok',
            shard_count: 4,
            shards: [0, 1, 2, 3].map((id) => ({ id, status: 'ready', ping_ms: expect.any(Number), guilds: 2 })),
          }),
        { timeout: 10_000, interval: 100 },
      );

      if (engine === 'postgres') {
        const db = openPostgres({ url: postgres!.url, poolSize: 1 });
        reader = { db, close: () => closePostgres(db) };
      } else {
        const db = openDatabase({ path: path.join(dir, 'clipscope.db'), migrate: false });
        reader = { db, close: async () => closeDatabase(db) };
      }
      const db = reader.db;
      const stored = async () =>
        queries(db).all<{ message_id: string; n: number }>('SELECT message_id, COUNT(*) AS n FROM shares GROUP BY message_id');
      const sent: string[] = [];
      const stream = async (round: string) => {
        for (const guild of guilds) {
          const m = clipMessage(guild, `https://clips.twitch.tv/${round}${(guild as FakeGuild).id.slice(-8)}`);
          sent.push(m.id);
          await discord!.dispatch('MESSAGE_CREATE', m);
        }
      };
      const allStored = () =>
        vi.waitFor(async () => expect((await stored()).map((r) => r.message_id).sort()).toEqual([...sent].sort()), {
          timeout: 20_000,
          interval: 100,
        });

      await stream('Before');
      await allStored();

      // Kill -9 the child of shards 0 and 1 once its events are stored; events keep coming for every shard meanwhile.
      const ready0 = lines().find((l) => l.msg === 'bot process 0 (shards 0,1) ready');
      process.kill(Number(ready0?.pid), 'SIGKILL');
      await discord.waitFor(() => discord!.connectedShards.join() === '2,3');
      const down = await health();
      expect(down.status).toBe('degraded');
      expect(down.shards.filter((s: { status: string }) => s.status !== 'ready').map((s: { id: number }) => s.id)).toEqual([0, 1]);
      await stream('During');
      await waitForLine((l) => l.msg === 'bot process 0 (shards 0,1) exited (signal SIGKILL); restarting in 1000 ms');
      await vi.waitFor(() => expect(lines().filter((l) => l.msg === 'bot process 0 (shards 0,1) ready')).toHaveLength(2), {
        timeout: 240_000,
        interval: 100,
      });
      expect(discord.connectedShards).toEqual([0, 1, 2, 3]);
      await stream('After');
      await allStored();
      expect((await stored()).every((r) => Number(r.n) === 1)).toBe(true);
      expect(discord.identifyThrottleViolations).toBe(0);
      await vi.waitFor(async () => expect((await health()).status).toBe('ok'), { timeout: 10_000, interval: 100 });

      // SIGTERM on the parent stops both children cleanly (their captures committed) and exits 0.
      app.process.kill('SIGTERM');
      expect((await app.exited).code).toBe(0);
      const stoppedBots = lines().filter((l) => l.msg === 'discord bot stopped; pending captures committed');
      expect(stoppedBots.map((l) => l.botProcess).sort()).toEqual([0, 1]);
      expect(lines().some((l) => l.msg === 'bot processes stopped')).toBe(true);
    },
    600_000,
  );

  // One engine: the supervisor's exit does not depend on the database.
  it('exits 1 with one line when Discord closes a child’s shard for good (4004), and stops the other child', async () => {
    discord = await startFakeDiscord({ guilds: guildsOnEveryShard(SHARDS, 1), shards: SHARDS, heartbeatIntervalMs: 100 });
    const app = start({});
    await waitForLine((l) => l.msg === 'clipscope running' && l.botProcess === undefined);
    discord.disconnect(4004, 'Authentication failed.');
    expect((await app.exited).code).toBe(1);
    const parentFatal = lines().filter((l) => l.level === 60 && l.botProcess === undefined);
    expect(parentFatal).toHaveLength(1);
    expect(parentFatal[0]?.msg).toMatch(/^bot process \d \(shards \d,\d\) ended: Discord closed one of its shards for good/);
    expect(lines().filter((l) => l.level === 60 && l.code === 4004).length).toBeGreaterThanOrEqual(1);
    // No child was restarted after it.
    expect(lines().some((l) => String(l.msg).includes('restarting in'))).toBe(false);
  }, 400_000);

  it('refuses more processes than the shards Discord recommends, naming DISCORD_PROCESSES', async () => {
    discord = await startFakeDiscord({ guilds: guildsOnEveryShard(SHARDS, 1), shards: SHARDS });
    const app = start({ DISCORD_PROCESSES: '5' });
    expect((await app.exited).code).toBe(1);
    expect(fs.readFileSync(logFile, 'utf8')).toContain('DISCORD_PROCESSES=5 is more than the 4 shards this host runs');
    expect(discord.identifies).toEqual([]);
  }, 120_000);
});
