// Clips, shares and reactions per local day of the period, as a chart.
import type { EngagementTimeline } from '../../analytics/types';
import { toCsv } from '../../http/csv';
import { timelineColumns } from '../csv-columns';
import { count } from '../format';
import type { ReportSection } from '../types';

export const timelineSection: ReportSection<EngagementTimeline> = {
  id: 'timeline',
  title: 'Timeline',
  collect: (reads, scope) => reads.timeline(scope.timeline.ctx, { bucket: 'day', days: scope.timeline.days }),
  async pdf(out, data) {
    out.heading('Timeline');
    const total = data.buckets.reduce((sum, b) => sum + b.clips_created, 0);
    out.paragraph(`${count(total)} clips over ${count(data.buckets.length)} days (${data.timezone}).`);
    await out.chart({
      type: 'bar',
      title: 'Clips created, Discord shares and reactions per day',
      labels: data.buckets.map((b) => b.date.slice(5)),
      datasets: [
        { label: 'Clips', data: data.buckets.map((b) => b.clips_created) },
        { label: 'Shares', data: data.buckets.map((b) => b.discord_shares) },
        { label: 'Reactions', data: data.buckets.map((b) => b.discord_reactions) },
      ],
    });
  },
  csv: (data) => [{ name: 'timeline.csv', text: toCsv(timelineColumns, data.buckets) }],
};
