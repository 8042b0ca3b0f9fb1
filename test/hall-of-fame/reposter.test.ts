// End to end: a real discord.js client captures shares and reactions from the fake Discord's gateway into a real
// database, and the hall of fame's pass reposts, edits and removes through the same client: exactly the expected
// reposts, each once, with the right final counts, whatever the duplicates, replays, processes and failures.
import type { Client } from 'discord.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCaptureService, type CaptureService } from '../../src/capture/service';
import { systemClock } from '../../src/clock';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { queries } from '../../src/db/sql';
import { listHallOfFamePosts, setHallOfFameSettings, type HallOfFameSettings } from '../../src/db/stores/hall-of-fame';
import type { Db } from '../../src/db/database';
import { createDiscordBot, type DiscordBot } from '../../src/discord/bot';
import { createDiscordClient } from '../../src/discord/client';
import { createHallOfFameSender } from '../../src/discord/hall-of-fame-sender';
import { createDiscordRest } from '../../src/discord/rest/discord-rest';
import { createRestHallOfFameSender } from '../../src/discord/rest/senders';
import { createHallOfFameRunner } from '../../src/hall-of-fame/job';
import { createLogger, silentLogger } from '../../src/logger';
import {
  member,
  message,
  messageDelete,
  messageReactions,
  reactionAdd,
  reactionRemove,
  snowflake,
  startFakeDiscord,
  textChannel,
  user,
  type ApiMessage,
  type ApiUser,
  type FakeDiscord,
} from '../fakes/discord';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const guildId = snowflake();
const general = textChannel({ guild_id: guildId, name: 'general' });
const spicy = textChannel({ guild_id: guildId, name: 'spicy', nsfw: true });
const hall = textChannel({ guild_id: guildId, name: 'hall-of-fame' });
const nsfwHall = textChannel({ guild_id: guildId, name: 'hall-after-dark', nsfw: true });
const sentinels = textChannel({ guild_id: guildId, name: 'sentinels' });
const locked = textChannel({
  guild_id: guildId,
  name: 'locked-hall',
  permission_overwrites: [{ id: guildId, type: 0, allow: '0', deny: (1n << 11n).toString() }],
});
const [alice, bob, carol, dave, erin] = ['alice', 'bob', 'carol', 'dave', 'erin'].map((username) => user({ username })) as [
  ApiUser,
  ApiUser,
  ApiUser,
  ApiUser,
  ApiUser,
];
const otherBot = user({ username: 'starboard', bot: true });
const STAR = { id: null, name: '⭐' };
const FIRE = { id: null, name: '🔥' };

const TABLES = [
  'clips',
  'shares',
  'reactions',
  'reaction_baselines',
  'engagement_changes',
  'dirty_hours',
  'guild_settings',
  'hall_of_fame_settings',
  'hall_of_fame_posts',
];

