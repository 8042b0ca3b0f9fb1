// Wiring: the composition root applies clipper roles after each incremental aggregation, through its own bot, and the
// job's summary line says what changed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../src/app';
import { recordMessage } from '../../src/capture/record-share';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { queries } from '../../src/db/sql';
import { silentLogger } from '../../src/logger';
import { createRolesAdmin } from '../../src/roles/admin';
import { member, role, snowflake, startFakeDiscord, textChannel, user, type FakeDiscord } from '../fakes/discord';

const NOW = Date.UTC(2026, 10, 25, 12);

describe('clipper roles in the app', () => {
  let dir: string;
  let discord: FakeDiscord;
  let app: App | null = null;

  afterEach(async () => {
    await app?.stop();
    await discord?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the role after the incremental aggregation and names it in the job summary', async () => {
    const guildId = snowflake();
    const botRole = snowflake();
    const topSharer = snowflake();
    const carol = user({ username: 'carol' });
    discord = await startFakeDiscord({
      guilds: [
        {
          id: guildId,
          name: 'Clip Town',
          channels: [textChannel({ guild_id: guildId, name: 'general' })],
          roles: [
            role({ id: guildId }),
            role({ id: botRole, name: 'Clipscope', position: 2, permissions: (1n << 28n).toString() }),
            role({ id: topSharer, name: 'Top Sharer', position: 1, permissions: '0' }),
          ],
          members: [member(carol)],
          botRoles: [botRole],
        },
      ],
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-roles-app-'));
    const clock = new ManualClock(NOW);
    app = createApp({
      config: loadConfig({
        DATABASE_PATH: path.join(dir, 'db.sqlite'),
        HTTP_ENABLED: 'false',
        DISCORD_API_BASE_URL: discord.apiBaseUrl,
        DISCORD_TOKEN: discord.token,
        ROLES_CHANGES_PER_RUN: '5',
      }),
      logger: silentLogger(),
      clock,
    });
    await app.start();
    await recordMessage(
      app.db,
      {
        guildId,
        messageId: snowflake(),
        channelId: 'c1',
        threadId: null,
        authorId: carol.id,
        authorName: 'carol',
        authorIsBot: false,
        postedAt: NOW - 60_000,
        content: 'https://clips.twitch.tv/Slug',
        source: 'discord',
      },
      NOW,
    );
    const roles = createRolesAdmin({ db: app.db, clock });
    await roles.add(guildId, { roleId: topSharer, kind: 'top_sharers_by_shares', createdBy: 'admin' });
    await roles.preview(guildId, topSharer);
    await roles.enable(guildId, topSharer);
    // The bot may still be receiving its guild; a run before that leaves the rule for the next one.
    await vi.waitFor(
      async () => {
        await app!.scheduler.runNow('aggregate-incremental');
        expect(discord.guilds[0]!.members![0]!.roles).toEqual([topSharer]);
      },
      { timeout: 15_000, interval: 200 },
    );
    const run = await queries(app.db).get<{ last_summary: string }>(
      "SELECT last_summary FROM job_runs WHERE job = 'aggregate-incremental'",
    );
    // (A cron tick may have run the job again since, with nothing left to give.)
    expect(run?.last_summary).toMatch(/; roles: 1 rules, [01] given, 0 taken back$/);
  });
});
