// The period's most clipped games, ranked by clips as /topgames and the API rank them.
import type { GameRow, TopGames } from '../../analytics/types';
import { toCsv } from '../../http/csv';
import { gameColumns, ranked } from '../csv-columns';
import { count } from '../format';
import { leaderboardSection, rankColumn } from './leaderboard';

export const topGamesSection = leaderboardSection<TopGames, GameRow>({
  id: 'top-games',
  title: 'Top games',
  read: (reads, ctx, query) => reads.topGames(ctx, { ...query, sort: 'clip_count' }),
  rows: (data) => data.games,
  columns: [
    rankColumn(0.06),
    { header: 'Game', width: 0.3, cell: (g) => g.game_name },
    { header: 'Clips', width: 0.1, align: 'right', cell: (g) => count(g.clip_count) },
    { header: 'Views', width: 0.14, align: 'right', cell: (g) => count(g.total_views) },
    { header: 'Creators', width: 0.11, align: 'right', cell: (g) => count(g.unique_creators) },
    { header: 'Shares', width: 0.1, align: 'right', cell: (g) => count(g.discord_shares) },
    { header: 'Reactions', width: 0.19, align: 'right', cell: (g) => count(g.discord_reactions) },
  ],
  csv: (data) => [{ name: 'top-games.csv', text: toCsv(gameColumns, ranked(data.games)) }],
});
