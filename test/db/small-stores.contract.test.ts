// The small stores' contracts, the same tests on both engines: job runs, followed Twitch channels, guild settings,
// digest claims (exactly one winner among concurrent claimers) and API tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createTokenVerifier } from '../../src/auth/tokens';
import { getGuildSettings, listGuildSettings, rememberGuildName, updateGuildSettings } from '../../src/db/guild-settings';
import { queries } from '../../src/db/sql';
import { digestStore } from '../../src/db/stores/digests';
import { recordJobRun } from '../../src/db/stores/jobs';
import { findApiTokenByHash, insertApiToken, listApiTokens, revokeApiToken, touchApiToken } from '../../src/db/stores/tokens';
import {
  listAllTwitchChannels,
  listTwitchChannels,
  listTwitchChannelsWithClips,
  recordChannelSynced,
  recordChannelSyncFailure,
  removeTwitchChannel,
  upsertTwitchChannels,
} from '../../src/db/stores/twitch-channels';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

describe.each(testEngines())('small stores on %s', (engine) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'small-stores');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('records a job run: the start is kept when the finish arrives, and a success clears the last error', async () => {
    await recordJobRun(t.db, { job: 'enrich', started: 100, finished: null, error: null, summary: null });
    await recordJobRun(t.db, { job: 'enrich', started: null, finished: 200, error: 'Helix 503', summary: null });
    await recordJobRun(t.db, { job: 'enrich', started: null, finished: 300, error: null, summary: '5 clips' });
    expect(await queries(t.db).get('SELECT * FROM job_runs WHERE job = ?', ['enrich'])).toEqual({
      job: 'enrich',
      last_started_at: 100,
      last_finished_at: 300,
      last_error: null,
      last_summary: '5 clips',
    });
  });

  it('follows, renames, syncs and unfollows Twitch channels per guild', async () => {
    await upsertTwitchChannels(
      t.db,
      'g-tw',
      [
        { id: 'b2', login: 'zeta', displayName: 'Zeta' },
        { id: 'b1', login: 'alpha', displayName: 'Alpha' },
      ],
      1000,
    );
    await upsertTwitchChannels(t.db, 'g-other', [{ id: 'b1', login: 'alpha', displayName: 'Alpha' }], 1000);
    await upsertTwitchChannels(t.db, 'g-tw', [{ id: 'b2', login: 'zed', displayName: 'Zed' }], 2000);
    await recordChannelSyncFailure(t.db, 'g-tw', 'b1', 3000, 'Helix 500');
    await recordChannelSynced(t.db, 'g-tw', 'b2', 2500, 3100);

    const channels = await listTwitchChannels(t.db, 'g-tw');
    expect(channels).toEqual([
      {
        guildId: 'g-tw',
        broadcasterId: 'b1',
        broadcasterLogin: 'alpha',
        broadcasterName: 'Alpha',
        addedAt: 1000,
        syncedThrough: null,
        lastSyncAt: 3000,
        lastSyncError: 'Helix 500',
      },
      {
        guildId: 'g-tw',
        broadcasterId: 'b2',
        broadcasterLogin: 'zed',
        broadcasterName: 'Zed',
        addedAt: 1000,
        syncedThrough: 2500,
        lastSyncAt: 3100,
        lastSyncError: null,
      },
    ]);
    expect((await listTwitchChannelsWithClips(t.db, 'g-tw')).map((c) => [c.channel.broadcasterLogin, c.clips])).toEqual([
      ['alpha', 0],
      ['zed', 0],
    ]);
    expect((await listAllTwitchChannels(t.db)).map((c) => `${c.guildId}/${c.broadcasterLogin}`)).toEqual([
      'g-other/alpha',
      'g-tw/alpha',
      'g-tw/zed',
    ]);
    expect(await removeTwitchChannel(t.db, 'g-tw', 'alpha')).toBe(true);
    expect(await removeTwitchChannel(t.db, 'g-tw', 'alpha')).toBe(false);
    expect((await listTwitchChannels(t.db, 'g-other')).map((c) => c.broadcasterLogin)).toEqual(['alpha']);
  });

  it('gives a guild without settings the defaults, and changes only what an update names', async () => {
    expect(await getGuildSettings(t.db, 'g-set')).toMatchObject({
      guildId: 'g-set',
      timezone: 'UTC',
      includeBots: false,
      digestEnabled: true,
    });
    const updated = await updateGuildSettings(t.db, 'g-set', { captureChannelIds: ['c1', 'c2'], includeBots: true }, 10);
    expect(updated).toMatchObject({ captureChannelIds: ['c1', 'c2'], includeBots: true, timezone: 'UTC' });
    await updateGuildSettings(t.db, 'g-set', { timezone: 'Europe/Berlin', digestChannelId: 'd1', digestEnabled: false }, 20);
    expect(await getGuildSettings(t.db, 'g-set')).toEqual({
      guildId: 'g-set',
      guildName: null,
      captureChannelIds: ['c1', 'c2'],
      includeBots: true,
      timezone: 'Europe/Berlin',
      digestChannelId: 'd1',
      digestWeekday: 1,
      digestHour: 10,
      digestEnabled: false,
      digestLastError: null,
      dashboardViewerRoleId: null,
    });
    await updateGuildSettings(t.db, 'g-set', { digestChannelId: null }, 30);
    expect((await getGuildSettings(t.db, 'g-set')).digestChannelId).toBeNull();
  });

  it('keeps both of two concurrent updates of different settings from two handles', async () => {
    const other = await t.openAnother();
    try {
      await Promise.all([
        updateGuildSettings(t.db, 'g-race', { timezone: 'Asia/Tokyo' }, 1),
        updateGuildSettings(other.db, 'g-race', { digestHour: 7 }, 1),
      ]);
      expect(await getGuildSettings(t.db, 'g-race')).toMatchObject({ timezone: 'Asia/Tokyo', digestHour: 7 });
    } finally {
      await other.close();
    }
  });

  it('remembers a guild name, writing only when it changed', async () => {
    await rememberGuildName(t.db, 'g-name', 'First', 100);
    await rememberGuildName(t.db, 'g-name', 'First', 200);
    const row = await queries(t.db).get<{ guild_name: string; updated_at: number }>(
      'SELECT guild_name, updated_at FROM guild_settings WHERE guild_id = ?',
      ['g-name'],
    );
    expect(row).toEqual({ guild_name: 'First', updated_at: 100 });
    await rememberGuildName(t.db, 'g-name', 'Second', 300);
    await updateGuildSettings(t.db, 'g-name', { timezone: 'Europe/Paris' }, 400);
    await rememberGuildName(t.db, 'g-name', 'Third', 500);
    expect(await getGuildSettings(t.db, 'g-name')).toMatchObject({ guildName: 'Third', timezone: 'Europe/Paris' });
    expect((await listGuildSettings(t.db)).map((s) => s.guildId)).toContain('g-name');
  });

  it('gives exactly one of six concurrent claimers of a week the fresh claim', async () => {
    const handles = await Promise.all([0, 1, 2, 3, 4, 5].map(() => t.openAnother()));
    try {
      const week = { guildId: 'g-digest', weekStart: 7 * 86_400_000, channelId: 'c', now: 1_000_000, staleBefore: 1_000_000 - 3_600_000 };
      const claims = await Promise.all(handles.map((h) => digestStore(h.db).claim(week)));
      expect(claims.filter((c) => c === 'fresh')).toHaveLength(1);
      expect(claims.filter((c) => c === null)).toHaveLength(5);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });

  it('resumes a stale claim once, records posts and failures, and keeps the guild’s digest error in step', async () => {
    const digests = digestStore(t.db);
    const week = { guildId: 'g-dg', weekStart: 14 * 86_400_000 };
    expect(await digests.status(week)).toBeNull();
    expect(await digests.claim({ ...week, channelId: 'c', now: 1000, staleBefore: 0 })).toBe('fresh');
    expect(await digests.claim({ ...week, channelId: 'c', now: 2000, staleBefore: 500 })).toBeNull();
    await digests.recordFailure(week, { message: 'Discord 500', permanent: false }, 3000);
    expect((await getGuildSettings(t.db, 'g-dg')).digestLastError).toBe('Discord 500');
    const resumes = await Promise.all([1, 2].map(() => digests.claim({ ...week, channelId: 'c2', now: 4000, staleBefore: 3500 })));
    expect(resumes.sort()).toEqual(['resumed', null].sort());
    await digests.recordPosted(week, 'm1', 5000);
    expect(await digests.status(week)).toBe('posted');
    expect((await getGuildSettings(t.db, 'g-dg')).digestLastError).toBeNull();

    const refused = { guildId: 'g-dg', weekStart: 21 * 86_400_000 };
    expect(await digests.claim({ ...refused, channelId: 'c', now: 6000, staleBefore: 0 })).toBe('fresh');
    await digests.recordFailure(refused, { message: 'Missing Access', permanent: true }, 6100);
    expect(await digests.status(refused)).toBe('failed');
    expect(await digests.claim({ ...refused, channelId: 'c', now: 9_999_999, staleBefore: 9_999_999 })).toBeNull();
    await digests.forgetFailure(refused, 7000);
    expect(await digests.status(refused)).toBeNull();
    expect((await getGuildSettings(t.db, 'g-dg')).digestLastError).toBeNull();
  });

  it('stores tokens by hash with new ids, lists them newest first, revokes once, and only within the guild', async () => {
    const first = await insertApiToken(t.db, {
      guildId: 'g-tok',
      name: 'one',
      tokenHash: 'a'.repeat(64),
      prefix: 'cs_aaaaaa',
      createdAt: 10,
    });
    const second = await insertApiToken(t.db, {
      guildId: 'g-tok',
      name: 'two',
      tokenHash: 'b'.repeat(64),
      prefix: 'cs_bbbbbb',
      createdAt: 20,
    });
    expect(typeof first).toBe('number');
    expect(second).toBeGreaterThan(first);
    expect((await listApiTokens(t.db, 'g-tok')).map((tk) => tk.name)).toEqual(['two', 'one']);
    expect(await findApiTokenByHash(t.db, 'a'.repeat(64))).toEqual({
      id: first,
      guildId: 'g-tok',
      tokenHash: 'a'.repeat(64),
      lastUsedAt: null,
      revokedAt: null,
    });
    await touchApiToken(t.db, first, 50);
    expect((await findApiTokenByHash(t.db, 'a'.repeat(64)))?.lastUsedAt).toBe(50);
    expect(await revokeApiToken(t.db, first, 60, 'g-elsewhere')).toBe('not_found');
    expect(await revokeApiToken(t.db, first, 60, 'g-tok')).toBe('revoked');
    expect(await revokeApiToken(t.db, first, 70)).toBe('already_revoked');
    expect(await revokeApiToken(t.db, 999_999, 70)).toBe('not_found');
    expect((await listApiTokens(t.db, 'g-tok'))[1]).toMatchObject({ id: first, revokedAt: 60 });
  });

  it('verifies a token and refuses it from the request after another handle revoked it', async () => {
    const created = await createApiToken(t.db, { guildId: 'g-verify', name: 'api' }, 1000);
    const verifier = createTokenVerifier(t.db);
    expect(await verifier.verify(created.token, 2000)).toEqual({ tokenId: created.id, guildId: 'g-verify' });
    expect(await verifier.verify(created.token, 2001)).toEqual({ tokenId: created.id, guildId: 'g-verify' });
    const other = await t.openAnother();
    try {
      expect(await revokeApiToken(other.db, created.id, 3000)).toBe('revoked');
    } finally {
      await other.close();
    }
    expect(await verifier.verify(created.token, 3001)).toBeNull();
  });
});
