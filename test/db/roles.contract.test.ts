// Clipper roles' stores and rankings, the same tests on both engines: rules added pending, enabled only after a
// preview, replaced and removed; grants and changes recorded once however many callers race; the rankings of Twitch
// clippers (matched through verified links, unlinked ones left unmatched), sharers and milestones, each guild's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordReactionAdded } from '../../src/capture/record-reaction';
import { recordMessage } from '../../src/capture/record-share';
import { ManualClock } from '../../src/clock';
import { updateGuildSettings } from '../../src/db/guild-settings';
import {
  clippersWithClips,
  clippersWithViews,
  getRoleRule,
  listEnabledRoleRules,
  listRoleChanges,
  listRoleGrants,
  recordRoleGranted,
  recordRoleRevoked,
  topSharersByReactions,
  topSharersByShares,
  topTwitchClippers,
} from '../../src/db/stores/roles';
import { writeSyncedClips } from '../../src/db/stores/twitch-clips';
import { upsertTwitchLinks } from '../../src/db/stores/twitch-links';
import { createRolesAdmin } from '../../src/roles/admin';
import { InvalidRoleRuleError } from '../../src/roles/rules';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { syncedClip } from '../helpers/synced-clip';

const DAY = 86_400_000;
const NOV_20 = Date.UTC(2026, 10, 20, 12);
const DEC_2 = Date.UTC(2026, 11, 2, 12);
const WHOLE = { start: -8_640_000_000_000_000, end: 8_640_000_000_000_000 };

