// Discord over REST alone (@discordjs/rest with the bot token, at DISCORD_API_BASE_URL): guilds, roles, members and
// channels as the jobs and sign-in checks need them, in bounded TTL caches, and permissions computed from them as
// Discord does (./permissions.ts). For processes without a gateway client that knows every guild (docs/adr/0037).
// discord.js's re-export, not @discordjs/rest's ESM build: one DiscordAPIError class for the senders' instanceof.
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { z } from 'zod';
import type { Clock } from '../../clock';
import { ClipscopeError } from '../../errors';
import { basePermissions, channelPermissions, type PermissionGuild, type PermissionOverwrite } from './permissions';
import { TtlCache } from './ttl-cache';

const snowflake = z.string().regex(/^\d{1,20}$/);
const bits = z
  .string()
  .regex(/^\d{1,20}$/)
  .transform((s) => BigInt(s));

const roleSchema = z.object({
  id: snowflake,
  name: z.string(),
  permissions: bits,
  position: z.number().int(),
  managed: z.boolean().default(false),
});
const guildSchema = z.object({
  id: snowflake,
  name: z.string(),
  icon: z.string().nullable().default(null),
  owner_id: snowflake,
  roles: z.array(roleSchema),
});
const memberSchema = z.object({ user: z.object({ id: snowflake, bot: z.boolean().optional() }).optional(), roles: z.array(snowflake) });
const overwriteSchema = z.object({ id: snowflake, type: z.coerce.number().int(), allow: bits, deny: bits });
const channelSchema = z.object({
  id: snowflake,
  type: z.number().int(),
  guild_id: snowflake.optional(),
  name: z.string().nullable().optional(),
  parent_id: snowflake.nullable().optional(),
  nsfw: z.boolean().optional(),
  permission_overwrites: z.array(overwriteSchema).optional(),
});
const userSchema = z.object({
  id: snowflake,
  username: z.string(),
  global_name: z.string().nullable().optional(),
  bot: z.boolean().optional(),
});

export type RestRole = z.infer<typeof roleSchema>;
export type RestGuild = z.infer<typeof guildSchema>;
export type RestChannel = z.infer<typeof channelSchema>;
export type RestUser = z.infer<typeof userSchema>;

/** Threads: their permissions and NSFW flag are their parent's. */
const THREAD_TYPES = new Set([10, 11, 12]);

/** Discord refused to show a guild or channel (403), or it does not exist (404): said with the thing's id. */
export class DiscordLookupError extends ClipscopeError {
  constructor(
    readonly status: number,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('discord_lookup', message, options);
  }
}

export interface DiscordRestOptions {
  token: string;
  /** DISCORD_API_BASE_URL (a REST proxy shared by every process, or Discord itself). */
  apiBaseUrl: string;
  clock: Clock;
  /** Entries per cache (guilds, members, channels); default 1,000. */
  maxEntries?: number;
  /** How long an answer is reused; default 30 s: short, so a permission fixed on Discord counts on the next run. */
  ttlMs?: number;
}

export interface DiscordRest {
  readonly rest: REST;
  /** The bot's own user (asked once). */
  me(): Promise<RestUser>;
  /** The bot's user if `me()` has answered already, else null (for synchronous callers). */
  knownMe(): RestUser | null;
  /** The guild with its owner and roles; null when the bot is not in it (403/404). */
  guild(guildId: string): Promise<RestGuild | null>;
  /** A member's role ids; null when they are not a member. `fresh` skips the cache (access checks at sign-in). */
  memberRoles(guildId: string, userId: string, options?: { fresh?: boolean }): Promise<string[] | null>;
  /** A channel; null when it does not exist or the bot cannot see it (403/404). */
  channel(channelId: string): Promise<RestChannel | null>;
  /** The guild's channels; null when the bot is not in the guild. */
  guildChannels(guildId: string): Promise<RestChannel[] | null>;
  /** The user's permissions in the guild (no channel); null when the guild or the member is unknown. */
  guildPermissions(guildId: string, userId: string): Promise<bigint | null>;
  /** The user's permissions in the channel (a thread: its parent); throws a DiscordLookupError naming what is missing. */
  permissionsIn(guildId: string, channelId: string, userId: string): Promise<bigint>;
  /** Whether a user is a bot (GET /users/{id}, remembered: the flag does not change); false when Discord cannot say. */
  isBot(userId: string): Promise<boolean>;
}

/** The 403/404 answers that mean "not there, or not for you" rather than a failure to retry. */
function isAbsent(error: unknown): boolean {
  return error instanceof DiscordAPIError && (error.status === 403 || error.status === 404);
}

