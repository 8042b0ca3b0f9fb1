import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { closePostgres, openPostgres, type PostgresDb } from '../../src/db/postgres/engine';
import { migratePostgres } from '../../src/db/schema-postgres/migrate';
import { queries } from '../../src/db/sql';
import { startFakeDiscordHistory, type FakeDiscordHistory } from '../fakes/discord-history';
import { clearTables } from '../helpers/clear-tables';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const TOKEN = 'cli-token';
const snowflake = (iso: string): string => ((BigInt(Date.parse(iso) - 1420070400000) << 22n) | 1n).toString();

describe.each(testEngines())('clipscope backfill on %s', (engine) => {
  let fake: FakeDiscordHistory;
  // SQLite: a file per test; PostgreSQL: one database for the file (DATABASE_URL), emptied before each test.
  let temp: TempDb | null = null;
  let server: TestPostgresDatabase | null = null;
  let pg: PostgresDb | null = null;

  beforeAll(async () => {
    if (engine !== 'postgres') return;
    server = await createPostgresDatabase('cli-backfill');
    pg = openPostgres({ url: server.url, poolSize: 2 });
    await migratePostgres(pg.pool);
  });
  afterAll(async () => {
    if (pg) await closePostgres(pg);
    await server?.drop();
  });

  beforeEach(async () => {
    fake = await startFakeDiscordHistory({ token: TOKEN });
    temp = engine === 'sqlite' ? createTempDb() : null;
    if (pg) await clearTables(pg);
    fake.addChannel({ id: '810000000000000001', type: 0, guild_id: '800000000000000001', name: 'general' }, [
      {
        id: snowflake('2024-02-01T10:00:00.000Z'),
        timestamp: '2024-02-01T10:00:00.000Z',
        content: 'https://clips.twitch.tv/CliBackfillClip',
        author: { id: '900000000000000001', username: 'alice' },
      },
      {
        id: snowflake('2024-02-01T11:00:00.000Z'),
        timestamp: '2024-02-01T11:00:00.000Z',
        content: 'hello',
        author: { id: '900000000000000002', username: 'bob' },
      },
    ]);
  });
  afterEach(async () => {
    await fake.close();
    temp?.cleanup();
  });

  async function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const stdout = new PassThrough().on('data', (c: Buffer) => out.push(c));
    const stderr = new PassThrough().on('data', (c: Buffer) => err.push(c));
    const code = await runCli(args, {
      stdout,
      stderr,
      env: { ...(server ? { DATABASE_URL: server.url } : { DATABASE_PATH: temp!.path }), ...env },
    });
    return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
  }

  describe('clipscope backfill', () => {
    it('crawls the channel through the configured REST base and reports what it found', async () => {
      const result = await run(['backfill', '--channel', '810000000000000001', '--since', '2024-01-01'], {
        DISCORD_TOKEN: TOKEN,
        DISCORD_API_BASE_URL: fake.apiBaseUrl,
      });
      expect(result.stderr).not.toContain('clipscope backfill:');
      expect(result.stdout).toBe(
        'Backfilled #general: 2 messages scanned back to 2024-02-01, 1 clip share found. New clips wait in the enrichment queue ("clipscope enrich").\n',
      );
      expect(result.code).toBe(0);
      const expected = [{ clip_id: 'CliBackfillClip', source: 'backfill' }];
      if (pg) expect(await queries(pg).all('SELECT clip_id, source FROM shares')).toEqual(expected);
      else {
        const db = openDatabase({ path: temp!.path });
        expect(db.$client.prepare('SELECT clip_id, source FROM shares').all()).toEqual(expected);
        closeDatabase(db);
      }

      const again = await run(['backfill', '--channel', '810000000000000001', '--since', '2024-01-15'], {
        DISCORD_TOKEN: TOKEN,
        DISCORD_API_BASE_URL: fake.apiBaseUrl,
      });
      expect(again.stdout).toBe(
        '#general was already backfilled (2 messages scanned back to 2024-02-01, 1 clip share found); use --restart to crawl it again.\n',
      );
    });

    it('says in one line what is missing or wrong', async () => {
      const noToken = await run(['backfill', '--channel', '810000000000000001'], {});
      expect(noToken.code).toBe(1);
      expect(noToken.stderr).toBe(
        'clipscope backfill: DISCORD_TOKEN is not set: the crawl reads history through the bot, so set the bot token in .env or the environment\n',
      );
      expect((await run(['backfill'], { DISCORD_TOKEN: TOKEN })).stderr).toContain('--channel expects a Discord channel id');
      expect((await run(['backfill', '--channel', '1', '--since', 'yesterday'], { DISCORD_TOKEN: TOKEN })).stderr).toContain(
        '--since expects a date',
      );
      const denied = await run(['backfill', '--channel', '42'], { DISCORD_TOKEN: TOKEN, DISCORD_API_BASE_URL: fake.apiBaseUrl });
      expect(denied.code).toBe(1);
      expect(denied.stderr).toBe('clipscope backfill: channel 42 does not exist (or the bot cannot see it)\n');
    });
  });
});
