// Channel permissions computed from REST payloads, on the cases of Discord's documented algorithm (Permissions →
// Permission Hierarchy / Permission Overwrites), checked against discord.js's own flags.
import { PermissionFlagsBits as P } from 'discord.js';
import { describe, expect, it } from 'vitest';
import {
  ALL_PERMISSIONS,
  basePermissions,
  channelPermissions,
  missingPermissions,
  type PermissionGuild,
} from '../../../src/discord/rest/permissions';

const GUILD = '100';
const OWNER = '1';
const ALICE = '2';
const MODS = '200';
const MUTED = '201';
const ADMINS = '202';

const guild: PermissionGuild = {
  id: GUILD,
  ownerId: OWNER,
  roles: [
    { id: GUILD, permissions: P.ViewChannel | P.SendMessages | P.ReadMessageHistory },
    { id: MODS, permissions: P.ManageMessages | P.EmbedLinks },
    { id: MUTED, permissions: 0n },
    { id: ADMINS, permissions: P.Administrator },
  ],
};

const role = (id: string, allow: bigint, deny: bigint) => ({ id, type: 0, allow, deny });
const memberOverwrite = (id: string, allow: bigint, deny: bigint) => ({ id, type: 1, allow, deny });

describe('permissions over REST', () => {
  it('gives the owner every permission, whatever the roles and overwrites', () => {
    expect(basePermissions(guild, OWNER, [])).toBe(ALL_PERMISSIONS);
    expect(channelPermissions(guild, OWNER, [], [role(GUILD, 0n, P.ViewChannel), memberOverwrite(OWNER, 0n, P.SendMessages)])).toBe(
      ALL_PERMISSIONS,
    );
  });

  it('gives a member with an Administrator role every permission, past any deny overwrite', () => {
    expect(basePermissions(guild, ALICE, [ADMINS])).toBe(ALL_PERMISSIONS);
    expect(channelPermissions(guild, ALICE, [ADMINS], [role(GUILD, 0n, P.ViewChannel), memberOverwrite(ALICE, 0n, P.ViewChannel)])).toBe(
      ALL_PERMISSIONS,
    );
  });

  it('adds the roles of the member to @everyone for the base', () => {
    expect(basePermissions(guild, ALICE, [MODS])).toBe(
      P.ViewChannel | P.SendMessages | P.ReadMessageHistory | P.ManageMessages | P.EmbedLinks,
    );
    // A role the guild no longer has grants nothing.
    expect(basePermissions(guild, ALICE, ['999'])).toBe(P.ViewChannel | P.SendMessages | P.ReadMessageHistory);
  });

  it('takes away what an @everyone deny overwrite denies', () => {
    const permissions = channelPermissions(guild, ALICE, [], [role(GUILD, 0n, P.SendMessages)]);
    expect(permissions & P.SendMessages).toBe(0n);
    expect(permissions & P.ViewChannel).toBe(P.ViewChannel);
    expect(
      missingPermissions(permissions, [
        [P.ViewChannel, 'View Channel'],
        [P.SendMessages, 'Send Messages'],
      ]),
    ).toEqual(['Send Messages']);
  });

  it('lets one role’s allow win over another role’s deny, as the role overwrites apply together', () => {
    const overwrites = [role(GUILD, 0n, P.SendMessages), role(MUTED, 0n, P.SendMessages), role(MODS, P.SendMessages, 0n)];
    expect(channelPermissions(guild, ALICE, [MUTED], overwrites) & P.SendMessages).toBe(0n);
    expect(channelPermissions(guild, ALICE, [MUTED, MODS], overwrites) & P.SendMessages).toBe(P.SendMessages);
  });

  it('lets the member’s own allow win over a role deny, and the member’s own deny win over a role allow', () => {
    const allowMember = [role(MUTED, 0n, P.SendMessages | P.ViewChannel), memberOverwrite(ALICE, P.SendMessages, 0n)];
    const permissions = channelPermissions(guild, ALICE, [MUTED], allowMember);
    expect(permissions & P.SendMessages).toBe(P.SendMessages);
    expect(permissions & P.ViewChannel).toBe(0n);
    const denyMember = [role(MODS, P.AttachFiles, 0n), memberOverwrite(ALICE, 0n, P.AttachFiles)];
    expect(channelPermissions(guild, ALICE, [MODS], denyMember) & P.AttachFiles).toBe(0n);
  });

  it('applies a role overwrite only to members with the role, and a member overwrite only to that member', () => {
    const overwrites = [role(MODS, 0n, P.ViewChannel), memberOverwrite('3', 0n, P.ViewChannel)];
    expect(channelPermissions(guild, ALICE, [], overwrites) & P.ViewChannel).toBe(P.ViewChannel);
    // A member overwrite with the id of a role (type 1) is not that role's.
    expect(channelPermissions(guild, ALICE, [], [memberOverwrite(GUILD, 0n, P.ViewChannel)]) & P.ViewChannel).toBe(P.ViewChannel);
  });
});
