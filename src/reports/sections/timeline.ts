// Clips, shares and reactions per local day of the period, as a chart, the reactions stacked by mood.
import { MOODS, type Mood } from '../../analytics/moods-table';
import type { EngagementTimeline } from '../../analytics/types';
import { toCsv } from '../../http/csv';
import { timelineColumns } from '../csv-columns';
import { count } from '../format';
import type { ReportSection } from '../types';

/** The mood colours of the dashboard's moods panel and timeline (src/http/dashboard/charts.js). */
const MOOD_STYLE: Record<Mood, { label: string; color: string }> = {
  hype: { label: 'Hype', color: '#f0b232' },
  funny: { label: 'Funny', color: '#23a55a' },
  love: { label: 'Love', color: '#eb459e' },
  wow: { label: 'Wow', color: '#5865f2' },
  sad: { label: 'Sad', color: '#4e8dd6' },
  negative: { label: 'Negative', color: '#da373c' },
  other: { label: 'Other', color: '#949ba4' },
};

export const timelineSection: ReportSection<EngagementTimeline> = {
  id: 'timeline',
  title: 'Timeline',
  collect: (reads, scope) => reads.timeline(scope.timeline.ctx, { bucket: 'day', days: scope.timeline.days }),
  async pdf(out, data) {
    out.heading('Timeline');
    const total = data.buckets.reduce((sum, b) => sum + b.clips_created, 0);
    out.paragraph(`${count(total)} clips over ${count(data.buckets.length)} days (${data.timezone}).`);
    // Each day's reactions as a bar stacked by mood, beside its clips and shares; only the moods the period has.
    const moods = MOODS.filter((m) => data.buckets.some((b) => b.moods[m] > 0));
    if (moods.length > 0) {
      const sums = moods.map((m) => [m, data.buckets.reduce((sum, b) => sum + b.moods[m], 0)] as const).sort((a, b) => b[1] - a[1]);
      out.paragraph(`Reactions by mood: ${sums.map(([m, n]) => `${MOOD_STYLE[m].label} ${count(n)}`).join(' · ')}.`);
    }
    await out.chart({
      type: 'bar',
      title:
        moods.length > 0
          ? 'Clips created, Discord shares and reactions by mood per day'
          : 'Clips created, Discord shares and reactions per day',
      labels: data.buckets.map((b) => b.date.slice(5)),
      stacked: true,
      datasets: [
        { label: 'Clips', data: data.buckets.map((b) => b.clips_created), color: '#9146ff', stack: 'clips' },
        { label: 'Shares', data: data.buckets.map((b) => b.discord_shares), color: '#2b2d31', stack: 'shares' },
        ...(moods.length > 0
          ? moods.map((m) => ({
              label: MOOD_STYLE[m].label,
              data: data.buckets.map((b) => b.moods[m]),
              color: MOOD_STYLE[m].color,
              stack: 'reactions',
            }))
          : [{ label: 'Reactions', data: data.buckets.map((b) => b.discord_reactions), color: '#fdcb6e', stack: 'reactions' }]),
      ],
    });
  },
  csv: (data) => [{ name: 'timeline.csv', text: toCsv(timelineColumns, data.buckets) }],
};
