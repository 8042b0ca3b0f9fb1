// Leaderboard embeds (/topcreators, /topgames, /viral): one embed per page, rendered from the analytics answers.
import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { Mood } from '../../analytics/moods-table';
import type {
  CreatorRow,
  CreatorSort,
  GameRow,
  GameSort,
  TopCreators,
  TopGames,
  ViralClip,
  ViralClips,
  ViralSort,
} from '../../analytics/types';
import { COLORS, formatAge, formatAverage, formatCount, plural, rankLabel } from './format';
import { fitEmbed, link, safeText } from './limits';

/** Entries per page: ten leaderboard rows stay readable on a phone and far inside the 6000-character limit. */
export const LEADERBOARD_PAGE_SIZE = 10;
export const VIRAL_PAGE_SIZE = 5;

/** Longest creator or game name shown before an ellipsis (keeps one row on one line). */
const NAME_MAX = 80;
const TITLE_MAX = 120;

export const CREATOR_SORT_LABELS: Record<CreatorSort, string> = {
  clip_count: 'clips',
  total_views: 'total views',
  avg_views: 'average views',
  discord_shares: 'Discord shares',
  discord_reactions: 'reactions',
};

export const GAME_SORT_LABELS: Record<GameSort, string> = {
  clip_count: 'clips',
  total_views: 'total views',
  avg_view_count: 'average views',
  discord_shares: 'Discord shares',
  discord_reactions: 'reactions',
};

/** A mood as the embeds name it (docs/moods.md). */
export const MOOD_LABELS: Record<Mood, string> = {
  hype: '🔥 hype',
  funny: '😂 funny',
  love: '❤️ love',
  wow: '😮 wow',
  sad: '😢 sad',
  negative: '👎 negative',
  other: '💬 other',
};

export const VIRAL_SORT_LABELS: Record<ViralSort, string> = {
  view_count: 'views',
  discord_reactions: 'reactions',
  view_velocity: 'views per hour',
};

export interface PageInfo {
  /** 0-based. */
  page: number;
  pages: number;
}

function footer(info: PageInfo, extra?: string): { text: string } {
  const parts = [extra, info.pages > 1 ? `Page ${info.page + 1}/${info.pages}` : undefined, 'Clipscope'];
  return { text: parts.filter(Boolean).join(' · ') };
}

/** Splits rows into pages of `size`, always at least one (possibly empty) page. */
export function paginate<T>(rows: readonly T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < rows.length; i += size) pages.push(rows.slice(i, i + size));
  return pages.length > 0 ? pages : [[]];
}

const EMPTY_HINT =
  'No clips in this period yet. Share Twitch clip links in this server and they will show up here ' +
  '(older history can be imported with `/clipscope-admin backfill`).';

export function creatorRowField(row: CreatorRow, rank: number): APIEmbedField {
  const games = row.unique_games === 1 ? '1 game' : `${formatCount(row.unique_games)} games`;
  const topGame = row.top_game ? ` (mostly ${safeText(row.top_game.name, NAME_MAX)})` : '';
  return {
    name: `${rankLabel(rank)} ${safeText(row.creator_name, NAME_MAX)}`,
    value:
      `**${plural(row.clip_count, 'clip')}** · ${formatCount(row.total_views)} views (avg ${formatAverage(row.avg_views)})\n` +
      `${plural(row.discord_shares, 'share')} · ${plural(row.discord_reactions, 'reaction')} · ${games}${topGame}`,
  };
}

export function topCreatorsPages(data: TopCreators, options: { game?: string | null } = {}): APIEmbed[] {
  const pages = paginate(data.creators, LEADERBOARD_PAGE_SIZE);
  const filters = [`Sorted by ${CREATOR_SORT_LABELS[data.sort]}`];
  if (options.game) filters.push(`game: ${safeText(options.game, NAME_MAX)}`);
  return pages.map((rows, page) =>
    fitEmbed({
      title: `🏆 Top clip creators · ${data.period.label}`,
      color: COLORS.brand,
      description: rows.length === 0 ? `${filters.join(' · ')}\n\n${EMPTY_HINT}` : filters.join(' · '),
      fields: rows.map((row, i) => creatorRowField(row, page * LEADERBOARD_PAGE_SIZE + i + 1)),
      footer: footer({ page, pages: pages.length }),
    }),
  );
}

