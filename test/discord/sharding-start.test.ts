// `npm start` against a Discord that recommends 4 shards: the real entry point in a child process, on both engines,
// with its log, its /healthz and its exit status.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client';
import type { Db } from '../../src/db/database';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import { queries } from '../../src/db/sql';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { logLines, spawnApp, type Child } from '../reliability/child-process';
import { clipMessage, guildsOnEveryShard } from '../helpers/shard-guilds';

const SHARDS = 4;
interface Running {
  child: Child;
  lines(): Record<string, unknown>[];
}

describe('npm start with a sharded gateway', () => {
  let dir: string;
  let discord: FakeDiscord | null = null;
  let running: Running | null = null;
  let reader: { db: Db; close(): Promise<void> } | null = null;
  let postgres: TestPostgresDatabase | null = null;

  afterEach(async () => {
    await running?.child.kill();
    running = null;
    await reader?.close();
    reader = null;
    await postgres?.drop();
    postgres = null;
    await discord?.stop();
    discord = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string>): Running => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-shards-'));
    const logFile = path.join(dir, 'clipscope.log');
    const child = spawnApp(
      {
        DATABASE_PATH: path.join(dir, 'clipscope.db'),
        DISCORD_TOKEN: discord!.token,
        DISCORD_API_BASE_URL: discord!.apiBaseUrl,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        HTTP_ENABLED: 'false',
        ...env,
      },
      logFile,
    );
    const lines = () => logLines(logFile);
    running = { child, lines };
    return running;
  };

  const waitForLine = (r: Running, test: (line: Record<string, unknown>) => boolean) =>
    vi.waitFor(() => expect(r.lines().some(test)).toBe(true), { timeout: 90_000, interval: 50 });

  it.each(testEngines())(
    'on %s, connects all 4 recommended shards in one process, captures every guild and shows the shards in /healthz',
    async (engine) => {
      const guilds = guildsOnEveryShard(SHARDS, 1);
      discord = await startFakeDiscord({ guilds, shards: SHARDS, maxConcurrency: SHARDS, heartbeatIntervalMs: 100 });
      const env: Record<string, string> = { HTTP_ENABLED: 'true', HTTP_PORT: '0', HTTP_READ_WORKERS: '0' };
      if (engine === 'postgres') {
        postgres = await createPostgresDatabase('sharding-start');
        env.DATABASE_URL = postgres.url;
      }
      const r = start(env);
      await waitForLine(r, (l) => l.msg === 'clipscope running');
      expect(discord.connectedShards).toEqual([0, 1, 2, 3]);
      expect(r.lines().find((l) => String(l.msg).startsWith('discord: starting'))).toMatchObject({ shardCount: 4, shardIds: [0, 1, 2, 3] });

      const sent = guilds.map((g) => clipMessage(g, `https://clips.twitch.tv/Start${g.id.slice(-8)}`));
      for (const m of sent) await discord.dispatch('MESSAGE_CREATE', m);
      if (engine === 'postgres') {
        const db = openPostgres({ url: postgres!.url, poolSize: 1 });
        reader = { db, close: () => closePostgres(db) };
      } else {
        const db = openDatabase({ path: path.join(dir, 'clipscope.db'), migrate: false });
        reader = { db, close: async () => closeDatabase(db) };
      }
      const db = reader.db;
      await vi.waitFor(
        async () =>
          expect(
            (await queries(db).all<{ guild_id: string }>('SELECT guild_id FROM shares ORDER BY guild_id')).map((s) => s.guild_id),
          ).toEqual(guilds.map((g) => g.id).sort()),
        { timeout: 10_000, interval: 100 },
      );

      // Heartbeats every 100 ms, so every shard has a ping to show.
      const url = String(r.lines().find((l) => typeof l.url === 'string')?.url);
      await vi.waitFor(
        async () => {
          const health = await (await fetch(`${url}/healthz`)).json();
          expect(health.discord).toEqual({
            status: 'ok',
            shard_count: 4,
            shards: [0, 1, 2, 3].map((id) => ({ id, status: 'ready', ping_ms: expect.any(Number), guilds: 1 })),
          });
        },
        { timeout: 10_000, interval: 100 },
      );

      r.child.process.kill('SIGTERM');
      expect((await r.child.exited).code).toBe(0);
    },
    150_000,
  );

  it('exits 1 with a line naming DISCORD_SHARD_COUNT when Discord closes with 4011 (too few shards)', async () => {
    discord = await startFakeDiscord({ guilds: guildsOnEveryShard(SHARDS, 1), shards: SHARDS });
    const r = start({ DISCORD_SHARD_COUNT: '2' });
    expect((await r.child.exited).code).toBe(1);
    const fatal = r.lines().find((l) => l.level === 60);
    expect(fatal).toMatchObject({
      code: 4011,
      msg: expect.stringMatching(/closed by Discord with code 4011: sharding required: .*DISCORD_SHARD_COUNT/),
    });
    expect(discord.identifies.every((i) => i.shard?.[1] === 2)).toBe(true);
  }, 120_000);

  it('exits 1 with one clear line when Discord closes a shard for good after login (4004)', async () => {
    discord = await startFakeDiscord({ guilds: guildsOnEveryShard(SHARDS, 1), shards: SHARDS });
    const r = start({});
    await waitForLine(r, (l) => l.msg === 'clipscope running');
    discord.disconnect(4004, 'Authentication failed.');
    expect((await r.child.exited).code).toBe(1);
    const fatal = r.lines().filter((l) => l.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ code: 4004, msg: expect.stringMatching(/code 4004: Discord rejected DISCORD_TOKEN/) });
    // It stopped cleanly first: what was captured is committed.
    expect(r.lines().some((l) => l.msg === 'stopped')).toBe(true);
  }, 120_000);
});
