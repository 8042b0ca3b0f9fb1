// The period's most active clip creators, ranked by clips as /topcreators and the API rank them.
import type { CreatorRow, TopCreators } from '../../analytics/types';
import { toCsv } from '../../http/csv';
import { creatorColumns, ranked } from '../csv-columns';
import { count } from '../format';
import { leaderboardSection, rankColumn } from './leaderboard';

export const topCreatorsSection = leaderboardSection<TopCreators, CreatorRow>({
  id: 'top-creators',
  title: 'Top creators',
  read: (reads, ctx, query) => reads.topCreators(ctx, { ...query, sort: 'clip_count' }),
  rows: (data) => data.creators,
  columns: [
    rankColumn(0.06),
    { header: 'Creator', width: 0.28, cell: (c) => c.creator_name },
    { header: 'Clips', width: 0.1, align: 'right', cell: (c) => count(c.clip_count) },
    { header: 'Views', width: 0.13, align: 'right', cell: (c) => count(c.total_views) },
    { header: 'Shares', width: 0.1, align: 'right', cell: (c) => count(c.discord_shares) },
    { header: 'Reactions', width: 0.11, align: 'right', cell: (c) => count(c.discord_reactions) },
    { header: 'Top game', width: 0.22, cell: (c) => c.top_game?.name ?? '—' },
  ],
  csv: (data) => [{ name: 'top-creators.csv', text: toCsv(creatorColumns, ranked(data.creators)) }],
});
