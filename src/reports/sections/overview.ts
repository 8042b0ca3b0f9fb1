// The report's first section: the period's headline numbers and how they moved against the previous period.
import type { Comparison, Overview } from '../../analytics/types';
import { toCsv } from '../../http/csv';
import { changeText, count } from '../format';
import type { ReportSection } from '../types';

interface OverviewData {
  overview: Overview;
  comparison: Comparison;
}

const METRICS = [
  ['Clips', 'clips'],
  ['Views', 'views'],
  ['Creators', 'unique_creators'],
  ['Games', 'unique_games'],
  ['Discord shares', 'discord_shares'],
  ['Discord reactions', 'discord_reactions'],
] as const;

export const overviewSection: ReportSection<OverviewData> = {
  id: 'overview',
  title: 'Overview',
  async collect(reads, scope) {
    return { overview: await reads.overview(scope.ctx, scope.period), comparison: await reads.compare(scope.ctx, scope.period) };
  },
  async pdf(out, { overview: o, comparison: c }) {
    out.heading('Overview');
    out.facts([
      ['Clips', count(o.total_clips)],
      ['Views', count(o.total_views)],
      ['Creators', count(o.unique_creators)],
      ['Games', count(o.unique_games)],
      ['Discord shares', count(o.discord_shares)],
      ['Discord reactions', count(o.discord_reactions)],
      ['Top creator', o.top_creator ? `${o.top_creator.name} (${count(o.top_creator.clip_count)} clips)` : '—'],
      ['Top game', o.top_game ? `${o.top_game.name} (${count(o.top_game.clip_count)} clips)` : '—'],
    ]);
    out.paragraph(`Compared: ${c.label}`);
    out.table(
      [
        { header: 'Metric', width: 0.34 },
        { header: 'This period', width: 0.2, align: 'right' },
        { header: 'Previous', width: 0.2, align: 'right' },
        { header: 'Change', width: 0.26, align: 'right' },
      ],
      METRICS.map(([label, key]) => [label, count(c[key].current), count(c[key].previous), changeText(c[key])]),
    );
  },
  csv({ overview: o, comparison: c }) {
    const facts: Array<[string, string | number | null]> = [
      ['period', o.period.label],
      ['period_start', o.period.start],
      ['period_end', o.period.end],
      ['timezone', o.period.timezone],
      ['total_clips', o.total_clips],
      ['total_views', o.total_views],
      ['unique_creators', o.unique_creators],
      ['unique_games', o.unique_games],
      ['discord_shares', o.discord_shares],
      ['discord_reactions', o.discord_reactions],
      ['top_creator', o.top_creator?.name ?? null],
      ['top_creator_clips', o.top_creator?.clip_count ?? null],
      ['top_game', o.top_game?.name ?? null],
      ['top_game_clips', o.top_game?.clip_count ?? null],
    ];
    return [
      {
        name: 'overview.csv',
        text: toCsv(
          [
            { header: 'metric', value: (r: (typeof facts)[number]) => r[0] },
            { header: 'value', value: (r: (typeof facts)[number]) => r[1] },
          ],
          facts,
        ),
      },
      {
        name: 'comparison.csv',
        text: toCsv(
          [
            { header: 'metric', value: (r: (typeof METRICS)[number]) => r[1] },
            { header: 'current', value: (r: (typeof METRICS)[number]) => c[r[1]].current },
            { header: 'previous', value: (r: (typeof METRICS)[number]) => c[r[1]].previous },
            { header: 'change', value: (r: (typeof METRICS)[number]) => c[r[1]].change },
            { header: 'change_pct', value: (r: (typeof METRICS)[number]) => c[r[1]].change_pct },
            { header: 'compared', value: () => c.label },
          ],
          METRICS,
        ),
      },
    ];
  },
};
