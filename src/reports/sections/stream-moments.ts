// Stream moments in the period (docs/analytics.md#stream-moments): when in their broadcasts clips happen (a chart of
// clips by minutes into the stream), the streams with the most clips, time to the first clip and the thirds. Clips
// Twitch gave no VOD offset are counted apart, never placed.
import type { StreamMoments, StreamRow, StreamThird } from '../../analytics/types';
import { toCsv } from '../../http/csv';
import { count, durationText, rateText } from '../format';
import type { ReportSection } from '../types';

/** Bins the chart shows (8 hours of 10-minute bins); later bins are in the CSV. */
const CHART_BINS = 48;
/** Games drawn beside the overall line (a chart holds 4 series). */
const CHART_GAMES = 3;

const binLabel = (i: number, minutes: number): string => `${i * minutes}–${(i + 1) * minutes}`;

export const streamMomentsSection: ReportSection<StreamMoments> = {
  id: 'stream-moments',
  title: 'Stream moments',
  collect: (reads, scope) => reads.streamMoments(scope.ctx, { period: scope.period, limit: scope.rows }),
  async pdf(out, data) {
    out.heading('Stream moments');
    const s = data.streams;
    if (data.clips.total === 0 && s.count === 0) return out.paragraph('No clips or streams in this period.');
    out.paragraph(
      `${count(data.clips.placed)} of ${count(data.clips.total)} clips placed in their stream by Twitch's VOD offset; ` +
        `${count(data.clips.without_offset)} without a VOD offset, counted apart.`,
    );
    if (data.clips.placed > 0) {
      const bins = data.clips_by_bin.slice(0, CHART_BINS);
      const games = data.games_by_bin.slice(0, CHART_GAMES);
      await out.chart({
        type: 'line',
        title: `Clips by minutes into the stream (${data.bin_minutes}-minute bins)`,
        labels: bins.map((_, i) => binLabel(i, data.bin_minutes)),
        datasets: [
          { label: 'All games', data: bins },
          ...games.map((g) => ({ label: g.game_name, data: bins.map((_, i) => g.clips_by_bin[i] ?? 0) })),
        ],
      });
    }
    if (s.count === 0) return out.paragraph('No broadcasts of followed channels started in this period.');
    const ttfc = s.time_to_first_clip;
    out.facts([
      ['Streams', `${count(s.count)}${s.truncated ? ' (the most recent)' : ''}`],
      ['Hours streamed', s.hours_streamed.toLocaleString('en-US')],
      ['Clips of them', `${count(s.clips)} (${rateText(s.clips_per_hour)})`],
      ['Of them without a VOD offset', count(s.clips_without_offset)],
      [
        'Time to first clip',
        ttfc.median_seconds === null
          ? '—'
          : `median ${durationText(ttfc.median_seconds)}, mean ${durationText(ttfc.mean_seconds ?? 0)} (${count(ttfc.streams)} streams)`,
      ],
    ]);
    const third = (label: string, t: StreamThird): string[] => [label, count(t.clips), rateText(t.clips_per_hour)];
    out.table(
      [
        { header: 'Part of the stream', width: 0.5 },
        { header: 'Clips', width: 0.25, align: 'right' },
        { header: 'Clips per hour', width: 0.25, align: 'right' },
      ],
      [third('First third', s.thirds.first), third('Middle third', s.thirds.middle), third('Last third', s.thirds.last)],
    );
    if (s.thirds.beyond_end > 0) out.paragraph(`${count(s.thirds.beyond_end)} clips placed past their stream's end.`);
    const top = data.top_by_clips.filter((r) => r.clips > 0);
    if (top.length === 0) return out.paragraph('No clips of these streams.');
    out.subheading('Streams with the most clips');
    out.table(
      [
        { header: 'Stream', width: 0.3 },
        { header: 'Channel', width: 0.15 },
        { header: 'Started', width: 0.12 },
        { header: 'Length', width: 0.11, align: 'right' },
        { header: 'Clips', width: 0.08, align: 'right' },
        { header: 'Views', width: 0.1, align: 'right' },
        { header: 'First clip', width: 0.14, align: 'right' },
      ],
      top.map((r) => [
        r.title || 'Untitled stream',
        r.broadcaster_name,
        r.started_at.slice(0, 10),
        durationText(r.duration_seconds),
        count(r.clips),
        count(r.views),
        r.first_clip_offset_seconds === null ? '—' : durationText(r.first_clip_offset_seconds),
      ]),
      top.map((r) => r.url),
    );
  },
  csv(data) {
    const bins = data.clips_by_bin.map((clips, i) => ({ i, clips }));
    const streams = data.top_by_clips.map((row, i) => ({ rank: i + 1, row }));
    return [
      {
        name: 'stream-moments-bins.csv',
        text: toCsv<(typeof bins)[number]>(
          [
            { header: 'minutes_from', value: (b) => b.i * data.bin_minutes },
            { header: 'minutes_to', value: (b) => (b.i + 1) * data.bin_minutes },
            { header: 'clips', value: (b) => b.clips },
            ...data.games_by_bin.map((g) => ({
              header: `clips_${g.game_name}`,
              value: (b: (typeof bins)[number]) => g.clips_by_bin[b.i] ?? 0,
            })),
          ],
          bins,
        ),
      },
      {
        name: 'stream-moments-streams.csv',
        text: toCsv<{ rank: number; row: StreamRow }>(
          [
            { header: 'rank', value: (r) => r.rank },
            { header: 'video_id', value: (r) => r.row.video_id },
            { header: 'url', value: (r) => r.row.url },
            { header: 'broadcaster_name', value: (r) => r.row.broadcaster_name },
            { header: 'title', value: (r) => r.row.title },
            { header: 'started_at', value: (r) => r.row.started_at },
            { header: 'duration_seconds', value: (r) => r.row.duration_seconds },
            { header: 'clips', value: (r) => r.row.clips },
            { header: 'views', value: (r) => r.row.views },
            { header: 'clips_per_hour', value: (r) => r.row.clips_per_hour },
            { header: 'first_clip_offset_seconds', value: (r) => r.row.first_clip_offset_seconds },
            { header: 'clips_without_offset', value: (r) => r.row.clips_without_offset },
          ],
          streams,
        ),
      },
    ];
  },
};
