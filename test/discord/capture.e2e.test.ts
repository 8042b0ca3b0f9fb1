// End to end: a real discord.js Client logs in to the fake Discord, receives real gateway dispatch shapes,
// and the database afterwards holds exactly the shares and reactions a community would expect.
import { createAnalytics } from '../../src/analytics/service';
import { createCaptureService } from '../../src/capture/service';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { createDiscordBot, type DiscordBot } from '../../src/discord/bot';
import { createLogger } from '../../src/logger';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import type { CaptureService } from '../../src/capture/service';
import {
  clipEmbed,
  forumChannel,
  guildCreate,
  member,
  message,
  messageDelete,
  messageDeleteBulk,
  messageReactions,
  messageUpdate,
  reactionAdd,
  reactionRemove,
  reactionRemoveAll,
  reactionRemoveEmoji,
  snowflake,
  startFakeDiscord,
  textChannel,
  threadChannel,
  threadCreate,
  user,
  type ApiMessage,
  type FakeDiscord,
} from '../fakes/discord';

const guildId = snowflake();
const general = textChannel({ guild_id: guildId, name: 'general' });
const clipsChannel = textChannel({ guild_id: guildId, name: 'clips' });
const forum = forumChannel({ guild_id: guildId, name: 'highlights' });
const thread = threadChannel({ guild_id: guildId, parent_id: general.id, name: 'stream recap' });
const forumPost = threadChannel({ guild_id: guildId, parent_id: forum.id, name: 'best of the week' });
const alice = user({ username: 'alice', global_name: 'Alice' });
const bob = user({ username: 'bob' });
const otherBot = user({ username: 'webhooky', bot: true });

const CLIP_A = 'AwkwardHelplessSalamanderSwiftRage';
const CLIP_B = 'Fancy-Slug_aBcD-12xYz';
const CLIP_C = 'TastyBraveOwlKappa-x9Y_z';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

const CLEARED = [
  'clips',
  'shares',
  'reactions',
  'reaction_baselines',
  'engagement_changes',
  'dirty_hours',
  'message_observations',
  'guild_settings',
];

