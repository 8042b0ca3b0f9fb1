// The jobs that post to Discord in processes without a gateway client (ROLES=jobs), on both engines: two such apps
// over one database post a due weekly digest exactly once and the clip feed's clips, reading the bot's permissions in
// the channels over REST from the fake Discord (GET /guilds, /members, /channels), and pause a feed whose channel
// denies Send Messages; the monthly report goes out once with its PDF. No gateway session is opened. The sign-in
// checks answer over REST as well.
import { PermissionFlagsBits as P } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { guildSettingsStore, updateGuildSettings } from '../../src/db/guild-settings';
import { createFeed, getFeed } from '../../src/db/stores/feeds';
import { DIGEST_JOB_NAME } from '../../src/digest/weekly';
import { reportStore } from '../../src/db/stores/reports';
import { REPORT_JOB_NAME } from '../../src/reports/monthly';
import { FEED_JOB_NAME } from '../../src/feed/job';
import { createRestBotView } from '../../src/discord/rest/bot-view';
import { createDiscordRest } from '../../src/discord/rest/discord-rest';
import { createLogger, silentLogger } from '../../src/logger';
import { member, multipartParts, role, snowflake, startFakeDiscord, textChannel, user, type FakeDiscord } from '../fakes/discord';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { FILTERS } from '../feed/harness';

const MINUTE = 60_000;
/** Monday 23 November 2026, 10:05 UTC: the digest for the week of the 16th is due (Monday 10:00 by default). */
const NOW = Date.UTC(2026, 10, 23, 10, 5);
const BROADCASTER = '777';

