import { recordMessage } from '../../src/capture/record-share';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { databaseTarget, openDb } from '../../src/db/open';
import { queries } from '../../src/db/sql';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';

let app: App | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// On PostgreSQL the app gets a database of the server through DATABASE_URL, opened by openDb as the entry point does.
describe.each(testEngines())('scheduled aggregation on %s', (engine) => {
  let postgres: TestPostgresDatabase | undefined;
  beforeAll(async () => {
    if (engine === 'postgres') postgres = await createPostgresDatabase('aggregate-jobs');
  });
  afterAll(() => postgres?.drop());

  it('registers the incremental and nightly jobs, which fill the summaries and record their summary line', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-app-'));
    const env = { HTTP_ENABLED: 'false', AGGREGATE_CRON: '0 4 * * *' };
    const config = loadConfig(postgres ? { DATABASE_URL: postgres.url, ...env } : { DATABASE_PATH: path.join(dir, 'c.db'), ...env });
    const opened = postgres ? await openDb(databaseTarget(config)) : undefined;
    app = createApp({ config, logger: silentLogger(), clock: new ManualClock(Date.parse('2026-04-20T12:00:00Z')), db: opened });
    const db = app.db;
    await db.transaction((tx) =>
      recordMessage(
        tx,
        {
          guildId: 'g',
          channelId: 'c',
          messageId: 'm',
          authorId: 'u',
          authorName: 'u',
          authorIsBot: false,
          postedAt: Date.parse('2026-04-19T12:00:00Z'),
          content: 'https://clips.twitch.tv/Slug',
          source: 'discord',
        },
        Date.parse('2026-04-19T12:00:00Z'),
      ),
    );
    expect(await app.scheduler.runNow('aggregate-incremental')).toBe(true);
    const incremental = await queries(db).get("SELECT last_summary, last_error FROM job_runs WHERE job = 'aggregate-incremental'");
    expect(incremental).toEqual({
      last_summary: expect.stringMatching(/^4 buckets recomputed \(4 of 4 guild periods rebuilt in full, 1 dirty hour\) for 1 guild/),
      last_error: null,
    });
    const allTime = await queries(db).get<{ discord_shares: number | string }>(
      "SELECT discord_shares FROM guild_period_stats WHERE period_type = 'all_time'",
    );
    expect(Number(allTime?.discord_shares)).toBe(1);
    expect(await app.scheduler.runNow('aggregate-full')).toBe(true);
    const full = await queries(db).get<{ last_summary: string }>("SELECT last_summary FROM job_runs WHERE job = 'aggregate-full'");
    expect(full?.last_summary).toMatch(/^4 buckets recomputed \(4 of 4 guild periods rebuilt in full, 0 dirty hours\)/);
  });
});