describe.each(testEngines())('capture from the Discord gateway on %s', (engine) => {
  let discord: FakeDiscord;
  let t: TestDatabase;
  let capture: CaptureService;
  let bot: DiscordBot;
  let logs: LogLine[];

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'capture-e2e');
  });
  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    // One database per engine for the file; each test starts from empty capture tables and no settings.
    for (const table of CLEARED) await queries(t.db).run(`DELETE FROM ${table}`);
    discord = await startFakeDiscord({
      guilds: [
        {
          id: guildId,
          name: 'Clip Town',
          channels: [general, clipsChannel, forum],
          threads: [thread, forumPost],
          members: [member(alice, { nick: 'Ally' }), member(bob)],
        },
      ],
    });
    logs = [];
    const logger = createLogger({
      level: 'debug',
      destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
    });
    capture = createCaptureService(t.db, { logger: logger.child({ service: 'discord' }), clock: systemClock, batchMax: 50 });
    bot = createDiscordBot({
      capture,
      logger,
      clock: systemClock,
      token: discord.token,
      apiBaseUrl: discord.apiBaseUrl,
    });
    await bot.start();
  });

  afterEach(async () => {
    await bot.stop();
    await discord.stop();
  });

  const post = async (fields: Partial<ApiMessage> & { content: string }, channelId = general.id): Promise<ApiMessage> => {
    const author = fields.author ?? alice;
    const msg = message({
      channel_id: channelId,
      guild_id: guildId,
      author,
      member: author.bot ? undefined : member(author, { nick: author === alice ? 'Ally' : null }),
      ...fields,
    });
    await discord.dispatch('MESSAGE_CREATE', msg);
    return msg;
  };

  const shares = () =>
    queries(t.db).all<{
      message_id: string;
      clip_id: string;
      channel_id: string;
      thread_id: string | null;
      author_name: string;
      deleted_at: number | null;
    }>('SELECT message_id, clip_id, channel_id, thread_id, author_name, deleted_at FROM shares ORDER BY id');
  const activeShares = async () => (await shares()).filter((s) => s.deleted_at === null);
  const clip = (clipId: string) =>
    queries(t.db).get<{ discord_shares: number; discord_reactions: number; discord_reaction_types: unknown; enrichment_state: string }>(
      'SELECT discord_shares, discord_reactions, discord_reaction_types, enrichment_state FROM clips WHERE guild_id = ? AND clip_id = ?',
      [guildId, clipId],
    );
  // JSON text on SQLite, jsonb (already parsed) on PostgreSQL.
  const reactionTypes = async (clipId: string) => {
    const types = (await clip(clipId))?.discord_reaction_types ?? '{}';
    return (typeof types === 'string' ? JSON.parse(types) : types) as Record<string, number>;
  };
  const guildName = async () =>
    (await queries(t.db).get<{ guild_name: string }>('SELECT guild_name FROM guild_settings WHERE guild_id = ?', [guildId]))?.guild_name;
  const reactionCount = () => queries(t.db).get('SELECT count(*) AS n FROM reactions');
  /** Changes the guild's settings as a command does, and lets capture see them (PostgreSQL re-reads them on an interval). */
  const changeSettings = async (patch: Parameters<typeof updateGuildSettings>[2]) => {
    await updateGuildSettings(t.db, guildId, patch, Date.now());
    await capture.refreshSettings();
  };

  /** Waits until the bot has committed everything it received, judged by a sentinel message arriving after it. */
  const settle = async (): Promise<void> => {
    const sentinel = await post(
      { content: `sentinel https://clips.twitch.tv/Sentinel${Date.now()}${Math.random().toString(36).slice(2, 8)}` },
      clipsChannel.id,
    );
    await vi.waitFor(async () => expect((await shares()).some((s) => s.message_id === sentinel.id)).toBe(true));
    await bot.idle();
  };

  const guildCreatePayload = () => guildCreate({ id: guildId, name: 'Clip Town', channels: [general, clipsChannel, forum] });

  it('logs in with the capture intents and stores the guild name', async () => {
    expect(discord.identifies).toHaveLength(1);
    // Guilds | GuildMessages | GuildMessageReactions | MessageContent
    expect(discord.identifies[0]!.intents).toBe(1 | (1 << 9) | (1 << 10) | (1 << 15));
    await vi.waitFor(async () => {
      expect(await guildName()).toBe('Clip Town');
    });
  });

  it('records a share per clip link, once per clip, with the author display name', async () => {
    const msg = await post({
      content: `look https://clips.twitch.tv/${CLIP_A} and <https://www.twitch.tv/streamer/clip/${CLIP_B}?filter=clips> again https://clips.twitch.tv/${CLIP_A}`,
    });
    await vi.waitFor(async () => expect(await activeShares()).toHaveLength(2));
    expect((await shares()).map((s) => [s.message_id, s.clip_id, s.channel_id, s.author_name])).toEqual([
      [msg.id, CLIP_A, general.id, 'Ally'],
      [msg.id, CLIP_B, general.id, 'Ally'],
    ]);
    expect(await clip(CLIP_A)).toMatchObject({ discord_shares: 1, enrichment_state: 'pending' });
  });

  it('counts a clip posted in three messages as three shares', async () => {
    for (let i = 0; i < 3; i++) await post({ content: `again! https://clips.twitch.tv/${CLIP_A}` });
    await vi.waitFor(async () => expect((await clip(CLIP_A))?.discord_shares).toBe(3));
  });

  it('counts thread and forum post messages for their parent channel, keeping the thread id', async () => {
    await post({ content: `https://clips.twitch.tv/${CLIP_A}` }, thread.id);
    await post({ content: `https://clips.twitch.tv/${CLIP_B}` }, forumPost.id);
    // A thread created after login arrives by THREAD_CREATE.
    const later = threadChannel({ guild_id: guildId, parent_id: clipsChannel.id });
    await discord.dispatch('THREAD_CREATE', threadCreate(later));
    await post({ content: `https://clips.twitch.tv/${CLIP_C}` }, later.id);
    await vi.waitFor(async () => expect(await activeShares()).toHaveLength(3));
    expect((await shares()).map((s) => [s.clip_id, s.channel_id, s.thread_id])).toEqual([
      [CLIP_A, general.id, thread.id],
      [CLIP_B, forum.id, forumPost.id],
      [CLIP_C, clipsChannel.id, later.id],
    ]);
  });

  it('ignores DMs, its own messages and other bots, and takes bots in once the guild opts in', async () => {
    const dmChannelId = snowflake();
    await discord.dispatch(
      'MESSAGE_CREATE',
      message({ channel_id: dmChannelId, author: alice, content: `https://clips.twitch.tv/${CLIP_A}` }),
    );
    await post({ content: `https://clips.twitch.tv/${CLIP_A}`, author: discord.bot });
    const fromBot = await post({ content: `https://clips.twitch.tv/${CLIP_A}`, author: otherBot });
    await settle();
    expect((await activeShares()).filter((s) => s.clip_id === CLIP_A)).toHaveLength(0);

    await changeSettings({ includeBots: true });
    const fromBotLater = await post({ content: `https://clips.twitch.tv/${CLIP_A}`, author: otherBot });
    await vi.waitFor(async () => expect((await activeShares()).map((s) => s.message_id)).toContain(fromBotLater.id));
    expect((await shares()).map((s) => s.message_id)).not.toContain(fromBot.id);
  });

  it('honours the channel allow-list, threads included through their parent', async () => {
    await changeSettings({ captureChannelIds: [clipsChannel.id, general.id] });
    const outside = await post({ content: `https://clips.twitch.tv/${CLIP_A}` }, forumPost.id);
    const inThread = await post({ content: `https://clips.twitch.tv/${CLIP_B}` }, thread.id);
    await settle();
    const ids = (await shares()).map((s) => s.message_id);
    expect(ids).not.toContain(outside.id);
    expect(ids).toContain(inThread.id);
  });

  it('follows edits: added links add shares, removed links stop counting, unchanged edits do nothing', async () => {
    const msg = await post({ content: `https://clips.twitch.tv/${CLIP_A}` });
    await vi.waitFor(async () => expect(await activeShares()).toHaveLength(1));

    await discord.dispatch('MESSAGE_UPDATE', {
      ...msg,
      content: `https://clips.twitch.tv/${CLIP_A} https://clips.twitch.tv/${CLIP_B}`,
      edited_timestamp: new Date().toISOString(),
    });
    await vi.waitFor(async () => expect((await activeShares()).map((s) => s.clip_id)).toEqual([CLIP_A, CLIP_B]));

    await discord.dispatch('MESSAGE_UPDATE', {
      ...msg,
      content: `only https://clips.twitch.tv/${CLIP_B} now`,
      edited_timestamp: new Date().toISOString(),
    });
    await vi.waitFor(async () => expect((await activeShares()).map((s) => s.clip_id)).toEqual([CLIP_B]));
    expect((await clip(CLIP_A))?.discord_shares).toBe(0);

    // An embed resolving is an update with the same links: nothing changes, the share is still one row.
    await discord.dispatch('MESSAGE_UPDATE', {
      ...msg,
      content: `only https://clips.twitch.tv/${CLIP_B} now`,
      embeds: [clipEmbed(`https://clips.twitch.tv/${CLIP_B}`)],
    });
    await settle();
    expect((await shares()).filter((s) => s.message_id === msg.id)).toHaveLength(2);
    expect((await clip(CLIP_B))?.discord_shares).toBe(1);
  });

  it('records a link that only one of two quick successive edits held', async () => {
    const msg = await post({ content: `https://clips.twitch.tv/${CLIP_A}` });
    await vi.waitFor(async () => expect(await activeShares()).toHaveLength(1));
    // Both edits arrive together: the first must be captured as it was, not as the second left the message.
    await Promise.all([
      discord.dispatch('MESSAGE_UPDATE', {
        ...msg,
        content: `https://clips.twitch.tv/${CLIP_A} https://clips.twitch.tv/${CLIP_B}`,
        edited_timestamp: new Date().toISOString(),
      }),
      discord.dispatch('MESSAGE_UPDATE', {
        ...msg,
        content: `just https://clips.twitch.tv/${CLIP_A}`,
        edited_timestamp: new Date().toISOString(),
      }),
    ]);
    await vi.waitFor(async () =>
      expect((await shares()).filter((s) => s.message_id === msg.id).map((s) => [s.clip_id, s.deleted_at === null])).toEqual([
        [CLIP_A, true],
        [CLIP_B, false],
      ]),
    );
    expect((await clip(CLIP_B))?.discord_shares).toBe(0);
  });

  it('completes a partial MESSAGE_UPDATE of an uncached message by fetching it', async () => {
    const old = message({ channel_id: general.id, author: alice, content: 'no clip yet' });
    discord.putMessage({ ...old, content: `edited in https://m.twitch.tv/clip/${CLIP_C}` });
    await discord.dispatch('MESSAGE_UPDATE', messageUpdate({ id: old.id, channel_id: general.id, guild_id: guildId }));
    await vi.waitFor(async () => expect((await activeShares()).map((s) => [s.message_id, s.clip_id])).toEqual([[old.id, CLIP_C]]));
    expect(discord.requestsTo('GET', `/channels/${general.id}/messages/${old.id}`)).toHaveLength(1);

    // A partial update of a message Discord no longer has is ignored without harm.
    await discord.dispatch('MESSAGE_UPDATE', messageUpdate({ id: snowflake(), channel_id: general.id, guild_id: guildId }));
    await settle();
    expect((await activeShares()).filter((s) => !s.clip_id.startsWith('Sentinel')).map((s) => s.message_id)).toEqual([old.id]);
  });

  it('stops counting shares of deleted and bulk-deleted messages but keeps the rows', async () => {
    const one = await post({ content: `https://clips.twitch.tv/${CLIP_A}` });
    const two = await post({ content: `https://clips.twitch.tv/${CLIP_A}` });
    const three = await post({ content: `https://clips.twitch.tv/${CLIP_B}` });
    await vi.waitFor(async () => expect(await activeShares()).toHaveLength(3));

    await discord.dispatch('MESSAGE_DELETE', messageDelete({ id: one.id, channel_id: general.id, guild_id: guildId }));
    await vi.waitFor(async () => expect((await clip(CLIP_A))?.discord_shares).toBe(1));

    await discord.dispatch(
      'MESSAGE_DELETE_BULK',
      messageDeleteBulk({ ids: [two.id, three.id, snowflake()], channel_id: general.id, guild_id: guildId }),
    );
    await vi.waitFor(async () => expect(await activeShares()).toHaveLength(0));
    expect(await shares()).toHaveLength(3);
    expect((await clip(CLIP_A))?.discord_shares).toBe(0);
    expect((await clip(CLIP_B))?.discord_shares).toBe(0);
  });

  it('keeps reactions exact through add, duplicate add, remove, remove-emoji and remove-all', async () => {
    const msg = await post({ content: `https://clips.twitch.tv/${CLIP_A}` });
    await vi.waitFor(async () => expect(await activeShares()).toHaveLength(1));
    const target = { channel_id: general.id, message_id: msg.id, guild_id: guildId };
    const fire = { id: null, name: '🔥' };
    const pog = { id: snowflake(), name: 'PogChamp' };

    await discord.dispatch('MESSAGE_REACTION_ADD', reactionAdd({ ...target, user_id: alice.id, emoji: fire, member: member(alice) }));
    await discord.dispatch('MESSAGE_REACTION_ADD', reactionAdd({ ...target, user_id: bob.id, emoji: fire, member: member(bob) }));
    await discord.dispatch('MESSAGE_REACTION_ADD', reactionAdd({ ...target, user_id: bob.id, emoji: fire, member: member(bob) }));
    await discord.dispatch('MESSAGE_REACTION_ADD', reactionAdd({ ...target, user_id: bob.id, emoji: pog, member: member(bob) }));
    // The bot's own reaction is never counted.
    await discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({ ...target, user_id: discord.bot.id, emoji: fire, member: discord.botMember }),
    );
    await vi.waitFor(async () => expect(await reactionTypes(CLIP_A)).toEqual({ '🔥': 2, [`PogChamp:${pog.id}`]: 1 }));
    expect((await clip(CLIP_A))?.discord_reactions).toBe(3);

    await discord.dispatch('MESSAGE_REACTION_REMOVE', reactionRemove({ ...target, user_id: alice.id, emoji: fire }));
    await vi.waitFor(async () => expect(await reactionTypes(CLIP_A)).toEqual({ '🔥': 1, [`PogChamp:${pog.id}`]: 1 }));

    await discord.dispatch('MESSAGE_REACTION_REMOVE_EMOJI', reactionRemoveEmoji({ ...target, emoji: pog }));
    await vi.waitFor(async () => expect(await reactionTypes(CLIP_A)).toEqual({ '🔥': 1 }));
    expect((await clip(CLIP_A))?.discord_reactions).toBe(1);

    await discord.dispatch('MESSAGE_REACTION_ADD', reactionAdd({ ...target, user_id: alice.id, emoji: pog, member: member(alice) }));
    await vi.waitFor(async () => expect((await clip(CLIP_A))?.discord_reactions).toBe(2));
    await discord.dispatch('MESSAGE_REACTION_REMOVE_ALL', reactionRemoveAll(target));
    await vi.waitFor(async () => expect((await clip(CLIP_A))?.discord_reactions).toBe(0));
    expect(await reactionTypes(CLIP_A)).toEqual({});
    expect(await reactionCount()).toEqual({ n: 0 });
  });

  it('ignores other bots’ reactions unless the guild opts in to bots', async () => {
    const msg = await post({ content: `https://clips.twitch.tv/${CLIP_A}` });
    await vi.waitFor(async () => expect(await activeShares()).toHaveLength(1));
    const target = { channel_id: general.id, message_id: msg.id, guild_id: guildId };
    await discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({ ...target, user_id: otherBot.id, emoji: { id: null, name: '🤖' }, member: member(otherBot) }),
    );
    await settle();
    expect((await clip(CLIP_A))?.discord_reactions).toBe(0);
    await changeSettings({ includeBots: true });
    await discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({ ...target, user_id: otherBot.id, emoji: { id: null, name: '🤖' }, member: member(otherBot) }),
    );
    await vi.waitFor(async () => expect(await reactionTypes(CLIP_A)).toEqual({ '🤖': 1 }));
  });

  it('ignores edits of its own messages, such as a digest listing clips', async () => {
    const own = await post({ content: 'weekly digest', author: discord.bot });
    await discord.dispatch('MESSAGE_UPDATE', {
      ...own,
      content: `top clip: https://clips.twitch.tv/${CLIP_A}`,
      edited_timestamp: new Date().toISOString(),
    });
    await settle();
    expect((await shares()).map((s) => s.message_id)).not.toContain(own.id);
  });

  it('renames the guild in its settings, and keeps its icon, when Discord says it changed', async () => {
    const icon = 'a_0123456789abcdef0123456789abcdef';
    await discord.dispatch('GUILD_UPDATE', { ...guildCreatePayload(), name: 'Clip City', icon });
    await vi.waitFor(async () => {
      expect(await guildName()).toBe('Clip City');
    });
    // What the dashboard's header shows.
    expect(await createAnalytics(t.db).guildIdentity(guildId)).toEqual({ name: 'Clip City', icon });
  });

  it('ignores reactions on messages without a clip', async () => {
    const msg = await post({ content: 'just chatting' });
    await discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({
        channel_id: general.id,
        message_id: msg.id,
        guild_id: guildId,
        user_id: bob.id,
        emoji: { id: null, name: '👍' },
        member: member(bob),
      }),
    );
    await settle();
    expect(await reactionCount()).toEqual({ n: 0 });
    // The message was cached with its content: no REST fetch was needed to know it has no clip.
    expect(discord.requestsTo('GET', '/channels/:c/messages/:m')).toHaveLength(0);
  });

  it('fetches an uncached reacted message once, records its share, the reaction and the existing counts', async () => {
    const old = message({
      channel_id: clipsChannel.id,
      author: alice,
      content: `from last week https://clips.twitch.tv/${CLIP_B}`,
      reactions: messageReactions([
        { emoji: { id: null, name: '😂' }, count: 4 },
        { emoji: { id: null, name: '🔥' }, count: 2, me: true },
      ]),
    });
    discord.putMessage(old);
    const target = { channel_id: clipsChannel.id, message_id: old.id, guild_id: guildId };
    await discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({ ...target, user_id: bob.id, emoji: { id: null, name: '😂' }, member: member(bob) }),
    );
    await vi.waitFor(async () => expect((await clip(CLIP_B))?.discord_reactions).toBe(5));
    // 4 laughs including bob's (named) and 1 fire besides the bot's own.
    expect(await reactionTypes(CLIP_B)).toEqual({ '😂': 4, '🔥': 1 });
    expect((await activeShares()).map((s) => [s.message_id, s.clip_id, s.author_name])).toEqual([[old.id, CLIP_B, 'Ally']]);

    // A second reaction on the same message needs no second fetch and adds exactly one.
    await discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({ ...target, user_id: alice.id, emoji: { id: null, name: '🔥' }, member: member(alice) }),
    );
    await vi.waitFor(async () => expect(await reactionTypes(CLIP_B)).toEqual({ '😂': 4, '🔥': 2 }));
    // An anonymous earlier reactor removing theirs takes one from the fetched count.
    await discord.dispatch('MESSAGE_REACTION_REMOVE', reactionRemove({ ...target, user_id: snowflake(), emoji: { id: null, name: '😂' } }));
    await vi.waitFor(async () => expect(await reactionTypes(CLIP_B)).toEqual({ '😂': 3, '🔥': 2 }));
    expect(discord.requestsTo('GET', `/channels/${clipsChannel.id}/messages/${old.id}`)).toHaveLength(1);
  });

  it('discovers an uncached clip message through a reaction removal and keeps Discord’s remaining count', async () => {
    // Discord's state after the removal: three fire reactions left, by users the bot never saw.
    const old = message({
      channel_id: general.id,
      author: alice,
      content: `https://clips.twitch.tv/${CLIP_A}`,
      reactions: messageReactions([{ emoji: { id: null, name: '🔥' }, count: 3 }]),
    });
    discord.putMessage(old);
    await discord.dispatch(
      'MESSAGE_REACTION_REMOVE',
      reactionRemove({ channel_id: general.id, message_id: old.id, guild_id: guildId, user_id: bob.id, emoji: { id: null, name: '🔥' } }),
    );
    await vi.waitFor(async () => expect(await clip(CLIP_A)).toMatchObject({ discord_shares: 1, discord_reactions: 3 }));
    expect(await reactionTypes(CLIP_A)).toEqual({ '🔥': 3 });
  });

  it('fetches an uncached clip-less message only once however many reactions it gets', async () => {
    const old = message({ channel_id: general.id, author: alice, content: 'good morning' });
    discord.putMessage(old);
    for (const name of ['☀️', '👋', '☕']) {
      await discord.dispatch(
        'MESSAGE_REACTION_ADD',
        reactionAdd({
          channel_id: general.id,
          message_id: old.id,
          guild_id: guildId,
          user_id: bob.id,
          emoji: { id: null, name },
          member: member(bob),
        }),
      );
    }
    await settle();
    expect(discord.requestsTo('GET', `/channels/${general.id}/messages/${old.id}`)).toHaveLength(1);
    expect(await reactionCount()).toEqual({ n: 0 });
  });

  it('on stop finishes an event still waiting for Discord, commits it, then disconnects', async () => {
    const old = message({
      channel_id: clipsChannel.id,
      author: alice,
      content: `https://clips.twitch.tv/${CLIP_C}`,
      reactions: messageReactions([{ emoji: { id: null, name: '🔥' }, count: 1 }]),
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    discord.route('GET', '/channels/:channelId/messages/:messageId', async () => {
      await released;
      return { body: old };
    });
    await discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({
        channel_id: clipsChannel.id,
        message_id: old.id,
        guild_id: guildId,
        user_id: bob.id,
        emoji: { id: null, name: '🔥' },
        member: member(bob),
      }),
    );
    await discord.waitFor(() => discord.requestsTo('GET', '/channels/:c/messages/:m').length === 1);
    const stopping = bot.stop();
    release();
    await stopping;
    expect(await clip(CLIP_C)).toMatchObject({ discord_shares: 1, discord_reactions: 1 });
    await discord.waitFor(() => discord.connectedSessions === 0);
  });

  it('survives odd payloads with one log line each and keeps capturing', async () => {
    await discord.dispatch('MESSAGE_REACTION_ADD', { channel_id: general.id, message_id: snowflake(), guild_id: guildId, user_id: bob.id });
    await discord.dispatch('MESSAGE_CREATE', {
      id: snowflake(),
      channel_id: general.id,
      guild_id: guildId,
      content: `https://clips.twitch.tv/${CLIP_A}`,
    });
    await discord.dispatch('MESSAGE_DELETE_BULK', { channel_id: general.id, guild_id: guildId });
    await discord.dispatch('MESSAGE_REACTION_ADD', {
      channel_id: general.id,
      message_id: snowflake(),
      guild_id: guildId,
      user_id: bob.id,
      emoji: 'fire',
    });
    await discord.dispatch('MESSAGE_UPDATE', { channel_id: general.id, guild_id: guildId });
    await discord.dispatch('MESSAGE_REACTION_REMOVE_EMOJI', {
      channel_id: general.id,
      guild_id: guildId,
      message_id: snowflake(),
      emoji: { id: null, name: null },
    });
    const ok = await post({ content: `still here https://clips.twitch.tv/${CLIP_C}` });
    await vi.waitFor(async () => expect((await activeShares()).map((s) => s.message_id)).toContain(ok.id));
    expect((await activeShares()).filter((s) => s.clip_id === CLIP_A)).toHaveLength(0);
    const warnings = logs.filter((l) => l.level >= 40);
    // One line per malformed payload, naming the event, and nothing thrown anywhere.
    expect(warnings.map((l) => [l.msg, l.event])).toEqual([
      ['gateway: malformed dispatch ignored', 'MESSAGE_REACTION_ADD'],
      ['gateway: malformed dispatch ignored', 'MESSAGE_CREATE'],
      ['gateway: malformed dispatch ignored', 'MESSAGE_DELETE_BULK'],
      ['gateway: malformed dispatch ignored', 'MESSAGE_REACTION_ADD'],
      ['gateway: malformed dispatch ignored', 'MESSAGE_UPDATE'],
      ['gateway: malformed dispatch ignored', 'MESSAGE_REACTION_REMOVE_EMOJI'],
    ]);
  });

  it('changes nothing when the gateway replays events after a resume', async () => {
    const msg = await post({ content: `https://clips.twitch.tv/${CLIP_A}` });
    await discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({
        channel_id: general.id,
        message_id: msg.id,
        guild_id: guildId,
        user_id: bob.id,
        emoji: { id: null, name: '🔥' },
        member: member(bob),
      }),
    );
    await vi.waitFor(async () => expect((await clip(CLIP_A))?.discord_reactions).toBe(1));
    const resumesBefore = discord.resumes.length;
    // Drop the connection; discord.js resumes from its last sequence number and sees no duplicates...
    discord.disconnect(4000);
    await discord.waitFor(() => discord.resumes.length > resumesBefore && discord.connectedSessions === 1);
    // ...and a duplicated delivery of the same events is harmless too.
    await discord.dispatch('MESSAGE_CREATE', msg);
    await discord.dispatch(
      'MESSAGE_REACTION_ADD',
      reactionAdd({
        channel_id: general.id,
        message_id: msg.id,
        guild_id: guildId,
        user_id: bob.id,
        emoji: { id: null, name: '🔥' },
        member: member(bob),
      }),
    );
    await settle();
    expect(await clip(CLIP_A)).toMatchObject({ discord_shares: 1, discord_reactions: 1 });
    expect((await shares()).filter((s) => s.message_id === msg.id)).toHaveLength(1);
  });
});
