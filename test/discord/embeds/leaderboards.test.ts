import { describe, expect, it } from 'vitest';
import type { CreatorRow, GameRow, PeriodJson, ViralClip } from '../../../src/analytics/types';
import { formatChange, formatChangePct, rankLabel, sparkline } from '../../../src/discord/embeds/format';
import { reactionBreakdown, topCreatorsPages, topGamesPages, viralPages } from '../../../src/discord/embeds/leaderboards';
import { EMBED_LIMITS, embedLength } from '../../../src/discord/embeds/limits';

const period: PeriodJson = { type: 'all_time', offset: 0, start: null, end: null, timezone: 'UTC', label: 'All time' };
const long = (n: number, c = 'x') => c.repeat(n);

const creator = (i: number, name = `Creator ${i}`): CreatorRow => ({
  creator_id: String(i),
  creator_name: name,
  clip_count: 100 - i,
  total_views: 1_000_000 * i,
  avg_views: 12345.678,
  discord_shares: 10,
  discord_reactions: 20,
  unique_games: 3,
  top_game: { id: 'g', name: long(300, 'G') },
});

const game = (i: number): GameRow => ({
  game_id: String(i),
  game_name: long(500, '*'),
  clip_count: 3,
  total_views: 10,
  avg_view_count: 3.33,
  unique_creators: 2,
  discord_shares: 1,
  discord_reactions: 1,
  top_clip: { id: 'c', title: long(2000, '_'), views: 10, url: `https://clips.twitch.tv/${long(200, 'S')}` },
});

const viral = (i: number): ViralClip => ({
  clip_id: `Clip${i}`,
  title: long(1000, '|'),
  url: `https://clips.twitch.tv/Clip${i}`,
  creator_id: '1',
  creator_name: long(400, '~'),
  game_id: '1',
  game_name: long(400, '`'),
  broadcaster_name: 'b',
  view_count: 1,
  discord_shares: 1,
  discord_reactions: 1,
  reaction_types: Object.fromEntries(Array.from({ length: 50 }, (_, k) => [`emoji${k}:${100000 + k}`, 50 - k])),
  clip_created_at: null,
  first_shared_at: null,
  thumbnail_url: null,
  view_velocity: null,
});

describe('leaderboard pages', () => {
  it('ranks 🥇 🥈 🥉 then numbers, across pages', () => {
    const pages = topCreatorsPages({ period, sort: 'clip_count', creators: Array.from({ length: 25 }, (_, i) => creator(i + 1)) });
    expect(pages).toHaveLength(3);
    expect(pages[0]!.fields!.slice(0, 4).map((f) => f.name)).toEqual(['🥇 Creator 1', '🥈 Creator 2', '🥉 Creator 3', '4. Creator 4']);
    expect(pages[2]!.fields!.map((f) => f.name.split(' ')[0])).toEqual(['21.', '22.', '23.', '24.', '25.']);
    expect(pages[1]!.footer?.text).toBe('Page 2/3 · Clipscope');
  });

  it('formats numbers with separators and one decimal for averages', () => {
    const [page] = topCreatorsPages({ period, sort: 'clip_count', creators: [creator(2)] });
    expect(page!.fields![0]!.value.startsWith('**98 clips** · 2,000,000 views (avg 12,345.7)')).toBe(true);
  });

  it('keeps every page within Discord’s limits however long the names are', () => {
    const pages = [
      ...topCreatorsPages({ period, sort: 'clip_count', creators: Array.from({ length: 25 }, (_, i) => creator(i, long(5000, '@'))) }),
      ...topGamesPages({ period, sort: 'clip_count', games: Array.from({ length: 25 }, (_, i) => game(i)) }),
      ...viralPages({ period, sort: 'view_count', min_views: 0, clips: Array.from({ length: 25 }, (_, i) => viral(i)) }, Date.now()),
    ];
    for (const page of pages) {
      expect(embedLength(page)).toBeLessThanOrEqual(EMBED_LIMITS.total);
      expect(page.title!.length).toBeLessThanOrEqual(EMBED_LIMITS.title);
      for (const field of page.fields ?? []) {
        expect(field.name.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldName);
        expect(field.value.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldValue);
      }
    }
    // Long names end with an ellipsis rather than being rejected.
    expect(pages[0]!.fields![0]!.name).toMatch(/^🥇 (@\u200b?)+…$/);
  });

  it('says what to do when a period has no clips', () => {
    const [page] = topGamesPages({ period, sort: 'clip_count', games: [] });
    expect(page!.fields).toEqual([]);
    expect(page!.description).toContain('No clips in this period yet.');
  });

  it('shows custom emoji as emoji and keeps the top three kinds', () => {
    expect(reactionBreakdown({ 'pog:123456789012345678': 3, '😂': 5, '🔥': 1, '👍': 1 })).toBe('😂 5 · <:pog:123456789012345678> 3 · 👍 1');
  });
});

describe('format', () => {
  it('labels ranks', () => {
    expect([1, 2, 3, 4, 25].map(rankLabel)).toEqual(['🥇', '🥈', '🥉', '4.', '25.']);
  });

  it('shows changes as arrows and percentages, "new" from zero', () => {
    expect([formatChange(150, 100), formatChange(50, 100), formatChange(100, 100), formatChange(3, 0), formatChange(0, 0)]).toEqual([
      '▲ 50%',
      '▼ 50%',
      '± 0%',
      'new',
      '± 0%',
    ]);
    expect(formatChangePct(-12.6, 5)).toBe('▼ 13%');
  });

  it('draws sparklines scaled to the largest value', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });
});
