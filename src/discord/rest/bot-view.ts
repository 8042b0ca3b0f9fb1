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
      const granted = [];
      for (const { id, manages } of guilds) {
        const guild = await guildOf(id);
        if (!guild) continue;
        if (manages) {
          granted.push({ id, name: guild.name, icon: guild.icon, access: 'manage' as const });
          continue;
        }
        // Not a manager by Discord's word: only the server's viewer role can open its dashboard (read-only).
        const viewerRole = await viewerRoleOf(id);
        if (viewerRole === null) continue;
        const roles = await rolesOf(id, userId);
        if (roles?.includes(viewerRole)) granted.push({ id, name: guild.name, icon: guild.icon, access: 'view' as const });
      }
      return granted;
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
      const present = [];
      for (const id of guildIds) if (await guildOf(id)) present.push(id);
      return present;
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
