// The clip feed's test wiring: a real database (either engine), the fake Helix behind TWURPLE_MOCK_API_PORT with the
// production Twitch client on top, the fake Discord with a real discord.js client, and feed runners on them.
import type { Client } from 'discord.js';
import { expect, vi } from 'vitest';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import type { Engine } from '../../src/db/database';
import { createFeed, type Feed, type NewFeed } from '../../src/db/stores/feeds';
import { createDiscordClient } from '../../src/discord/client';
import { createFeedSender } from '../../src/discord/feed-sender';
import { createFeedRunner, type FeedRunner } from '../../src/feed/job';
import { silentLogger } from '../../src/logger';
import { createTwitchApi, type TwitchApi } from '../../src/twitch/client';
import { snowflake, startFakeDiscord, textChannel, type FakeDiscord } from '../fakes/discord';
import type { ApiChannel } from '../fakes/discord/payloads';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';
import { openTestDatabase, type TestDatabase } from '../helpers/engines';

export const T0 = Date.parse('2024-06-01T12:00:00Z');
export const MINUTE = 60_000;
export const BROADCASTER = '777';

export const FILTERS = {
  minViews: 0,
  games: [],
  excludeGames: [],
  creatorsExclude: [],
  maxPerHour: null,
  mentionRoleId: null,
  postMemberShared: true,
  takingOff: true,
  alertChannelId: null,
};

export interface FeedHarness {
  t: TestDatabase;
  db: Db;
  helix: FakeHelix;
  twitch: TwitchApi;
  discord: FakeDiscord;
  client: Client;
  clock: ManualClock;
  guildId: string;
  channel: ApiChannel;
  /** The further text channels asked for, in order. */
  moreChannels: ApiChannel[];
  runner(options?: { db?: Db; client?: Client; owner?: string; helixCallsPerRun?: number }): FeedRunner;
  login(): Promise<Client>;
  addFeed(over?: Partial<NewFeed>): Promise<Feed>;
  /** Adds a clip of the broadcaster made `minutesAfterT0` after T0 (Helix lists it once the clock has passed it). */
  clip(id: string, minutesAfterT0: number, over?: Record<string, unknown>): void;
  /** The clip ids of the bot's messages in the channel, in order, one entry per message. */
  postedClipIds(channelId?: string): string[];
  messages(channelId?: string): string[];
  close(): Promise<void>;
}

export async function startFeedHarness(
  engine: Engine,
  channelOver: Partial<ApiChannel> = {},
  more: ReadonlyArray<Partial<ApiChannel>> = [],
): Promise<FeedHarness> {
  const t = await openTestDatabase(engine, 'feed');
  const helix = new FakeHelix();
  const restore = useFakeHelixPort(await helix.start());
  helix.addGame('509658', 'Just Chatting');
  helix.addGame('32982', 'Grand Theft Auto V');
  const twitch = createTwitchApi({
    clientId: helix.clientId,
    clientSecret: helix.clientSecret,
    logger: silentLogger(),
    retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 },
    requestTimeoutMs: 5000,
    pacing: false,
  });
  const guildId = snowflake();
  const channel = textChannel({ guild_id: guildId, name: 'clips', ...channelOver });
  const moreChannels = more.map((over, i) => textChannel({ guild_id: guildId, name: `clips-${i + 2}`, ...over }));
  const discord = await startFakeDiscord({
    guilds: [{ id: guildId, name: 'Clip Town', ownerId: snowflake(), channels: [channel, ...moreChannels] }],
  });
  const clock = new ManualClock(T0);
  const clients: Client[] = [];
  const others: Array<{ close(): Promise<void> }> = [];
  const login = async (): Promise<Client> => {
    const client = createDiscordClient({ apiBaseUrl: discord.apiBaseUrl });
    clients.push(client);
    await client.login(discord.token);
    await vi.waitFor(() => expect(client.guilds.cache.size).toBe(1), { timeout: 15_000 });
    return client;
  };
  const client = await login();
  const messages = (channelId = channel.id): string[] =>
    [...(discord.messages.get(channelId)?.values() ?? [])].map((m) => String((m as { content?: string }).content ?? ''));
  return {
    t,
    db: t.db,
    helix,
    twitch,
    discord,
    client,
    clock,
    guildId,
    channel,
    moreChannels,
    login,
    runner: (o = {}) =>
      createFeedRunner({
        db: o.db ?? t.db,
        clock,
        logger: silentLogger(),
        twitch,
        sender: createFeedSender(o.client ?? client),
        helixCallsPerRun: o.helixCallsPerRun ?? 50,
        owner: o.owner,
      }),
    addFeed: (over = {}) =>
      createFeed(
        t.db,
        {
          guildId,
          channelId: channel.id,
          broadcasterId: BROADCASTER,
          broadcasterLogin: 'bigstreamer',
          broadcasterName: 'BigStreamer',
          ...FILTERS,
          ...over,
        },
        clock.now(),
      ),
    clip(id, minutesAfterT0, over = {}) {
      helix.addClip({
        id,
        broadcaster_id: BROADCASTER,
        broadcaster_name: 'BigStreamer',
        created_at: new Date(T0 + minutesAfterT0 * MINUTE).toISOString(),
        view_count: 5,
        ...over,
      });
    },
    messages,
    postedClipIds: (channelId = channel.id) =>
      messages(channelId)
        .map((content) => /^https:\/\/clips\.twitch\.tv\/(\S+)$/.exec(content.split('\n')[0] ?? '')?.[1])
        .filter((id): id is string => id !== undefined),
    async close() {
      for (const c of clients) await c.destroy();
      for (const o of others) await o.close();
      await discord.stop();
      await helix.stop();
      restore();
      await t.close();
    },
  };
}
