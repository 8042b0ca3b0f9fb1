import os from 'node:os';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { openDatabase, type Db } from '../../src/db/client';
import { startTwitchHarness, type TwitchHarness } from '../helpers/twitch';
import type { Db as AnyDb } from '../../src/db/database';
import { queries, type SqlValue } from '../../src/db/sql';
import { claimClips } from '../../src/db/stores/helix-claims';
import { recordMessage } from '../../src/capture/record-share';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

let h: TwitchHarness | undefined;
/** The PostgreSQL database of the file (emptied before each test); undefined on SQLite, which uses the harness's file. */
let postgres: TestDatabase | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The database the commands run on: the harness's SQLite file, or the file's PostgreSQL database. */
const db = (): AnyDb => postgres?.db ?? h!.temp.db;
/** Counts and attempts as numbers (PostgreSQL gives count(*) as a bigint string). */
const NUMERIC = new Set(['n', 'a', 'misses', 'enrichment_attempts']);
const numeric = (row: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, NUMERIC.has(k) && typeof v === 'string' ? Number(v) : v]));
const rows = async (sql: string, params: SqlValue[] = []) => (await queries(db()).all<Record<string, unknown>>(sql, params)).map(numeric);
const row = async (sql: string, params: SqlValue[] = []) => (await rows(sql, params))[0];
const exec = (sql: string, params: SqlValue[] = []) => queries(db()).run(sql, params);

/** A Discord message sharing the clips, recorded as the capture path does, in the database under test. */
async function share(harness: TwitchHarness, guildId: string, messageId: string, slugs: string[]): Promise<void> {
  if (!postgres) return harness.share(guildId, messageId, slugs);
  const at = harness.clock.now();
  await recordMessage(
    postgres.db,
    {
      guildId,
      channelId: `${guildId}-general`,
      messageId,
      authorId: 'u1',
      authorName: 'sharer',
      authorIsBot: false,
      postedAt: at,
      content: slugs.map((s) => `look https://clips.twitch.tv/${s}`).join('\n'),
      source: 'discord',
    },
    at,
  );
}

/** Opens the file's PostgreSQL database for the engine's describe block, and empties it before each test. */
function useEngine(engine: string): void {
  beforeAll(async () => {
    if (engine === 'postgres') postgres = await openTestDatabase('postgres', 'cli-twitch');
  });
  afterAll(async () => {
    await postgres?.close();
    postgres = undefined;
  });
  beforeEach(async () => {
    if (postgres) await clearTables(postgres.db);
  });
}

const GUILD = '123456789012345678';

async function cli(
  harness: TwitchHarness,
  args: string[],
  env: Record<string, string> = {},
  options: { openDatabase?: (path: string) => Db } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += String(c)));
  stderr.on('data', (c) => (err += String(c)));
  const code = await runCli(args, {
    stdout,
    stderr,
    env: {
      DATABASE_PATH: harness.temp.path,
      ...(postgres ? { DATABASE_URL: postgres.target } : {}),
      TWITCH_CLIENT_ID: harness.helix.clientId,
      TWITCH_CLIENT_SECRET: harness.helix.clientSecret,
      TWURPLE_MOCK_API_PORT: String(harness.helix.port),
      LOG_LEVEL: 'silent',
      ...env,
    },
    openDatabase: options.openDatabase,
  });
  return { code, stdout: out, stderr: err };
}

function slug(i: number): string {
  return `CliClip${String(i).padStart(4, '0')}-q`;
}

