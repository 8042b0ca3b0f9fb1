import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app';
import { ManualClock, systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { everySecondsCron } from '../../src/twitch/jobs';
import { createApiToken } from '../../src/auth/tokens';
import { appResources } from '../helpers/app-resources';
import { sqliteClient } from '../../src/db/client';
import { recordMessageNow } from '../../src/capture/record-now';
import { inBulkTransaction as inTransaction } from '../../src/db/bulk';

const started = appResources();

function logSink(): { stream: Writable; lines: () => { level: number; msg: string }[] } {
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
        .map((l) => JSON.parse(l) as { level: number; msg: string }),
  };
}

function share(target: App, slug: string): void {
  inTransaction(target.db, () =>
    recordMessageNow(
      target.db,
      {
        guildId: 'g1',
        channelId: 'c1',
        messageId: 'm1',
        authorId: 'u1',
        authorName: 'sharer',
        authorIsBot: false,
        postedAt: Date.UTC(2024, 5, 1),
        content: `https://clips.twitch.tv/${slug}`,
        source: 'discord',
      },
      Date.UTC(2024, 5, 1),
    ),
  );
}

describe('Twitch wiring of the app', () => {
  it('keeps capturing without Twitch credentials, logs one line on how to enable enrichment, and leaves clips pending', async () => {
    const dir = started.tempDir('clipscope-app-');
    const sink = logSink();
    const config = loadConfig({ DATABASE_PATH: path.join(dir, 'db.sqlite'), HTTP_ENABLED: 'false' });
    const app = started.keep(
      createApp({ config, logger: createLogger({ destination: sink.stream }), clock: new ManualClock(Date.UTC(2024, 5, 1)) }),
    );
    await app.start();

    share(app, 'NoCredentials-n1');

    const twitchLines = sink.lines().filter((l) => /twitch/i.test(l.msg));
    expect(twitchLines).toHaveLength(1);
    expect(twitchLines[0]!.msg).toMatch(/enrichment and the clip feed disabled: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET to enable/);
    expect(app.twitch).toBeNull();
    await expect(app.scheduler.runNow('twitch-enrich')).rejects.toThrow(/unknown job/);
    expect(sqliteClient(app.db).prepare('SELECT clip_id, enrichment_state, discord_shares FROM clips').all()).toEqual([
      { clip_id: 'NoCredentials-n1', enrichment_state: 'pending', discord_shares: 1 },
    ]);
  });

  it('enriches captured clips through the scheduled job when credentials are set', async () => {
    const dir = started.tempDir('clipscope-app-');
    const { helix, port } = await started.fakeHelix();
    helix.addGame('509658', 'Just Chatting');
    helix.addClip({ id: 'WithCredentials-w1', view_count: 42 });
    const config = loadConfig({
      DATABASE_PATH: path.join(dir, 'db.sqlite'),
      HTTP_ENABLED: 'false',
      TWITCH_CLIENT_ID: helix.clientId,
      TWITCH_CLIENT_SECRET: helix.clientSecret,
      TWURPLE_MOCK_API_PORT: String(port),
    });
    const sink = logSink();
    const app = started.keep(
      createApp({ config, logger: createLogger({ destination: sink.stream }), clock: new ManualClock(Date.UTC(2024, 5, 1)) }),
    );
    share(app, 'WithCredentials-w1');

    expect(await app.scheduler.runNow('twitch-enrich')).toBe(true);

    expect(sqliteClient(app.db).prepare('SELECT enrichment_state, view_count, game_name FROM clips').get()).toEqual({
      enrichment_state: 'done',
      view_count: 42,
      game_name: 'Just Chatting',
    });
    expect(sqliteClient(app.db).prepare("SELECT last_summary, last_error FROM job_runs WHERE job = 'twitch-enrich'").get()).toEqual({
      last_summary: 'enriched 1, not found 0, retrying 0, failed 0',
      last_error: null,
    });
    expect(sink.lines().some((l) => /Twitch enrichment enabled, against the mock API/.test(l.msg))).toBe(true);
    expect(JSON.stringify(sink.lines())).not.toContain(helix.clientSecret);
  });

  it('tells the dashboard whether this process looks clips up on Twitch (the status line’s source)', async () => {
    const { helix, port } = await started.fakeHelix();
    const statusOf = async (env: Record<string, string>): Promise<unknown> => {
      const dir = started.tempDir('clipscope-app-');
      const config = loadConfig({ DATABASE_PATH: path.join(dir, 'db.sqlite'), HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', ...env });
      const app = started.keep(createApp({ config, logger: createLogger({ destination: logSink().stream }), clock: systemClock }));
      await app.start();
      share(app, 'Status-s1');
      const token = (await createApiToken(app.db, { guildId: 'g1' }, Date.now())).token;
      const response = await fetch(`${app.httpUrl}/analytics/api/status`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { twitch_enrichment: unknown; enrichment: unknown };
      await app.stop();
      return body;
    };
    expect(await statusOf({})).toMatchObject({
      twitch_enrichment: { configured: false, enable_with: expect.arrayContaining(['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET']) },
      enrichment: { pending: 1 },
    });
    expect(
      await statusOf({ TWITCH_CLIENT_ID: helix.clientId, TWITCH_CLIENT_SECRET: helix.clientSecret, TWURPLE_MOCK_API_PORT: String(port) }),
    ).toMatchObject({ twitch_enrichment: { configured: true } });
  });

  it('turns the enrichment interval into a node-cron schedule', () => {
    expect(everySecondsCron(15)).toBe('*/15 * * * * *');
    expect(everySecondsCron(60)).toBe('0 */1 * * * *');
    expect(everySecondsCron(300)).toBe('0 */5 * * * *');
    expect(everySecondsCron(7200)).toBe('0 0 */2 * * *');
  });
});
