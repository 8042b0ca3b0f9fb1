// The composition root with a bot token: slash commands answered through the app's own bot, and the weekly
// digest job registered with the scheduler (and absent when the bot is disabled).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../src/app';
import { ManualClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { snowflake, startFakeDiscord, textChannel, user, type FakeDiscord } from './fakes/discord';
import { chatInput, subcommand } from './fakes/discord/interactions';
import { databaseTarget, openDb } from '../src/db/open';
import { queries } from '../src/db/sql';
import { clearTables } from './helpers/clear-tables';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from './helpers/engines';

// On PostgreSQL the app gets the file's database through DATABASE_URL, opened by openDb as the entry point does and
// emptied for each test.
describe.each(testEngines())('the app with the Discord bot enabled on %s', (engine) => {
  let postgres: TestPostgresDatabase | undefined;
  beforeAll(async () => {
    if (engine === 'postgres') postgres = await createPostgresDatabase('app-commands');
  });
  afterAll(() => postgres?.drop());

  let dir: string;
  let discord: FakeDiscord;
  let app: App | null;
  const guildId = snowflake();
  const channel = textChannel({ guild_id: guildId, name: 'general' });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-app-'));
    discord = await startFakeDiscord({ guilds: [{ id: guildId, name: 'Clip Town', channels: [channel] }] });
    app = null;
  });

  afterEach(async () => {
    await app?.stop();
    await discord.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const make = async (env: Record<string, string>): Promise<App> => {
    const config = loadConfig({
      ...(postgres ? { DATABASE_URL: postgres.url } : { DATABASE_PATH: path.join(dir, 'db.sqlite') }),
      HTTP_ENABLED: 'false',
      DISCORD_API_BASE_URL: discord.apiBaseUrl,
      ...env,
    });
    const db = postgres ? await openDb(databaseTarget(config)) : undefined;
    if (db) await clearTables(db);
    return createApp({ config, logger: silentLogger(), clock: new ManualClock(Date.UTC(2026, 10, 25, 12)), db });
  };

  it('answers slash commands and runs the digest job', async () => {
    app = await make({ DISCORD_TOKEN: discord.token });
    await app.start();
    const payload = chatInput({
      applicationId: discord.applicationId,
      guildId,
      channel,
      user: user({ username: 'someone' }),
      commandName: 'clipstats',
      options: [subcommand('overview')],
    });
    await discord.dispatch('INTERACTION_CREATE', payload);
    await vi.waitFor(
      () => expect(discord.requests.some((r) => r.method === 'PATCH' && r.path.includes(String(payload.token)))).toBe(true),
      {
        timeout: 15_000,
      },
    );
    const edit = discord.requests.find((r) => r.method === 'PATCH' && r.path.includes(String(payload.token)));
    expect((edit?.body as { embeds: { description: string }[] }).embeds[0]!.description).toContain('No clips in this period yet.');

    // The cron schedule itself may be running the job at this very moment (runNow then skips): either way it ran.
    await app.scheduler.runNow('weekly-digest');
    await vi.waitFor(
      async () =>
        expect(await queries(app!.db).get("SELECT last_summary, last_error FROM job_runs WHERE job = 'weekly-digest'")).toEqual({
          last_summary: 'no digest due',
          last_error: null,
        }),
      { timeout: 15_000 },
    );
  });

  it('has no digest job without a bot token', async () => {
    app = await make({});
    await expect(app.scheduler.runNow('weekly-digest')).rejects.toThrow('unknown job weekly-digest');
  });
});
