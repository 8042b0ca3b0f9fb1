// "Taking off" alerts on both engines, over a crafted view history: exactly the clips whose velocity at their age is
// above the server's 95th percentile at that age (with enough views) get one alert, and never a clip past its first day.
import { afterEach, describe, expect, it } from 'vitest';
import { upsertFeedClips, type SeenClip } from '../../src/db/stores/feeds';
import { judgeTakingOff, percentile, velocitiesAtAge } from '../../src/feed/taking-off';
import { testEngines } from '../helpers/engines';
import { BROADCASTER, MINUTE, startFeedHarness, T0, type FeedHarness } from './harness';

const HOUR = 60 * MINUTE;

function pastClip(i: number, createdAt: number, views: number): SeenClip {
  return {
    clipId: `History${i}`,
    broadcasterId: BROADCASTER,
    url: `https://clips.twitch.tv/History${i}`,
    title: `History ${i}`,
    creatorId: 'u1',
    creatorName: 'Clipper',
    gameId: '509658',
    gameName: 'Just Chatting',
    viewCount: views,
    duration: 30,
    clipCreatedAt: createdAt,
  };
}

describe('the taking-off rule', () => {
  it('takes the nearest-rank percentile, one velocity per clip (its latest observation in the bucket without an age)', () => {
    expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(
      percentile(
        Array.from({ length: 30 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(29);
    expect(percentile([], 95)).toBeNull();
    expect(
      velocitiesAtAge([
        { clipId: 'a', ageMs: HOUR, views: 10 },
        { clipId: 'a', ageMs: 2 * HOUR, views: 30 },
        { clipId: 'b', ageMs: HOUR, views: 7 },
      ]).sort(),
    ).toEqual([15, 7]);
  });

  it('compares a clip with each history clip at the nearest age it was read, since velocity falls as clips age', () => {
    // Clip a: 60 views at 8 h (7.5/h), 96 views at 15 h (6.4/h); clip b read once, at 12 h: 84 views (7/h).
    const observations = [
      { clipId: 'a', ageMs: 8 * HOUR, views: 60 },
      { clipId: 'a', ageMs: 15 * HOUR, views: 96 },
      { clipId: 'b', ageMs: 12 * HOUR, views: 84 },
    ];
    expect(velocitiesAtAge(observations, 9 * HOUR).sort()).toEqual([7, 7.5]);
    expect(velocitiesAtAge(observations, 14 * HOUR).sort()).toEqual([6.4, 7]);
    // Equally near both readings: the later one.
    expect(velocitiesAtAge(observations, 11.5 * HOUR).sort()).toEqual([6.4, 7]);
  });

  it('needs enough views, a known age bucket and a large enough history', () => {
    const history = Array.from({ length: 30 }, (_, i) => i + 1);
    const at = (views: number, ageMs: number) => ({ viewCount: views, viewsAt: T0 + ageMs, clipCreatedAt: T0 });
    expect(judgeTakingOff(at(600, 1.5 * HOUR), history)).toEqual({ velocity: 400, threshold: 29, percentile: 100, ageMinutes: 90 });
    expect(judgeTakingOff(at(48, 1.5 * HOUR), history)).toBeNull();
    expect(judgeTakingOff(at(600, 5 * MINUTE), history)).toBeNull();
    expect(judgeTakingOff(at(60_000, 25 * HOUR), history)).toBeNull();
    expect(judgeTakingOff(at(600, 1.5 * HOUR), history.slice(0, 19))).toBeNull();
  });
});

describe.each(testEngines())('taking-off alerts on %s', (engine) => {
  let h: FeedHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('alerts once for exactly the clips crossing the 95th percentile at their age, never past the first day', async () => {
    h = await startFeedHarness(engine);
    await h.addFeed();
    // The server's history: 30 clips from last week whose velocity at 1 h was 10, 20, … 300 views an hour.
    for (let i = 0; i < 30; i++) {
      const created = T0 - 5 * 24 * HOUR + i * HOUR;
      await upsertFeedClips(h.db, [pastClip(i, created, (i + 1) * 10)], created + HOUR);
    }
    h.clip('Rocket', 0.5, { view_count: 600 });
    // Enough views but slower than the 95th percentile (290/h) at every age in 1–2 h; fast but too few views.
    h.clip('Steady', 0.5, { view_count: 200 });
    h.clip('FastButTiny', 0.5, { view_count: 48 });
    h.clip('OldTimer', 0.5, { view_count: 10 });
    const runner = h.runner();
    for (let i = 0; i < 36; i++) {
      h.clock.advance(5 * MINUTE);
      await runner.runOnce();
    }
    const alerts = () => h!.messages().filter((m) => m.startsWith('🔥'));
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]).toMatch(/^🔥 \*\*Taking off\*\* · https:\/\/clips\.twitch\.tv\/Rocket\n/);
    expect(alerts()[0]).toContain("faster than 100% of this server's clips at that age (95th percentile: 290/hour)");

    // A day and more later, a clip's views soar: too old to alert.
    h.clock.advance(24 * HOUR);
    h.helix.clips.get('OldTimer')!.view_count = 100_000;
    await upsertFeedClips(
      h.db,
      [{ ...pastClip(0, T0 + 0.5 * MINUTE, 100_000), clipId: 'OldTimer', url: 'https://clips.twitch.tv/OldTimer' }],
      h.clock.now(),
    );
    for (let i = 0; i < 5; i++) {
      h.clock.advance(5 * MINUTE);
      await runner.runOnce();
    }
    expect(alerts()).toHaveLength(1);
    // Every clip was posted once as a clip, besides.
    expect(h.postedClipIds().sort()).toEqual(['FastButTiny', 'OldTimer', 'Rocket', 'Steady']);
  });
});