/** The command's own connection, refused every page beyond the file's size: SQLITE_FULL, as on a full disk. */
function fullDisk(path: string): Db {
  const db = openDatabase({ path });
  db.$client.pragma('max_page_count = 1');
  return db;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe.each(testEngines())('clipscope enrich on %s', (engine) => {
  useEngine(engine);
  it('drains all pending clips with progress and exits 0', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    const slugs = Array.from({ length: 250 }, (_, i) => slug(i));
    for (const s of slugs.slice(0, 240)) h.helix.addClip({ id: s });
    for (let i = 0; i < 250; i += 25) await share(h, GUILD, `m${i}`, slugs.slice(i, i + 25));

    const result = await cli(h, ['enrich']);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Enriching: 250\/250 clips/);
    expect(result.stderr).toMatch(/Enriched 240 clips, 10 not found on Twitch\./);
    // Three calls for 250 ids, and one second look at the 10 that Twitch left out before calling them gone.
    const calls = h.helix.served('clips').map((c) => c.query.getAll('id'));
    expect(
      calls
        .slice(0, 3)
        .map((ids) => ids.length)
        .sort((a, b) => b - a),
    ).toEqual([100, 100, 50]);
    expect(calls[3]).toHaveLength(10);
    expect(calls[3]!.sort()).toEqual(slugs.slice(240).sort());
    const states = await rows('SELECT enrichment_state AS s, count(*) AS n FROM clips GROUP BY s ORDER BY s');
    expect(states).toEqual([
      { s: 'done', n: 240 },
      { s: 'not_found', n: 10 },
    ]);
  });

  it('says there is nothing to do on an empty queue', async () => {
    h = await startTwitchHarness();
    const result = await cli(h, ['enrich']);
    expect(result).toMatchObject({ code: 0, stdout: 'Nothing to enrich: no pending clips.\n' });
  });

  it('fails with one line naming the variables, and not the secret, when Twitch refuses the credentials', async () => {
    h = await startTwitchHarness();
    await share(h, GUILD, 'm1', ['Pending-p1']);
    const result = await cli(h, ['enrich'], { TWITCH_CLIENT_SECRET: 'wrong-secret-31415926' });
    expect(result.code).toBe(1);
    expect(
      result.stderr
        .trim()
        .split('\n')
        .filter((l) => !/Enriching/.test(l)),
    ).toHaveLength(1);
    expect(result.stderr).toMatch(/clipscope enrich: Twitch refused the app credentials .*check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET/);
    expect(result.stderr).not.toContain('wrong-secret-31415926');
  });

  it('fails with one line naming the variables when Twitch credentials are missing', async () => {
    h = await startTwitchHarness();
    await share(h, GUILD, 'm1', ['Pending-p1']);
    const result = await cli(h, ['enrich'], { TWITCH_CLIENT_ID: '', TWITCH_CLIENT_SECRET: '' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET/);
  });

  it('fails with the reason when Twitch refuses the credentials, leaving the clips pending', async () => {
    h = await startTwitchHarness();
    await share(h, GUILD, 'm1', ['Pending-p1']);
    const result = await cli(h, ['enrich'], { TWITCH_CLIENT_SECRET: 'not-the-secret' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Twitch refused the app credentials \(HTTP 403 \(invalid client secret\)\)/);
    expect(result.stderr).not.toContain('not-the-secret');
    expect(await row('SELECT enrichment_state, enrichment_attempts FROM clips')).toEqual({
      enrichment_state: 'pending',
      enrichment_attempts: 0,
    });
  });

  it('exits non-zero with the last error when clips are still backing off after Twitch errors', async () => {
    h = await startTwitchHarness();
    await share(h, GUILD, 'm1', ['Refused-r1']);
    h.helix.inject({ kind: 'status', status: 400, body: { error: 'Bad Request', status: 400, message: 'odd request' } }, 1, 'clips');
    const result = await cli(h, ['enrich', '--max-wait', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /1 clips still pending after Twitch errors \(last: Get Clips \(1 ids\): Twitch answered HTTP 400 \(odd request\)\)/,
    );
    expect(await row('SELECT enrichment_state, enrichment_attempts FROM clips')).toEqual({
      enrichment_state: 'pending',
      enrichment_attempts: 1,
    });
  });

  // SQLite only: a full disk is a SQLite file's page limit, and the message names that file.
  it.runIf(engine === 'sqlite')(
    'stops on a full disk with one line naming the database file, and keeps every pending clip for the next run',
    async () => {
      h = await startTwitchHarness();
      h.helix.addGame('509658', 'Just Chatting');
      const slugs = Array.from({ length: 150 }, (_, i) => slug(i));
      // Long titles: storing them needs new pages, which the page limit refuses.
      for (const s of slugs) h.helix.addClip({ id: s, title: 'a long title from Twitch '.repeat(100) });
      await share(h, GUILD, 'm1', slugs.slice(0, 75));
      await share(h, GUILD, 'm2', slugs.slice(75));

      const full = await cli(h, ['enrich'], {}, { openDatabase: fullDisk });

      expect(full.code).toBe(1);
      const lastLine = full.stderr.trim().split('\n').at(-1);
      expect(lastLine).toMatch(
        new RegExp(
          `^clipscope enrich: disk full: cannot write ${escapeRegExp(h.temp.path)} \\(or its -wal/-shm files\\); free space on that filesystem.*` +
            `; the 150 pending clips are kept in the queue: run clipscope enrich again once it is fixed$`,
        ),
      );
      expect(full.stderr).not.toMatch(/SQLITE_FULL|database or disk is full/);
      const states = async () =>
        await rows('SELECT enrichment_state AS s, enrichment_attempts AS a, count(*) AS n FROM clips GROUP BY s, a');
      // No clip was written, and none was charged an attempt: the disk was at fault, not the clips.
      expect(await states()).toEqual([{ s: 'pending', a: 0, n: 150 }]);

      const freed = await cli(h, ['enrich']);
      expect(freed.code).toBe(0);
      expect(freed.stderr).toMatch(/Enriched 150 clips, 0 not found on Twitch\./);
      expect(await states()).toEqual([{ s: 'done', a: 0, n: 150 }]);
    },
  );

  it('stops with one line naming the other process when every due clip is claimed by it, instead of spinning', async () => {
    h = await startTwitchHarness();
    const slugs = Array.from({ length: 30 }, (_, i) => slug(i));
    for (const s of slugs) h.helix.addClip({ id: s });
    await share(h, GUILD, 'm1', slugs);
    // Another enricher, alive (this very process's pid), holds every due clip for 10 more minutes.
    const other = { holder: `${os.hostname()}:${process.pid}:feedface`, host: os.hostname(), pid: process.pid };
    expect(await claimClips(db(), { ...other, clipIds: slugs, now: Date.now(), ttlMs: 600_000 })).toHaveLength(30);

    const result = await cli(h, ['enrich']);

    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        `^clipscope enrich: 30 due clips are being enriched by another process: ${escapeRegExp(other.holder)} \\(30 clips, claims expire in (9m5\\ds|10m00s)\\); stopped instead of waiting`,
      ),
    );
    expect(h.helix.served('clips')).toEqual([]);
    expect(await row('SELECT count(*) AS n FROM clips WHERE enrichment_state = ?', ['pending'])).toEqual({ n: 30 });
  });

  it('names the games Twitch had left out once their back-off has passed, and says so', async () => {
    h = await startTwitchHarness();
    const unnamed = ['Unnamed1-u', 'Unnamed2-u', 'Unnamed3-u'];
    for (const s of unnamed) h.helix.addClip({ id: s, game_id: '4242' });
    await share(h, GUILD, 'm1', unnamed);
    const gameNames = async () => await rows('SELECT clip_id, game_name FROM clips ORDER BY clip_id');

    // Get Games leaves the game out: the clips are stored without its name and the miss is remembered.
    const first = await cli(h, ['enrich']);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/Enriched 3 clips, 0 not found on Twitch\.\n/);
    expect(await gameNames()).toEqual(unnamed.map((clip_id) => ({ clip_id, game_name: null })));
    expect(await rows('SELECT game_id, misses FROM game_name_misses')).toEqual([{ game_id: '4242', misses: 1 }]);

    // Twitch knows the game now, but its back-off has not passed: a run right away does not ask.
    h.helix.addGame('4242', 'Retro Racing');
    const gamesCallsBefore = h.helix.served('games').length;
    const early = await cli(h, ['enrich']);
    expect(early).toMatchObject({ code: 0, stdout: 'Nothing to enrich: no pending clips.\n' });
    expect(h.helix.served('games')).toHaveLength(gamesCallsBefore);

    // The back-off has passed, and a new clip of another game is pending.
    await exec('UPDATE game_name_misses SET next_try_at = ?', [Date.now() - 1000]);
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'Chatting1-c' });
    await share(h, GUILD, 'm2', ['Chatting1-c']);
    const due = await cli(h, ['enrich']);

    expect(due.code).toBe(0);
    expect(due.stderr).toMatch(/Enriched 1 clips, 0 not found on Twitch; named 1 game Twitch had left out \(3 clip rows\)\.\n/);
    expect(h.helix.served('games').at(-1)!.query.getAll('id')).toEqual(['4242']);
    expect(await gameNames()).toEqual([
      { clip_id: 'Chatting1-c', game_name: 'Just Chatting' },
      ...unnamed.map((clip_id) => ({ clip_id, game_name: 'Retro Racing' })),
    ]);
    expect(await row('SELECT count(*) AS n FROM game_name_misses')).toEqual({ n: 0 });
  });

  it('says in its help that it names games Twitch had left out', async () => {
    h = await startTwitchHarness();
    const help = await cli(h, ['enrich', '--help']);
    expect(help.stdout).toMatch(/asks Twitch again \(one Get Games call\) for the games it left out/);
  });

  it('puts failed clips back in the queue with --retry-failed', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'GaveUp-g1' });
    await share(h, GUILD, 'm1', ['GaveUp-g1']);
    await exec("UPDATE clips SET enrichment_state = 'failed', enrichment_attempts = 8, enrichment_error = 'HTTP 500'");

    const plain = await cli(h, ['enrich']);
    expect(plain.stdout).toMatch(/1 clip is marked failed \(clipscope enrich --retry-failed/);

    const retried = await cli(h, ['enrich', '--retry-failed']);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/Put 1 failed clip row back in the queue/);
    expect(await row('SELECT enrichment_state FROM clips')).toEqual({ enrichment_state: 'done' });
  });
});

