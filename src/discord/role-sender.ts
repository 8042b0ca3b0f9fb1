// Gives and takes clipper roles through the bot's discord.js client (src/roles/sender.ts is the contract): each change
// fetches the member first (a member who left answers 404, and one who already is as wanted needs no change), then
// PUT or DELETE the member's role with the rule in the audit log (X-Audit-Log-Reason). @discordjs/rest waits out 429s.
import { DiscordAPIError, PermissionFlagsBits, RESTJSONErrorCodes, type Client, type Guild, type Role } from 'discord.js';
import { RoleDeliveryError, type RoleChangeOutcome, type RoleSender } from '../roles/sender';

/**
 * Null when Clipscope may give and take the role, else why not, as an admin can act on it: Discord lets a bot
 * manage only roles below its highest role, with Manage Roles, and never @everyone or a role an integration manages.
 */
export function whyRoleUnmanageable(guild: Guild, role: Role): string | null {
  if (role.id === guild.id) return '@everyone is every member’s role; pick another role.';
  if (role.managed) return `<@&${role.id}> is managed by an integration (a bot’s own role, boosts or subscriptions); pick another role.`;
  const me = guild.members.me;
  if (!me) return 'Clipscope does not know its own roles in this server yet; try again in a minute.';
  if (!me.permissions.has(PermissionFlagsBits.ManageRoles))
    return 'Clipscope needs the **Manage Roles** permission to give and take roles. Grant it to Clipscope’s role, then try again.';
  const highest = me.roles.highest;
  if (highest.comparePositionTo(role) <= 0)
    return `<@&${role.id}> is not below Clipscope’s highest role (<@&${highest.id}>), so Discord does not let Clipscope give it. Move Clipscope’s role above it in Server Settings → Roles, then try again.`;
  return null;
}

export function createRoleSender(client: Client): RoleSender {
  const guildOf = (guildId: string): Guild => {
    const guild = client.guilds.cache.get(guildId);
    if (!guild) throw new RoleDeliveryError('Clipscope is not in this server any more (or Discord has not sent it yet).');
    return guild;
  };
  /** The member's role ids now, or null when they are not a member any more. */
  const rolesOf = async (guild: Guild, userId: string): Promise<Set<string> | null> => {
    try {
      const member = await guild.members.fetch({ user: userId, force: true, cache: false });
      return new Set(member.roles.cache.keys());
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMember) return null;
      throw roleDeliveryError(error);
    }
  };
  const change = async (add: boolean, guildId: string, userId: string, roleId: string, reason: string): Promise<RoleChangeOutcome> => {
    const guild = guildOf(guildId);
    const roles = await rolesOf(guild, userId);
    if (roles === null) return 'left';
    if (roles.has(roleId) === add) return 'already';
    try {
      if (add) await guild.members.addRole({ user: userId, role: roleId, reason });
      else await guild.members.removeRole({ user: userId, role: roleId, reason });
      return 'done';
    } catch (error) {
      // Left between the fetch and the change.
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMember) return 'left';
      throw roleDeliveryError(error);
    }
  };
  return {
    async checkRole(guildId, roleId) {
      const guild = client.guilds.cache.get(guildId);
      if (!guild) return 'Clipscope is not in this server any more (or Discord has not sent it yet).';
      const role = guild.roles.cache.get(roleId);
      if (!role) return `The role ${roleId} no longer exists; remove its rule with \`/clipscope-admin roles remove\`.`;
      return whyRoleUnmanageable(guild, role);
    },
    addRole: (guildId, userId, roleId, reason) => change(true, guildId, userId, roleId, reason),
    removeRole: (guildId, userId, roleId, reason) => change(false, guildId, userId, roleId, reason),
  };
}

export function roleDeliveryError(error: unknown): RoleDeliveryError {
  if (error instanceof RoleDeliveryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RoleDeliveryError(`Discord refused the role change: ${message}`, { cause: error });
}
