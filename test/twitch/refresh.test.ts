import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger';
import { enrichPending } from '../../src/twitch/enrich';
import { clipsDueForRefresh, refreshScheduleFromMinutes, refreshViews, type RefreshDeps } from '../../src/twitch/refresh';
import { startTwitchHarness, T0, type TwitchHarness } from '../helpers/twitch';

let h: TwitchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const schedule = refreshScheduleFromMinutes(60, 1440, 10_080);

function refreshDeps(harness: TwitchHarness): RefreshDeps {
  return { db: harness.temp.db, clock: harness.clock, logger: silentLogger(), twitch: harness.twitch, schedule };
}

async function enrichAll(harness: TwitchHarness): Promise<void> {
  await enrichPending({ db: harness.temp.db, clock: harness.clock, logger: silentLogger(), twitch: harness.twitch, maxAttempts: 3 });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function history(harness: TwitchHarness, clipId: string): { observed_at: number; view_count: number }[] {
  return harness.temp.db.$client
    .prepare<[string], { observed_at: number; view_count: number }>(
      'SELECT observed_at, view_count FROM clip_view_history WHERE clip_id = ? ORDER BY observed_at',
    )
    .all(clipId);
}

describe('view refresh', () => {
  it('looks clips up again by age: young hourly, recent daily, old weekly', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'Young-y', created_at: iso(T0 - 2 * DAY) });
    h.helix.addClip({ id: 'Recent-r', created_at: iso(T0 - 10 * DAY) });
    h.helix.addClip({ id: 'Old-o', created_at: iso(T0 - 90 * DAY) });
    h.share('g1', 'm1', ['Young-y', 'Recent-r', 'Old-o']);
    await enrichAll(h);

    expect(await clipsDueForRefresh(h.temp.db, h.clock.now(), schedule, 100)).toEqual([]);
    h.clock.advance(HOUR);
    expect(await clipsDueForRefresh(h.temp.db, h.clock.now(), schedule, 100)).toEqual(['Young-y']);
    h.clock.advance(DAY - HOUR);
    expect((await clipsDueForRefresh(h.temp.db, h.clock.now(), schedule, 100)).sort()).toEqual(['Recent-r', 'Young-y']);
    h.clock.advance(6 * DAY);
    expect((await clipsDueForRefresh(h.temp.db, h.clock.now(), schedule, 100)).sort()).toEqual(['Old-o', 'Recent-r', 'Young-y']);
  });

  it('updates view counts, keeps a view history, and marks the changed hours dirty', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    const clip = h.helix.addClip({ id: 'GoingViral-v', created_at: iso(T0 - HOUR), view_count: 10 });
    h.share('g1', 'm1', ['GoingViral-v']);
    h.share('g2', 'm2', ['GoingViral-v']);
    await enrichAll(h);
    h.temp.db.$client.prepare('DELETE FROM dirty_hours').run();

    clip.view_count = 500;
    h.clock.advance(HOUR);
    const summary = await refreshViews(refreshDeps(h));

    expect(summary).toMatchObject({ refreshed: 1, batches: 1, due: 1 });
    const views = h.temp.db.$client.prepare('SELECT guild_id, view_count FROM clips ORDER BY guild_id').all();
    expect(views).toEqual([
      { guild_id: 'g1', view_count: 500 },
      { guild_id: 'g2', view_count: 500 },
    ]);
    expect(history(h, 'GoingViral-v')).toEqual([
      { observed_at: T0, view_count: 10 },
      { observed_at: T0 + HOUR, view_count: 500 },
    ]);
    const dirty = h.temp.db.$client.prepare('SELECT DISTINCT guild_id FROM dirty_hours ORDER BY guild_id').all();
    expect(dirty).toEqual([{ guild_id: 'g1' }, { guild_id: 'g2' }]);
  });

  it('marks a clip deleted on Twitch as not_found on refresh', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'SoonGone-g', created_at: iso(T0 - HOUR) });
    h.share('g1', 'm1', ['SoonGone-g']);
    await enrichAll(h);

    h.helix.clips.delete('SoonGone-g');
    h.clock.advance(HOUR);
    const summary = await refreshViews(refreshDeps(h));

    expect(summary.notFound).toBe(1);
    const row = h.temp.db.$client.prepare('SELECT enrichment_state, discord_shares FROM clips').get();
    expect(row).toEqual({ enrichment_state: 'not_found', discord_shares: 1 });
  });

  it('leaves clips due after a failed refresh so the next run takes them again', async () => {
    h = await startTwitchHarness({ retries: 0 });
    h.helix.addGame('509658', 'Just Chatting');
    const clip = h.helix.addClip({ id: 'Flaky-f', created_at: iso(T0 - HOUR), view_count: 1 });
    h.share('g1', 'm1', ['Flaky-f']);
    await enrichAll(h);

    clip.view_count = 2;
    h.clock.advance(HOUR);
    h.helix.inject({ kind: 'status', status: 400 }, 1, 'clips');
    const failed = await refreshViews(refreshDeps(h));
    expect(failed.lastError).toMatch(/HTTP 400/);
    expect(h.temp.db.$client.prepare('SELECT view_count, enrichment_state FROM clips').get()).toEqual({
      view_count: 1,
      enrichment_state: 'done',
    });

    const retried = await refreshViews(refreshDeps(h));
    expect(retried.refreshed).toBe(1);
    expect(h.temp.db.$client.prepare('SELECT view_count FROM clips').get()).toEqual({ view_count: 2 });
  });
});
