// The bot's connection to Discord: clear errors when login is refused, and no lost events across reconnects.
import { createCaptureService } from '../../src/capture/service';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock';
import { createDiscordBot, type DiscordBot } from '../../src/discord/bot';
import { silentLogger } from '../../src/logger';
import { queries } from '../../src/db/sql';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { member, message, snowflake, startFakeDiscord, textChannel, user, type FakeDiscord } from '../fakes/discord';

const guildId = snowflake();
const channel = textChannel({ guild_id: guildId, name: 'clips' });
const alice = user({ username: 'alice' });

// One database per engine for the file, emptied before each bot starts.
describe.each(testEngines())('Discord connection on %s', (engine) => {
  let discord: FakeDiscord;
  let temp: TestDatabase;
  let bot: DiscordBot | null = null;
  beforeAll(async () => {
    temp = await openTestDatabase(engine, 'discord-connection');
  });
  afterAll(() => temp?.close());

  const startBot = async (options: { token?: string; allowedIntents?: number; replayLimit?: number } = {}) => {
    discord = await startFakeDiscord({
      guilds: [{ id: guildId, name: 'Reconnect Town', channels: [channel], members: [member(alice)] }],
      ...(options.allowedIntents === undefined ? {} : { allowedIntents: options.allowedIntents }),
      ...(options.replayLimit === undefined ? {} : { replayLimit: options.replayLimit }),
    });
    await clearTables(temp.db);
    bot = createDiscordBot({
      capture: createCaptureService(temp.db, { logger: silentLogger().child({ service: 'discord' }), clock: systemClock, batchMax: 100 }),
      logger: silentLogger(),
      clock: systemClock,
      token: options.token ?? discord.token,
      apiBaseUrl: discord.apiBaseUrl,
    });
    return bot;
  };

  afterEach(async () => {
    await bot?.stop();
    bot = null;
    await discord.stop();
  });

  const shareIds = async () =>
    (await queries(temp.db).all<{ message_id: string }>('SELECT message_id FROM shares ORDER BY id')).map((r) => r.message_id);
  const clipMessage = (slug: string) =>
    message({
      channel_id: channel.id,
      guild_id: guildId,
      author: alice,
      member: member(alice),
      content: `https://clips.twitch.tv/${slug}`,
    });

  it('says how to fix a refused Message Content intent', async () => {
    const b = await startBot({ allowedIntents: 1 | (1 << 9) | (1 << 10) });
    await expect(b.start()).rejects.toThrow(/enable it in the Discord Developer Portal .*Privileged Gateway Intents/);
  });

  it('says how to fix a rejected token', async () => {
    const b = await startBot({ token: 'not-the-token' });
    await expect(b.start()).rejects.toThrow(/Discord rejected DISCORD_TOKEN/);
  });

  it.each([
    ['an unknown error close (4000)', 4000],
    ['a dropped connection without a close frame (1006)', 1006],
  ])('resumes after %s and captures what was sent while disconnected', async (_what, code) => {
    const b = await startBot();
    await b.start();
    const before = clipMessage('BeforeDrop1');
    await discord.dispatch('MESSAGE_CREATE', before);
    await vi.waitFor(async () => expect(await shareIds()).toEqual([before.id]));

    discord.disconnect(code);
    // Sent while the bot is away: Discord keeps it for the RESUME.
    const during = clipMessage('DuringDrop2');
    await discord.dispatch('MESSAGE_CREATE', during);
    await discord.waitFor(() => discord.resumes.length === 1 && discord.connectedSessions === 1);
    const after = clipMessage('AfterDrop3');
    await discord.dispatch('MESSAGE_CREATE', after);
    await vi.waitFor(async () => expect(await shareIds()).toEqual([before.id, during.id, after.id]));
    expect(discord.identifies).toHaveLength(1);
  });

  it('replays only the last dispatches the fake keeps when it is told to keep few (benchmark streams)', async () => {
    const b = await startBot({ replayLimit: 2 });
    await b.start();
    discord.disconnect(4000);
    const missed = clipMessage('TooOldToReplay1');
    const kept = [clipMessage('Replayed2'), clipMessage('Replayed3')];
    for (const m of [missed, ...kept]) await discord.dispatch('MESSAGE_CREATE', m);
    await discord.waitFor(() => discord.resumes.length === 1 && discord.connectedSessions === 1);
    const after = clipMessage('AfterResume4');
    await discord.dispatch('MESSAGE_CREATE', after);
    await vi.waitFor(async () => expect(await shareIds()).toEqual([...kept.map((m) => m.id), after.id]));
  });
});
