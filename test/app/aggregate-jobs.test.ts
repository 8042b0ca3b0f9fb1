import { recordMessageNow } from '../../src/capture/record-now';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { sqliteClient } from '../../src/db/client';
import { inBulkTransaction as inTransaction } from '../../src/db/bulk';

let app: App | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('scheduled aggregation', () => {
  it('registers the incremental and nightly jobs, which fill the summaries and record their summary line', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-app-'));
    const config = loadConfig({ DATABASE_PATH: path.join(dir, 'c.db'), HTTP_ENABLED: 'false', AGGREGATE_CRON: '0 4 * * *' });
    app = createApp({ config, logger: silentLogger(), clock: new ManualClock(Date.parse('2026-04-20T12:00:00Z')) });
    const db = app.db;
    inTransaction(db, () =>
      recordMessageNow(
        db,
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
    const incremental = sqliteClient(db).prepare("SELECT last_summary, last_error FROM job_runs WHERE job = 'aggregate-incremental'").get();
    expect(incremental).toEqual({
      last_summary: expect.stringMatching(/^4 buckets recomputed \(4 of 4 guild periods rebuilt in full, 1 dirty hour\) for 1 guild/),
      last_error: null,
    });
    expect(sqliteClient(db).prepare("SELECT discord_shares FROM guild_period_stats WHERE period_type = 'all_time'").get()).toEqual({
      discord_shares: 1,
    });
    expect(await app.scheduler.runNow('aggregate-full')).toBe(true);
    const full = sqliteClient(db).prepare("SELECT last_summary FROM job_runs WHERE job = 'aggregate-full'").get() as {
      last_summary: string;
    };
    expect(full.last_summary).toMatch(/^4 buckets recomputed \(4 of 4 guild periods rebuilt in full, 0 dirty hours\)/);
  });
});
