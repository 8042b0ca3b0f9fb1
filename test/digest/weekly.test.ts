// The weekly digest, run with a manual clock across week boundaries, restarts, downtime and several instances,
// posting through a real discord.js Client to the fake Discord.
import type { Client } from 'discord.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock';
import { closeDatabase, openDatabase } from '../../src/db/client';
import type { Db } from '../../src/db/database';
import { queries } from '../../src/db/sql';
import { getGuildSettings, guildSettingsStore, updateGuildSettings } from '../../src/db/guild-settings';
import { digestStore } from '../../src/db/stores/digests';
import { DIGEST_CLAIM_TIMEOUT_MS, digestSchedule, resetDigestFailure, runDueDigests, type DigestDeps } from '../../src/digest/weekly';
import { createAnalytics } from '../../src/analytics/service';
import { createDiscordClient } from '../../src/discord/client';
import { statusEmbed } from '../../src/discord/commands/clipscope-admin';
import { createDigestSender } from '../../src/discord/digest-sender';
import { silentLogger } from '../../src/logger';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { snowflake, startFakeDiscord, textChannel, type FakeDiscord } from '../fakes/discord';
import { enrich, react, shareClip, type FixtureClip } from '../discord/command-bot';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { clearTables } from '../helpers/clear-tables';
import { mirrorTables } from '../analytics/community-seed';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 23 November 2026, 00:00 UTC: the digest for the week of the 16th is due at 10:00. */
const MON_23 = Date.UTC(2026, 10, 23);
const TUE_17 = Date.UTC(2026, 10, 17, 20, 15);
const TUE_10 = Date.UTC(2026, 10, 10, 20, 15);

const guildA = snowflake();
const guildGone = snowflake();
const guildMuted = snowflake();
const digestA = textChannel({ guild_id: guildA, name: 'digest' });
const mutedChannel = textChannel({ guild_id: guildMuted, name: 'announcements' });
const deletedChannelId = snowflake();

const fixture = (clipId: string, creator: 'alice' | 'bob', game: 'jc' | 'er', views: number, createdAt: number): FixtureClip => ({
  clipId,
  title: `Clip ${clipId}`,
  creatorId: creator === 'alice' ? 'c1' : 'c2',
  creatorName: creator === 'alice' ? 'Alice' : 'Bob',
  gameId: game === 'jc' ? 'g1' : 'g2',
  gameName: game === 'jc' ? 'Just Chatting' : 'Elden Ring',
  views,
  createdAt,
});

// The fixture community is written on SQLite by the capture code; on PostgreSQL its rows are copied to the file's
// one database, emptied before each test.
const CAPTURED = ['clips', 'shares', 'reactions'] as const;

