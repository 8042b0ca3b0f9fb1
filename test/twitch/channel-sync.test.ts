import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger';
import {
  ChannelError,
  listTwitchChannels,
  normaliseLogin,
  registerTwitchChannels,
  removeTwitchChannel,
  syncGuildChannels,
  syncTwitchChannel,
  type SyncDeps,
} from '../../src/twitch/channel-sync';
import { startTwitchHarness, T0, type TwitchHarness } from '../helpers/twitch';

let h: TwitchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DAY = 86_400_000;
const CAP = 50;

function syncDeps(harness: TwitchHarness): SyncDeps {
  return { db: harness.temp.db, clock: harness.clock, logger: silentLogger(), twitch: harness.twitch };
}

/** A channel with clips spread over two years plus one very busy day (more clips than the pagination cap). */
function seedChannel(harness: TwitchHarness): string[] {
  harness.helix.addUser({ id: '777', login: 'bigstreamer', display_name: 'BigStreamer' });
  harness.helix.addGame('509658', 'Just Chatting');
  harness.helix.addGame('32982', 'Grand Theft Auto V');
  const ids: string[] = [];
  for (let i = 0; i < 300; i++) {
    const id = `Spread${i}-s`;
    harness.helix.addClip({
      id,
      broadcaster_id: '777',
      broadcaster_name: 'BigStreamer',
      created_at: new Date(T0 - 730 * DAY + i * 2.4 * DAY).toISOString(),
      view_count: (i * 37) % 1000,
      game_id: i % 3 === 0 ? '' : i % 2 === 0 ? '509658' : '32982',
      creator_id: `c${i % 7}`,
      creator_name: `Clipper${i % 7}`,
    });
    ids.push(id);
  }
  const busyDay = T0 - 100 * DAY;
  for (let i = 0; i < 180; i++) {
    const id = `Busy${i}-b`;
    harness.helix.addClip({ id, broadcaster_id: '777', created_at: new Date(busyDay + i * 60_000).toISOString(), view_count: i });
    ids.push(id);
  }
  // Another channel's clip must never end up in this channel's sync.
  harness.helix.addClip({ id: 'OtherChannel-x', broadcaster_id: '888', created_at: new Date(busyDay).toISOString() });
  return ids;
}

describe('Twitch channels of a guild', () => {
  it('registers channels by login through Get Users and lists them', async () => {
    h = await startTwitchHarness();
    h.helix.addUser({ id: '777', login: 'bigstreamer', display_name: 'BigStreamer' });
    h.helix.addUser({ id: '778', login: 'smallstreamer', display_name: 'SmallStreamer' });

    await registerTwitchChannels(syncDeps(h), 'g1', ['BigStreamer', 'https://www.twitch.tv/smallstreamer']);

    expect((await listTwitchChannels(h.temp.db, 'g1')).map((c) => [c.broadcasterLogin, c.broadcasterId, c.broadcasterName])).toEqual([
      ['bigstreamer', '777', 'BigStreamer'],
      ['smallstreamer', '778', 'SmallStreamer'],
    ]);
    expect(await listTwitchChannels(h.temp.db, 'g2')).toEqual([]);
    const lookups = h.helix.served('users');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.query.getAll('login').sort()).toEqual(['bigstreamer', 'smallstreamer']);
  });

  it('registers nothing when one login is unknown, and says which', async () => {
    h = await startTwitchHarness();
    h.helix.addUser({ id: '777', login: 'bigstreamer' });

    await expect(registerTwitchChannels(syncDeps(h), 'g1', ['bigstreamer', 'nobodyhere'])).rejects.toThrow(/"nobodyhere"/);
    expect(await listTwitchChannels(h.temp.db, 'g1')).toEqual([]);
    expect(() => normaliseLogin('not a login!')).toThrow(ChannelError);
  });

  it('removes a channel but keeps the clips it brought', async () => {
    h = await startTwitchHarness();
    seedChannel(h);
    const [channel] = await registerTwitchChannels(syncDeps(h), 'g1', ['bigstreamer']);
    await syncTwitchChannel(syncDeps(h), channel!, { paginationCap: CAP });

    expect(await removeTwitchChannel(h.temp.db, 'g1', 'BigStreamer')).toBe(true);
    expect(await removeTwitchChannel(h.temp.db, 'g1', 'bigstreamer')).toBe(false);
    expect(await listTwitchChannels(h.temp.db, 'g1')).toEqual([]);
    expect(h.temp.db.$client.prepare("SELECT count(*) AS n FROM clips WHERE guild_id = 'g1'").get()).toEqual({ n: 480 });
  });
});