describe.each(testEngines())('the hall of fame on %s', (engine) => {
  let t: TestDatabase;
  let discord: FakeDiscord;
  let capture: CaptureService;
  let bot: DiscordBot;
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'hall-of-fame-e2e');
  });
  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    for (const table of TABLES) await queries(t.db).run(`DELETE FROM ${table}`);
    discord = await startFakeDiscord({
      guilds: [
        {
          id: guildId,
          name: 'Clip Town',
          channels: [general, spicy, hall, nsfwHall, sentinels, locked],
          members: [alice, bob, carol, dave, erin, otherBot].map((u) => member(u)),
        },
      ],
    });
    capture = createCaptureService(t.db, { logger: silentLogger(), clock: systemClock, batchMax: 50 });
    await capture.ready;
    bot = createDiscordBot({ capture, logger: silentLogger(), clock: systemClock, token: discord.token, apiBaseUrl: discord.apiBaseUrl });
    await bot.start();
    // Bots' reactions are recorded, so that the hall of fame is what leaves them out.
    await updateGuildSettings(t.db, guildId, { includeBots: true }, Date.now());
    await capture.refreshSettings();
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.destroy();
    await bot.stop();
    await discord.stop();
  });

  const setHall = (over: Partial<HallOfFameSettings> = {}) =>
    setHallOfFameSettings(t.db, {
      guildId,
      channelId: hall.id,
      threshold: 3,
      emojis: [],
      removeBelow: null,
      selfReactions: false,
      nsfw: false,
      updatedAt: Date.now(),
      ...over,
    });

  const share = async (author: ApiUser, clipId: string, channelId = general.id): Promise<ApiMessage> => {
    const msg = message({
      channel_id: channelId,
      guild_id: guildId,
      author,
      member: member(author),
      content: `look https://clips.twitch.tv/${clipId}`,
    });
    await discord.dispatch('MESSAGE_CREATE', msg);
    return msg;
  };
  const react = (msg: ApiMessage, who: ApiUser, emoji = STAR) =>
    discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({ channel_id: msg.channel_id, guild_id: guildId, message_id: msg.id, user_id: who.id, emoji, member: member(who) }),
    );
  const unreact = (msg: ApiMessage, who: ApiUser, emoji = STAR) =>
    discord.dispatch(
      'MESSAGE_REACTION_REMOVE',
      reactionRemove({ channel_id: msg.channel_id, guild_id: guildId, message_id: msg.id, user_id: who.id, emoji }),
    );

  /** Waits until capture has written everything dispatched so far (a sentinel share behind it is recorded). */
  const settle = async (): Promise<void> => {
    const sentinel = await share(alice, `Sentinel${Date.now()}${Math.random().toString(36).slice(2, 8)}`, sentinels.id);
    await vi.waitFor(
      async () =>
        expect(
          await queries(t.db).get('SELECT 1 AS found FROM shares WHERE guild_id = ? AND message_id = ?', [guildId, sentinel.id]),
        ).toBeDefined(),
      { timeout: 10_000 },
    );
    await bot.idle();
    await capture.flush();
  };

  const runner = (over: { db?: Db; client?: Client; logger?: ReturnType<typeof silentLogger>; rest?: boolean } = {}) =>
    createHallOfFameRunner({
      db: over.db ?? t.db,
      clock: systemClock,
      logger: over.logger ?? silentLogger(),
      // REST alone, as a ROLES=jobs process or the DISCORD_PROCESSES > 1 parent posts (docs/adr/0037).
      sender: over.rest
        ? createRestHallOfFameSender(createDiscordRest({ token: discord.token, apiBaseUrl: discord.apiBaseUrl, clock: systemClock }))
        : createHallOfFameSender(over.client ?? bot.client),
    });
  const reposts = (channelId = hall.id): string[] =>
    [...(discord.messages.get(channelId)?.values() ?? [])].map((m) => String((m as { content?: string }).content ?? ''));
  const link = (msg: ApiMessage) => `https://discord.com/channels/${guildId}/${msg.channel_id}/${msg.id}`;
  /** The count line of the repost of `msg`: "🏆 **N**". */
  const shownCount = (msg: ApiMessage, channelId = hall.id): number | null => {
    const repost = reposts(channelId).find((c) => c.includes(link(msg)));
    return repost ? Number(/🏆 \*\*(\d+)\*\*/.exec(repost)?.[1]) : null;
  };

  it('reposts a share once the chosen emojis reach the threshold, counting neither the sharer nor bots', async () => {
    await setHall({ emojis: ['⭐'] });
    const msg = await share(alice, 'StarClip');
    await react(msg, alice); // the sharer's own
    await react(msg, otherBot); // a bot's
    await react(msg, discord.bot); // Clipscope's own
    await react(msg, bob);
    await react(msg, carol, FIRE); // not a chosen emoji
    await react(msg, dave);
    await settle();
    const run = runner();
    expect((await run.runOnce()).posted).toBe(0);
    expect(reposts()).toEqual([]);

    await react(msg, erin);
    await settle();
    expect((await run.runOnce()).posted).toBe(1);
    await run.runOnce();
    expect(reposts()).toHaveLength(1);
    const [repost] = reposts();
    expect(repost!.split('\n')[0]).toBe('https://clips.twitch.tv/StarClip');
    expect(repost).toContain(`<@${alice.id}>`);
    expect(repost).toContain('⭐ 3');
    expect(repost).not.toContain('🔥');
    expect(repost).toContain(link(msg));
    expect(discord.requestsTo('PATCH', `/channels/${hall.id}/messages/:mid`)).toHaveLength(0);
    expect(await listHallOfFamePosts(t.db, guildId)).toMatchObject([
      { messageId: msg.id, state: 'sent', postedCount: 3, authorId: alice.id },
    ]);
  });

  it('counts reactions made while Clipscope was offline, as the fetch of the message finds them', async () => {
    await setHall({ threshold: 4 });
    // Shared last week and reacted to while the bot was away: Discord counts four stars, by members Clipscope never saw.
    const old = message({
      channel_id: general.id,
      author: alice,
      content: 'from last week https://clips.twitch.tv/OfflineClip',
      reactions: messageReactions([{ emoji: STAR, count: 4 }]),
    });
    discord.putMessage(old);
    // Bob's star arrives live (it is one of the four): the message is fetched and its counts recorded.
    await react(old, bob);
    await settle();
    await runner().runOnce();
    expect(shownCount(old)).toBe(4);
  });

  it('counts the sharer’s own reaction with self_reactions', async () => {
    await setHall({ threshold: 2, selfReactions: true });
    const msg = await share(alice, 'SelfClip');
    await react(msg, alice);
    await react(msg, bob, FIRE);
    await settle();
    await runner().runOnce();
    expect(shownCount(msg)).toBe(2);
  });

  it('reposts once whatever duplicate and replayed events and concurrent passes, with the right count', async () => {
    await setHall();
    const msg = await share(bob, 'DupClip');
    for (const who of [alice, carol, alice, carol, dave, dave]) await react(msg, who);
    // A replayed gateway session delivers them all again.
    await discord.disconnect(4000);
    for (const who of [alice, carol, dave]) await react(msg, who);
    await settle();
    const run = runner();
    await Promise.all([run.runOnce(), runner().runOnce(), runner().runOnce()]);
    await run.runOnce();
    expect(reposts()).toHaveLength(1);
    expect(shownCount(msg)).toBe(3);
  });

  it('reposts, edits and removes over REST alone, with the bot’s permissions in the hall read over REST', async () => {
    await setHall({ removeBelow: 2 });
    const msg = await share(alice, 'RestClip');
    // Another bot's star is not counted: Discord says it is a bot (GET /users/{id}), asked once.
    for (const who of [bob, carol, dave, otherBot]) await react(msg, who);
    await settle();
    const run = runner({ rest: true });
    expect((await run.runOnce()).posted).toBe(1);
    expect(shownCount(msg)).toBe(3);
    expect(discord.requestsTo('GET', `/users/${otherBot.id}`)).toHaveLength(1);
    await react(msg, erin);
    await settle();
    expect((await run.runOnce()).edited).toBe(1);
    expect(shownCount(msg)).toBe(4);
    for (const who of [bob, carol, dave]) await unreact(msg, who);
    await settle();
    expect((await run.runOnce()).removed).toBe(1);
    expect(reposts()).toEqual([]);
    expect(discord.requestsTo('GET', `/channels/${hall.id}`).length).toBeGreaterThanOrEqual(1);
  });

  it('batches the changes between passes into one edit, and removes the repost below remove_below for good', async () => {
    await setHall({ removeBelow: 2 });
    const msg = await share(alice, 'FadingClip');
    for (const who of [bob, carol, dave, erin]) await react(msg, who);
    await settle();
    const run = runner();
    await run.runOnce();
    expect(shownCount(msg)).toBe(4);

    await unreact(msg, erin);
    await unreact(msg, dave);
    await react(msg, dave, FIRE);
    await settle();
    // Discord rate-limits the edit twice: discord.js waits, and the one edit lands.
    discord.rateLimit('PATCH', '/channels/:channelId/messages/:messageId', { retryAfter: 0.05 }, 2);
    expect((await run.runOnce()).edited).toBe(1);
    expect(discord.requestsTo('PATCH', `/channels/${hall.id}/messages/:mid`)).toHaveLength(3);
    expect(shownCount(msg)).toBe(3);

    await unreact(msg, carol);
    await unreact(msg, dave, FIRE);
    await settle();
    expect((await run.runOnce()).removed).toBe(1);
    expect(reposts()).toEqual([]);
    // Back above the threshold: never reposted again.
    for (const who of [carol, dave, erin]) await react(msg, who);
    await settle();
    await run.runOnce();
    expect(reposts()).toEqual([]);
    expect(await listHallOfFamePosts(t.db, guildId)).toMatchObject([{ state: 'removed' }]);
  });

  it('removes the repost when the original is deleted', async () => {
    await setHall();
    const msg = await share(alice, 'DeletedClip');
    for (const who of [bob, carol, dave]) await react(msg, who);
    await settle();
    const run = runner();
    await run.runOnce();
    expect(reposts()).toHaveLength(1);
    await discord.dispatch('MESSAGE_DELETE', messageDelete({ id: msg.id, channel_id: general.id, guild_id: guildId }));
    await settle();
    expect((await run.runOnce()).removed).toBe(1);
    expect(reposts()).toEqual([]);
  });

  it('never reposts a share from an NSFW channel into a hall that is not NSFW', async () => {
    await setHall({ nsfw: true });
    const msg = await share(alice, 'SpicyClip', spicy.id);
    for (const who of [bob, carol, dave]) await react(msg, who);
    await settle();
    await runner().runOnce();
    expect(reposts()).toEqual([]);
    await setHall({ nsfw: false, channelId: nsfwHall.id });
    await runner().runOnce();
    expect(reposts(nsfwHall.id)).toEqual([]);
    await setHall({ nsfw: true, channelId: nsfwHall.id });
    await runner().runOnce();
    expect(shownCount(msg, nsfwHall.id)).toBe(3);
  });

  it('reposts each share once when two processes run the pass at the same moment', async () => {
    await setHall();
    const msgs: ApiMessage[] = [];
    for (let i = 0; i < 6; i++) {
      const msg = await share(alice, `Both${i}`);
      for (const who of [bob, carol, dave]) await react(msg, who);
      msgs.push(msg);
    }
    await settle();
    const other = await t.openAnother();
    try {
      const client = createDiscordClient({ apiBaseUrl: discord.apiBaseUrl });
      clients.push(client);
      await client.login(discord.token);
      await vi.waitFor(() => expect(client.guilds.cache.size).toBe(1), { timeout: 15_000 });
      const a = runner();
      const b = runner({ db: other.db, client });
      for (let i = 0; i < 3; i++) await Promise.all([a.runOnce(), b.runOnce()]);
    } finally {
      await other.close();
    }
    expect(reposts()).toHaveLength(6);
    for (const msg of msgs) expect(shownCount(msg)).toBe(3);
  });

  it('recognises a repost Discord accepted before answering 5xx, and shows the right count afterwards', async () => {
    await setHall();
    const msg = await share(alice, 'AcceptedClip');
    for (const who of [bob, carol, dave]) await react(msg, who);
    await settle();
    let failures = 0;
    // Accepts the repost, then answers 500 to it and to every retry of it.
    discord.route('POST', '/channels/:channelId/messages', ({ params, body }) => {
      const posted = discord.postMessage(params.channelId!, body);
      if (params.channelId !== hall.id) return { body: posted };
      failures += 1;
      return { status: 500, body: { message: 'Internal Server Error', code: 0 } };
    });
    const run = runner();
    await run.runOnce();
    expect(failures).toBeGreaterThan(0);
    expect(await listHallOfFamePosts(t.db, guildId)).toMatchObject([{ state: 'claimed' }]);
    discord.route('POST', '/channels/:channelId/messages', ({ params, body }) => ({ body: discord.postMessage(params.channelId!, body) }));
    const posts = discord.requestsTo('POST', `/channels/${hall.id}/messages`).length;

    await react(msg, erin);
    await settle();
    await run.runOnce();
    expect(discord.requestsTo('POST', `/channels/${hall.id}/messages`)).toHaveLength(posts);
    await run.runOnce();
    expect(reposts()).toHaveLength(1);
    expect(shownCount(msg)).toBe(4);
    expect(await listHallOfFamePosts(t.db, guildId)).toMatchObject([{ state: 'sent', postedCount: 4, attempts: 2 }]);
  });

  it('ends a failed repost without posting it when the original is deleted before the retry', async () => {
    await setHall();
    const msg = await share(alice, 'FailedThenDeleted');
    for (const who of [carol, dave, erin]) await react(msg, who);
    await settle();
    // Discord fails the repost before taking it.
    discord.route('POST', '/channels/:channelId/messages', ({ params, body }) =>
      params.channelId === hall.id
        ? { status: 500, body: { message: 'Internal Server Error', code: 0 } }
        : { body: discord.postMessage(params.channelId!, body) },
    );
    const run = runner();
    await run.runOnce();
    expect(await listHallOfFamePosts(t.db, guildId)).toMatchObject([{ state: 'claimed' }]);
    discord.route('POST', '/channels/:channelId/messages', ({ params, body }) => ({ body: discord.postMessage(params.channelId!, body) }));
    const posts = discord.requestsTo('POST', `/channels/${hall.id}/messages`).length;
    await discord.dispatch('MESSAGE_DELETE', messageDelete({ id: msg.id, channel_id: general.id, guild_id: guildId }));
    await settle();
    await run.runOnce();
    await run.runOnce();
    expect(discord.requestsTo('POST', `/channels/${hall.id}/messages`)).toHaveLength(posts);
    expect(reposts()).toEqual([]);
    expect(await listHallOfFamePosts(t.db, guildId)).toMatchObject([{ state: 'removed' }]);
  });

  it('waits, saying why once, while Clipscope may not post in the hall, and reposts once it may', async () => {
    await setHall({ channelId: locked.id });
    const msg = await share(alice, 'WaitingClip');
    for (const who of [bob, carol, dave]) await react(msg, who);
    await settle();
    const lines: Array<{ level: number; msg: string; reason?: string }> = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const run = runner({ logger });
    await run.runOnce();
    await run.runOnce();
    expect(reposts(locked.id)).toEqual([]);
    const warnings = lines.filter((l) => l.msg.startsWith('hall of fame: nothing is reposted'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.reason).toContain('Send Messages');
    await setHall();
    await run.runOnce();
    expect(shownCount(msg)).toBe(3);
    expect(lines.filter((l) => l.msg === 'hall of fame: Clipscope may post in the hall channel again')).toHaveLength(1);
  });
});
