// The Twitch clip stores' contracts, the same tests on both engines: Get Clips answers written into every guild's row
// (view history, dirty hours, not_found), the channel sync's inserts, failures with backoff, the enrichment queue's
// walk and status, retries, the refresh queue and game names Twitch named late.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queries } from '../../src/db/sql';
import {
  clipsDueForRefresh,
  countDueClips,
  dueClipIds,
  enrichmentQueueStatus,
  recordEnrichmentFailures,
  retryFailedClips,
  unnamedGamesDue,
  writeClipLookup,
  writeGameNameAnswers,
  writeSyncedClips,
  writeTwitchClip,
  type TwitchClipRecord,
} from '../../src/db/stores/twitch-clips';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const HOUR = 3_600_000;
const T0 = Date.parse('2024-06-01T12:00:00Z');

function record(id: string, overrides: Partial<TwitchClipRecord> = {}): TwitchClipRecord {
  return {
    id,
    broadcasterId: 'b1',
    broadcasterName: 'Streamer',
    creatorId: 'cr1',
    creatorName: 'Clipper',
    gameId: 'g1',
    title: `Title ${id}`,
    viewCount: 100,
    createdAt: T0 - 48 * HOUR,
    thumbnailUrl: `https://thumb/${id}.jpg`,
    duration: 30.5,
    videoId: null,
    vodOffset: null,
    ...overrides,
  };
}

