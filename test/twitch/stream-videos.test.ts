// Stream moments' Twitch side on both engines, through the production Twurple client against the fake Helix: the
// broadcast and VOD offset of a clip written by enrichment, view refresh and channel sync, and a followed channel's
// past broadcasts read from Get Videos (type=archive, paged) into the guild's twitch_videos.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queries } from '../../src/db/sql';
import { silentLogger } from '../../src/logger';
import { listTwitchChannels, registerTwitchChannels, syncTwitchChannel } from '../../src/twitch/channel-sync';
import { enrichPending } from '../../src/twitch/enrich';
import { refreshScheduleFromMinutes, refreshViews } from '../../src/twitch/refresh';
import { parseTwitchDuration } from '../../src/twitch/schemas';
import { twitchDuration } from '../fakes/helix';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { startTwitchHarness, T0, type TwitchHarness } from '../helpers/twitch';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('Twitch video durations', () => {
  it('reads "3h8m33s", "45m2s" and "12s" as seconds and refuses anything else', () => {
    expect(parseTwitchDuration('3h8m33s')).toBe(3 * 3600 + 8 * 60 + 33);
    expect(parseTwitchDuration('45m2s')).toBe(45 * 60 + 2);
    expect(parseTwitchDuration('12s')).toBe(12);
    expect(parseTwitchDuration(twitchDuration(47 * 3600 + 59))).toBe(47 * 3600 + 59);
    for (const bad of ['', '3:08:33', '1d2h', 'h']) expect(() => parseTwitchDuration(bad)).toThrow(/not a Twitch duration/);
  });
});

