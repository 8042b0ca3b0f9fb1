// The sign-in checks (the BotView port of src/auth/guild-access.ts) over REST alone, for processes without a gateway
// client that knows every guild: the DISCORD_PROCESSES > 1 parent, and http/jobs processes without the bot role
// (docs/adr/0037). A member's roles are fetched fresh, so a removed role counts at once; guilds come from a short cache.
import { PermissionFlagsBits } from 'discord.js';
import { BotUnavailableError, type BotChannel, type BotView, type GuildAccessLevel } from '../../auth/guild-access';
import type { GuildSettingsStore } from '../../db/guild-settings';
import type { DiscordRest, RestGuild } from './discord-rest';
import { basePermissions, channelPermissions, missingPermissions } from './permissions';
import { permissionGuild } from './discord-rest';

const POST_NEEDS = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
] as const;

const TEXT_TYPES = new Set([0, 5]);
const FORUM_TYPES = new Set([15, 16]);
const CATEGORY = 4;
/** Guild lookups in flight at once for one sign-in (each guild is its own rate-limit bucket on Discord). */
const LOOKUPS_AT_ONCE = 8;

/** `fn` over `items` with at most `limit` running at once; the answers in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Discord failing (not "not there"): access cannot be checked, so it is refused, as with a gateway not connected. */
async function asking<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new BotUnavailableError(`${what} over REST failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function createRestBotView(discord: DiscordRest, settings: Pick<GuildSettingsStore, 'get'>): BotView {
  const viewerRoleOf = async (guildId: string): Promise<string | null> => (await settings.get(guildId)).dashboardViewerRoleId;
  const guildOf = (guildId: string): Promise<RestGuild | null> => asking(`guild ${guildId}`, () => discord.guild(guildId));
  const rolesOf = (guildId: string, userId: string): Promise<string[] | null> =>
    asking(`member ${userId} of guild ${guildId}`, () => discord.memberRoles(guildId, userId, { fresh: true }));

  return {
    async signInAccess(userId, guilds) {
      // Up to 200 guilds from Discord: asked a few at a time, so a sign-in stays within the bridge's time limit.
      const answers = await mapLimited(guilds, LOOKUPS_AT_ONCE, async ({ id, manages }) => {
        const guild = await guildOf(id);
        if (!guild) return null;
        if (manages) return { id, name: guild.name, icon: guild.icon, access: 'manage' as const };
        // Not a manager by Discord's word: only the server's viewer role can open its dashboard (read-only).
        const viewerRole = await viewerRoleOf(id);
        if (viewerRole === null) return null;
        const roles = await rolesOf(id, userId);
        return roles?.includes(viewerRole) ? { id, name: guild.name, icon: guild.icon, access: 'view' as const } : null;
      });
      return answers.filter((a) => a !== null);
    },

    async memberAccess(guildId, userId): Promise<GuildAccessLevel | null> {
      const guild = await guildOf(guildId);
      if (!guild) return null;
      const roles = await rolesOf(guildId, userId);
      if (roles === null) return null;
      const permissions = basePermissions(permissionGuild(guild), userId, roles);
      if ((permissions & (PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild)) !== 0n) return 'manage';
      const viewerRole = await viewerRoleOf(guildId);
      return viewerRole !== null && roles.includes(viewerRole) ? 'view' : null;
    },

    async channels(guildId) {
      const guild = await guildOf(guildId);
      if (!guild) return null;
      const all = await asking(`channels of guild ${guildId}`, () => discord.guildChannels(guildId));
      if (!all) return null;
      const me = await asking('the bot user', () => discord.me());
      const mine = await asking(`the bot's member in guild ${guildId}`, () => discord.memberRoles(guildId, me.id));
      const categories = new Map(all.filter((c) => c.type === CATEGORY).map((c) => [c.id, c.name ?? null]));
      const channels: BotChannel[] = [];
      for (const channel of all) {
        const kind = TEXT_TYPES.has(channel.type) ? 'text' : FORUM_TYPES.has(channel.type) ? 'forum' : null;
        if (kind === null) continue;
        const permissions =
          mine === null ? 0n : channelPermissions(permissionGuild(guild), me.id, mine, channel.permission_overwrites ?? []);
        const missingToPost =
          kind === 'forum' ? ['a text channel (forums take posts, not messages)'] : missingPermissions(permissions, POST_NEEDS);
        channels.push({
          id: channel.id,
          name: channel.name ?? channel.id,
          kind,
          category: channel.parent_id ? (categories.get(channel.parent_id) ?? null) : null,
          canView: (permissions & PermissionFlagsBits.ViewChannel) !== 0n,
          canPost: missingToPost.length === 0,
          missingToPost,
        });
      }
      return channels.sort((a, b) => (a.category ?? '').localeCompare(b.category ?? '') || a.name.localeCompare(b.name));
    },

    async presentIn(guildIds) {
      const found = await mapLimited(guildIds, LOOKUPS_AT_ONCE, async (id) => ((await guildOf(id)) ? id : null));
      return found.filter((id) => id !== null);
    },

    async roles(guildId) {
      const guild = await guildOf(guildId);
      if (!guild) return null;
      return guild.roles
        .filter((r) => r.id !== guild.id && !r.managed)
        .sort((a, b) => b.position - a.position)
        .map((r) => ({ id: r.id, name: r.name }));
    },
  };
}
