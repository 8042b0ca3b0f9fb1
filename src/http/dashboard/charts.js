// The engagement timeline (activity, or reactions by mood), the stream-moments bars and the reaction moods (Chart.js, loaded from /vendor), and the
// 7×24 peak-times heatmap (plain DOM).
import { el, showState } from './render.js';
import { countOf, formatInteger, WEEKDAYS } from './format.js';

let timelineChart = null;
/** What the timeline chart on screen shows ('activity' or 'moods'): switching rebuilds it. */
let timelineShows = null;

function dropTimelineChart() {
  if (timelineChart) {
    timelineChart.destroy();
    timelineChart = null;
  }
}

/** The timeline: activity lines (the default), or with show = 'moods' each bucket's reactions stacked by mood. */
export function renderTimeline(container, canvas, answer, show = 'activity') {
  const buckets = answer.buckets;
  container.dataset.show = show;
  const hasData =
    show === 'moods'
      ? buckets.some((b) => b.discord_reactions > 0)
      : buckets.some((b) => b.clips_created > 0 || b.discord_shares > 0 || b.discord_reactions > 0);
  if (!hasData) {
    dropTimelineChart();
    showState(container, 'empty', show === 'moods' ? 'No reactions in this range yet.' : 'Nothing happened in this range yet.');
    return;
  }
  showState(container, 'ready');
  // Human dates ("Nov 23", "Nov 2026"). The timeline always ends with today's bucket, still running: it says "so far"
  // instead of looking like a drop.
  const labels = buckets.map((b, i) => {
    const text = bucketLabel(b.date, answer.bucket);
    return i === buckets.length - 1 ? `${text} (so far)` : text;
  });
  if (typeof window.Chart !== 'function') {
    showState(container, 'error', 'The chart library did not load; the numbers are in the CSV download.');
    return;
  }
  if (timelineShows !== show) dropTimelineChart();
  timelineShows = show;
  if (show === 'moods') {
    renderTimelineMoods(canvas, labels, buckets);
    return;
  }
  // Markers only on sparse series: 730 daily markers merge into a solid band.
  const pointRadius = buckets.length > 60 ? 0 : 2.5;
  const datasets = [
    {
      label: 'Clips created',
      data: buckets.map((b) => b.clips_created),
      borderColor: '#9146ff',
      backgroundColor: 'rgba(145,70,255,0.25)',
      yAxisID: 'y',
      tension: 0.25,
      pointRadius,
    },
    {
      label: 'Discord shares',
      data: buckets.map((b) => b.discord_shares),
      borderColor: '#5865f2',
      backgroundColor: 'rgba(88,101,242,0.25)',
      yAxisID: 'y',
      tension: 0.25,
      pointRadius,
    },
    {
      label: 'Reactions',
      data: buckets.map((b) => b.discord_reactions),
      borderColor: '#f0b232',
      backgroundColor: 'rgba(240,178,50,0.25)',
      yAxisID: 'y',
      tension: 0.25,
      pointRadius,
    },
    {
      label: 'Views',
      data: buckets.map((b) => b.views),
      borderColor: '#23a55a',
      backgroundColor: 'rgba(35,165,90,0.2)',
      yAxisID: 'views',
      tension: 0.25,
      pointRadius,
      borderDash: [4, 3],
    },
  ];
  drawTimeline(canvas, 'line', labels, datasets, {
    y: { beginAtZero: true, title: { display: true, text: 'Clips, shares, reactions' } },
    views: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'Views' } },
  });
}

/** Each bucket's reactions as bars stacked by mood, in the moods panel's colours. */
function renderTimelineMoods(canvas, labels, buckets) {
  const datasets = MOODS.map(([key, label, color]) => ({ label, data: buckets.map((b) => b.moods[key]), backgroundColor: color }));
  drawTimeline(canvas, 'bar', labels, datasets, {
    x: { stacked: true },
    y: { stacked: true, beginAtZero: true, title: { display: true, text: 'Reactions' } },
  });
}

/** Updates the timeline chart in place when it shows the same kind of series (no flicker), else draws it anew. */
function drawTimeline(canvas, type, labels, datasets, scales) {
  if (timelineChart) {
    timelineChart.data.labels = labels;
    timelineChart.data.datasets.forEach((dataset, i) => {
      dataset.data = datasets[i].data;
      if (datasets[i].pointRadius !== undefined) dataset.pointRadius = datasets[i].pointRadius;
    });
    timelineChart.update();
    return;
  }
  timelineChart = new window.Chart(canvas, {
    type,
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales,
      plugins: { legend: { position: 'bottom' } },
    },
  });
}

const MOODS = [
  ['hype', 'Hype', '#f0b232'],
  ['funny', 'Funny', '#23a55a'],
  ['love', 'Love', '#eb459e'],
  ['wow', 'Wow', '#5865f2'],
  ['sad', 'Sad', '#4e8dd6'],
  ['negative', 'Negative', '#da373c'],
  ['other', 'Other', '#949ba4'],
];

let moodsChart = null;

