// When the community clips: clips per local hour of day and per weekday, as charts.
import type { PeakTimes } from '../../analytics/types';
import { toCsv } from '../../http/csv';
import { hourLabel, WEEKDAYS } from '../format';
import type { ReportSection } from '../types';

interface Cell {
  weekday: number;
  hour: number;
}

export const peakTimesSection: ReportSection<PeakTimes> = {
  id: 'peak-times',
  title: 'Peak times',
  collect: (reads, scope) => reads.peakTimes(scope.ctx, scope.period),
  async pdf(out, data) {
    out.heading('Peak times');
    out.paragraph(
      data.best_hour === null || data.best_weekday === null
        ? 'No clips in this period.'
        : `Most clips are made on ${WEEKDAYS[data.best_weekday]} and around ${hourLabel(data.best_hour)} (${data.timezone}).`,
    );
    const hours = Array.from({ length: 24 }, (_, h) => hourLabel(h));
    await out.chart({
      type: 'bar',
      title: `Clips and shares by hour of day (${data.timezone})`,
      labels: hours,
      datasets: [
        { label: 'Clips', data: data.clips_by_hour },
        { label: 'Shares', data: data.shares_by_hour },
      ],
    });
    await out.chart({
      type: 'bar',
      title: 'Clips and shares by weekday',
      labels: WEEKDAYS.map((d) => d.slice(0, 3)),
      datasets: [
        { label: 'Clips', data: data.clips_by_weekday },
        { label: 'Shares', data: data.shares_by_weekday },
      ],
    });
  },
  csv(data) {
    const cells: Cell[] = [];
    for (let weekday = 0; weekday < 7; weekday++) for (let hour = 0; hour < 24; hour++) cells.push({ weekday, hour });
    return [
      {
        name: 'peak-times.csv',
        text: toCsv<Cell>(
          [
            { header: 'weekday', value: (c) => WEEKDAYS[c.weekday] },
            { header: 'hour', value: (c) => c.hour },
            { header: 'clips', value: (c) => data.clips_matrix[c.weekday]?.[c.hour] ?? 0 },
            { header: 'shares', value: (c) => data.shares_matrix[c.weekday]?.[c.hour] ?? 0 },
          ],
          cells,
        ),
      },
    ];
  },
};
