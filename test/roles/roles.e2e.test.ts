// End to end on both engines: clipper roles applied by the runner through a real discord.js client against the fake
// Discord (member fetch, role PUT/DELETE with the audit-log reason), from clips and shares in a real database. The
// preview is what a run applies; a month rolling over moves the role; a member who left is skipped; a role above
// Clipscope's, or a server without Manage Roles, is left alone; a 429 burst is waited out; a rerun changes nothing;
// the limits per run and per minute hold.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCaptureService } from '../../src/capture/service';
import { recordMessage } from '../../src/capture/record-share';
import { ManualClock } from '../../src/clock';
import { queries } from '../../src/db/sql';
import { listRoleChanges, listRoleGrants } from '../../src/db/stores/roles';
import { writeSyncedClips } from '../../src/db/stores/twitch-clips';
import { upsertTwitchLinks } from '../../src/db/stores/twitch-links';
import { createDiscordBot, type DiscordBot } from '../../src/discord/bot';
import { createRoleSender } from '../../src/discord/role-sender';
import { silentLogger } from '../../src/logger';
import { createRolesAdmin, type RoleRuleInput } from '../../src/roles/admin';
import { createRolesRunner, type RolesRunSummary } from '../../src/roles/job';
import {
  BOT_PERMISSIONS,
  member,
  role,
  snowflake,
  startFakeDiscord,
  textChannel,
  user,
  type ApiUser,
  type FakeDiscord,
  type FakeGuild,
  type RecordedRequest,
} from '../fakes/discord';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { syncedClip, type SyncedClip } from '../helpers/synced-clip';

const MANAGE_ROLES = (1n << 28n).toString();
const guildId = snowflake();
const lockedGuildId = snowflake();
const roleIds = { bot: snowflake(), topClipper: snowflake(), topSharer: snowflake(), milestone: snowflake(), mods: snowflake() };
const lockedRole = snowflake();
const lockedBotRole = snowflake();
const [alice, bob, carol, dave, erin] = ['alice', 'bob', 'carol', 'dave', 'erin'].map((username) => user({ username })) as [
  ApiUser,
  ApiUser,
  ApiUser,
  ApiUser,
  ApiUser,
];
const NOV_28 = Date.UTC(2026, 10, 28, 12);
const DEC_3 = Date.UTC(2026, 11, 3, 12);
const TABLES = ['clips', 'shares', 'reactions', 'twitch_links', 'role_rules', 'role_grants', 'role_changes', 'guild_settings'];
/** A synced clip whose creator's Twitch name is `tw_<creator>` (the names the assertions below read). */
const clip = (id: string, creator: string, views: number, createdAt: number): SyncedClip =>
  syncedClip(id, creator, views, createdAt, `tw_${creator}`);

/** Fresh guilds each test: member roles change in place. */
function guilds(): FakeGuild[] {
  return [
    {
      id: guildId,
      name: 'Clip Town',
      channels: [textChannel({ guild_id: guildId, name: 'clips' })],
      roles: [
        role({ id: guildId }),
        role({ id: roleIds.bot, name: 'Clipscope', position: 5, permissions: MANAGE_ROLES }),
        role({ id: roleIds.mods, name: 'Mods', position: 8, permissions: '0' }),
        role({ id: roleIds.topSharer, name: 'Top Sharer', position: 3, permissions: '0' }),
        role({ id: roleIds.topClipper, name: 'Top Clipper', position: 2, permissions: '0' }),
        role({ id: roleIds.milestone, name: 'Clip Machine', position: 1, permissions: '0' }),
      ],
      members: [alice, bob, carol, dave, erin].map((u) => member(u)),
      botRoles: [roleIds.bot],
    },
    {
      id: lockedGuildId,
      name: 'No Manage Roles',
      channels: [textChannel({ guild_id: lockedGuildId, name: 'clips' })],
      roles: [
        role({ id: lockedGuildId, permissions: BOT_PERMISSIONS }),
        role({ id: lockedBotRole, name: 'Clipscope', position: 5, permissions: '0' }),
        role({ id: lockedRole, name: 'Top Sharer', position: 1, permissions: '0' }),
      ],
      members: [alice, bob].map((u) => member(u)),
      botRoles: [lockedBotRole],
    },
  ];
}

