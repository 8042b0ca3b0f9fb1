// /clipscope-admin roles walked through the real bot (discord.js against the fake gateway and REST) with the real
// roles service: a rule is added pending, cannot be enabled before a preview, the preview names who would gain the
// role and changes nothing; a role Clipscope cannot manage (above its highest role, @everyone, no Manage Roles) and a
// rule missing its options are refused with the reason; history shows what the runner gave; remove stops managing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyncedClips } from '../../src/db/stores/twitch-clips';
import { recordJobRun } from '../../src/db/stores/jobs';
import { getRoleRule } from '../../src/db/stores/roles';
import { upsertTwitchLinks } from '../../src/db/stores/twitch-links';
import { createRoleSender } from '../../src/discord/role-sender';
import { silentLogger } from '../../src/logger';
import { createRolesAdmin } from '../../src/roles/admin';
import { createRolesRunner } from '../../src/roles/job';
import { startCommandBot, type CommandBot } from '../discord/command-bot';
import { member, role, snowflake, textChannel, user, type RecordedRequest } from '../fakes/discord';
import { chatInput, options, Permissions, roleOption, subcommand, subcommandGroup } from '../fakes/discord/interactions';
import { syncedClip } from '../helpers/synced-clip';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const MANAGE_ROLES = (1n << 28n).toString();
const guildA = snowflake();
const guildB = snowflake();
const admin = user({ username: 'admin' });
const alice = user({ username: 'alice' });
const channelA = textChannel({ guild_id: guildA, name: 'general' });
const channelB = textChannel({ guild_id: guildB, name: 'general' });
const ids = { bot: snowflake(), top: snowflake(), mods: snowflake(), botB: snowflake(), roleB: snowflake() };

let h: CommandBot;

async function roles(
  guildId: string,
  sub: string,
  opts: { role?: string } & Record<string, string | number | undefined> = {},
): Promise<string> {
  const { role: roleId, ...rest } = opts;
  const requests: RecordedRequest[] = await h.invoke(
    chatInput({
      applicationId: h.discord.applicationId,
      guildId,
      channel: guildId === guildA ? channelA : channelB,
      user: admin,
      permissions: Permissions.manager,
      commandName: 'clipscope-admin',
      options: [subcommandGroup('roles', subcommand(sub, [...(roleId ? [roleOption('role', roleId)] : []), ...options(rest)]))],
    }),
  );
  return requests.map((r) => JSON.stringify(r.body ?? null)).join('\n');
}

/** The "Clipper roles" field of `/clipscope-admin status`, or undefined when the embed has none. */
async function rolesStatus(guildId: string): Promise<string | undefined> {
  const requests: RecordedRequest[] = await h.invoke(
    chatInput({
      applicationId: h.discord.applicationId,
      guildId,
      channel: guildId === guildA ? channelA : channelB,
      user: admin,
      permissions: Permissions.manager,
      commandName: 'clipscope-admin',
      options: [subcommand('status')],
    }),
  );
  type Reply = { data?: { embeds?: { fields: { name: string; value: string }[] }[] } };
  const reply = requests.map((r) => r.body as Reply | undefined).find((b) => b?.data?.embeds);
  expect(reply, 'the status reply').toBeDefined();
  return reply?.data?.embeds?.[0]?.fields.find((f) => f.name === 'Clipper roles')?.value;
}

const memberRoleChanges = () => [
  ...h.discord.requestsTo('PUT', '/guilds/:g/members/:u/roles/:r'),
  ...h.discord.requestsTo('DELETE', '/guilds/:g/members/:u/roles/:r'),
];

beforeAll(async () => {
  h = await startCommandBot({
    guilds: [
      {
        id: guildA,
        name: 'Alpha',
        ownerId: admin.id,
        channels: [channelA],
        roles: [
          role({ id: guildA }),
          role({ id: ids.bot, name: 'Clipscope', position: 4, permissions: MANAGE_ROLES }),
          role({ id: ids.mods, name: 'Mods', position: 6, permissions: '0' }),
          role({ id: ids.top, name: 'Top Clipper', position: 2, permissions: '0' }),
        ],
        members: [member(admin), member(alice)],
        botRoles: [ids.bot],
      },
      {
        id: guildB,
        name: 'Beta',
        ownerId: admin.id,
        channels: [channelB],
        roles: [
          role({ id: guildB }),
          role({ id: ids.botB, name: 'Clipscope', position: 4, permissions: '0' }),
          role({ id: ids.roleB, name: 'Top', position: 1, permissions: '0' }),
        ],
        members: [member(admin)],
        botRoles: [ids.botB],
      },
    ],
    now: NOW,
    services: ({ db, clock }) => ({ roles: createRolesAdmin({ db, clock }) }),
  });
  await writeSyncedClips(
    h.temp.db,
    guildA,
    [syncedClip('Clip1', 'ta', 10, NOW - 3_600_000, 'alice_tv')],
    new Map([['g1', 'Chess']]),
    [],
    0,
    NOW,
  );
  await upsertTwitchLinks(h.temp.db, [
    { guildId: guildA, discordUserId: alice.id, discordName: 'alice', twitchUserId: 'ta', twitchName: 'alice_tv', linkedAt: 1 },
  ]);
});

