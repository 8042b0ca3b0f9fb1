// The feed's pure rules: how often a channel is polled, and which clips a feed posts, waits on or skips.
import { describe, expect, it } from 'vitest';
import type { FeedClip } from '../../src/db/stores/feeds';
import { FAST_MS, nextInterval, SLOW_MS } from '../../src/feed/cadence';
import { judgeClip, normaliseName } from '../../src/feed/filters';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 1, 20, 0);

function clip(over: Partial<FeedClip> = {}): FeedClip {
  return {
    clipId: 'C',
    broadcasterId: 'b',
    url: 'https://clips.twitch.tv/C',
    title: 'C',
    creatorId: 'u',
    creatorName: 'Viewer42',
    gameId: '509658',
    gameName: 'Just Chatting',
    viewCount: 10,
    duration: 30,
    clipCreatedAt: NOW - MINUTE,
    firstSeenAt: NOW,
    viewsAt: NOW,
    ...over,
  };
}

const open = { games: [], excludeGames: [], creatorsExclude: [], minViews: 0, postMemberShared: true };

describe('poll cadence', () => {
  it('polls every 2 minutes while a clip was made in the last 30 minutes, else doubles up to 15', () => {
    expect(nextInterval(SLOW_MS, NOW - 29 * MINUTE, NOW)).toBe(FAST_MS);
    expect(nextInterval(FAST_MS, NOW - 31 * MINUTE, NOW)).toBe(2 * FAST_MS);
    expect(nextInterval(FAST_MS, null, NOW)).toBe(4 * MINUTE);
    expect(nextInterval(8 * MINUTE, null, NOW)).toBe(SLOW_MS);
    expect(nextInterval(SLOW_MS, null, NOW)).toBe(SLOW_MS);
  });
});

describe('feed filters', () => {
  it('compares game and clipper names without case or extra spaces', () => {
    expect(normaliseName('  Just   CHATTING ')).toBe('just chatting');
    expect(judgeClip({ ...open, games: ['just chatting'] }, clip(), false)).toBe('post');
    expect(judgeClip({ ...open, games: ['slots'] }, clip(), false)).toBe('skip');
    expect(judgeClip({ ...open, excludeGames: ['just chatting'] }, clip(), false)).toBe('skip');
    expect(judgeClip({ ...open, creatorsExclude: ['viewer42'] }, clip(), false)).toBe('skip');
  });

  it('waits for views and for a game name a game filter needs; skips a member-shared clip only when told to', () => {
    expect(judgeClip({ ...open, minViews: 11 }, clip(), false)).toBe('wait');
    expect(judgeClip({ ...open, minViews: 10 }, clip(), false)).toBe('post');
    expect(judgeClip({ ...open, games: ['just chatting'] }, clip({ gameName: null }), false)).toBe('wait');
    // Twitch's "no game" never matches a game list, and passes an exclusion list.
    expect(judgeClip({ ...open, games: ['just chatting'] }, clip({ gameId: '', gameName: null }), false)).toBe('skip');
    expect(judgeClip({ ...open, excludeGames: ['just chatting'] }, clip({ gameId: '', gameName: null }), false)).toBe('post');
    expect(judgeClip(open, clip(), true)).toBe('post');
    expect(judgeClip({ ...open, postMemberShared: false }, clip(), true)).toBe('skip');
  });
});