describe.each(testEngines())('clipper roles on %s', (engine) => {
  let t: TestDatabase;
  let discord: FakeDiscord;
  let bot: DiscordBot;
  let clock: ManualClock;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'roles-e2e');
  });
  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    for (const table of TABLES) await queries(t.db).run(`DELETE FROM ${table}`);
    clock = new ManualClock(NOV_28);
    discord = await startFakeDiscord({ guilds: guilds() });
    const capture = createCaptureService(t.db, { logger: silentLogger(), clock, batchMax: 50 });
    await capture.ready;
    bot = createDiscordBot({ capture, logger: silentLogger(), clock, token: discord.token, apiBaseUrl: discord.apiBaseUrl });
    await bot.start();
    await vi.waitFor(() => expect(bot.client.guilds.cache.size).toBe(2), { timeout: 15_000 });
    await upsertTwitchLinks(t.db, [
      { guildId, discordUserId: alice.id, discordName: 'alice', twitchUserId: 'ta', twitchName: 'tw_ta', linkedAt: 1 },
      { guildId, discordUserId: bob.id, discordName: 'bob', twitchUserId: 'tb', twitchName: 'tw_tb', linkedAt: 1 },
    ]);
  });

  afterEach(async () => {
    await bot.stop();
    await discord.stop();
  });

  const admin = () => createRolesAdmin({ db: t.db, clock });
  const runner = (limits: { changesPerRun?: number; changesPerMinute?: number } = {}) =>
    createRolesRunner({
      db: t.db,
      clock,
      logger: silentLogger(),
      sender: createRoleSender(bot.client),
      changesPerRun: limits.changesPerRun ?? 50,
      changesPerMinute: limits.changesPerMinute ?? 50,
    });
  /** Adds a rule, previews it and enables it, as an admin must; resolves with the preview's plan. */
  const enableRule = async (input: Omit<RoleRuleInput, 'createdBy'>, guild = guildId) => {
    await admin().add(guild, { ...input, createdBy: 'admin' });
    const preview = await admin().preview(guild, input.roleId);
    expect(await admin().enable(guild, input.roleId)).toBe('enabled');
    return preview!.plan;
  };
  const clips = (guild: string, list: SyncedClip[]) => writeSyncedClips(t.db, guild, list, new Map([['g1', 'Chess']]), [], 0, clock.now());
  const share = (guild: string, messageId: string, author: ApiUser, clipIds: string[]) =>
    recordMessage(
      t.db,
      {
        guildId: guild,
        messageId,
        channelId: 'c1',
        threadId: null,
        authorId: author.id,
        authorName: author.username,
        authorIsBot: false,
        postedAt: clock.now(),
        content: clipIds.map((c) => `https://clips.twitch.tv/${c}`).join(' '),
        source: 'discord',
      },
      clock.now(),
    );
  /** Who holds a role on the fake Discord now. */
  const holders = (roleId: string, guild = guildId) =>
    (discord.guilds.find((g) => g.id === guild)?.members ?? [])
      .filter((m) => m.roles.includes(roleId))
      .map((m) => m.user.id)
      .sort();
  const roleChanges = (): RecordedRequest[] => [
    ...discord.requestsTo('PUT', '/guilds/:g/members/:u/roles/:r'),
    ...discord.requestsTo('DELETE', '/guilds/:g/members/:u/roles/:r'),
  ];
  const changed = (requests: RecordedRequest[], method: string) =>
    requests
      .filter((r) => r.method === method)
      .map((r) => r.path.split('/')[4])
      .sort();
  const zero: RolesRunSummary = { rules: 0, added: 0, removed: 0, left: 0, failed: 0, blocked: 0, deferred: 0 };

  it('applies what the preview showed, with the rule in the audit log, and a rerun changes nothing', async () => {
    await clips(guildId, [
      clip('A1', 'ta', 10, NOV_28 - 86_400_000),
      clip('A2', 'ta', 10, NOV_28 - 2 * 86_400_000),
      clip('B1', 'tb', 99, NOV_28 - 86_400_000),
      clip('U1', 'tu', 1, NOV_28),
    ]);
    const plan = await enableRule({ roleId: roleIds.topClipper, kind: 'top_clippers_by_clips', top: 3 });
    expect(plan.plan).toEqual({ grant: [alice.id, bob.id].sort(), revoke: [], keep: [] });
    expect(plan.unmatched.map((u) => u.twitchName)).toEqual(['tw_tu']);
    const summary = await runner().runOnce();
    expect(summary).toEqual({ ...zero, rules: 1, added: 2 });
    expect(changed(roleChanges(), 'PUT')).toEqual(plan.plan.grant);
    expect(holders(roleIds.topClipper)).toEqual(plan.plan.grant);
    const put = roleChanges()[0]!;
    expect(decodeURIComponent(String(put.headers['x-audit-log-reason']))).toBe(
      'Clipscope clipper role rule: top 3 Twitch clippers of the month by clips',
    );
    const before = discord.requests.length;
    expect(await runner().runOnce()).toEqual({ ...zero, rules: 1 });
    expect(discord.requests.slice(before)).toEqual([]);
    expect((await admin().preview(guildId, roleIds.topClipper))?.plan.plan).toEqual({ grant: [], revoke: [], keep: plan.plan.grant });
  });

  it('moves the role from last month’s top clipper to this month’s when the month rolls over', async () => {
    await clips(guildId, [clip('A1', 'ta', 10, NOV_28 - 86_400_000), clip('A2', 'ta', 10, NOV_28)]);
    await enableRule({ roleId: roleIds.topClipper, kind: 'top_clippers_by_clips', period: 'month', top: 1 });
    await runner().runOnce();
    expect(holders(roleIds.topClipper)).toEqual([alice.id]);
    clock.set(DEC_3);
    await clips(guildId, [clip('B1', 'tb', 5, DEC_3 - 3_600_000)]);
    const preview = await admin().preview(guildId, roleIds.topClipper);
    expect(preview?.plan.periodLabel).toBe('December 2026');
    expect(preview?.plan.plan).toEqual({ grant: [bob.id], revoke: [alice.id], keep: [] });
    const before = roleChanges().length;
    expect(await runner().runOnce()).toEqual({ ...zero, rules: 1, added: 1, removed: 1 });
    const made = roleChanges().slice(before);
    expect(changed(made, 'PUT')).toEqual([bob.id]);
    expect(changed(made, 'DELETE')).toEqual([alice.id]);
    expect(holders(roleIds.topClipper)).toEqual([bob.id]);
    expect((await listRoleChanges(t.db, guildId, { limit: 10 })).map((c) => [c.action, c.userId])).toEqual([
      ['added', bob.id],
      ['removed', alice.id],
      ['added', alice.id],
    ]);
  });

  it('skips a member who left, and drops the grant of one who held the role', async () => {
    await clips(guildId, [clip('C1', 'tx', 1, NOV_28)]);
    await share(guildId, 'm1', carol, ['C1']);
    await share(guildId, 'm2', carol, ['C1']);
    await share(guildId, 'm3', dave, ['C1']);
    await share(guildId, 'm4', dave, ['C1']);
    await share(guildId, 'm5', erin, ['C1']);
    await enableRule({ roleId: roleIds.topSharer, kind: 'top_sharers_by_shares', top: 2 });
    discord.removeMember(guildId, dave.id);
    const run = runner();
    expect(await run.runOnce()).toEqual({ ...zero, rules: 1, added: 1, left: 1 });
    expect(holders(roleIds.topSharer)).toEqual([carol.id]);
    expect(changed(roleChanges(), 'PUT')).toEqual([carol.id]);
    // A rerun does not ask about dave again (he still ranks, but has left); nothing is sent.
    const quiet = discord.requests.length;
    expect(await run.runOnce()).toEqual({ ...zero, rules: 1 });
    expect(discord.requests.slice(quiet)).toEqual([]);
    // A day later he is asked about once more.
    clock.advance(24 * 3_600_000);
    expect(await run.runOnce()).toEqual({ ...zero, rules: 1, left: 1 });
    expect(discord.requests.slice(quiet).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /guilds/${guildId}/members/${dave.id}`]);
    clock.set(NOV_28);
    // Carol leaves while holding it, and erin and bob outrank her: her grant is dropped, no DELETE is sent for her.
    for (const m of ['m6', 'm7', 'm8', 'm9']) await share(guildId, m, erin, ['C1']);
    for (const m of ['m10', 'm11', 'm12']) await share(guildId, m, bob, ['C1']);
    discord.removeMember(guildId, carol.id);
    const before = roleChanges().length;
    expect(await run.runOnce()).toEqual({ ...zero, rules: 1, added: 2, left: 1 });
    expect(changed(roleChanges().slice(before), 'PUT')).toEqual([bob.id, erin.id].sort());
    expect(changed(roleChanges().slice(before), 'DELETE')).toEqual([]);
    expect(holders(roleIds.topSharer)).toEqual([bob.id, erin.id].sort());
    expect(await listRoleGrants(t.db, guildId, roleIds.topSharer, 10)).toEqual([bob.id, erin.id].sort());
    expect((await listRoleChanges(t.db, guildId, { limit: 10 })).map((c) => [c.action, c.userId])).toContainEqual(['left', carol.id]);
  });

  it('leaves alone a role above Clipscope’s and a server where it lacks Manage Roles', async () => {
    await clips(guildId, [clip('C1', 'tx', 1, NOV_28)]);
    await share(guildId, 'm1', carol, ['C1']);
    await share(lockedGuildId, 'm2', alice, ['C1']);
    await enableRule({ roleId: roleIds.mods, kind: 'top_sharers_by_shares' });
    await enableRule({ roleId: lockedRole, kind: 'top_sharers_by_shares' }, lockedGuildId);
    const sender = createRoleSender(bot.client);
    expect(await sender.checkRole(guildId, roleIds.mods)).toContain('is not below Clipscope’s highest role');
    expect(await sender.checkRole(lockedGuildId, lockedRole)).toContain('Manage Roles');
    expect(await runner().runOnce()).toEqual({ ...zero, rules: 2, blocked: 2 });
    expect(roleChanges()).toEqual([]);
    expect(holders(roleIds.mods)).toEqual([]);
    expect(holders(lockedRole, lockedGuildId)).toEqual([]);
  });

  it('records nothing when Discord refuses a change, and tries again next run', async () => {
    await clips(guildId, [clip('A1', 'ta', 1, NOV_28)]);
    await enableRule({ roleId: roleIds.topClipper, kind: 'top_clippers_by_clips' });
    // Discord refuses although the cache said Clipscope may (its role was moved a moment ago, say).
    let refuse = true;
    discord.route('PUT', '/guilds/:g/members/:u/roles/:r', ({ params }) => {
      if (refuse) return { status: 403, body: { message: 'Missing Permissions', code: 50013 } };
      discord.guilds[0]!.members!.find((m) => m.user.id === params.u)!.roles.push(params.r!);
      return { status: 204 };
    });
    expect(await runner().runOnce()).toEqual({ ...zero, rules: 1, failed: 1 });
    expect(await listRoleGrants(t.db, guildId, roleIds.topClipper, 10)).toEqual([]);
    expect(await listRoleChanges(t.db, guildId, { limit: 10 })).toEqual([]);
    refuse = false;
    expect(await runner().runOnce()).toEqual({ ...zero, rules: 1, added: 1 });
    expect(holders(roleIds.topClipper)).toEqual([alice.id]);
  });

  it('waits out a burst of 429s and ends with exactly the qualifying members holding the role', async () => {
    await clips(guildId, [clip('A1', 'ta', 20_000, NOV_28), clip('B1', 'tb', 15_000, NOV_28), clip('X1', 'tx', 50_000, NOV_28)]);
    await upsertTwitchLinks(t.db, [
      { guildId, discordUserId: carol.id, discordName: 'carol', twitchUserId: 'tx', twitchName: 'tw_tx', linkedAt: 1 },
    ]);
    await enableRule({ roleId: roleIds.milestone, kind: 'views_milestone', min: 10_000 });
    discord.rateLimit('PUT', '/guilds/:g/members/:u/roles/:r', { retryAfter: 0.2 }, 3);
    expect(await runner().runOnce()).toEqual({ ...zero, rules: 1, added: 3 });
    expect(holders(roleIds.milestone)).toEqual([alice.id, bob.id, carol.id].sort());
    // Three answered 429, then each went through once.
    expect(roleChanges()).toHaveLength(6);
    expect(holders(roleIds.topClipper)).toEqual([]);
  });

  it('makes at most the configured changes per run and per minute; the rest follow in later runs', async () => {
    await clips(guildId, [clip('A1', 'ta', 1, NOV_28), clip('B1', 'tb', 1, NOV_28), clip('X1', 'tx', 1, NOV_28)]);
    await upsertTwitchLinks(t.db, [
      { guildId, discordUserId: carol.id, discordName: 'carol', twitchUserId: 'tx', twitchName: 'tw_tx', linkedAt: 1 },
    ]);
    await enableRule({ roleId: roleIds.milestone, kind: 'clips_milestone', min: 1 });
    const limited = runner({ changesPerRun: 2, changesPerMinute: 2 });
    expect(await limited.runOnce()).toEqual({ ...zero, rules: 1, added: 2, deferred: 1 });
    expect(holders(roleIds.milestone)).toHaveLength(2);
    clock.advance(30_000);
    expect(await limited.runOnce()).toEqual({ ...zero, rules: 1, deferred: 1 });
    clock.advance(31_000);
    expect(await limited.runOnce()).toEqual({ ...zero, rules: 1, added: 1 });
    expect(holders(roleIds.milestone)).toEqual([alice.id, bob.id, carol.id].sort());
  });
  it('starts the next run with the rule the limits cut short, so one busy rule cannot starve the others', async () => {
    await clips(guildId, [clip('A1', 'ta', 1, NOV_28)]);
    await enableRule({ roleId: roleIds.topClipper, kind: 'clips_milestone', min: 1 });
    for (const [m, who] of [
      ['m1', carol],
      ['m2', dave],
      ['m3', erin],
    ] as const)
      await share(guildId, m, who, ['A1']);
    await enableRule({ roleId: roleIds.milestone, kind: 'top_sharers_by_shares', top: 3 });
    const run = runner({ changesPerRun: 2 });
    expect(await run.runOnce()).toEqual({ ...zero, rules: 2, added: 2, deferred: 2 });
    expect(holders(roleIds.topClipper)).toEqual([alice.id]);
    // The first rule has something new, but the cut-short one goes first.
    await clips(guildId, [clip('B1', 'tb', 1, NOV_28)]);
    expect(await run.runOnce()).toEqual({ ...zero, rules: 2, added: 2, deferred: 1 });
    expect(holders(roleIds.milestone)).toEqual([carol.id, dave.id, erin.id].sort());
    expect(holders(roleIds.topClipper)).toEqual([alice.id]);
    expect(await run.runOnce()).toEqual({ ...zero, rules: 2, added: 1 });
    expect(holders(roleIds.topClipper)).toEqual([alice.id, bob.id].sort());
  });
});
