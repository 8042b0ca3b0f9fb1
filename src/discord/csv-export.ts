// CSV files of the leaderboards and the timeline for `/clipstats export`, one row per analytics row. Cells follow
// the API export's rule (src/http/csv.ts): text a spreadsheet would run as a formula is shown as text.
import type { EngagementTimeline, TopCreators, TopGames, ViralClips } from '../analytics/types';
import { csvCell } from '../http/csv';

type Cell = string | number | null | undefined;

function csv(header: string[], rows: Cell[][]): string {
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function topCreatorsCsv(data: TopCreators): string {
  return csv(
    [
      'rank',
      'creator_id',
      'creator_name',
      'clip_count',
      'total_views',
      'avg_views',
      'discord_shares',
      'discord_reactions',
      'unique_games',
      'top_game',
    ],
    data.creators.map((c, i) => [
      i + 1,
      c.creator_id,
      c.creator_name,
      c.clip_count,
      c.total_views,
      c.avg_views,
      c.discord_shares,
      c.discord_reactions,
      c.unique_games,
      c.top_game?.name,
    ]),
  );
}

export function topGamesCsv(data: TopGames): string {
  return csv(
    [
      'rank',
      'game_id',
      'game_name',
      'clip_count',
      'total_views',
      'avg_view_count',
      'unique_creators',
      'discord_shares',
      'discord_reactions',
      'top_clip_title',
      'top_clip_url',
      'top_clip_views',
    ],
    data.games.map((g, i) => [
      i + 1,
      g.game_id,
      g.game_name,
      g.clip_count,
      g.total_views,
      g.avg_view_count,
      g.unique_creators,
      g.discord_shares,
      g.discord_reactions,
      g.top_clip?.title,
      g.top_clip?.url,
      g.top_clip?.views,
    ]),
  );
}

export function viralClipsCsv(data: ViralClips): string {
  return csv(
    [
      'rank',
      'clip_id',
      'title',
      'url',
      'creator_name',
      'game_name',
      'broadcaster_name',
      'view_count',
      'discord_shares',
      'discord_reactions',
      'reaction_types',
      'view_velocity',
      'clip_created_at',
      'first_shared_at',
    ],
    data.clips.map((c, i) => [
      i + 1,
      c.clip_id,
      c.title,
      c.url,
      c.creator_name,
      c.game_name,
      c.broadcaster_name,
      c.view_count,
      c.discord_shares,
      c.discord_reactions,
      Object.entries(c.reaction_types)
        .map(([emoji, n]) => `${emoji} ${n}`)
        .join(' '),
      c.view_velocity,
      c.clip_created_at,
      c.first_shared_at,
    ]),
  );
}

export function timelineCsv(data: EngagementTimeline): string {
  return csv(
    ['date', 'start', 'clips_created', 'views', 'discord_shares', 'discord_reactions'],
    data.buckets.map((b) => [b.date, b.start, b.clips_created, b.views, b.discord_shares, b.discord_reactions]),
  );
}