afterAll(async () => {
  await h?.stop();
});

describe('/clipscope-admin roles', () => {
  it('refuses a role Clipscope cannot manage, or a rule without what it needs, naming why', async () => {
    expect(await roles(guildA, 'add', { role: ids.mods, rule: 'top_clippers_by_clips' })).toContain(
      'is not below Clipscope’s highest role',
    );
    expect(await roles(guildA, 'add', { role: guildA, rule: 'top_clippers_by_clips' })).toContain('@everyone is every member’s role');
    expect(await roles(guildB, 'add', { role: ids.roleB, rule: 'top_sharers_by_shares' })).toContain('**Manage Roles**');
    expect(await roles(guildA, 'add', { role: ids.top, rule: 'clips_milestone' })).toContain('A milestone needs `min`');
    expect(await roles(guildA, 'add', { role: ids.top, rule: 'top_clippers_by_clips', period: 'year' })).toContain('`period`');
    expect(await getRoleRule(h.temp.db, guildA, ids.top)).toBeNull();
    expect(await getRoleRule(h.temp.db, guildB, ids.roleB)).toBeNull();
  });

  it('adds a rule pending, enables it only after a preview that changes nothing, and lists it', async () => {
    expect(await roles(guildA, 'add', { role: ids.top, rule: 'top_clippers_by_clips', period: 'month', top: 1 })).toContain(
      'top Twitch clipper of the month by clips',
    );
    expect(await roles(guildA, 'list')).toContain('pending: preview it, then enable it');
    expect(await rolesStatus(guildA)).toBe(
      '1 rule: 0 enabled, 1 pending · not applied (no rule enabled)\nLast 24 h: 0 given, 0 taken back',
    );
    expect(await roles(guildA, 'enable', { role: ids.top })).toContain('Preview');
    expect((await getRoleRule(h.temp.db, guildA, ids.top))?.state).toBe('pending');
    const preview = await roles(guildA, 'preview', { role: ids.top });
    expect(preview).toContain('November 2026');
    expect(preview).toContain(`**Would get it:** <@${alice.id}>`);
    expect(preview).toContain('Nothing was changed');
    expect(memberRoleChanges()).toEqual([]);
    expect(await roles(guildA, 'enable', { role: ids.top })).toContain('rule is on');
    expect(await roles(guildA, 'list')).toContain('applied after each aggregation');
    expect(await roles(guildA, 'enable', { role: ids.mods })).toContain('is not below Clipscope’s highest role');
  });

  it('shows what the runner gave in the history, and stops managing a removed role', async () => {
    expect(await roles(guildA, 'history')).toContain('has not given or taken any role yet');
    expect(await rolesStatus(guildA)).toBe('1 rule: 1 enabled, 0 pending · not applied yet\nLast 24 h: 0 given, 0 taken back');
    const runner = createRolesRunner({
      db: h.temp.db,
      clock: h.clock,
      logger: silentLogger(),
      sender: createRoleSender(h.bot.client),
      changesPerRun: 10,
      changesPerMinute: 10,
    });
    expect((await runner.runOnce()).added).toBe(1);
    await recordJobRun(h.temp.db, {
      job: 'aggregate-incremental',
      started: NOW - 61_000,
      finished: NOW - 60_000,
      error: null,
      summary: null,
    });
    expect(await rolesStatus(guildA)).toBe(
      `1 rule: 1 enabled, 0 pending · last applied <t:${Math.floor((NOW - 60_000) / 1000)}:R>\nLast 24 h: 1 given, 0 taken back`,
    );
    // Guild B has no rule and no change: its status has no roles field, and shows nothing of guild A's.
    expect(await rolesStatus(guildB)).toBeUndefined();
    expect(await roles(guildA, 'history', { role: ids.top })).toContain(`➕ <@${alice.id}> got <@&${ids.top}>`);
    expect(await roles(guildB, 'history')).toContain('has not given or taken any role yet');
    expect(await roles(guildA, 'remove', { role: ids.top })).toContain('rule removed');
    expect(await roles(guildA, 'remove', { role: ids.top })).toContain('has no rule');
    expect(await roles(guildA, 'preview', { role: ids.top })).toContain('has no rule');
    expect(await rolesStatus(guildA)).toBe('No rule · not applied (no rule enabled)\nLast 24 h: 1 given, 0 taken back');
    // A day later the change is out of the window and the field goes away.
    h.clock.advance(86_400_001);
    expect(await rolesStatus(guildA)).toBeUndefined();
  });
});