/** The period's mood mix as stacked bars: the whole server first, then its most reacted-to creators. */
export function renderMoods(container, canvas, answer) {
  if (answer.mix.total === 0) {
    if (moodsChart) {
      moodsChart.destroy();
      moodsChart = null;
    }
    showState(container, 'empty', 'No reactions in this period yet.');
    return;
  }
  if (typeof window.Chart !== 'function') {
    showState(container, 'error', 'The chart library did not load.');
    return;
  }
  showState(container, 'ready');
  const rows = [
    { label: 'All reactions', moods: answer.mix.moods },
    ...answer.creators.map((c) => ({ label: c.creator_name, moods: c.moods })),
  ];
  const labels = rows.map((r) => r.label);
  const datasets = MOODS.map(([key, label, color]) => ({ label, data: rows.map((r) => r.moods[key]), backgroundColor: color }));
  if (moodsChart) moodsChart.destroy();
  moodsChart = new window.Chart(canvas, {
    type: 'bar',
    data: { labels, datasets },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true, beginAtZero: true, title: { display: true, text: 'Reactions' } }, y: { stacked: true } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 23" for a day or week bucket, "Nov 2026" for a month. */
export function bucketLabel(date, bucket) {
  const [year, month, day] = date.split('-').map(Number);
  return bucket === 'month' ? `${MONTHS[month - 1]} ${year}` : `${MONTHS[month - 1]} ${day}`;
}

export function renderHeatmap(container, summary, answer, metric) {
  const matrix = metric === 'shares' ? answer.shares_matrix : answer.clips_matrix;
  const max = Math.max(0, ...matrix.flat());
  if (max === 0) {
    summary.textContent = '';
    showState(container, 'empty', 'No activity in this period yet.');
    return;
  }
  const what = metric === 'shares' ? 'shares' : 'clips';
  const best = [];
  if (answer.best_weekday !== null && answer.best_weekday !== undefined) best.push(`busiest day ${WEEKDAYS[answer.best_weekday]}`);
  if (answer.best_hour !== null && answer.best_hour !== undefined)
    best.push(`busiest hour ${String(answer.best_hour).padStart(2, '0')}:00`);
  summary.textContent = `Times in ${answer.timezone}${best.length ? ` · ${best.join(', ')} (clips)` : ''}`;
  const grid = el('div', { className: 'heatmap', role: 'table', 'aria-label': `${what} by weekday and hour` });
  grid.append(el('span', { className: 'hm-corner', role: 'columnheader' }));
  for (let hour = 0; hour < 24; hour++)
    grid.append(el('span', { className: 'hm-hour', role: 'columnheader' }, hour % 3 === 0 ? String(hour) : ''));
  matrix.forEach((row, day) => {
    grid.append(el('span', { className: 'hm-day', role: 'rowheader' }, WEEKDAYS[day]));
    row.forEach((value, hour) => {
      const cell = el('span', {
        className: 'hm-cell',
        role: 'cell',
        title: `${WEEKDAYS[day]} ${String(hour).padStart(2, '0')}:00 — ${formatInteger(value)} ${value === 1 ? what.slice(0, -1) : what}`,
      });
      const strength = value / max;
      cell.style.backgroundColor = value === 0 ? '' : `rgba(145, 70, 255, ${(0.12 + 0.88 * strength).toFixed(3)})`;
      cell.dataset.value = String(value);
      grid.append(cell);
    });
  });
  // The colour scale: none, then light to full purple at the busiest cell's count.
  const legend = el(
    'div',
    { className: 'hm-legend', 'aria-label': `Colour scale: 0 to ${formatInteger(max)} ${what}` },
    el('span', {}, '0'),
    ...[0, 0.25, 0.5, 0.75, 1].map((strength, i) => {
      const swatch = el('span', { className: 'hm-swatch' });
      swatch.style.backgroundColor = i === 0 ? '' : `rgba(145, 70, 255, ${(0.12 + 0.88 * strength).toFixed(3)})`;
      return swatch;
    }),
    el('span', {}, `${formatInteger(max)} ${max === 1 ? what.slice(0, -1) : what}`),
  );
  container.replaceChildren(grid, legend);
  showState(container, 'ready');
}

let streamsChart = null;

/** "1 h 05 min", "12 min" for an offset in seconds. */
function offsetText(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`;
}

const perHourText = (rate) => (rate === null ? '–' : `${rate}/h`);

/** Stream moments: placed clips per 10 minutes into the stream as bars, and the stream figures in one line. */
export function renderStreamMoments(container, canvas, summary, answer) {
  const bins = answer.clips_by_bin;
  const s = answer.streams;
  const unplaced =
    answer.clips.without_offset > 0 ? `, ${formatInteger(answer.clips.without_offset)} without a VOD offset (counted apart)` : '';
  summary.textContent =
    `${formatInteger(answer.clips.placed)} of ${countOf(answer.clips.total, 'clip')} placed in their stream${unplaced}` +
    (s.count > 0
      ? ` · ${countOf(s.count, 'stream')}, ${s.hours_streamed} h, ${perHourText(s.clips_per_hour)}` +
        (s.time_to_first_clip.median_seconds !== null
          ? ` · first clip after ${offsetText(s.time_to_first_clip.median_seconds)} (median)`
          : '') +
        ` · by third: ${perHourText(s.thirds.first.clips_per_hour)}, ${perHourText(s.thirds.middle.clips_per_hour)}, ${perHourText(s.thirds.last.clips_per_hour)}`
      : '');
  if (bins.length === 0) {
    if (streamsChart) {
      streamsChart.destroy();
      streamsChart = null;
    }
    showState(container, 'empty', 'No clips placed in a stream in this period yet.');
    return;
  }
  if (typeof window.Chart !== 'function') {
    showState(container, 'error', 'The chart library did not load.');
    return;
  }
  showState(container, 'ready');
  const labels = bins.map((_, i) => offsetText(i * answer.bin_minutes * 60));
  if (streamsChart) {
    streamsChart.data.labels = labels;
    streamsChart.data.datasets[0].data = bins;
    streamsChart.update();
    return;
  }
  streamsChart = new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [{ label: `Clips per ${answer.bin_minutes} minutes into the stream`, data: bins, backgroundColor: '#9146ff' }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        y: { beginAtZero: true, title: { display: true, text: 'Clips' } },
        x: { title: { display: true, text: 'Into the stream' } },
      },
      plugins: { legend: { display: false } },
    },
  });
}