export function createDiscordRest({ token, apiBaseUrl, clock, maxEntries = 1_000, ttlMs = 30_000 }: DiscordRestOptions): DiscordRest {
  // @discordjs/rest keeps Discord's per-route buckets and waits out 429s (per process; a shared proxy spans processes).
  const rest = new REST({ api: apiBaseUrl, version: '10', retries: 3, timeout: 15_000 }).setToken(token);
  const guilds = new TtlCache<RestGuild | null>(clock, maxEntries, ttlMs);
  const members = new TtlCache<string[] | null>(clock, maxEntries, ttlMs);
  const channels = new TtlCache<RestChannel | null>(clock, maxEntries, ttlMs);
  const guildChannelLists = new TtlCache<RestChannel[] | null>(clock, Math.max(1, Math.floor(maxEntries / 10)), ttlMs);
  // A user's bot flag never changes: kept a day, for up to ten times as many users as the other caches hold.
  const bots = new TtlCache<boolean>(clock, maxEntries * 10, 86_400_000);
  let meUser: RestUser | null = null;
  let mePromise: Promise<RestUser> | null = null;

  const orNull = async <T>(load: () => Promise<T>): Promise<T | null> => {
    try {
      return await load();
    } catch (error) {
      if (isAbsent(error)) return null;
      throw error;
    }
  };

  const api: DiscordRest = {
    rest,
    me() {
      mePromise ??= rest.get(Routes.user('@me')).then(
        (raw) => (meUser = userSchema.parse(raw)),
        (error: unknown) => {
          mePromise = null;
          throw error;
        },
      );
      return mePromise;
    },
    knownMe: () => meUser,
    guild: (guildId) => guilds.get(guildId, () => orNull(async () => guildSchema.parse(await rest.get(Routes.guild(guildId))))),
    memberRoles(guildId, userId, options = {}) {
      // Only "not a member" (404) is null: a 403 must not read as someone who left (a role runner would drop them).
      const load = async () => {
        try {
          return memberSchema.parse(await rest.get(Routes.guildMember(guildId, userId))).roles;
        } catch (error) {
          if (error instanceof DiscordAPIError && error.status === 404) return null;
          throw error;
        }
      };
      const key = `${guildId}/${userId}`;
      if (options.fresh) members.delete(key);
      return members.get(key, load);
    },
    channel: (channelId) =>
      channels.get(channelId, () => orNull(async () => channelSchema.parse(await rest.get(Routes.channel(channelId))))),
    guildChannels: (guildId) =>
      guildChannelLists.get(guildId, () => orNull(async () => z.array(channelSchema).parse(await rest.get(Routes.guildChannels(guildId))))),
    async guildPermissions(guildId, userId) {
      const guild = await api.guild(guildId);
      if (!guild) return null;
      const roles = await api.memberRoles(guildId, userId);
      return roles === null ? null : basePermissions(permissionGuild(guild), userId, roles);
    },
    async permissionsIn(guildId, channelId, userId) {
      const guild = await api.guild(guildId);
      if (!guild) throw new DiscordLookupError(404, `Clipscope is not in the server ${guildId} any more (Discord does not show it).`);
      let channel = await api.channel(channelId);
      if (!channel || (channel.guild_id !== undefined && channel.guild_id !== guildId))
        throw new DiscordLookupError(404, `The channel <#${channelId}> no longer exists or Clipscope cannot see it.`);
      if (THREAD_TYPES.has(channel.type) && channel.parent_id) {
        const parent = await api.channel(channel.parent_id);
        if (!parent)
          throw new DiscordLookupError(404, `The parent of the thread <#${channelId}> no longer exists or Clipscope cannot see it.`);
        channel = parent;
      }
      const roles = await api.memberRoles(guildId, userId);
      if (roles === null) throw new DiscordLookupError(404, `<@${userId}> is not a member of the server ${guildId}.`);
      return channelPermissions(permissionGuild(guild), userId, roles, toOverwrites(channel));
    },
    async isBot(userId) {
      if (userId === meUser?.id) return true;
      try {
        return await bots.get(userId, async () => userSchema.parse(await rest.get(Routes.user(userId))).bot === true);
      } catch {
        // Unknown now (a deleted user, an outage): counted as a person this pass, asked again the next.
        return false;
      }
    },
  };
  return api;
}

export function permissionGuild(guild: RestGuild): PermissionGuild {
  return { id: guild.id, ownerId: guild.owner_id, roles: guild.roles };
}

function toOverwrites(channel: RestChannel): PermissionOverwrite[] {
  return (channel.permission_overwrites ?? []).map((o) => ({ id: o.id, type: o.type, allow: o.allow, deny: o.deny }));
}

export { THREAD_TYPES };
