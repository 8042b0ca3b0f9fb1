// `npm start` as a user runs it: the real entry point in a child process, its log lines, its exit status.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from './helpers/engines';
import { member, message, snowflake, startFakeDiscord, textChannel, user, type FakeDiscord } from './fakes/discord';

const ROOT = path.resolve(import.meta.dirname, '..');
/** A bound on a start, not a measure of it: migrating a new PostgreSQL database on a loaded CI machine takes a while. */
const START_TIMEOUT_MS = 45_000;

interface Started {
  child: ChildProcess;
  lines: () => Record<string, unknown>[];
  exit: Promise<number | null>;
}

function startClipscope(env: Record<string, string>): Started {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('DISCORD_') && !key.startsWith('TWITCH_') && !key.startsWith('HTTP_') && !key.startsWith('SMTP_'),
    ),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, LOG_LEVEL: 'info', HTTP_ENABLED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, lines, exit };
}

/** The rows of `sql` in the database the child wrote: the SQLite file (read-only), or the PostgreSQL database. */
async function readRows(target: { path: string } | { url: string }, sql: string): Promise<unknown[]> {
  if ('path' in target) {
    const reader = new Database(target.path, { readonly: true });
    try {
      return reader.prepare(sql).all();
    } finally {
      reader.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

// On PostgreSQL the child gets DATABASE_URL of the file's one database, which the first start migrates.
describe.each(testEngines())('npm start on %s', (engine) => {
  let dir: string;
  let running: Started | null = null;
  let discord: FakeDiscord | null = null;
  let postgres: TestPostgresDatabase | undefined;
  beforeAll(async () => {
    if (engine === 'postgres') postgres = await createPostgresDatabase('startup');
  });
  afterAll(() => postgres?.drop());

  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exit;
    }
    running = null;
    await discord?.stop();
    discord = null;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'without DISCORD_TOKEN migrates, says the bot is disabled and which variable enables it, and exits 0 on SIGTERM',
    async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-start-'));
      const dbPath = path.join(dir, 'nested', 'clipscope.db');
      running = startClipscope(postgres ? { DATABASE_URL: postgres.url } : { DATABASE_PATH: dbPath });
      const started = running;
      await vi.waitFor(() => expect(started.lines().some((l) => l.msg === 'clipscope running')).toBe(true), {
        timeout: START_TIMEOUT_MS,
        interval: 50,
      });
      const disabled = started.lines().filter((l) => String(l.msg).includes('Discord bot disabled'));
      expect(disabled).toHaveLength(1);
      expect(disabled[0]!.msg).toContain('set DISCORD_TOKEN');
      const noEmail = started.lines().filter((l) => String(l.msg).includes('Monthly report email disabled'));
      expect(noEmail.map((l) => l.msg)).toEqual(['Monthly report email disabled: set SMTP_URL and REPORT_FROM to enable it']);
      // Migrated: the SQLite file was created (its folder too), the PostgreSQL database has the tables.
      if (postgres) expect(await readRows({ url: postgres.url }, 'SELECT count(*)::int AS n FROM clips')).toEqual([{ n: 0 }]);
      else expect(fs.existsSync(dbPath)).toBe(true);

      started.child.kill('SIGTERM');
      expect(await started.exit).toBe(0);
      expect(started.lines().some((l) => l.msg === 'stopped')).toBe(true);
    },
    2 * START_TIMEOUT_MS,
  );

  it(
    'with DISCORD_TOKEN logs in to Discord, records a shared clip, and exits 0 on SIGTERM',
    async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-start-'));
      const dbPath = path.join(dir, 'clipscope.db');
      const guildId = snowflake();
      const channel = textChannel({ guild_id: guildId, name: 'clips' });
      const alice = user({ username: 'alice' });
      discord = await startFakeDiscord({ guilds: [{ id: guildId, name: 'Start Town', channels: [channel], members: [member(alice)] }] });
      const fake = discord;
      running = startClipscope({
        ...(postgres ? { DATABASE_URL: postgres.url } : { DATABASE_PATH: dbPath }),
        DISCORD_TOKEN: fake.token,
        DISCORD_API_BASE_URL: fake.apiBaseUrl,
        SMTP_URL: 'smtps://reports:smtp-pass-9f3k@mail.example.com:465',
        REPORT_FROM: 'reports@example.com',
      });
      const started = running;
      await vi.waitFor(() => expect(started.lines().some((l) => l.msg === 'clipscope running')).toBe(true), {
        timeout: START_TIMEOUT_MS,
        interval: 50,
      });
      // The token and the SMTP password never appear in the log.
      expect(JSON.stringify(started.lines())).not.toContain(fake.token);
      expect(JSON.stringify(started.lines())).not.toContain('smtp-pass-9f3k');
      expect(started.lines().find((l) => l.msg === 'Monthly report email enabled')).toMatchObject({ smtpHost: 'mail.example.com' });

      const msg = message({
        channel_id: channel.id,
        guild_id: guildId,
        author: alice,
        member: member(alice),
        content: 'https://clips.twitch.tv/StartupClip-abc_123',
      });
      await fake.dispatch('MESSAGE_CREATE', msg);
      const target = postgres ? { url: postgres.url } : { path: dbPath };
      await vi.waitFor(
        async () =>
          expect(await readRows(target, 'SELECT message_id, clip_id FROM shares')).toEqual([
            { message_id: msg.id, clip_id: 'StartupClip-abc_123' },
          ]),
        { timeout: 10_000, interval: 50 },
      );

      started.child.kill('SIGTERM');
      expect(await started.exit).toBe(0);
      expect(started.lines().some((l) => l.msg === 'discord bot stopped; pending captures committed')).toBe(true);
    },
    2 * START_TIMEOUT_MS,
  );

  it(
    'starts only the parts of its ROLES and says which run: bot alone captures and schedules nothing, http alone serves',
    async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-start-'));
      const dbPath = path.join(dir, 'clipscope.db');
      const database: Record<string, string> = postgres ? { DATABASE_URL: postgres.url } : { DATABASE_PATH: dbPath };
      const target = postgres ? { url: postgres.url } : { path: dbPath };
      const guildId = snowflake();
      const channel = textChannel({ guild_id: guildId, name: 'clips' });
      const alice = user({ username: 'alice' });
      discord = await startFakeDiscord({ guilds: [{ id: guildId, name: 'Roles Town', channels: [channel], members: [member(alice)] }] });
      const fake = discord;
      const bot = startClipscope({ ...database, DISCORD_TOKEN: fake.token, DISCORD_API_BASE_URL: fake.apiBaseUrl, ROLES: 'bot' });
      running = bot;
      await vi.waitFor(() => expect(bot.lines().some((l) => l.msg === 'clipscope running')).toBe(true), {
        timeout: START_TIMEOUT_MS,
        interval: 50,
      });
      expect(bot.lines().find((l) => String(l.msg).startsWith('roles: '))).toMatchObject({
        msg: 'roles: bot (not http, jobs)',
        roles: ['bot'],
      });
      expect(
        bot
          .lines()
          .filter((l) => l.msg === 'service started')
          .map((l) => l.service),
      ).toEqual(['discord']);
      // On PostgreSQL the file's earlier starts share the database: count from here.
      const runsBefore = await readRows(target, 'SELECT CAST(count(*) AS integer) AS n FROM job_run_history');
      const msg = message({
        channel_id: channel.id,
        guild_id: guildId,
        author: alice,
        member: member(alice),
        content: 'https://clips.twitch.tv/RolesClip-1',
      });
      await fake.dispatch('MESSAGE_CREATE', msg);
      await vi.waitFor(
        async () =>
          expect(await readRows(target, `SELECT clip_id FROM shares WHERE message_id = '${msg.id}'`)).toEqual([{ clip_id: 'RolesClip-1' }]),
        { timeout: 10_000, interval: 50 },
      );
      // Nothing scheduled: no job took a lease or ran.
      expect(await readRows(target, 'SELECT CAST(count(*) AS integer) AS n FROM job_run_history')).toEqual(runsBefore);

      const http = startClipscope({ ...database, ROLES: 'http', HTTP_ENABLED: 'true', HTTP_PORT: '0' });
      try {
        await vi.waitFor(() => expect(http.lines().some((l) => l.msg === 'clipscope running')).toBe(true), {
          timeout: START_TIMEOUT_MS,
          interval: 50,
        });
        expect(http.lines().find((l) => String(l.msg).startsWith('roles: '))?.msg).toBe('roles: http (not bot, jobs)');
        expect(
          http
            .lines()
            .filter((l) => l.msg === 'service started')
            .map((l) => l.service),
        ).toEqual(['http']);
        expect(http.lines().some((l) => String(l.msg).includes('nothing to serve'))).toBe(false);
        const url = http.lines().find((l) => typeof l.url === 'string')?.url as string;
        expect((await fetch(`${url}/healthz`)).status).toBeLessThan(500);
      } finally {
        http.child.kill('SIGTERM');
        expect(await http.exit).toBe(0);
      }
      bot.child.kill('SIGTERM');
      expect(await bot.exit).toBe(0);
    },
    4 * START_TIMEOUT_MS,
  );
});
