// Builds the discord.js Client: the intents and partials capture needs, and caches bounded so that memory
// stays flat however much history flows past.
import { Client, GatewayIntentBits, Options, Partials, type Snowflake } from 'discord.js';
import type { BuildIdentifyThrottler } from './identify-throttle';

export interface DiscordClientOptions {
  /** REST base URL, e.g. https://discord.com/api (or a proxy or a test fake). */
  apiBaseUrl: string;
  /** The identify throttle shared through the database (identify-throttle.ts); default: @discordjs/ws's own, per process. */
  buildIdentifyThrottler?: BuildIdentifyThrottler;
}

/** Messages kept per channel: enough to see edits and reactions on recent posts without a REST fetch. */
export const MESSAGES_PER_CHANNEL = 100;
/** Members kept per guild and users kept overall; older entries are dropped first. */
export const MEMBERS_PER_GUILD = 200;
export const USERS_CACHED = 2_000;

export function createDiscordClient(options: DiscordClientOptions): Client {
  const isSelf = (client: Client, id: Snowflake): boolean => id === client.user?.id;
  let self: Client | null = null;
  const client: Client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMessageReactions,
      // Privileged: must also be switched on in the developer portal, or content arrives empty.
      GatewayIntentBits.MessageContent,
    ],
    // Without partials, reactions, edits and deletes of messages the client never cached are dropped.
    partials: [Partials.Message, Partials.Reaction, Partials.User, Partials.Channel],
    rest: { api: options.apiBaseUrl },
    ...(options.buildIdentifyThrottler ? { ws: { buildIdentifyThrottler: options.buildIdentifyThrottler } } : {}),
    // Guilds, channels, threads and roles stay whole (discord.js needs them); everything that grows with
    // traffic is capped, and what is useless to capture is not cached at all.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: MESSAGES_PER_CHANNEL,
      GuildMemberManager: {
        maxSize: MEMBERS_PER_GUILD,
        keepOverLimit: (m) => self !== null && isSelf(self, m.id),
      },
      UserManager: {
        maxSize: USERS_CACHED,
        keepOverLimit: (u) => self !== null && isSelf(self, u.id),
      },
      ReactionUserManager: 0,
      PresenceManager: 0,
      VoiceStateManager: 0,
      ThreadMemberManager: 0,
      GuildInviteManager: 0,
      GuildBanManager: 0,
      GuildScheduledEventManager: 0,
      StageInstanceManager: 0,
      AutoModerationRuleManager: 0,
      GuildStickerManager: 0,
      DMMessageManager: 0,
    }),
    sweepers: {
      ...Options.DefaultSweeperSettings,
      // Messages older than 30 minutes leave the cache every 5 minutes; a later edit or reaction fetches them.
      messages: { interval: 300, lifetime: 1_800 },
      users: { interval: 3_600, filter: () => (u) => self === null || !isSelf(self, u.id) },
      guildMembers: { interval: 3_600, filter: () => (m) => self === null || !isSelf(self, m.id) },
    },
  });
  self = client;
  return client;
}
