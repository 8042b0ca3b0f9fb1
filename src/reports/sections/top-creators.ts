// The period's most active clip creators, ranked by clips as /topcreators and the API rank them.
import type { TopCreators } from '../../analytics/types';
import { toCsv } from '../../http/csv';
import { creatorColumns, ranked } from '../csv-columns';
import { count } from '../format';
import type { ReportSection } from '../types';

export const topCreatorsSection: ReportSection<TopCreators> = {
  id: 'top-creators',
  title: 'Top creators',
  collect: (reads, scope) => reads.topCreators(scope.ctx, { period: scope.period, limit: scope.rows, sort: 'clip_count' }),
  async pdf(out, data) {
    out.heading('Top creators');
    if (data.creators.length === 0) return out.paragraph('No clips in this period.');
    out.table(
      [
        { header: '#', width: 0.06, align: 'right' },
        { header: 'Creator', width: 0.28 },
        { header: 'Clips', width: 0.1, align: 'right' },
        { header: 'Views', width: 0.13, align: 'right' },
        { header: 'Shares', width: 0.1, align: 'right' },
        { header: 'Reactions', width: 0.11, align: 'right' },
        { header: 'Top game', width: 0.22 },
      ],
      data.creators.map((c, i) => [
        String(i + 1),
        c.creator_name,
        count(c.clip_count),
        count(c.total_views),
        count(c.discord_shares),
        count(c.discord_reactions),
        c.top_game?.name ?? '—',
      ]),
    );
  },
  csv: (data) => [{ name: 'top-creators.csv', text: toCsv(creatorColumns, ranked(data.creators)) }],
};
