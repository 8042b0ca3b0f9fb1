// Reading views again for a busy channel, on both engines: with more than a thousand clips waiting for min_views (and
// a day's worth of young clips the taking-off alerts follow), every clip is read again within a bounded number of runs,
// oldest read first, 100 ids a call and within the run's Helix calls; a clip that reaches min_views is posted; a clip
// Twitch deleted does not hold the queue.
import { afterEach, describe, expect, it } from 'vitest';
import { getFeedClips } from '../../src/db/stores/feeds';
import { refreshShare } from '../../src/feed/job';
import { MAX_REFRESH_CALLS_PER_POLL } from '../../src/feed/poll';
import { testEngines } from '../helpers/engines';
import { MINUTE, startFeedHarness, T0, type FeedHarness } from './harness';

const HOUR = 60 * MINUTE;
const WAITING = 1_200;
/** Every run polls: the slowest cadence is 15 minutes. */
const RUN_GAP = 15 * MINUTE;

describe('the views refresh share of a run', () => {
  it('is an even share of the calls left, less the window call, between one and the cap', () => {
    expect(refreshShare(60, 1)).toBe(MAX_REFRESH_CALLS_PER_POLL);
    expect(refreshShare(60, 6)).toBe(9);
    expect(refreshShare(60, 30)).toBe(1);
    expect(refreshShare(3, 10)).toBe(1);
    expect(refreshShare(0, 1)).toBe(1);
  });
});

describe.each(testEngines())('views refresh of waiting clips on %s', (engine) => {
  let h: FeedHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  type Runner = ReturnType<FeedHarness['runner']>;
  /** Runs `times` runs a poll apart (every run polls: the slowest cadence is 15 minutes). */
  const runs = async (runner: Runner, times: number): Promise<void> => {
    for (let i = 0; i < times; i++) {
      const summary = await runner.runOnce();
      expect(summary.calls).toBeLessThanOrEqual(summary.broadcasters > 0 ? 60 : 0);
      h!.clock.advance(RUN_GAP);
    }
  };
  /**
   * 1,200 clips of the feed's channel over two days, all short of 50 views, seen by the polls a day at a time (Get
   * Clips lists at most 1,000 clips of one window). At the end the later half is in its first day.
   */
  const seedWaiting = async (runner: Runner, ids: readonly string[], runsPerDay: number): Promise<void> => {
    ids.forEach((id, i) => h!.clip(id, (i * 48 * 60) / ids.length + 0.5, { view_count: 5 }));
    for (const hours of [25, 49]) {
      h!.clock.set(T0 + hours * HOUR);
      await runs(runner, runsPerDay);
    }
    expect((await getFeedClips(h!.db, ids)).length).toBe(ids.length);
  };
  const notReadSince = async (ids: readonly string[], from: number) =>
    (await getFeedClips(h!.db, ids)).filter((c) => c.viewsAt < from).map((c) => c.clipId);

  it('reads every one of 1,200 waiting clips again within two runs, and posts the one that reaches min_views', async () => {
    h = await startFeedHarness(engine);
    await h.addFeed({ minViews: 50 });
    const ids = Array.from({ length: WAITING }, (_, i) => `Waiting${String(i).padStart(4, '0')}`);
    const runner = h.runner({ helixCallsPerRun: 60 });
    await seedWaiting(runner, ids, 2);

    // From now each clip must be read again: Twitch deletes one, and an old one passes min_views.
    const from = h.clock.now();
    h.helix.clips.delete('Waiting0003');
    h.helix.clips.get('Waiting0010')!.view_count = 75;
    const idRequestsBefore = h.helix.served('clips').filter((r) => r.query.has('id')).length;
    // Up to MAX_REFRESH_CALLS_PER_POLL calls of 100 ids a poll.
    await runs(runner, Math.ceil(WAITING / (MAX_REFRESH_CALLS_PER_POLL * 100)));
    expect(await notReadSince(ids, from)).toEqual([]);
    const idRequests = h.helix
      .served('clips')
      .filter((r) => r.query.has('id'))
      .slice(idRequestsBefore);
    expect(idRequests.length).toBeGreaterThan(0);
    for (const r of idRequests) expect(r.query.getAll('id').length).toBeLessThanOrEqual(100);

    // The clip that reached min_views is posted (at the latest by the next run); none of those short of it is.
    await runs(runner, 1);
    expect(h.postedClipIds()).toEqual(['Waiting0010']);
    // Thousands of rows written on a loaded machine: a generous limit, not a measure.
  }, 180_000);

  it('with one call a run still reads the oldest-read clips first, so young clips never starve older waiting ones', async () => {
    h = await startFeedHarness(engine);
    // Taking-off alerts on: the last day's 600 clips are due every 10 minutes and would fill every call alone.
    await h.addFeed({ minViews: 50, takingOff: true });
    const ids = Array.from({ length: WAITING }, (_, i) => `Busy${String(i).padStart(4, '0')}`);
    // Two calls a run: one for the window, one for views (as when many channels share a run's calls).
    const runner = h.runner({ helixCallsPerRun: 2 });
    await seedWaiting(runner, ids, 6);
    const from = h.clock.now();
    await runs(runner, Math.ceil(WAITING / 100));
    expect(await notReadSince(ids, from)).toEqual([]);
  });

  it('does not let clips Twitch deleted hold the head of the queue', async () => {
    h = await startFeedHarness(engine);
    await h.addFeed({ minViews: 50, takingOff: false });
    const ids = Array.from({ length: 300 }, (_, i) => `Gone${String(i).padStart(3, '0')}`);
    const runner = h.runner({ helixCallsPerRun: 2 });
    await seedWaiting(runner, ids, 6);
    // The 100 clips read longest ago disappear from Twitch: with one call a run they would be asked for again and again.
    const byRead = (await getFeedClips(h.db, ids)).sort((a, b) => a.viewsAt - b.viewsAt || (a.clipId < b.clipId ? -1 : 1));
    for (const c of byRead.slice(0, 100)) h.helix.clips.delete(c.clipId);
    const from = h.clock.now();
    await runs(runner, 3);
    expect(await notReadSince(ids, from)).toEqual([]);
  });
});
