// Refused Twitch credentials are an operator's problem: said once at error level, naming TWITCH_CLIENT_ID and
// TWITCH_CLIENT_SECRET (never their values), not on every scheduled run, and said again only if they are refused
// again after having worked.
import { recordMessageNow } from '../../src/capture/record-now';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createTwitchApi } from '../../src/twitch/client';
import { appResources } from '../helpers/app-resources';
import { sqliteClient } from '../../src/db/client';
import { inBulkTransaction as inTransaction } from '../../src/db/bulk';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

const started = appResources();

function logSink(): { stream: Writable; lines: () => LogLine[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LogLine),
  };
}

const CREDENTIALS_LINE = /^Twitch refused the app credentials: check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET/;

describe('refused Twitch credentials', () => {
  it('are logged once at error level over many scheduled runs, naming the variables and never the secret', async () => {
    const dir = started.tempDir('clipscope-credentials-');
    const { helix, port } = await started.fakeHelix();
    helix.addClip({ id: 'Refused-r1' });
    const wrongSecret = 'wrong-secret-7f3a9c1e5b2d4680';
    const config = loadConfig({
      DATABASE_PATH: path.join(dir, 'db.sqlite'),
      HTTP_ENABLED: 'false',
      TWITCH_CLIENT_ID: helix.clientId,
      TWITCH_CLIENT_SECRET: wrongSecret,
      TWURPLE_MOCK_API_PORT: String(port),
    });
    const sink = logSink();
    const clock = new ManualClock(Date.UTC(2024, 5, 1));
    const app = started.keep(createApp({ config, logger: createLogger({ destination: sink.stream }), clock }));
    const db = app.db;
    inTransaction(db, () =>
      recordMessageNow(
        db,
        {
          guildId: 'g1',
          channelId: 'c1',
          messageId: 'm1',
          authorId: 'u1',
          authorName: 'sharer',
          authorIsBot: false,
          postedAt: clock.now(),
          content: 'https://clips.twitch.tv/Refused-r1',
          source: 'discord',
        },
        clock.now(),
      ),
    );
    sqliteClient(db)
      .prepare(
        "INSERT INTO twitch_channels (guild_id, broadcaster_id, broadcaster_login, broadcaster_name, added_at) VALUES ('g1', '1001', 'somestreamer', 'SomeStreamer', ?)",
      )
      .run(clock.now());

    for (let i = 0; i < 3; i++) {
      expect(await app.scheduler.runNow('twitch-enrich')).toBe(true);
      expect(await app.scheduler.runNow('twitch-channel-sync')).toBe(true);
      clock.advance(60_000);
    }

    const errors = sink.lines().filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(CREDENTIALS_LINE);
    expect(JSON.stringify(sink.lines())).not.toContain(wrongSecret);
    // /clipscope-admin status still shows why each job stopped.
    const runs = sqliteClient(db).prepare('SELECT job, last_error FROM job_runs ORDER BY job').all() as {
      job: string;
      last_error: string;
    }[];
    expect(runs.map((r) => r.job)).toEqual(['twitch-channel-sync', 'twitch-enrich']);
    for (const run of runs) expect(run.last_error).toMatch(/check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET/);
    expect(JSON.stringify(runs)).not.toContain(wrongSecret);
    // And the clip was not charged for it.
    expect(sqliteClient(db).prepare('SELECT enrichment_state, enrichment_attempts FROM clips').get()).toEqual({
      enrichment_state: 'pending',
      enrichment_attempts: 0,
    });
  });

  it('are logged again only after Twitch accepted them in between', async () => {
    const { helix } = await started.fakeHelix();
    helix.addGame('1', 'Game One');
    const sink = logSink();
    const twitch = createTwitchApi({
      clientId: helix.clientId,
      clientSecret: helix.clientSecret,
      logger: createLogger({ destination: sink.stream }),
      retry: { retries: 0 },
      requestTimeoutMs: 5000,
    });
    const unauthorized = {
      kind: 'status',
      status: 401,
      body: { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' },
    } as const;
    const refusedLines = (): LogLine[] => sink.lines().filter((l) => CREDENTIALS_LINE.test(l.msg));

    // Twurple retries a 401 once with a renewed token; both refused is Twitch refusing the app.
    helix.inject(unauthorized, 4, 'games');
    await expect(twitch.getGamesByIds(['1'])).rejects.toMatchObject({ kind: 'auth', reported: true });
    await expect(twitch.getGamesByIds(['1'])).rejects.toMatchObject({ kind: 'auth', reported: true });
    expect(refusedLines()).toHaveLength(1);
    expect(refusedLines()[0]).toMatchObject({ level: 50, status: 401 });

    await expect(twitch.getGamesByIds(['1'])).resolves.toEqual([{ id: '1', name: 'Game One' }]);
    expect(sink.lines().some((l) => l.level === 30 && l.msg === 'Twitch accepts the app credentials again')).toBe(true);

    helix.inject(unauthorized, 2, 'games');
    await expect(twitch.getGamesByIds(['1'])).rejects.toMatchObject({ kind: 'auth' });
    expect(refusedLines()).toHaveLength(2);
    expect(JSON.stringify(sink.lines())).not.toContain(helix.clientSecret);
  });
});
