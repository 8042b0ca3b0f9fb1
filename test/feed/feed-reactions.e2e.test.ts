// Reactions on the feed's own posts, end to end on both engines: the feed posts a clip through the capturing bot's
// discord.js client on the fake Discord, members react on the post, and the clip's counters and analytics count
// those reactions like reactions on a member's share; the post itself is a share by the bot, never a member's.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAnalytics } from '../../src/analytics/service';
import { createCaptureService } from '../../src/capture/service';
import { memberSharedClips } from '../../src/db/stores/feeds';
import { queries } from '../../src/db/sql';
import { createDiscordBot, type DiscordBot } from '../../src/discord/bot';
import { silentLogger } from '../../src/logger';
import { member, message, reactionAdd, reactionRemove, user } from '../fakes/discord';
import { testEngines } from '../helpers/engines';
import { MINUTE, startFeedHarness, T0, type FeedHarness } from './harness';

const alice = user({ username: 'alice' });
const bob = user({ username: 'bob' });
const FIRE = { id: null, name: '🔥' };
const LAUGH = { id: null, name: '😂' };

describe.each(testEngines())('reactions on clip feed posts on %s', (engine) => {
  let h: FeedHarness | undefined;
  let bot: DiscordBot | undefined;
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    await h?.close();
    h = undefined;
  });

  /** The capturing bot (as in production: the feed posts through the client that captures). */
  const startBot = async (harness: FeedHarness): Promise<DiscordBot> => {
    const capture = createCaptureService(harness.db, { logger: silentLogger(), clock: harness.clock, batchMax: 50 });
    const started = createDiscordBot({
      capture,
      logger: silentLogger(),
      clock: harness.clock,
      token: harness.discord.token,
      apiBaseUrl: harness.discord.apiBaseUrl,
    });
    await started.start();
    await vi.waitFor(() => expect(started.client.guilds.cache.size).toBe(1), { timeout: 15_000 });
    return started;
  };

  const clipRow = (clipId: string) =>
    queries(h!.db).get<{ discord_shares: number; discord_reactions: number }>(
      'SELECT discord_shares, discord_reactions FROM clips WHERE guild_id = ? AND clip_id = ?',
      [h!.guildId, clipId],
    );

  it('counts members’ reactions on a feed post for its clip, and a removal too', async () => {
    h = await startFeedHarness(engine);
    bot = await startBot(h);
    await h.addFeed();
    h.clip('FeedPosted', 1);
    h.clock.advance(2 * MINUTE);
    const summary = await h.runner({ client: bot.client }).runOnce();
    expect(summary.posted).toBe(1);
    const [post] = [...(h.discord.messages.get(h.channel.id)?.values() ?? [])] as Array<{ id: string; content: string }>;
    expect(post?.content.split('\n')[0]).toBe('https://clips.twitch.tv/FeedPosted');

    // The post is recorded as the bot's share, flagged as a feed post.
    const shares = await queries(h.db).all<{ message_id: string; author_id: string; author_is_bot: unknown; source: string }>(
      'SELECT message_id, author_id, author_is_bot, source FROM shares WHERE guild_id = ? AND clip_id = ?',
      [h.guildId, 'FeedPosted'],
    );
    expect(shares.map((s) => ({ ...s, author_is_bot: Boolean(s.author_is_bot) }))).toEqual([
      { message_id: post!.id, author_id: h.discord.bot.id, author_is_bot: true, source: 'feed' },
    ]);

    const target = { channel_id: h.channel.id, message_id: post!.id, guild_id: h.guildId };
    await h.discord.dispatch('MESSAGE_REACTION_ADD', reactionAdd({ ...target, user_id: alice.id, emoji: FIRE, member: member(alice) }));
    await h.discord.dispatch('MESSAGE_REACTION_ADD', reactionAdd({ ...target, user_id: bob.id, emoji: FIRE, member: member(bob) }));
    await h.discord.dispatch('MESSAGE_REACTION_ADD', reactionAdd({ ...target, user_id: bob.id, emoji: LAUGH, member: member(bob) }));
    // The bot's own reaction never counts.
    await h.discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({ ...target, user_id: h.discord.bot.id, emoji: FIRE, member: h.discord.botMember }),
    );
    await vi.waitFor(async () => expect((await clipRow('FeedPosted'))?.discord_reactions).toBe(3));
    await bot.idle();

    const analytics = createAnalytics(h.db);
    const details = await analytics.clipDetails(h.guildId, 'FeedPosted');
    expect(details?.discord_reactions).toBe(3);
    expect(details?.reaction_types).toEqual({ '🔥': 2, '😂': 1 });
    expect(details?.shares.map((s) => s.message_id)).toEqual([post!.id]);
    const ctx = { guildId: h.guildId, timezone: 'UTC', now: h.clock.now() };
    const range = { type: 'range' as const, from: T0 - 60 * MINUTE, to: h.clock.now() + 60 * MINUTE };
    const mix = await analytics.moods(ctx, { period: range, limit: 5, clipId: 'FeedPosted' });
    expect(mix.clip?.total).toBe(3);

    // A member's reaction taken back stops counting.
    await h.discord.dispatch('MESSAGE_REACTION_REMOVE', reactionRemove({ ...target, user_id: bob.id, emoji: FIRE }));
    await vi.waitFor(async () => expect((await clipRow('FeedPosted'))?.discord_reactions).toBe(2));
    await bot.idle();
    expect((await analytics.clipDetails(h.guildId, 'FeedPosted'))?.reaction_types).toEqual({ '🔥': 1, '😂': 1 });
    expect((await analytics.moods(ctx, { period: range, limit: 5, clipId: 'FeedPosted' })).clip?.total).toBe(2);

    // Not a member's share: a feed with post_member_shared off still treats the clip as unshared by members.
    expect([...(await memberSharedClips(h.db, h.guildId, ['FeedPosted']))]).toEqual([]);
  });

  it('counts reactions on a feed post found again after a lost answer, and after a restart of the bot', async () => {
    h = await startFeedHarness(engine);
    bot = await startBot(h);
    await h.addFeed();
    h.clip('LostAnswer', 1);
    h.clock.advance(2 * MINUTE);
    // Discord takes the post but the answer is lost: the next run finds it in the channel instead of posting again.
    const discord = h.discord;
    discord.route('POST', '/channels/:channelId/messages', ({ params, body }) => {
      discord.postMessage(params.channelId!, body);
      return { status: 500, body: { message: 'Internal Server Error', code: 0 } };
    });
    const runner = h.runner({ client: bot.client });
    await runner.runOnce();
    expect(await clipRow('LostAnswer')).toBeUndefined();
    discord.route('POST', '/channels/:channelId/messages', ({ params, body }) => ({ body: discord.postMessage(params.channelId!, body) }));
    h.clock.advance(MINUTE);
    await runner.runOnce();
    expect(h.postedClipIds()).toEqual(['LostAnswer']);
    const [post] = [...(h.discord.messages.get(h.channel.id)?.values() ?? [])] as Array<{ id: string }>;

    // A restarted bot has no cache: the reacted post is known from its recorded share, without a fetch.
    await bot.stop();
    bot = await startBot(h);
    const target = { channel_id: h.channel.id, message_id: post!.id, guild_id: h.guildId };
    await h.discord.dispatch('MESSAGE_REACTION_ADD', reactionAdd({ ...target, user_id: alice.id, emoji: FIRE, member: member(alice) }));
    await vi.waitFor(async () => expect((await clipRow('LostAnswer'))?.discord_reactions).toBe(1));
    expect(h.discord.requestsTo('GET', '/channels/:c/messages/:m')).toHaveLength(0);
  });

  it('does not count a member’s message in the feed channel as a feed post', async () => {
    h = await startFeedHarness(engine);
    bot = await startBot(h);
    const msg = message({
      channel_id: h.channel.id,
      guild_id: h.guildId,
      author: alice,
      member: member(alice),
      content: 'https://clips.twitch.tv/MemberShared',
    });
    await h.discord.dispatch('MESSAGE_CREATE', msg);
    await vi.waitFor(async () => expect((await clipRow('MemberShared'))?.discord_shares).toBe(1));
    const row = await queries(h.db).get<{ source: string }>('SELECT source FROM shares WHERE guild_id = ? AND message_id = ?', [
      h.guildId,
      msg.id,
    ]);
    expect(row?.source).toBe('discord');
  });
});