describe.each(testEngines())('weekly digest on %s', (engine) => {
  let discord: FakeDiscord;
  let temp: TempDb;
  let postgres: TestDatabase | undefined;
  /** The database under test: the SQLite file, or the PostgreSQL database holding a copy of its captured rows. */
  let db: Db;
  let clock: ManualClock;
  let clients: Client[];

  const login = async (): Promise<Client> => {
    const client = createDiscordClient({ apiBaseUrl: discord.apiBaseUrl });
    clients.push(client);
    await client.login(discord.token);
    await vi.waitFor(() => expect(client.guilds.cache.size).toBe(2), { timeout: 15_000 });
    return client;
  };

  const deps = (client: Client, on = db): DigestDeps => ({
    settings: guildSettingsStore(on),
    digests: digestStore(on),
    clock,
    logger: silentLogger(),
    analytics: createAnalytics(on),
    sender: createDigestSender(client),
  });

  const posts = (channelId: string) => discord.requestsTo('POST', `/channels/${channelId}/messages`);
  const postedEmbed = (channelId: string, index: number) => (posts(channelId)[index]?.body as { embeds: Record<string, any>[] }).embeds[0]!;

  /** Puts what the fixtures wrote on SQLite onto the PostgreSQL database under test. */
  const sync = async () => {
    if (postgres) await mirrorTables(temp.db, postgres.db, CAPTURED);
  };

  /** A second handle on the database under test, as another instance would open it. */
  const another = async (): Promise<{ db: Db; close(): Promise<void> }> => {
    if (postgres) return postgres.openAnother();
    const other = openDatabase({ path: temp.path });
    return { db: other, close: async () => closeDatabase(other) };
  };

  beforeAll(async () => {
    if (engine === 'postgres') postgres = await openTestDatabase('postgres', 'digest-weekly');
  });
  afterAll(async () => {
    await postgres?.close();
  });

  beforeEach(async () => {
    discord = await startFakeDiscord({
      guilds: [
        { id: guildA, name: 'Clip Town', channels: [digestA] },
        { id: guildMuted, name: 'Muted', channels: [mutedChannel] },
      ],
    });
    temp = createTempDb();
    clock = new ManualClock(MON_23);
    clients = [];
    db = postgres?.db ?? temp.db;
    if (postgres) await clearTables(postgres.db);
    const fixtures = temp.db;
    // The covered week (of the 16th): three clips on Tuesday evening, two reactions on one of them.
    const week = [
      fixture('WeekAlpha', 'alice', 'jc', 50, TUE_17),
      fixture('WeekBeta', 'alice', 'jc', 30, TUE_17),
      fixture('WeekGamma', 'bob', 'er', 100, TUE_17),
    ];
    for (const c of week) {
      const messageId = shareClip(fixtures, {
        guildId: guildA,
        channelId: digestA.id,
        clipId: c.clipId,
        authorId: 'u9',
        authorName: 'viewer',
        at: TUE_17 + HOUR,
      });
      enrich(fixtures, guildA, c);
      if (c.clipId === 'WeekGamma') {
        react(fixtures, { guildId: guildA, channelId: digestA.id, messageId, emoji: '🔥', userId: 'u1', at: TUE_17 + 2 * HOUR });
        react(fixtures, { guildId: guildA, channelId: digestA.id, messageId, emoji: '😂', userId: 'u2', at: TUE_17 + 2 * HOUR });
      }
    }
    // The week before: one clip.
    shareClip(fixtures, {
      guildId: guildA,
      channelId: digestA.id,
      clipId: 'Before',
      authorId: 'u9',
      authorName: 'viewer',
      at: TUE_10 + HOUR,
    });
    enrich(fixtures, guildA, fixture('Before', 'bob', 'er', 40, TUE_10));
    await sync();
    await updateGuildSettings(db, guildA, { digestChannelId: digestA.id }, MON_23);
  });

  afterEach(async () => {
    for (const client of clients) await client.destroy();
    await discord.stop();
    temp.cleanup();
  });

  it('covers the previous ISO week at the configured hour in the guild’s timezone', () => {
    const settings = { timezone: 'Europe/Berlin', digestWeekday: 1, digestHour: 10 };
    // Monday 23 Nov, 08:59 UTC = 09:59 in Berlin: last Monday's digest is the latest due.
    const before = digestSchedule(settings, MON_23 + 8 * HOUR + 59 * 60_000);
    expect(before.dueAt).toBe(Date.UTC(2026, 10, 16, 9));
    expect(before.weekDate).toBe('2026-11-09');
    expect(before.nextAt).toBe(Date.UTC(2026, 10, 23, 9));
    const after = digestSchedule(settings, MON_23 + 9 * HOUR);
    expect(after.dueAt).toBe(Date.UTC(2026, 10, 23, 9));
    expect([after.weekDate, after.weekStart, after.weekEnd]).toEqual([
      '2026-11-16',
      Date.UTC(2026, 10, 15, 23),
      Date.UTC(2026, 10, 22, 23),
    ]);
  });

  it('posts exactly once per week with last week’s numbers, across checks, a restart and the next week', async () => {
    clock.set(MON_23 + 10 * HOUR + 5 * 60_000);
    const first = await login();
    const outcomes = await runDueDigests(deps(first));
    expect(outcomes).toMatchObject([{ guildId: guildA, status: 'posted' }]);
    expect(posts(digestA.id)).toHaveLength(1);

    const embed = postedEmbed(digestA.id, 0);
    expect(embed.title).toBe('📬 Weekly clip digest · week of 2026-11-16');
    expect(embed.description).toBe(
      '**3** clips (▲ 200% vs 1)\n**180** views (▲ 350% vs 40)\n**3** shares (▲ 200% vs 1)\n**2** reactions (new vs 0)',
    );
    const value = (name: string) => embed.fields.find((f: { name: string }) => f.name === name)?.value;
    expect(value('🔥 Top clips')).toBe(
      '🥇 [Clip WeekGamma](https://clips.twitch.tv/WeekGamma) · 100 views · by Bob\n' +
        '🥈 [Clip WeekAlpha](https://clips.twitch.tv/WeekAlpha) · 50 views · by Alice\n' +
        '🥉 [Clip WeekBeta](https://clips.twitch.tv/WeekBeta) · 30 views · by Alice',
    );
    expect(value('🎬 Top creators')).toBe('🥇 Alice · 2 clips\n🥈 Bob · 1 clip');
    expect(value('🎮 Top games')).toBe('🥇 Just Chatting · 2 clips\n🥈 Elden Ring · 1 clip');
    expect(value('❤️ Community favourite')).toBe('[Clip WeekGamma](https://clips.twitch.tv/WeekGamma) · 2 reactions (🔥 1 · 😂 1)');
    expect(value('😂 Funniest clip of the week')).toBe('[Clip WeekGamma](https://clips.twitch.tv/WeekGamma) · 1 funny reaction');
    expect(value('⏰ Peak hour')).toBe('20:00–21:00 (UTC) · busiest day: Tuesday');
    expect(value('🌱 Growth opportunity')).toBe('**Elden Ring** clips average 100 views, yet only 1 clip was made. Clip more of it!');
    expect((posts(digestA.id)[0]!.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [] });

    // Later checks the same week, and a restarted process with a new client: nothing more.
    clock.advance(15 * 60_000);
    expect(await runDueDigests(deps(first))).toEqual([]);
    await first.destroy();
    const restarted = await login();
    clock.advance(15 * 60_000);
    expect(await runDueDigests(deps(restarted))).toEqual([]);
    clock.set(MON_23 + 7 * DAY + 9 * HOUR + 59 * 60_000);
    expect(await runDueDigests(deps(restarted))).toEqual([]);
    expect(posts(digestA.id)).toHaveLength(1);

    // Next Monday at 10:00: the week of the 23rd, which was quiet.
    clock.set(MON_23 + 7 * DAY + 10 * HOUR);
    expect(await runDueDigests(deps(restarted))).toMatchObject([{ status: 'posted' }]);
    expect(posts(digestA.id)).toHaveLength(2);
    const quiet = postedEmbed(digestA.id, 1);
    expect(quiet.title).toBe('📬 Weekly clip digest · week of 2026-11-23');
    expect(quiet.description).toBe(
      '🌙 A quiet week: no new clips were shared here.\n\nThe week before had 3 clips and 3 shares.\n\n' +
        'Caught a great moment on stream? Post the Twitch clip link in this server and it will be in next week’s digest.',
    );
    expect(quiet.fields).toBeUndefined();
  });

  it('lists as top creators and games of the week only those with clips made that week, as /clipstats does', async () => {
    // An older clip by another creator, in another game, shared and reacted to during the covered week.
    const old: FixtureClip = {
      clipId: 'OldGem',
      title: 'Clip OldGem',
      creatorId: 'c3',
      creatorName: 'Carol',
      gameId: 'g3',
      gameName: 'Tetris',
      views: 900,
      createdAt: TUE_10 - 3 * DAY,
    };
    const messageId = shareClip(temp.db, {
      guildId: guildA,
      channelId: digestA.id,
      clipId: 'OldGem',
      authorId: 'u9',
      authorName: 'viewer',
      at: TUE_17 + 3 * HOUR,
    });
    enrich(temp.db, guildA, old);
    react(temp.db, { guildId: guildA, channelId: digestA.id, messageId, emoji: '🔥', userId: 'u3', at: TUE_17 + 4 * HOUR });
    await sync();
    clock.set(MON_23 + 10 * HOUR);
    const client = await login();
    expect(await runDueDigests(deps(client))).toMatchObject([{ status: 'posted' }]);
    const embed = postedEmbed(digestA.id, 0);
    const value = (name: string) => embed.fields.find((f: { name: string }) => f.name === name)?.value;
    expect(embed.description).toContain('**4** shares');
    expect(value('🎬 Top creators')).toBe('🥇 Alice · 2 clips\n🥈 Bob · 1 clip');
    expect(value('🎮 Top games')).toBe('🥇 Just Chatting · 2 clips\n🥈 Elden Ring · 1 clip');
  });

  it('after downtime posts only the latest missed week, once', async () => {
    const client = await login();
    clock.set(MON_23 + 10 * HOUR);
    await runDueDigests(deps(client));
    // Down for three weeks and a bit: back on Wednesday 16 December.
    clock.set(MON_23 + 23 * DAY + 15 * HOUR);
    const outcomes = await runDueDigests(deps(client));
    expect(outcomes).toHaveLength(1);
    expect(postedEmbed(digestA.id, 1).title).toBe('📬 Weekly clip digest · week of 2026-12-07');
    expect(await runDueDigests(deps(client))).toEqual([]);
    expect(posts(digestA.id)).toHaveLength(2);
    const weeks = await queries(db).all<{ week_start: number; status: string }>(
      'SELECT week_start, status FROM digest_posts WHERE guild_id = ? ORDER BY week_start',
      [guildA],
    );
    expect(weeks.map((w) => ({ week_start: Number(w.week_start), status: w.status }))).toEqual([
      { week_start: Date.UTC(2026, 10, 16), status: 'posted' },
      { week_start: Date.UTC(2026, 11, 7), status: 'posted' },
    ]);
  });

  it('posts once when several instances check at the same moment', async () => {
    clock.set(MON_23 + 10 * HOUR);
    const [one, two] = [await login(), await login()];
    const second = await another();
    try {
      const results = await Promise.all([runDueDigests(deps(one)), runDueDigests(deps(two, second.db)), runDueDigests(deps(one))]);
      expect(results.flat()).toHaveLength(1);
      expect(posts(digestA.id)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('records a deleted channel or a missing permission, shows it in status, and does not retry in a loop', async () => {
    await updateGuildSettings(db, guildGone, { digestChannelId: deletedChannelId }, MON_23);
    await updateGuildSettings(db, guildMuted, { digestChannelId: mutedChannel.id }, MON_23);
    discord.route('POST', `/channels/${mutedChannel.id}/messages`, () => ({
      status: 403,
      body: { message: 'Missing Permissions', code: 50013 },
    }));
    const client = await login();
    clock.set(MON_23 + 10 * HOUR);
    const outcomes = await runDueDigests(deps(client));
    expect(outcomes.map((o) => [o.guildId, o.status])).toEqual(
      expect.arrayContaining([
        [guildA, 'posted'],
        [guildGone, 'failed'],
        [guildMuted, 'failed'],
      ]),
    );
    expect((await getGuildSettings(db, guildGone)).digestLastError).toBe(
      `The digest channel <#${deletedChannelId}> no longer exists. Fix it, or pick another channel with \`/clipscope-admin digest channel:\`.`,
    );
    expect((await getGuildSettings(db, guildMuted)).digestLastError).toContain('needs Send Messages and Embed Links');

    const attempts = discord.requests.length;
    clock.advance(HOUR);
    expect(await runDueDigests(deps(client))).toEqual([]);
    expect(discord.requests.length).toBe(attempts);

    const status = await statusEmbed(
      {
        settings: guildSettingsStore(db),
        digests: digestStore(db),
        clock,
        analytics: createAnalytics(db),
        services: { aggregateGuild: null, twitch: null, createApiToken: null, backfill: null },
      },
      guildGone,
    );
    const errors = status.fields?.find((f) => f.name === 'Errors')?.value;
    expect(errors).toBe(
      `Digest: The digest channel <#${deletedChannelId}> no longer exists. Fix it, or pick another channel with \`/clipscope-admin digest channel:\`.`,
    );

    // The admin picks a channel that works: the due week gets one more try, and the error is cleared.
    const fixed = await updateGuildSettings(db, guildGone, { digestChannelId: digestA.id }, clock.now());
    await resetDigestFailure(digestStore(db), guildGone, fixed, clock.now());
    expect(await runDueDigests(deps(client))).toMatchObject([{ guildId: guildGone, status: 'posted' }]);
    expect((await getGuildSettings(db, guildGone)).digestLastError).toBeNull();
    expect(await runDueDigests(deps(client))).toEqual([]);
  });

  it('records a post whose response was lost instead of posting it again, and retries a transient failure', async () => {
    const client = await login();
    clock.set(MON_23 + 10 * HOUR);
    // Discord accepts the post, then every answer is lost (a 502 from a proxy): discord.js retries, the nonce keeps
    // those retries from posting again, and the attempt ends as a transient failure.
    discord.route('POST', `/channels/${digestA.id}/messages`, ({ body }) => {
      discord.postMessage(digestA.id, body);
      return { status: 502, body: { message: 'Bad Gateway', code: 0 } };
    });
    const [failed] = await runDueDigests(deps(client));
    expect(failed).toMatchObject({ guildId: guildA, status: 'failed', error: expect.stringContaining('tries again within 15 minutes') });
    expect((await getGuildSettings(db, guildA)).digestLastError).toContain('tries again within 15 minutes');
    const stored = [...(discord.messages.get(digestA.id)?.values() ?? [])];
    expect(stored).toHaveLength(1);
    const postsBefore = posts(digestA.id).length;
    expect(postsBefore).toBeGreaterThan(1);

    // Discord answers again. The next check finds the post in the channel and records it without sending.
    discord.route('POST', `/channels/${digestA.id}/messages`, ({ body }) => ({ body: discord.postMessage(digestA.id, body) }));
    clock.advance(15 * 60_000);
    expect(await runDueDigests(deps(client))).toEqual([
      { guildId: guildA, weekStart: expect.any(Number), status: 'posted', messageId: stored[0]!.id },
    ]);
    expect(posts(digestA.id)).toHaveLength(postsBefore);
    expect((await getGuildSettings(db, guildA)).digestLastError).toBeNull();
    expect(await runDueDigests(deps(client))).toEqual([]);
  });

  it('takes over the claim of an attempt that died before posting, once the claim is stale, and posts once', async () => {
    const client = await login();
    const diedAt = MON_23 + 10 * HOUR;
    const { weekStart } = digestSchedule(await getGuildSettings(db, guildA), diedAt);
    // What a process killed between claiming the week and sending leaves behind.
    await queries(db).run(
      `INSERT INTO digest_posts (guild_id, week_start, channel_id, status, created_at) VALUES (?, ?, ?, 'claimed', ?)`,
      [guildA, weekStart, digestA.id, diedAt],
    );

    // Within the timeout the claim may still be a live attempt elsewhere: nobody else posts.
    clock.set(diedAt + DIGEST_CLAIM_TIMEOUT_MS - 60_000);
    expect(await runDueDigests(deps(client))).toEqual([]);
    expect(posts(digestA.id)).toHaveLength(0);

    clock.set(diedAt + DIGEST_CLAIM_TIMEOUT_MS);
    expect(await runDueDigests(deps(client))).toMatchObject([{ guildId: guildA, weekStart, status: 'posted' }]);
    expect(posts(digestA.id)).toHaveLength(1);
    expect(postedEmbed(digestA.id, 0).title).toBe('📬 Weekly clip digest · week of 2026-11-16');
    expect(await runDueDigests(deps(client))).toEqual([]);
  });
});
