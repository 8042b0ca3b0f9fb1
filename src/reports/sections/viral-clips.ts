// The period's most viewed clips, each title a link to the clip on Twitch.
import type { ViralClips } from '../../analytics/types';
import { toCsv } from '../../http/csv';
import { clipColumns, ranked } from '../csv-columns';
import { count } from '../format';
import type { ReportSection } from '../types';

export const viralClipsSection: ReportSection<ViralClips> = {
  id: 'viral-clips',
  title: 'Viral clips',
  collect: (reads, scope) => reads.viralClips(scope.ctx, { period: scope.period, limit: scope.rows, sort: 'view_count', minViews: 0 }),
  async pdf(out, data) {
    out.heading('Viral clips');
    if (data.clips.length === 0) return out.paragraph('No clips in this period.');
    out.table(
      [
        { header: 'Clip', width: 0.36 },
        { header: 'Creator', width: 0.18 },
        { header: 'Game', width: 0.2 },
        { header: 'Views', width: 0.13, align: 'right' },
        { header: 'Reactions', width: 0.13, align: 'right' },
      ],
      data.clips.map((c) => [
        c.title || c.clip_id,
        c.creator_name ?? '—',
        c.game_name ?? '—',
        count(c.view_count),
        count(c.discord_reactions),
      ]),
      data.clips.map((c) => c.url),
    );
    // The links as text too: a printed report, or a reader without link support, still has them.
    out.paragraph(data.clips.map((c, i) => `${i + 1}. ${c.url}`).join('\n'));
  },
  csv: (data) => [{ name: 'viral-clips.csv', text: toCsv(clipColumns, ranked(data.clips)) }],
};
