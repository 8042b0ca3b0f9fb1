// The columns of each leaderboard's and the timeline's CSV: one definition for the API's export
// (/analytics/api/export.csv) and the report's CSV bundle, so both give the same file for the same answer.
import type { CreatorRow, GameRow, TimelineBucket, ViralClip } from '../analytics/types';
import { MOODS } from '../analytics/moods-table';
import type { CsvColumn } from '../http/csv';

export type Ranked<T> = T & { rank: number };
export const ranked = <T>(rows: T[]): Ranked<T>[] => rows.map((row, i) => ({ ...row, rank: i + 1 }));

export const creatorColumns: CsvColumn<Ranked<CreatorRow>>[] = [
  { header: 'rank', value: (r) => r.rank },
  { header: 'creator_id', value: (r) => r.creator_id },
  { header: 'creator_name', value: (r) => r.creator_name },
  { header: 'clip_count', value: (r) => r.clip_count },
  { header: 'total_views', value: (r) => r.total_views },
  { header: 'avg_views', value: (r) => r.avg_views },
  { header: 'discord_shares', value: (r) => r.discord_shares },
  { header: 'discord_reactions', value: (r) => r.discord_reactions },
  { header: 'unique_games', value: (r) => r.unique_games },
  { header: 'top_game_id', value: (r) => r.top_game?.id },
  { header: 'top_game_name', value: (r) => r.top_game?.name },
];

export const gameColumns: CsvColumn<Ranked<GameRow>>[] = [
  { header: 'rank', value: (r) => r.rank },
  { header: 'game_id', value: (r) => r.game_id },
  { header: 'game_name', value: (r) => r.game_name },
  { header: 'clip_count', value: (r) => r.clip_count },
  { header: 'total_views', value: (r) => r.total_views },
  { header: 'avg_view_count', value: (r) => r.avg_view_count },
  { header: 'unique_creators', value: (r) => r.unique_creators },
  { header: 'discord_shares', value: (r) => r.discord_shares },
  { header: 'discord_reactions', value: (r) => r.discord_reactions },
  { header: 'top_clip_id', value: (r) => r.top_clip?.id },
  { header: 'top_clip_title', value: (r) => r.top_clip?.title },
  { header: 'top_clip_views', value: (r) => r.top_clip?.views },
  { header: 'top_clip_url', value: (r) => r.top_clip?.url },
];

export const clipColumns: CsvColumn<Ranked<ViralClip>>[] = [
  { header: 'rank', value: (r) => r.rank },
  { header: 'clip_id', value: (r) => r.clip_id },
  { header: 'title', value: (r) => r.title },
  { header: 'url', value: (r) => r.url },
  { header: 'creator_id', value: (r) => r.creator_id },
  { header: 'creator_name', value: (r) => r.creator_name },
  { header: 'game_id', value: (r) => r.game_id },
  { header: 'game_name', value: (r) => r.game_name },
  { header: 'broadcaster_name', value: (r) => r.broadcaster_name },
  { header: 'view_count', value: (r) => r.view_count },
  { header: 'discord_shares', value: (r) => r.discord_shares },
  { header: 'discord_reactions', value: (r) => r.discord_reactions },
  {
    header: 'reaction_types',
    value: (r) =>
      Object.entries(r.reaction_types)
        .map(([emoji, n]) => `${emoji} ${n}`)
        .join('; '),
  },
  { header: 'view_velocity', value: (r) => r.view_velocity },
  { header: 'clip_created_at', value: (r) => r.clip_created_at },
  { header: 'first_shared_at', value: (r) => r.first_shared_at },
  { header: 'thumbnail_url', value: (r) => r.thumbnail_url },
];

export const timelineColumns: CsvColumn<TimelineBucket>[] = [
  { header: 'start', value: (r) => r.start },
  { header: 'date', value: (r) => r.date },
  { header: 'clips_created', value: (r) => r.clips_created },
  { header: 'views', value: (r) => r.views },
  { header: 'discord_shares', value: (r) => r.discord_shares },
  { header: 'discord_reactions', value: (r) => r.discord_reactions },
  // The bucket's reactions by mood (docs/moods.md), after the columns the file always had.
  ...MOODS.map((mood): CsvColumn<TimelineBucket> => ({ header: `reactions_${mood}`, value: (r) => r.moods[mood] })),
];
