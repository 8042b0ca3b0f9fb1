// What the reactions say in the period (docs/moods.md): the mood mix as a chart, and the funniest and most hype
// clips, each title a link to the clip.
import type { Moods } from '../../analytics/moods';
import { MOODS, type Mood } from '../../analytics/moods-table';
import { toCsv } from '../../http/csv';
import { count, shareText } from '../format';
import type { PdfOut, ReportSection } from '../types';

/** The rankings the report shows, with their headings (the other moods are in the CSV). */
const SHOWN: ReadonlyArray<readonly [Mood, string]> = [
  ['funny', 'Funniest clips'],
  ['hype', 'Most hype clips'],
];

const MOOD_LABELS: Record<Mood, string> = {
  hype: 'Hype',
  funny: 'Funny',
  love: 'Love',
  wow: 'Wow',
  sad: 'Sad',
  negative: 'Negative',
  other: 'Other',
};

function ranking(out: PdfOut, title: string, mood: Mood, data: Moods): void {
  const clips = data.rankings[mood];
  if (clips.length === 0) {
    out.paragraph(`${title}: no ${mood} reactions in this period.`);
    return;
  }
  out.subheading(title);
  out.table(
    [
      { header: 'Clip', width: 0.4 },
      { header: 'Creator', width: 0.2 },
      { header: 'Game', width: 0.18 },
      { header: MOOD_LABELS[mood], width: 0.1, align: 'right' },
      { header: 'Reactions', width: 0.12, align: 'right' },
    ],
    clips.map((c) => [c.title || c.clip_id, c.creator_name ?? '—', c.game_name ?? '—', count(c.reactions), count(c.total)]),
    clips.map((c) => c.url),
  );
  // The links as text too, as in the viral clips: a printed report still has them.
  out.paragraph(clips.map((c, i) => `${i + 1}. ${c.url}`).join('\n'));
}

export const moodsSection: ReportSection<Moods> = {
  id: 'moods',
  title: 'Moods',
  collect: (reads, scope) => reads.moods(scope.ctx, { period: scope.period, limit: Math.min(scope.rows, 5) }),
  async pdf(out, data) {
    out.heading('Moods');
    const total = data.mix.total;
    if (total === 0) return out.paragraph('No reactions in this period.');
    const leading = [...MOODS].sort((a, b) => data.mix.moods[b] - data.mix.moods[a])[0] as Mood;
    out.paragraph(
      `${count(total)} reactions; the most common mood is ${MOOD_LABELS[leading].toLowerCase()} (${shareText(data.mix.moods[leading], total)}). ` +
        MOODS.map((m) => `${MOOD_LABELS[m]} ${shareText(data.mix.moods[m], total)}`).join(' · '),
    );
    await out.chart({
      type: 'bar',
      title: 'Reactions by mood',
      labels: MOODS.map((m) => MOOD_LABELS[m]),
      datasets: [{ label: 'Reactions', data: MOODS.map((m) => data.mix.moods[m]) }],
    });
    for (const [mood, title] of SHOWN) ranking(out, title, mood, data);
  },
  csv(data) {
    const rows = MOODS.flatMap((mood) => data.rankings[mood].map((clip, i) => ({ mood, rank: i + 1, clip })));
    return [
      {
        name: 'moods.csv',
        text: toCsv<Mood>(
          [
            { header: 'mood', value: (m) => m },
            { header: 'reactions', value: (m) => data.mix.moods[m] },
          ],
          [...MOODS],
        ),
      },
      {
        name: 'mood-clips.csv',
        text: toCsv<(typeof rows)[number]>(
          [
            { header: 'mood', value: (r) => r.mood },
            { header: 'rank', value: (r) => r.rank },
            { header: 'clip_id', value: (r) => r.clip.clip_id },
            { header: 'title', value: (r) => r.clip.title },
            { header: 'url', value: (r) => r.clip.url },
            { header: 'creator_name', value: (r) => r.clip.creator_name },
            { header: 'game_name', value: (r) => r.clip.game_name },
            { header: 'mood_reactions', value: (r) => r.clip.reactions },
            { header: 'total_reactions', value: (r) => r.clip.total },
          ],
          rows,
        ),
      },
    ];
  },
};
