// A member's permissions in a guild and in one of its channels, computed from REST payloads exactly as Discord's docs
// describe (Permissions → "Permission Hierarchy"): the gateway-free twin of discord.js's permissionsFor.
import { PermissionFlagsBits, PermissionsBitField } from 'discord.js';

export const ALL_PERMISSIONS: bigint = PermissionsBitField.All;

/** Of a guild, what the computation needs: its owner and every role's permissions (@everyone's id is the guild's). */
export interface PermissionGuild {
  id: string;
  ownerId: string;
  roles: ReadonlyArray<{ id: string; permissions: bigint }>;
}

/** A channel's overwrite: type 0 a role (or @everyone, id = guild id), type 1 a member. */
export interface PermissionOverwrite {
  id: string;
  type: number;
  allow: bigint;
  deny: bigint;
}

/** Base permissions: the owner has all; else @everyone's and every role's together, and Administrator grants all. */
export function basePermissions(guild: PermissionGuild, userId: string, memberRoleIds: readonly string[]): bigint {
  if (guild.ownerId === userId) return ALL_PERMISSIONS;
  const byId = new Map(guild.roles.map((r) => [r.id, r.permissions]));
  let permissions = byId.get(guild.id) ?? 0n;
  for (const roleId of memberRoleIds) permissions |= byId.get(roleId) ?? 0n;
  return (permissions & PermissionFlagsBits.Administrator) !== 0n ? ALL_PERMISSIONS : permissions;
}

/**
 * Channel permissions: Administrator (or the owner's all) overrides overwrites; else @everyone's overwrite, then the
 * member's roles' overwrites together (deny first, then allow, so a role's allow beats another role's deny), then the
 * member's own overwrite.
 */
export function channelPermissions(
  guild: PermissionGuild,
  userId: string,
  memberRoleIds: readonly string[],
  overwrites: readonly PermissionOverwrite[],
): bigint {
  const base = basePermissions(guild, userId, memberRoleIds);
  if ((base & PermissionFlagsBits.Administrator) !== 0n) return ALL_PERMISSIONS;
  let permissions = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.id === guild.id);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  const roles = new Set(memberRoleIds);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type !== 0 || o.id === guild.id || !roles.has(o.id)) continue;
    allow |= o.allow;
    deny |= o.deny;
  }
  permissions = (permissions & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === userId);
  if (own) permissions = (permissions & ~own.deny) | own.allow;
  return permissions;
}

/** Names of the flags of `needs` that `permissions` lacks, e.g. ['Send Messages']. */
export function missingPermissions(permissions: bigint, needs: ReadonlyArray<readonly [bigint, string]>): string[] {
  return needs.filter(([bit]) => (permissions & bit) !== bit).map(([, name]) => name);
}