describe.each(testEngines())('Twitch clip stores on %s', (engine) => {
  let t: TestDatabase;
  const q = () => queries(t.db);

  async function clip(guildId: string, clipId: string, fields: Record<string, string | number | null> = {}): Promise<void> {
    const columns = {
      guild_id: guildId,
      clip_id: clipId,
      url: `https://clips.twitch.tv/${clipId}`,
      first_seen_at: T0,
      last_updated_at: T0,
      ...fields,
    };
    const names = Object.keys(columns);
    await q().run(
      `INSERT INTO clips (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
      Object.values(columns) as (string | number | null)[],
    );
  }

  async function share(guildId: string, messageId: string, clipId: string, postedAt: number): Promise<void> {
    await q().run(
      `INSERT INTO shares (guild_id, channel_id, message_id, clip_id, author_id, author_name, posted_at) VALUES (?, 'ch', ?, ?, 'u1', 'sharer', ?)`,
      [guildId, messageId, clipId, postedAt],
    );
  }

  const dirtyHours = async (guildId: string) =>
    (
      await q().all<{ hour_start: number; engagement_only: number | boolean }>(
        'SELECT hour_start, engagement_only FROM dirty_hours WHERE guild_id = ? ORDER BY hour_start',
        [guildId],
      )
    ).map((r) => [r.hour_start, Boolean(r.engagement_only)]);

  const row = (guildId: string, clipId: string) =>
    q().get<Record<string, unknown>>('SELECT * FROM clips WHERE guild_id = ? AND clip_id = ?', [guildId, clipId]);

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'twitch-clips');
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    for (const table of ['clips', 'shares', 'reactions', 'reaction_baselines', 'dirty_hours', 'clip_view_history', 'game_name_misses'])
      await q().run(`DELETE FROM ${table}`);
  });

  it('stores the broadcast and the offset into it, and keeps them when Twitch later drops them (the VOD expired)', async () => {
    await clip('gA', 'Vod1');
    await clip('gB', 'Vod1');
    await writeTwitchClip(t.db, record('Vod1', { videoId: 'v77', vodOffset: 4321 }), { now: T0, gameName: 'Game' });
    for (const guild of ['gA', 'gB']) expect(await row(guild, 'Vod1')).toMatchObject({ video_id: 'v77', vod_offset: 4321 });
    await writeTwitchClip(t.db, record('Vod1', { videoId: null, vodOffset: null, viewCount: 150 }), { now: T0 + HOUR, gameName: 'Game' });
    expect(await row('gA', 'Vod1')).toMatchObject({ video_id: 'v77', vod_offset: 4321, view_count: 150 });
    await writeSyncedClips(t.db, 'gC', [{ clip: record('Vod1', { videoId: 'v77', vodOffset: 4321 }), url: 'u' }], new Map(), [], T0, T0);
    expect(await row('gC', 'Vod1')).toMatchObject({ video_id: 'v77', vod_offset: 4321 });
    // A clip Twitch never placed keeps null: nothing is guessed.
    await clip('gA', 'NoVod');
    await writeTwitchClip(t.db, record('NoVod'), { now: T0, gameName: 'Game' });
    expect(await row('gA', 'NoVod')).toMatchObject({ video_id: null, vod_offset: null });
  });

  it("writes a Get Clips answer into every guild's row of the clip, with a view observation and the changed guilds' hours dirty", async () => {
    await clip('gA', 'Clip1');
    await clip('gB', 'Clip1');
    await clip('gB', 'Gone');
    await share('gA', 'm1', 'Clip1', T0 + 2 * HOUR + 5);
    await q().run(
      `INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at) VALUES ('gA', 'ch', 'm1', 'x', 'u2', ?)`,
      [T0 + 5 * HOUR],
    );
    await q().run(
      `INSERT INTO reaction_baselines (guild_id, channel_id, message_id, emoji_key, anonymous_count, observed_at) VALUES ('gA', 'ch', 'm1', 'y', 3, ?)`,
      [T0 + 7 * HOUR + 1],
    );
    // A dirty hour already marked by capture as engagement only becomes a full one.
    await q().run('INSERT INTO dirty_hours (guild_id, hour_start, engagement_only) VALUES (?, ?, ?)', ['gA', T0 + 2 * HOUR, true]);

    await writeClipLookup(t.db, {
      clips: [record('Clip1', { gameId: 'g9' })],
      gameNames: new Map([['g9', null]]),
      notFound: ['Gone'],
      unnamedGames: ['g9', 'g9', ''],
      firstGameNameTry: T0 + HOUR,
      now: T0 + 10 * HOUR,
    });

    for (const guild of ['gA', 'gB']) {
      expect(await row(guild, 'Clip1')).toMatchObject({
        title: 'Title Clip1',
        creator_id: 'cr1',
        creator_name: 'Clipper',
        game_id: 'g9',
        game_name: null,
        view_count: 100,
        duration: 30.5,
        clip_created_at: T0 - 48 * HOUR,
        enrichment_state: 'done',
        enriched_at: T0 + 10 * HOUR,
        views_refreshed_at: T0 + 10 * HOUR,
      });
    }
    expect(await row('gB', 'Gone')).toMatchObject({ enrichment_state: 'not_found', last_updated_at: T0 + 10 * HOUR });
    expect(await q().all('SELECT clip_id, observed_at, view_count FROM clip_view_history')).toEqual([
      { clip_id: 'Clip1', observed_at: T0 + 10 * HOUR, view_count: 100 },
    ]);
    expect(await q().all('SELECT game_id, misses, next_try_at FROM game_name_misses')).toEqual([
      { game_id: 'g9', misses: 1, next_try_at: T0 + HOUR },
    ]);
    // gA: the clip's creation, its share, the reaction on it and the imported count; gB: creation only (and Gone's row had none).
    expect(await dirtyHours('gA')).toEqual([
      [T0 - 48 * HOUR, false],
      [T0 + 2 * HOUR, false],
      [T0 + 5 * HOUR, false],
      [T0 + 7 * HOUR, false],
    ]);
    expect(await dirtyHours('gB')).toEqual([[T0 - 48 * HOUR, false]]);

    // The same answer again changes nothing ranked: no new dirty hour, one more view observation at the new time.
    await q().run('DELETE FROM dirty_hours');
    await writeTwitchClip(t.db, record('Clip1', { gameId: 'g9' }), { now: T0 + 11 * HOUR, gameName: null });
    expect(await dirtyHours('gA')).toEqual([]);
    expect((await q().all('SELECT * FROM clip_view_history')).length).toBe(2);
    // New views move it again; a named game is written, and '' (no game) is always the empty name.
    await writeTwitchClip(t.db, record('Clip1', { gameId: 'g9', viewCount: 150 }), { now: T0 + 12 * HOUR, gameName: 'Chess' });
    expect(await row('gA', 'Clip1')).toMatchObject({ view_count: 150, game_name: 'Chess', enriched_at: T0 + 10 * HOUR });
    expect(await dirtyHours('gB')).toEqual([[T0 - 48 * HOUR, false]]);
    await writeTwitchClip(t.db, record('Clip1', { gameId: '' }), { now: T0 + 13 * HOUR, gameName: null });
    expect(await row('gB', 'Clip1')).toMatchObject({ game_id: '', game_name: '' });
    expect(await writeTwitchClip(t.db, record('Unknown'), { now: T0, gameName: null })).toBe(0);
  });

  it('adds a followed channel’s new clips to one guild and writes Twitch’s data to every guild’s row', async () => {
    await clip('gA', 'Old', { discord_shares: 2 });
    await clip('gB', 'Old');
    const added = await writeSyncedClips(
      t.db,
      'gA',
      [
        { clip: record('Old'), url: 'https://clips.twitch.tv/Old' },
        { clip: record('New', { viewCount: 7 }), url: 'https://clips.twitch.tv/New' },
      ],
      new Map([['g1', 'Chess']]),
      [],
      T0,
      T0 + HOUR,
    );
    expect(added).toBe(1);
    expect(await row('gA', 'New')).toMatchObject({
      source: 'twitch_sync',
      discord_shares: 0,
      view_count: 7,
      game_name: 'Chess',
      enrichment_state: 'done',
    });
    expect(await row('gA', 'Old')).toMatchObject({ discord_shares: 2, source: 'discord', game_name: 'Chess' });
    expect(await row('gB', 'Old')).toMatchObject({ enrichment_state: 'done' });
    expect(await row('gB', 'New')).toBeUndefined();
  });

  it('counts failed attempts with backoff until the limit, then fails the clip; retry puts failed clips back', async () => {
    await clip('gA', 'F1');
    await clip('gB', 'F1');
    await clip('gA', 'F2', { enrichment_attempts: 2 });
    const backoffs: number[] = [];
    const options = { now: T0, maxAttempts: 3, backoffFor: (n: number) => (backoffs.push(n), 60_000 * (n + 1)) };
    expect(await recordEnrichmentFailures(t.db, ['F1', 'F2', 'absent'], 'Helix 503 '.repeat(100), options)).toEqual({
      failed: 1,
      retrying: 1,
    });
    expect(backoffs).toEqual([0, 2, 0]);
    expect(await row('gB', 'F1')).toMatchObject({
      enrichment_state: 'pending',
      enrichment_attempts: 1,
      enrichment_next_attempt_at: T0 + 60_000,
    });
    const failed = await row('gA', 'F2');
    expect(failed).toMatchObject({ enrichment_state: 'failed', enrichment_attempts: 3, enrichment_next_attempt_at: 0 });
    expect(String(failed?.enrichment_error).length).toBe(500);

    const status = await enrichmentQueueStatus(t.db, T0);
    expect(status).toEqual({
      pending: 1,
      due: 0,
      done: 0,
      notFound: 0,
      failed: 1,
      nextAttemptAt: T0 + 60_000,
      lastError: expect.stringMatching(/^Helix 503/),
    });
    expect(await countDueClips(t.db, T0 + 60_000)).toBe(1);

    expect(await retryFailedClips(t.db, T0, { clipIds: [] })).toBe(0);
    expect(await retryFailedClips(t.db, T0, { guildId: 'gB' })).toBe(0);
    expect(await retryFailedClips(t.db, T0, { guildId: 'gA', clipIds: ['F2', 'o"dd\\id'] })).toBe(1);
    expect(await row('gA', 'F2')).toMatchObject({ enrichment_state: 'pending', enrichment_attempts: 0, enrichment_next_attempt_at: 0 });
  });

  it('walks the due queue longest-waiting first, in batches of distinct ids, skipping taken ids and resuming at the cursor', async () => {
    for (let i = 0; i < 1200; i++)
      await clip(i % 2 === 0 ? 'gA' : 'gB', `Q${String(Math.floor(i / 2)).padStart(4, '0')}`, {
        enrichment_next_attempt_at: T0 + Math.floor(i / 2),
      });
    await clip('gA', 'Later', { enrichment_next_attempt_at: T0 + 10 * HOUR });
    await clip('gA', 'Done', { enrichment_state: 'done' });
    const taken = new Set(['Q0001', 'Q0002']);
    const first = await dueClipIds(t.db, T0 + HOUR, 100, taken, { next: Number.MIN_SAFE_INTEGER, id: 0 });
    expect(first.ids.length).toBe(100);
    expect(first.ids.slice(0, 3)).toEqual(['Q0000', 'Q0003', 'Q0004']);
    expect(first.ids.at(-1)).toBe('Q0101');
    for (const id of first.ids) taken.add(id);
    // The rest, in pages, until the queue is empty: every due clip exactly once, Later and Done never.
    const seen = [...first.ids];
    let cursor = first.cursor;
    for (;;) {
      const next = await dueClipIds(t.db, T0 + HOUR, 100, taken, cursor);
      if (next.ids.length === 0) break;
      cursor = next.cursor;
      seen.push(...next.ids);
      for (const id of next.ids) taken.add(id);
    }
    expect(seen.length).toBe(598);
    expect(new Set(seen).size).toBe(598);
    expect(await countDueClips(t.db, T0 + HOUR)).toBe(600);
  });

  it('lists clips due for a view refresh by age, longest-unrefreshed first, once per clip', async () => {
    const now = T0 + 100 * 24 * HOUR;
    await clip('gA', 'Young', { enrichment_state: 'done', clip_created_at: now - HOUR, views_refreshed_at: now - 2 * HOUR });
    await clip('gB', 'Young', { enrichment_state: 'done', clip_created_at: now - HOUR, views_refreshed_at: now - 3 * HOUR });
    await clip('gA', 'YoungFresh', { enrichment_state: 'done', clip_created_at: now - HOUR, views_refreshed_at: now - 10 * 60_000 });
    await clip('gA', 'Recent', { enrichment_state: 'done', clip_created_at: now - 10 * 24 * HOUR, views_refreshed_at: now - 25 * HOUR });
    await clip('gA', 'Old', { enrichment_state: 'done', clip_created_at: now - 90 * 24 * HOUR, views_refreshed_at: now - 6 * 24 * HOUR });
    await clip('gA', 'OldNever', { enrichment_state: 'done', clip_created_at: now - 90 * 24 * HOUR });
    await clip('gA', 'Pending', { clip_created_at: now - HOUR });
    const schedule = { youngMs: HOUR, recentMs: 24 * HOUR, oldMs: 7 * 24 * HOUR };
    expect(await clipsDueForRefresh(t.db, now, schedule, 10)).toEqual(['OldNever', 'Recent', 'Young']);
    expect(await clipsDueForRefresh(t.db, now, schedule, 2, new Set(['OldNever']))).toEqual(['Recent', 'Young']);
  });

  it('names games Twitch named late on every clip row of them, and backs off the ones still unnamed', async () => {
    await clip('gA', 'C1', { game_id: 'g1', clip_created_at: T0 });
    await clip('gB', 'C2', { game_id: 'g1', clip_created_at: T0 + 3 * HOUR });
    await clip('gA', 'C3', { game_id: 'g2' });
    await clip('gA', 'C4', { game_id: 'g3', game_name: 'Named' });
    await clip('gA', 'C5', { game_id: '' });
    await q().run('INSERT INTO game_name_misses (game_id, misses, first_missed_at, last_missed_at, next_try_at) VALUES (?, 2, 0, 0, ?)', [
      'g2',
      T0 + HOUR,
    ]);
    expect((await unnamedGamesDue(t.db, T0, 10)).sort()).toEqual(['g1']);
    expect((await unnamedGamesDue(t.db, T0 + HOUR, 10)).sort()).toEqual(['g1', 'g2']);

    const tries: number[] = [];
    const summary = await writeGameNameAnswers(
      t.db,
      ['g1', 'g2', 'g4'],
      new Map([['g1', 'Chess']]),
      T0 + 2 * HOUR,
      (n) => (tries.push(n), T0 + n * HOUR),
    );
    expect(summary).toEqual({ named: 1, clipsNamed: 2, stillUnknown: 2 });
    expect(await row('gB', 'C2')).toMatchObject({ game_name: 'Chess', last_updated_at: T0 + 2 * HOUR });
    expect(await dirtyHours('gA')).toEqual([[T0, false]]);
    expect(await dirtyHours('gB')).toEqual([[T0 + 3 * HOUR, false]]);
    expect(await q().all('SELECT game_id, misses, next_try_at FROM game_name_misses ORDER BY game_id')).toEqual([
      { game_id: 'g2', misses: 3, next_try_at: T0 + 3 * HOUR },
      { game_id: 'g4', misses: 1, next_try_at: T0 + HOUR },
    ]);
    expect(tries).toEqual([1, 3, 1, 1]);
    expect(await unnamedGamesDue(t.db, T0 + 10 * HOUR, 10)).toEqual(['g2']);
  });
});