export function gameRowField(row: GameRow, rank: number): APIEmbedField {
  const top = row.top_clip
    ? `\nTop clip: ${link(row.top_clip.title || row.top_clip.id, row.top_clip.url, 400)} (${plural(row.top_clip.views, 'view')})`
    : '';
  return {
    name: `${rankLabel(rank)} ${safeText(row.game_name, NAME_MAX)}`,
    value:
      `**${plural(row.clip_count, 'clip')}** · ${formatCount(row.total_views)} views (avg ${formatAverage(row.avg_view_count)}) · ` +
      `${plural(row.unique_creators, 'creator')}\n` +
      `${plural(row.discord_shares, 'share')} · ${plural(row.discord_reactions, 'reaction')}${top}`,
  };
}

export function topGamesPages(data: TopGames): APIEmbed[] {
  const pages = paginate(data.games, LEADERBOARD_PAGE_SIZE);
  const sorted = `Sorted by ${GAME_SORT_LABELS[data.sort]}`;
  return pages.map((rows, page) =>
    fitEmbed({
      title: `🎮 Top games · ${data.period.label}`,
      color: COLORS.brand,
      description: rows.length === 0 ? `${sorted}\n\n${EMPTY_HINT}` : sorted,
      fields: rows.map((row, i) => gameRowField(row, page * LEADERBOARD_PAGE_SIZE + i + 1)),
      footer: footer({ page, pages: pages.length }),
    }),
  );
}

const CUSTOM_EMOJI = /^([A-Za-z0-9_]{2,32}):(\d{5,25})$/;

/** An emoji key as stored (unicode, or name:id) rendered for Discord. */
export function renderEmoji(key: string): string {
  const custom = CUSTOM_EMOJI.exec(key);
  if (custom) return `<:${custom[1]}:${custom[2]}>`;
  return safeText(key, 32);
}

/** "😂 5 · 🔥 3 · <:pog:1> 1", the most used first, at most `max` kinds. */
export function reactionBreakdown(types: Record<string, number>, max = 3): string {
  const entries = Object.entries(types)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, max);
  return entries.map(([key, n]) => `${renderEmoji(key)} ${formatCount(n)}`).join(' · ');
}

export function clipTitle(clip: Pick<ViralClip, 'title' | 'clip_id'>): string {
  return clip.title.trim() === '' ? clip.clip_id : clip.title;
}

export function viralClipField(clip: ViralClip, rank: number, sort: ViralSort, now: number, mood?: Mood): APIEmbedField {
  const headline = mood
    ? plural(clip.mood_reactions ?? 0, `${MOOD_LABELS[mood]} reaction`)
    : sort === 'discord_reactions'
      ? plural(clip.discord_reactions, 'reaction')
      : sort === 'view_velocity' && clip.view_velocity !== null
        ? `${formatAverage(clip.view_velocity)} views/h`
        : plural(clip.view_count, 'view');
  const by = [
    clip.creator_name ? `by ${safeText(clip.creator_name, NAME_MAX)}` : null,
    clip.game_name ? safeText(clip.game_name, NAME_MAX) : null,
  ].filter(Boolean);
  const breakdown = reactionBreakdown(clip.reaction_types);
  const stats = [
    plural(clip.view_count, 'view'),
    plural(clip.discord_shares, 'share'),
    `${plural(clip.discord_reactions, 'reaction')}${breakdown ? ` (${breakdown})` : ''}`,
    `${formatAge(clip.clip_created_at ?? clip.first_shared_at, now)} old`,
  ];
  return {
    name: `${rankLabel(rank)} ${headline}`,
    value: `${link(clipTitle(clip), clip.url, 500)}\n${by.length ? `${by.join(' · ')}\n` : ''}${stats.join(' · ')}`,
  };
}

export function viralPages(data: ViralClips & { mood?: Mood }, now: number): APIEmbed[] {
  const pages = paginate(data.clips, VIRAL_PAGE_SIZE);
  const filters = [`Sorted by ${data.mood ? `${MOOD_LABELS[data.mood]} reactions` : VIRAL_SORT_LABELS[data.sort]}`];
  if (data.min_views > 0) filters.push(`at least ${plural(data.min_views, 'view')}`);
  return pages.map((clips, page) => {
    const first = clips[0];
    return fitEmbed({
      title: `🔥 Viral clips · ${data.period.label}`,
      color: COLORS.brand,
      description:
        clips.length === 0
          ? `${filters.join(' · ')}\n\nNo clips match. Try a longer period or a lower \`min_views\`.`
          : filters.join(' · '),
      fields: clips.map((clip, i) => viralClipField(clip, page * VIRAL_PAGE_SIZE + i + 1, data.sort, now, data.mood)),
      ...(first?.thumbnail_url ? { thumbnail: { url: first.thumbnail_url } } : {}),
      footer: footer({ page, pages: pages.length }),
    });
  });
}
