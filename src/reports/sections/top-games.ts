// The period's most clipped games, ranked by clips as /topgames and the API rank them.
import type { TopGames } from '../../analytics/types';
import { toCsv } from '../../http/csv';
import { gameColumns, ranked } from '../csv-columns';
import { count } from '../format';
import type { ReportSection } from '../types';

export const topGamesSection: ReportSection<TopGames> = {
  id: 'top-games',
  title: 'Top games',
  collect: (reads, scope) => reads.topGames(scope.ctx, { period: scope.period, limit: scope.rows, sort: 'clip_count' }),
  async pdf(out, data) {
    out.heading('Top games');
    if (data.games.length === 0) return out.paragraph('No clips in this period.');
    out.table(
      [
        { header: '#', width: 0.06, align: 'right' },
        { header: 'Game', width: 0.3 },
        { header: 'Clips', width: 0.1, align: 'right' },
        { header: 'Views', width: 0.14, align: 'right' },
        { header: 'Creators', width: 0.11, align: 'right' },
        { header: 'Shares', width: 0.1, align: 'right' },
        { header: 'Reactions', width: 0.19, align: 'right' },
      ],
      data.games.map((g, i) => [
        String(i + 1),
        g.game_name,
        count(g.clip_count),
        count(g.total_views),
        count(g.unique_creators),
        count(g.discord_shares),
        count(g.discord_reactions),
      ]),
    );
  },
  csv: (data) => [{ name: 'top-games.csv', text: toCsv(gameColumns, ranked(data.games)) }],
};
