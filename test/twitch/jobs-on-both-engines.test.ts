// The Twitch jobs on both engines, through the production Twurple client against the fake Helix: enrichment in
// batches of 100 distinct ids across guilds (not found, failed batches with backoff and retries), the view refresh,
// a followed channel's sync, and the repair of game names Twitch named late. Clips enter the queue as capture leaves
// them: a pending row per guild (written here with one plain statement, so the test does not wait for capture's port).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queries } from '../../src/db/sql';
import { silentLogger } from '../../src/logger';
import { listTwitchChannels, registerTwitchChannels, syncTwitchChannel } from '../../src/twitch/channel-sync';
import { enrichmentQueueStatus, enrichPending, retryFailedClips } from '../../src/twitch/enrich';
import { repairGameNames } from '../../src/twitch/game-name-repair';
import { refreshScheduleFromMinutes, refreshViews } from '../../src/twitch/refresh';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { startTwitchHarness, T0, type TwitchHarness } from '../helpers/twitch';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(testEngines())('Twitch jobs on %s', (engine) => {
  let t: TestDatabase;
  let h: TwitchHarness;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'twitch-jobs');
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    for (const table of ['clips', 'dirty_hours', 'clip_view_history', 'game_name_misses', 'twitch_channels'])
      await queries(t.db).run(`DELETE FROM ${table}`);
    h = await startTwitchHarness({ retries: 1 });
  });
  afterEach(async () => {
    await h?.close();
  });

  /** A clip shared in `guildId`, waiting for enrichment, as capture writes it. */
  const shared = (guildId: string, clipId: string) =>
    queries(t.db).run(
      `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, discord_shares) VALUES (?, ?, ?, ?, ?, ?, 1)`,
      [guildId, clipId, `https://clips.twitch.tv/${clipId}`, h.clock.now(), h.clock.now(), h.clock.now()],
    );
  const rows = (clipId?: string) =>
    clipId === undefined
      ? queries(t.db).all<Record<string, unknown>>('SELECT * FROM clips ORDER BY guild_id, clip_id')
      : queries(t.db).all<Record<string, unknown>>('SELECT * FROM clips WHERE clip_id = ? ORDER BY guild_id', [clipId]);
  const deps = () => ({
    db: t.db,
    clock: h.clock,
    logger: silentLogger(),
    twitch: h.twitch,
    maxAttempts: 2,
    backoff: { baseMs: 60_000, maxMs: 600_000 },
    random: () => 0.5,
  });

  it('enriches 250 clips of two guilds in 3 Get Clips calls, fetching a clip shared in both once, and marks the missing not_found', async () => {
    h.helix.addGame('509658', 'Just Chatting');
    for (let i = 0; i < 250; i++) {
      const id = `Clip${String(i).padStart(3, '0')}-x`;
      if (i !== 7) h.helix.addClip({ id, view_count: i, creator_id: `cr${i % 3}`, created_at: new Date(T0 - i * HOUR).toISOString() });
      await shared(i % 2 === 0 ? 'g1' : 'g2', id);
      if (i % 25 === 0) await shared('g3', id);
    }
    const summary = await enrichPending(deps());
    const ids = h.helix.served('clips').flatMap((call) => call.query.getAll('id'));
    // The missing clip is asked about twice (the second look before it is marked not_found).
    expect(ids.filter((id) => id !== 'Clip007-x').length).toBe(249);
    expect(summary).toMatchObject({ enriched: 249, notFound: 1, failed: 0 });
    const all = await rows();
    expect(all.length).toBe(260);
    expect(all.filter((r) => r.enrichment_state === 'done' && r.game_name === 'Just Chatting').length).toBe(259);
    expect((await rows('Clip007-x')).map((r) => r.enrichment_state)).toEqual(['not_found']);
    expect((await rows('Clip025-x')).map((r) => [r.guild_id, r.view_count, r.creator_id])).toEqual([
      ['g2', 25, 'cr1'],
      ['g3', 25, 'cr1'],
    ]);
    expect((await queries(t.db).get<{ n: number }>("SELECT count(*) AS n FROM dirty_hours WHERE guild_id = 'g3'"))?.n).toBeGreaterThan(0);
    expect(await enrichmentQueueStatus(t.db, h.clock.now())).toMatchObject({ pending: 0, done: 249, notFound: 1 });
  });

  it('counts a failed batch against its clips with backoff, fails them at the limit, and retries them on request', async () => {
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'Flaky-1' });
    await shared('g1', 'Flaky-1');
    h.helix.inject({ kind: 'status', status: 500 }, 1000, 'clips');
    const first = await enrichPending(deps());
    expect(first).toMatchObject({ enriched: 0, retrying: 1 });
    expect(await rows('Flaky-1')).toMatchObject([{ enrichment_state: 'pending', enrichment_attempts: 1 }]);
    h.clock.advance(10 * 60_000);
    await enrichPending(deps());
    expect(await rows('Flaky-1')).toMatchObject([{ enrichment_state: 'failed', enrichment_attempts: 2 }]);
    h.helix.clearFaults();
    expect(await retryFailedClips(t.db, h.clock.now(), { guildId: 'g1' })).toBe(1);
    expect(await enrichPending(deps())).toMatchObject({ enriched: 1 });
    expect(await rows('Flaky-1')).toMatchObject([{ enrichment_state: 'done' }]);
  });

  it('refreshes views by age and keeps a view history', async () => {
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'Young-1', view_count: 5, created_at: new Date(T0 - HOUR).toISOString() });
    h.helix.addClip({ id: 'Old-1', view_count: 50, created_at: new Date(T0 - 90 * DAY).toISOString() });
    await shared('g1', 'Young-1');
    await shared('g1', 'Old-1');
    await enrichPending(deps());
    h.helix.clips.get('Young-1')!.view_count = 80;
    h.helix.clips.get('Old-1')!.view_count = 60;
    h.clock.advance(2 * HOUR);
    const schedule = refreshScheduleFromMinutes(60, 1440, 10_080);
    const summary = await refreshViews({ db: t.db, clock: h.clock, logger: silentLogger(), twitch: h.twitch, schedule });
    expect(summary).toMatchObject({ refreshed: 1, due: 1 });
    expect(await rows('Young-1')).toMatchObject([{ view_count: 80 }]);
    expect(await rows('Old-1')).toMatchObject([{ view_count: 50 }]);
    expect(await queries(t.db).all("SELECT view_count FROM clip_view_history WHERE clip_id = 'Young-1' ORDER BY observed_at")).toEqual([
      { view_count: 5 },
      { view_count: 80 },
    ]);
  });

  it('syncs a followed channel’s clips into the guild, and names a game Twitch named late on every guild’s rows', async () => {
    h.helix.addUser({ id: '777', login: 'bigstreamer', display_name: 'BigStreamer' });
    h.helix.addGame('509658', 'Just Chatting');
    for (let i = 0; i < 30; i++)
      h.helix.addClip({
        id: `Sync${i}-s`,
        broadcaster_id: '777',
        game_id: i < 3 ? '999' : '509658',
        created_at: new Date(T0 - (i + 1) * DAY).toISOString(),
      });
    await shared('g2', 'Sync0-s');
    await registerTwitchChannels({ db: t.db, clock: h.clock, twitch: h.twitch }, 'g1', ['BigStreamer']);
    const [channel] = await listTwitchChannels(t.db, 'g1');
    const sync = await syncTwitchChannel({ db: t.db, clock: h.clock, logger: silentLogger(), twitch: h.twitch }, channel!);
    expect(sync).toMatchObject({ clipsSeen: 30, clipsAdded: 30 });
    const g1 = (await rows()).filter((r) => r.guild_id === 'g1');
    expect(g1.length).toBe(30);
    expect(g1.every((r) => r.source === 'twitch_sync' && r.enrichment_state === 'done')).toBe(true);
    // Game 999 is unknown to Twitch so far: its clips wait, unnamed, in both guilds.
    expect((await rows('Sync0-s')).map((r) => [r.guild_id, r.game_name])).toEqual([
      ['g1', null],
      ['g2', null],
    ]);
    h.helix.addGame('999', 'Late Game');
    h.clock.advance(DAY);
    expect(await repairGameNames({ db: t.db, clock: h.clock, twitch: h.twitch })).toMatchObject({ named: 1, clipsNamed: 4 });
    expect((await rows('Sync0-s')).map((r) => r.game_name)).toEqual(['Late Game', 'Late Game']);
  });
});