describe.each(testEngines())('clipscope sync-twitch and twitch-channels on %s', (engine) => {
  useEngine(engine);
  function seed(harness: TwitchHarness): void {
    harness.helix.addUser({ id: '777', login: 'bigstreamer', display_name: 'BigStreamer' });
    harness.helix.addGame('509658', 'Just Chatting');
    for (let i = 0; i < 120; i++) {
      harness.helix.addClip({
        id: `Synced${i}-s`,
        broadcaster_id: '777',
        created_at: new Date(Date.UTC(2023, 0, 1) + i * 86_400_000).toISOString(),
      });
    }
  }

  it('registers a channel and imports all of its clips with progress', async () => {
    h = await startTwitchHarness();
    seed(h);
    const result = await cli(h, ['sync-twitch', '--guild', GUILD, '--channel', 'BigStreamer']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Syncing bigstreamer: /);
    expect(result.stderr).toMatch(/BigStreamer: 120 clips read, 120 new, in \d+ Twitch calls/);
    expect(result.stdout).toBe(`Synced 1 channel for server ${GUILD}: 120 new clips.\n`);
    expect(await row('SELECT count(*) AS n FROM clips WHERE guild_id = ? AND discord_shares = 0', [GUILD])).toEqual({
      n: 120,
    });

    // A second run without --channel syncs the registered channel incrementally.
    const again = await cli(h, ['sync-twitch', '--guild', GUILD]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`Synced 1 channel for server ${GUILD}: 0 new clips.\n`);
  });

  // SQLite only: a full disk is a SQLite file's page limit, and the message names that file.
  it.runIf(engine === 'sqlite')('stops on a full disk with one line naming the database file, leaving the channel unsynced', async () => {
    h = await startTwitchHarness();
    seed(h);
    expect((await cli(h, ['twitch-channels', 'add', '--guild', GUILD, 'bigstreamer'])).code).toBe(0);
    const full = await cli(h, ['sync-twitch', '--guild', GUILD], {}, { openDatabase: fullDisk });
    expect(full.code).toBe(1);
    expect(full.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        `^clipscope sync-twitch: stopped at bigstreamer: disk full: cannot write ${escapeRegExp(h.temp.path)} .*; run again once it is fixed$`,
      ),
    );
    expect(full.stderr).not.toMatch(/SQLITE_FULL|database or disk is full/);
    expect(await row('SELECT count(*) AS n FROM clips')).toEqual({ n: 0 });
  });

  it('refuses to sync a server with no registered channel, saying how to add one', async () => {
    h = await startTwitchHarness();
    const result = await cli(h, ['sync-twitch', '--guild', GUILD]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no Twitch channels registered for server .*: pass --channel LOGIN/);
    const bad = await cli(h, ['sync-twitch', '--guild', 'not-a-server']);
    expect(bad.code).toBe(2);
  });

  it('adds, lists and removes channels', async () => {
    h = await startTwitchHarness();
    seed(h);
    expect((await cli(h, ['twitch-channels', 'add', '--guild', GUILD, 'bigstreamer'])).stdout).toMatch(
      /Registered bigstreamer \(BigStreamer, id 777\)/,
    );
    const unknown = await cli(h, ['twitch-channels', 'add', '--guild', GUILD, 'ghost_channel']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Twitch knows no channel "ghost_channel"/);
    expect((await cli(h, ['twitch-channels', 'list', '--guild', GUILD])).stdout).toMatch(
      /^bigstreamer \(BigStreamer, id 777\): never synced\n$/,
    );
    expect((await cli(h, ['twitch-channels', 'remove', '--guild', GUILD, 'bigstreamer'])).code).toBe(0);
    expect((await cli(h, ['twitch-channels', 'list', '--guild', GUILD])).stdout).toBe(
      `No Twitch channels registered for server ${GUILD}.\n`,
    );
  });
});