describe.each(testEngines())('clipper role stores on %s', (engine) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'roles');
    // gA: t1 made 3 clips in November (one of 5,000 views), t2 2 in December of 900 views each, t3 (unlinked) 1 in
    // December of 10 views; gB has t1's clip too, and links of its own.
    await writeSyncedClips(
      t.db,
      'gA',
      [
        syncedClip('A1', 't1', 5000, NOV_20),
        syncedClip('A2', 't1', 10, NOV_20 + DAY),
        syncedClip('A3', 't1', 10, NOV_20 + 2 * DAY),
        syncedClip('A4', 't2', 900, DEC_2),
        syncedClip('A5', 't2', 900, DEC_2 + DAY),
        syncedClip('A6', 't3', 10, DEC_2),
      ],
      new Map([['g1', 'Chess']]),
      [],
      0,
      DEC_2,
    );
    await writeSyncedClips(t.db, 'gB', [syncedClip('B1', 't9', 1, DEC_2)], new Map(), [], 0, DEC_2);
    await upsertTwitchLinks(t.db, [
      { guildId: 'gA', discordUserId: 'alice', discordName: 'Alice', twitchUserId: 't1', twitchName: 'clipper1', linkedAt: 1 },
      { guildId: 'gA', discordUserId: 'bob', discordName: 'Bob', twitchUserId: 't2', twitchName: 'clipper2', linkedAt: 1 },
      // A second member verified t2 later: the most recent link wins.
      { guildId: 'gA', discordUserId: 'bob2', discordName: 'Bob 2', twitchUserId: 't2', twitchName: 'clipper2', linkedAt: 2 },
      { guildId: 'gB', discordUserId: 'zed', discordName: 'Zed', twitchUserId: 't1', twitchName: 'clipper1', linkedAt: 1 },
    ]);
    const share = (guildId: string, messageId: string, authorId: string, postedAt: number, clips: string[], authorIsBot = false) =>
      recordMessage(
        t.db,
        {
          guildId,
          messageId,
          channelId: 'c1',
          threadId: null,
          authorId,
          authorName: authorId,
          authorIsBot,
          postedAt,
          content: clips.map((c) => `https://clips.twitch.tv/${c}`).join(' '),
          source: 'discord',
        },
        postedAt,
      );
    await share('gA', 'm1', 'carol', DEC_2, ['A1', 'A2']);
    await share('gA', 'm2', 'carol', DEC_2, ['A3']);
    await share('gA', 'm3', 'dave', DEC_2, ['A4']);
    await share('gA', 'm4', 'erin', NOV_20, ['A5']);
    await share('gA', 'm5', 'botty', DEC_2, ['A6'], true);
    await share('gB', 'm6', 'dave', DEC_2, ['B1']);
    for (const [m, u] of [
      ['m1', 'x1'],
      ['m1', 'x2'],
      ['m1', 'carol'],
      ['m3', 'x1'],
      ['m3', 'x2'],
      ['m3', 'x3'],
      ['m5', 'x1'],
    ] as const)
      await recordReactionAdded(t.db, { guildId: 'gA', channelId: 'c1', messageId: m, emojiKey: '⭐', userId: u, at: DEC_2 }, DEC_2);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('ranks Twitch clippers of a window by clips or views, matched to the member who verified them', async () => {
    const december = { start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) };
    expect(await topTwitchClippers(t.db, 'gA', { ...december, by: 'clips', limit: 5 })).toEqual([
      { twitchUserId: 't2', twitchName: 'Clippert2', clips: 2, views: 1800, bestViews: 900, discordUserId: 'bob2' },
      { twitchUserId: 't3', twitchName: 'Clippert3', clips: 1, views: 10, bestViews: 10, discordUserId: null },
    ]);
    expect((await topTwitchClippers(t.db, 'gA', { ...WHOLE, by: 'views', limit: 1 })).map((r) => r.discordUserId)).toEqual(['alice']);
    expect((await topTwitchClippers(t.db, 'gA', { ...WHOLE, by: 'clips', limit: 5 })).map((r) => r.twitchUserId)).toEqual([
      't1',
      't2',
      't3',
    ]);
    expect(await topTwitchClippers(t.db, 'gB', { ...WHOLE, by: 'clips', limit: 5 })).toEqual([
      { twitchUserId: 't9', twitchName: 'Clippert9', clips: 1, views: 1, bestViews: 1, discordUserId: null },
    ]);
  });

  it('finds the clippers past a milestone, all time', async () => {
    expect((await clippersWithClips(t.db, 'gA', { minClips: 2, limit: 10 })).map((r) => [r.twitchUserId, r.clips])).toEqual([
      ['t1', 3],
      ['t2', 2],
    ]);
    expect((await clippersWithViews(t.db, 'gA', { minViews: 1000, limit: 10 })).map((r) => [r.discordUserId, r.bestViews])).toEqual([
      ['alice', 5000],
    ]);
  });

  it('ranks sharers by shares and by reactions from others, each message once, bots and deleted shares left out', async () => {
    const december = { start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) };
    expect(await topSharersByShares(t.db, 'gA', { ...december, limit: 5 })).toEqual([
      { userId: 'carol', value: 3 },
      { userId: 'dave', value: 1 },
    ]);
    expect(await topSharersByReactions(t.db, 'gA', { ...december, limit: 5 })).toEqual([
      { userId: 'dave', value: 3 },
      { userId: 'carol', value: 2 },
    ]);
    expect(await topSharersByShares(t.db, 'gA', { ...WHOLE, limit: 5 })).toContainEqual({ userId: 'erin', value: 1 });
    expect(await topSharersByShares(t.db, 'gB', { ...WHOLE, limit: 5 })).toEqual([{ userId: 'dave', value: 1 }]);
  });

  it('records a grant and a revoke once however many callers race, each guild its own', async () => {
    const change = { guildId: 'gA', roleId: 'r-race', userId: 'alice', reason: 'top Twitch clipper of the month by clips', now: 10 };
    const granted = await Promise.all([1, 2, 3, 4].map(() => recordRoleGranted(t.db, change)));
    expect(granted.filter(Boolean)).toHaveLength(1);
    await recordRoleGranted(t.db, { ...change, guildId: 'gB' });
    expect(await listRoleGrants(t.db, 'gA', 'r-race', 10)).toEqual(['alice']);
    const revoked = await Promise.all([1, 2, 3].map(() => recordRoleRevoked(t.db, { ...change, now: 20 }, 'removed')));
    expect(revoked.filter(Boolean)).toHaveLength(1);
    expect(await listRoleGrants(t.db, 'gA', 'r-race', 10)).toEqual([]);
    expect(await listRoleGrants(t.db, 'gB', 'r-race', 10)).toEqual(['alice']);
    expect((await listRoleChanges(t.db, 'gA', { roleId: 'r-race', limit: 10 })).map((c) => [c.action, c.userId, c.changedAt])).toEqual([
      ['removed', 'alice', 20],
      ['added', 'alice', 10],
    ]);
    expect(await listRoleChanges(t.db, 'gB', { limit: 10 })).toHaveLength(1);
  });

  it('adds a rule pending, enables it only after a preview, makes it pending again when changed, and removes it', async () => {
    await updateGuildSettings(t.db, 'gA', { timezone: 'Europe/Berlin' }, 0);
    const clock = new ManualClock(DEC_2 + 5 * DAY);
    const admin = createRolesAdmin({ db: t.db, clock });
    const rule = await admin.add('gA', { roleId: 'r-top', kind: 'top_clippers_by_clips', createdBy: 'admin' });
    expect(rule).toMatchObject({ state: 'pending', period: 'month', top: 1, min: null, previewedAt: null });
    expect(await admin.enable('gA', 'r-top')).toBe('not_previewed');
    expect(await admin.enable('gA', 'r-none')).toBe('missing');
    const preview = await admin.preview('gA', 'r-top');
    expect(preview?.plan).toMatchObject({ periodLabel: 'December 2026', qualifying: ['bob2'], plan: { grant: ['bob2'], revoke: [] } });
    expect(await getRoleRule(t.db, 'gA', 'r-top')).toMatchObject({ state: 'pending', previewedAt: DEC_2 + 5 * DAY });
    expect(await admin.enable('gA', 'r-top')).toBe('enabled');
    expect((await listEnabledRoleRules(t.db, { guildId: '', roleId: '' }, 10)).map((r) => r.roleId)).toEqual(['r-top']);
    // Changing the rule: pending again, and a new preview is needed.
    await admin.add('gA', { roleId: 'r-top', kind: 'top_clippers_by_views', period: 'all_time', top: 2, createdBy: 'admin' });
    expect(await getRoleRule(t.db, 'gA', 'r-top')).toMatchObject({ state: 'pending', previewedAt: null, top: 2, period: 'all_time' });
    expect(await admin.enable('gA', 'r-top')).toBe('not_previewed');
    await recordRoleGranted(t.db, { guildId: 'gA', roleId: 'r-top', userId: 'alice', reason: 'x', now: 1 });
    expect(await admin.remove('gA', 'r-top')).toBe(true);
    expect(await admin.remove('gA', 'r-top')).toBe(false);
    expect(await listRoleGrants(t.db, 'gA', 'r-top', 10)).toEqual([]);
  });

  it('refuses a rule that cannot work, naming the option', async () => {
    const admin = createRolesAdmin({ db: t.db, clock: new ManualClock(DEC_2) });
    await expect(admin.add('gA', { roleId: 'r1', kind: 'clips_milestone', createdBy: 'a' })).rejects.toThrow(/needs `min`/);
    await expect(admin.add('gA', { roleId: 'r1', kind: 'clips_milestone', min: 5, top: 2, createdBy: 'a' })).rejects.toThrow(
      /`top` is for top rules/,
    );
    await expect(admin.add('gA', { roleId: 'r1', kind: 'views_milestone', min: 5, period: 'week', createdBy: 'a' })).rejects.toThrow(
      /leave `period` out/,
    );
    await expect(admin.add('gA', { roleId: 'r1', kind: 'top_sharers_by_shares', top: 26, createdBy: 'a' })).rejects.toThrow(
      InvalidRoleRuleError,
    );
    await expect(admin.add('gA', { roleId: 'r1', kind: 'top_sharers_by_shares', min: 3, createdBy: 'a' })).rejects.toThrow(
      /`min` is for milestone/,
    );
    expect(await getRoleRule(t.db, 'gA', 'r1')).toBeNull();
  });
});