describe('channel sync', () => {
  it('pages through every clip of the channel, splitting windows that reach the pagination cap', async () => {
    h = await startTwitchHarness({ helix: { paginationCap: CAP } });
    const ids = seedChannel(h);
    const [channel] = await registerTwitchChannels(syncDeps(h), 'g1', ['bigstreamer']);
    const progress: number[] = [];

    const summary = await syncTwitchChannel(syncDeps(h), channel!, { paginationCap: CAP, onProgress: (p) => progress.push(p.fraction) });

    const stored = h.temp.db.$client
      .prepare<[], { clip_id: string }>("SELECT clip_id FROM clips WHERE guild_id = 'g1' ORDER BY clip_id")
      .all()
      .map((r) => r.clip_id);
    expect(stored).toEqual([...ids].sort());
    expect(summary.clipsAdded).toBe(ids.length);
    expect(summary.cappedWindows).toBe(0);
    const rows = h.temp.db.$client
      .prepare("SELECT DISTINCT discord_shares, source, enrichment_state FROM clips WHERE guild_id = 'g1'")
      .all();
    expect(rows).toEqual([{ discord_shares: 0, source: 'twitch_sync', enrichment_state: 'done' }]);
    expect(h.temp.db.$client.prepare("SELECT game_id, game_name FROM clips WHERE clip_id = 'Spread0-s'").get()).toEqual({
      game_id: '',
      game_name: '',
    });
    expect(h.temp.db.$client.prepare("SELECT game_name FROM clips WHERE clip_id = 'Spread1-s'").get()).toEqual({
      game_name: 'Grand Theft Auto V',
    });
    // Every call was a bounded window of the channel, with a page size of 100.
    for (const call of h.helix.served('clips')) {
      expect(call.query.get('broadcaster_id')).toBe('777');
      expect(call.query.get('first')).toBe('100');
      expect(Date.parse(call.query.get('ended_at')!)).toBeGreaterThan(Date.parse(call.query.get('started_at')!));
    }
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const after = (await listTwitchChannels(h.temp.db, 'g1'))[0]!;
    expect(after.syncedThrough).toBe(
      Math.max(...[...h.helix.clips.values()].filter((c) => c.broadcaster_id === '777').map((c) => Date.parse(c.created_at))),
    );
    expect(after.lastSyncError).toBeNull();
  });

  it('runs incrementally after the first complete sync and picks up new clips', async () => {
    h = await startTwitchHarness({ helix: { paginationCap: CAP } });
    seedChannel(h);
    await registerTwitchChannels(syncDeps(h), 'g1', ['bigstreamer']);
    await syncGuildChannels(syncDeps(h), 'g1', [], { paginationCap: CAP });
    const firstRun = h.helix.served('clips').length;
    const syncedThrough = (await listTwitchChannels(h.temp.db, 'g1'))[0]!.syncedThrough!;

    h.clock.advance(2 * DAY);
    h.helix.addClip({ id: 'BrandNew-n', broadcaster_id: '777', created_at: new Date(T0 + DAY).toISOString(), view_count: 3 });
    const { synced, errors } = await syncGuildChannels(syncDeps(h), 'g1', ['bigstreamer'], { paginationCap: CAP });

    expect(errors).toEqual([]);
    const secondRunCalls = h.helix.served('clips').slice(firstRun);
    expect(secondRunCalls.length).toBeLessThan(firstRun);
    for (const call of secondRunCalls) expect(Date.parse(call.query.get('started_at')!)).toBeGreaterThanOrEqual(syncedThrough - DAY);
    expect(synced[0]).toMatchObject({ clipsAdded: 1 });
    expect(h.temp.db.$client.prepare("SELECT view_count, source FROM clips WHERE clip_id = 'BrandNew-n'").get()).toEqual({
      view_count: 3,
      source: 'twitch_sync',
    });
  });

  it('keeps Discord share counts of clips that were shared before the sync found them', async () => {
    h = await startTwitchHarness({ helix: { paginationCap: CAP } });
    seedChannel(h);
    h.share('g1', 'm1', ['Busy5-b']);
    const [channel] = await registerTwitchChannels(syncDeps(h), 'g1', ['bigstreamer']);

    await syncTwitchChannel(syncDeps(h), channel!, { paginationCap: CAP });

    expect(h.temp.db.$client.prepare("SELECT discord_shares, source, enrichment_state FROM clips WHERE clip_id = 'Busy5-b'").get()).toEqual(
      {
        discord_shares: 1,
        source: 'discord',
        enrichment_state: 'done',
      },
    );
  });

  it('records the error on the channel and keeps the previous high-water mark when a sync fails', async () => {
    h = await startTwitchHarness({ helix: { paginationCap: CAP }, retries: 1 });
    seedChannel(h);
    const [channel] = await registerTwitchChannels(syncDeps(h), 'g1', ['bigstreamer']);
    h.helix.inject({ kind: 'status', status: 400, body: { error: 'Bad Request', status: 400, message: 'something odd' } }, 1, 'clips');

    await expect(syncTwitchChannel(syncDeps(h), channel!, { paginationCap: CAP })).rejects.toThrow(/HTTP 400/);

    const after = (await listTwitchChannels(h.temp.db, 'g1'))[0]!;
    expect(after.syncedThrough).toBeNull();
    expect(after.lastSyncError).toMatch(/something odd/);

    // The next run covers everything and clears the error.
    await syncTwitchChannel(syncDeps(h), after, { paginationCap: CAP });
    expect((await listTwitchChannels(h.temp.db, 'g1'))[0]!.lastSyncError).toBeNull();
    expect(h.temp.db.$client.prepare("SELECT count(*) AS n FROM clips WHERE guild_id = 'g1'").get()).toEqual({ n: 480 });
  });
});