describe.each(testEngines())('jobs over REST on %s', (engine) => {
  let t: TestDatabase | undefined;
  let discord: FakeDiscord | undefined;
  let helix: FakeHelix | undefined;
  let restore: (() => void) | undefined;
  const apps: App[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    await discord?.stop();
    await helix?.stop();
    restore?.();
    await t?.close();
  });

  /** A ROLES=jobs app on its own handle to the test database, posting to the fake Discord over REST. */
  const startJobsApp = async (clock: ManualClock, env: Record<string, string> = {}): Promise<App> => {
    const handle = await t!.openAnother();
    const app = createApp({
      config: loadConfig({
        ...t!.env,
        ROLES: 'jobs',
        HTTP_ENABLED: 'false',
        TZ: 'UTC',
        DISCORD_TOKEN: discord!.token,
        DISCORD_API_BASE_URL: discord!.apiBaseUrl,
        ...env,
      }),
      logger: process.env.DEBUG_REST ? createLogger({ level: 'debug' }) : silentLogger(),
      clock,
      db: handle.db,
    });
    apps.push(app);
    await app.start();
    return app;
  };

  it('posts the due digest once from two ROLES=jobs apps and the feed’s clip, with permissions read over REST', async () => {
    t = await openTestDatabase(engine, 'jobs-rest');
    const guildId = snowflake();
    const botRole = snowflake();
    const everyoneDeniedSend = { id: guildId, type: 0, allow: '0', deny: String(P.SendMessages) };
    const digestChannel = textChannel({ guild_id: guildId, name: 'digest' });
    // @everyone may not post here, the bot's role may: a role allow over the @everyone deny.
    const feedChannel = textChannel({
      guild_id: guildId,
      name: 'clips',
      permission_overwrites: [everyoneDeniedSend, { id: botRole, type: 0, allow: String(P.SendMessages), deny: '0' }],
    });
    const lockedChannel = textChannel({ guild_id: guildId, name: 'locked', permission_overwrites: [everyoneDeniedSend] });
    discord = await startFakeDiscord({
      guilds: [
        {
          id: guildId,
          name: 'Clip Town',
          ownerId: snowflake(),
          channels: [digestChannel, feedChannel, lockedChannel],
          roles: [role({ id: guildId }), role({ id: botRole, name: 'Clipscope', position: 1, permissions: '0' })],
          botRoles: [botRole],
        },
      ],
    });
    helix = new FakeHelix();
    const port = await helix.start();
    restore = useFakeHelixPort(port);
    helix.addGame('509658', 'Just Chatting');
    const clock = new ManualClock(NOW);

    await updateGuildSettings(t.db, guildId, { digestChannelId: digestChannel.id }, NOW);
    const feedOf = (channelId: string) =>
      createFeed(
        t!.db,
        { guildId, channelId, broadcasterId: BROADCASTER, broadcasterLogin: 'bigstreamer', broadcasterName: 'BigStreamer', ...FILTERS },
        NOW,
      );
    const open = await feedOf(feedChannel.id);
    const locked = await feedOf(lockedChannel.id);
    helix.addClip({
      id: 'RestFeedClip',
      broadcaster_id: BROADCASTER,
      broadcaster_name: 'BigStreamer',
      created_at: new Date(NOW + MINUTE / 2).toISOString(),
      view_count: 5,
    });
    clock.advance(MINUTE);

    const twitch = { TWITCH_CLIENT_ID: helix!.clientId, TWITCH_CLIENT_SECRET: helix!.clientSecret, TWURPLE_MOCK_API_PORT: String(port) };
    const [a, b] = [await startJobsApp(clock, twitch), await startJobsApp(clock, twitch)];

    const posts = (channelId: string) => discord!.requestsTo('POST', `/channels/${channelId}/messages`);
    await Promise.all([a.scheduler.runNow(DIGEST_JOB_NAME), b.scheduler.runNow(DIGEST_JOB_NAME)]);
    await b.scheduler.runNow(DIGEST_JOB_NAME);
    await a.scheduler.runNow(DIGEST_JOB_NAME);
    expect(posts(digestChannel.id)).toHaveLength(1);
    const digest = posts(digestChannel.id)[0]!.body as { embeds: { title: string }[]; nonce: string; enforce_nonce: boolean };
    expect(digest.embeds[0]!.title).toBe('📬 Weekly clip digest · week of 2026-11-16');
    expect(digest.enforce_nonce).toBe(true);

    await Promise.all([a.scheduler.runNow(FEED_JOB_NAME), b.scheduler.runNow(FEED_JOB_NAME)]);
    await a.scheduler.runNow(FEED_JOB_NAME);
    const feedPosts = posts(feedChannel.id).map((r) => String((r.body as { content: string }).content).split('\n')[0]);
    expect(feedPosts).toEqual(['https://clips.twitch.tv/RestFeedClip']);
    // The locked channel: paused with what the bot lacks there, computed from the overwrites; nothing posted.
    expect(posts(lockedChannel.id)).toHaveLength(0);
    expect(await getFeed(t.db, guildId, locked.id)).toMatchObject({
      paused: true,
      pauseCause: 'permissions',
      pauseReason: `Clipscope needs Send Messages in <#${lockedChannel.id}>.`,
    });
    expect(await getFeed(t.db, guildId, open.id)).toMatchObject({ paused: false });

    // Every permission came over REST: the guild, the bot's member and the channels; no gateway session at all.
    expect(discord.identifies).toHaveLength(0);
    expect(discord.requestsTo('GET', `/guilds/${guildId}`).length).toBeGreaterThanOrEqual(1);
    expect(discord.requestsTo('GET', `/guilds/${guildId}/members/${discord.bot.id}`).length).toBeGreaterThanOrEqual(1);
    expect(discord.requestsTo('GET', `/channels/${lockedChannel.id}`).length).toBeGreaterThanOrEqual(1);
    // The cache: one feed run asks for the guild once per app, not once per feed.
    expect(discord.requestsTo('GET', `/guilds/${guildId}`).length).toBeLessThanOrEqual(2);
  }, 60_000);

  it('posts the monthly report with its PDF once from two ROLES=jobs apps', async () => {
    t = await openTestDatabase(engine, 'report-rest');
    const guildId = snowflake();
    const reports = textChannel({ guild_id: guildId, name: 'reports' });
    discord = await startFakeDiscord({ guilds: [{ id: guildId, name: 'Clip Club', ownerId: snowflake(), channels: [reports] }] });
    const clock = new ManualClock(Date.UTC(2026, 10, 20));
    await reportStore(t.db).setChannel(guildId, reports.id, clock.now());
    clock.set(Date.UTC(2026, 11, 1, 6));
    const [a, b] = [await startJobsApp(clock), await startJobsApp(clock)];
    await Promise.all([a.scheduler.runNow(REPORT_JOB_NAME), b.scheduler.runNow(REPORT_JOB_NAME)]);
    await b.scheduler.runNow(REPORT_JOB_NAME);
    const posts = discord.requestsTo('POST', `/channels/${reports.id}/messages`);
    expect(posts).toHaveLength(1);
    const parts = multipartParts(posts[0]!);
    expect(parts.find((p) => p.headers.includes('name="payload_json"'))?.body.toString('utf8')).toContain(
      'Clipscope report · November 2026',
    );
    const pdf = parts.find((p) => p.headers.includes('name="files[0]"'));
    expect(pdf?.headers).toContain('filename="clipscope-report-november-2026.pdf"');
    expect(pdf?.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(discord.identifies).toHaveLength(0);
  }, 60_000);

  it('answers the sign-in checks over REST: Manage Server through a role, the viewer role, a role taken away at once', async () => {
    t = await openTestDatabase(engine, 'signin-rest');
    const guildId = snowflake();
    const otherGuild = snowflake();
    const managers = snowflake();
    const viewers = snowflake();
    const owner = user({ username: 'owner' });
    const alice = user({ username: 'alice' });
    const bob = user({ username: 'bob' });
    discord = await startFakeDiscord({
      guilds: [
        {
          id: guildId,
          name: 'Clip Town',
          ownerId: owner.id,
          channels: [textChannel({ guild_id: guildId, name: 'general' })],
          roles: [
            role({ id: guildId }),
            role({ id: managers, name: 'Managers', position: 2, permissions: String(P.ManageGuild) }),
            role({ id: viewers, name: 'Viewers', position: 1, permissions: '0' }),
          ],
          members: [member(owner), member(alice, { roles: [managers] }), member(bob, { roles: [viewers] })],
        },
      ],
    });
    const view = createRestBotView(
      createDiscordRest({ token: discord.token, apiBaseUrl: discord.apiBaseUrl, clock: new ManualClock(NOW) }),
      guildSettingsStore(t.db),
    );
    expect(await view.memberAccess(guildId, owner.id)).toBe('manage');
    expect(await view.memberAccess(guildId, alice.id)).toBe('manage');
    expect(await view.memberAccess(guildId, bob.id)).toBeNull();
    expect(await view.memberAccess(guildId, snowflake())).toBeNull();
    expect(await view.memberAccess(otherGuild, alice.id)).toBeNull();

    await updateGuildSettings(t.db, guildId, { dashboardViewerRoleId: viewers }, NOW);
    expect(await view.memberAccess(guildId, bob.id)).toBe('view');
    expect(
      await view.signInAccess(bob.id, [
        { id: guildId, manages: false },
        { id: otherGuild, manages: true },
      ]),
    ).toEqual([{ id: guildId, name: 'Clip Town', icon: null, access: 'view' }]);
    expect(await view.presentIn([guildId, otherGuild])).toEqual([guildId]);
    expect(await view.roles(guildId)).toEqual([
      { id: managers, name: 'Managers' },
      { id: viewers, name: 'Viewers' },
    ]);

    // Alice loses the Managers role on Discord: the next check, within the cache's TTL, already refuses her.
    discord.guilds[0]!.members!.find((m) => m.user.id === alice.id)!.roles = [];
    expect(await view.memberAccess(guildId, alice.id)).toBeNull();
  }, 30_000);
});