describe.each(testEngines())('stream moments from Twitch on %s', (engine) => {
  let t: TestDatabase;
  let h: TwitchHarness;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'stream-videos');
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    for (const table of ['clips', 'dirty_hours', 'clip_view_history', 'game_name_misses', 'twitch_channels', 'twitch_videos'])
      await queries(t.db).run(`DELETE FROM ${table}`);
    h = await startTwitchHarness({ retries: 1 });
    h.helix.addGame('509658', 'Just Chatting');
  });
  afterEach(async () => {
    await h?.close();
  });

  const shared = (guildId: string, clipId: string) =>
    queries(t.db).run(
      `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, discord_shares) VALUES (?, ?, ?, ?, ?, ?, 1)`,
      [guildId, clipId, `https://clips.twitch.tv/${clipId}`, h.clock.now(), h.clock.now(), h.clock.now()],
    );
  const placement = (clipId: string) =>
    queries(t.db).all<{ guild_id: string; video_id: string | null; vod_offset: number | null }>(
      'SELECT guild_id, video_id, vod_offset FROM clips WHERE clip_id = ? ORDER BY guild_id',
      [clipId],
    );
  const deps = () => ({ db: t.db, clock: h.clock, logger: silentLogger(), twitch: h.twitch, maxAttempts: 2 });

  it('enrichment stores the broadcast and offset Twitch gives, and leaves clips without a VOD unplaced', async () => {
    const created_at = new Date(T0 - HOUR).toISOString();
    h.helix.addClip({ id: 'Placed-1', video_id: '900', vod_offset: 5412, created_at });
    h.helix.addClip({ id: 'NoVod-1', video_id: '', vod_offset: null, created_at });
    h.helix.addClip({ id: 'Pending-1', video_id: '901', vod_offset: null, created_at });
    for (const id of ['Placed-1', 'NoVod-1', 'Pending-1']) await shared('g1', id);
    await shared('g2', 'Placed-1');
    expect(await enrichPending(deps())).toMatchObject({ enriched: 3 });
    expect(await placement('Placed-1')).toEqual([
      { guild_id: 'g1', video_id: '900', vod_offset: 5412 },
      { guild_id: 'g2', video_id: '900', vod_offset: 5412 },
    ]);
    expect(await placement('NoVod-1')).toEqual([{ guild_id: 'g1', video_id: null, vod_offset: null }]);
    expect(await placement('Pending-1')).toEqual([{ guild_id: 'g1', video_id: '901', vod_offset: null }]);

    // The VOD is processed later: the view refresh writes the offset; later still it expires, and the place stays.
    h.helix.clips.get('Pending-1')!.vod_offset = 60;
    h.helix.clips.get('Placed-1')!.video_id = '';
    h.helix.clips.get('Placed-1')!.vod_offset = null;
    h.clock.advance(2 * HOUR);
    const schedule = refreshScheduleFromMinutes(60, 1440, 10_080);
    await refreshViews({ db: t.db, clock: h.clock, logger: silentLogger(), twitch: h.twitch, schedule });
    expect(await placement('Pending-1')).toEqual([{ guild_id: 'g1', video_id: '901', vod_offset: 60 }]);
    expect(await placement('Placed-1')).toEqual([
      { guild_id: 'g1', video_id: '900', vod_offset: 5412 },
      { guild_id: 'g2', video_id: '900', vod_offset: 5412 },
    ]);
  });

  it('channel sync writes the clips’ offsets and reads the channel’s past broadcasts page by page, archives only', async () => {
    h.helix.addUser({ id: '777', login: 'bigstreamer', display_name: 'BigStreamer' });
    // 130 broadcasts, one a day, 2 to 6 hours long; a highlight and another channel's broadcast stay out.
    for (let i = 0; i < 130; i++)
      h.helix.addVideo({
        id: `v${i}`,
        user_id: '777',
        user_name: 'BigStreamer',
        title: `Day ${i}`,
        created_at: new Date(T0 - (i + 1) * DAY).toISOString(),
        duration: twitchDuration(2 * 3600 + (i % 5) * 3600 + 33),
      });
    h.helix.addVideo({ id: 'hl', user_id: '777', type: 'highlight', created_at: new Date(T0 - DAY).toISOString() });
    h.helix.addVideo({ id: 'other', user_id: '888', created_at: new Date(T0 - DAY).toISOString() });
    h.helix.addClip({
      id: 'Sync-1',
      broadcaster_id: '777',
      video_id: 'v0',
      vod_offset: 600,
      created_at: new Date(T0 - DAY + 10 * 60_000).toISOString(),
    });
    await registerTwitchChannels({ db: t.db, clock: h.clock, twitch: h.twitch }, 'g1', ['BigStreamer']);
    const [channel] = await listTwitchChannels(t.db, 'g1');
    const first = await syncTwitchChannel({ db: t.db, clock: h.clock, logger: silentLogger(), twitch: h.twitch }, channel!);
    expect(first).toMatchObject({ clipsAdded: 1, videosSeen: 130, videosChanged: 130 });
    expect(await placement('Sync-1')).toEqual([{ guild_id: 'g1', video_id: 'v0', vod_offset: 600 }]);
    const calls = h.helix.served('videos');
    expect(calls.map((c) => [c.query.get('user_id'), c.query.get('type'), c.query.get('first')])).toEqual([
      ['777', 'archive', '100'],
      ['777', 'archive', '100'],
    ]);
    const stored = await queries(t.db).all<Record<string, unknown>>(
      "SELECT guild_id, video_id, broadcaster_id, broadcaster_name, title, started_at, duration_seconds FROM twitch_videos WHERE video_id IN ('v0', 'v3') ORDER BY video_id",
    );
    expect(stored).toEqual([
      {
        guild_id: 'g1',
        video_id: 'v0',
        broadcaster_id: '777',
        broadcaster_name: 'BigStreamer',
        title: 'Day 0',
        started_at: T0 - DAY,
        duration_seconds: 2 * 3600 + 33,
      },
      {
        guild_id: 'g1',
        video_id: 'v3',
        broadcaster_id: '777',
        broadcaster_name: 'BigStreamer',
        title: 'Day 3',
        started_at: T0 - 4 * DAY,
        duration_seconds: 5 * 3600 + 33,
      },
    ]);
    expect((await queries(t.db).get<{ n: number }>('SELECT count(*) AS n FROM twitch_videos'))?.n).toBe(130);

    // The next run reads only the newest page (it reaches back past the sync's start), and rewrites only what changed.
    h.helix.videos.get('v0')!.duration = '9h0m0s';
    h.clock.advance(DAY);
    const [again] = await listTwitchChannels(t.db, 'g1');
    const second = await syncTwitchChannel({ db: t.db, clock: h.clock, logger: silentLogger(), twitch: h.twitch }, again!);
    expect(h.helix.served('videos')).toHaveLength(3);
    expect(second).toMatchObject({ videosSeen: 100, videosChanged: 1 });
    expect(
      (await queries(t.db).get<{ d: number }>("SELECT duration_seconds AS d FROM twitch_videos WHERE guild_id = 'g1' AND video_id = 'v0'"))
        ?.d,
    ).toBe(9 * 3600);
  });

  it('stops reading broadcasts at the page limit of a run', async () => {
    h.helix.addUser({ id: '777', login: 'bigstreamer' });
    for (let i = 0; i < 250; i++)
      h.helix.addVideo({ id: `v${i}`, user_id: '777', created_at: new Date(T0 - (i + 1) * HOUR).toISOString() });
    await registerTwitchChannels({ db: t.db, clock: h.clock, twitch: h.twitch }, 'g1', ['bigstreamer']);
    const [channel] = await listTwitchChannels(t.db, 'g1');
    const sync = await syncTwitchChannel({ db: t.db, clock: h.clock, logger: silentLogger(), twitch: h.twitch }, channel!, {
      maxVideoPages: 2,
    });
    expect(sync).toMatchObject({ videosSeen: 200 });
    expect(h.helix.served('videos')).toHaveLength(2);
  });
});
