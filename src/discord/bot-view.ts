// The bot's answers for Sign in with Discord (the BotView port of src/auth/guild-access.ts): which guilds it is in,
// a member's current access through their roles (fetched fresh, so a removed role counts at once), the guild's
// channels with what the bot may do there, and its roles. Runs on the main thread, beside the gateway's cache.
import { ChannelType, DiscordAPIError, PermissionFlagsBits, type Client, type Guild, type GuildMember } from 'discord.js';
import { BotUnavailableError, type BotChannel, type BotView, type GuildAccessLevel } from '../auth/guild-access';
import type { GuildSettingsStore } from '../db/guild-settings';

/** Discord's error codes for a user who is not (or no longer) a member. */
const NOT_A_MEMBER = new Set([10007, 10013]);

const POST_NEEDS = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
] as const;

export function createBotView(client: Client, settings: Pick<GuildSettingsStore, 'get'>): BotView {
  const guildOf = (guildId: string): Guild | null => {
    if (!client.isReady()) throw new BotUnavailableError('the bot is not connected to Discord');
    const guild = client.guilds.cache.get(guildId);
    return guild?.available ? guild : null;
  };

  /** The member now (fetched from Discord, not the cache), or null when they are not in the guild. */
  const freshMember = async (guild: Guild, userId: string): Promise<GuildMember | null> => {
    try {
      return await guild.members.fetch({ user: userId, force: true });
    } catch (error) {
      if (error instanceof DiscordAPIError && typeof error.code === 'number' && NOT_A_MEMBER.has(error.code)) return null;
      throw new BotUnavailableError(`member fetch failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const viewerRoleOf = async (guildId: string): Promise<string | null> => (await settings.get(guildId)).dashboardViewerRoleId;

  const accessOf = async (guild: Guild, member: GuildMember): Promise<GuildAccessLevel | null> => {
    if (guild.ownerId === member.id) return 'manage';
    if (member.permissions.any([PermissionFlagsBits.Administrator, PermissionFlagsBits.ManageGuild])) return 'manage';
    const viewerRole = await viewerRoleOf(guild.id);
    return viewerRole !== null && member.roles.cache.has(viewerRole) ? 'view' : null;
  };

  return {
    async signInAccess(userId, guilds) {
      const granted = [];
      for (const { id, manages } of guilds) {
        const guild = guildOf(id);
        if (!guild) continue;
        if (manages) {
          granted.push({ id, name: guild.name, icon: guild.icon, access: 'manage' as const });
          continue;
        }
        // Not a manager by Discord's word: only the server's viewer role can open its dashboard (read-only).
        const viewerRole = await viewerRoleOf(id);
        if (viewerRole === null) continue;
        const member = await freshMember(guild, userId);
        if (member?.roles.cache.has(viewerRole)) granted.push({ id, name: guild.name, icon: guild.icon, access: 'view' as const });
      }
      return granted;
    },

    async memberAccess(guildId, userId) {
      const guild = guildOf(guildId);
      if (!guild) return null;
      const member = await freshMember(guild, userId);
      return member ? accessOf(guild, member) : null;
    },

    async channels(guildId) {
      const guild = guildOf(guildId);
      if (!guild) return null;
      const me = guild.members.me ?? (await guild.members.fetchMe().catch(() => null));
      const channels: BotChannel[] = [];
      for (const channel of guild.channels.cache.values()) {
        const kind =
          channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement
            ? 'text'
            : channel.type === ChannelType.GuildForum || channel.type === ChannelType.GuildMedia
              ? 'forum'
              : null;
        if (kind === null) continue;
        const permissions = me ? channel.permissionsFor(me) : null;
        const missingToPost =
          kind === 'forum'
            ? ['a text channel (forums take posts, not messages)']
            : POST_NEEDS.filter(([bit]) => !permissions?.has(bit)).map(([, name]) => name);
        channels.push({
          id: channel.id,
          name: channel.name,
          kind,
          category: channel.parent?.name ?? null,
          canView: permissions?.has(PermissionFlagsBits.ViewChannel) ?? false,
          canPost: missingToPost.length === 0,
          missingToPost,
        });
      }
      return channels.sort((a, b) => (a.category ?? '').localeCompare(b.category ?? '') || a.name.localeCompare(b.name));
    },

    async presentIn(guildIds) {
      return guildIds.filter((id) => guildOf(id) !== null);
    },

    async roles(guildId) {
      const guild = guildOf(guildId);
      if (!guild) return null;
      return [...guild.roles.cache.values()]
        .filter((r) => r.id !== guild.id && !r.managed)
        .sort((a, b) => b.position - a.position)
        .map((r) => ({ id: r.id, name: r.name }));
    },
  };
}
