// The PDF report (issue #22, docs/reports.md) of the largest guild's last full month: collecting every section's data
// through the analytics (from the summaries, as in production after the aggregation), and drawing the PDF with its
// charts. Beside it, one chart rendered alone: the PDF's floor is its charts (up to 5) plus text and tables.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { aggregateAll } from '../src/analytics/aggregate';
import { createAnalytics } from '../src/analytics/service';
import { ManualClock } from '../src/clock';
import { closeDatabase, openDatabase } from '../src/db/client';
import { renderChartImage } from '../src/reports/charts';
import { renderReportPdf } from '../src/reports/pdf';
import { collectReport, type Report } from '../src/reports/report';
import { figure, repeat, single } from './measure';
import type { BenchSection, Figure } from './types';

export const reportSection: BenchSection = {
  name: 'report',
  title: "PDF report of the largest guild's last month: collect (every section's reads), draw (charts + PDF), one chart alone",
  async run(bench) {
    // The aggregation writes the summaries: work on a copy of the dataset.
    const copy = path.join(bench.workDir, 'report.db');
    fs.copyFileSync(bench.databasePath, copy);
    const db = openDatabase({ path: copy });
    try {
      await aggregateAll(db, { clock: new ManualClock(bench.endAt) }, { full: true });
      const largest = db.$client
        .prepare<[], { id: string; clips: number; timezone: string }>(
          `SELECT c.guild_id AS id, count(*) AS clips, coalesce(g.timezone, 'UTC') AS timezone
           FROM clips c LEFT JOIN guild_settings g ON g.guild_id = c.guild_id GROUP BY c.guild_id ORDER BY clips DESC LIMIT 1`,
        )
        .get();
      if (!largest) throw new Error(`${bench.databasePath} has no clips`);
      const analytics = createAnalytics(db);
      const request = {
        guildId: largest.id,
        guildName: 'Bench guild',
        timezone: largest.timezone,
        now: bench.endAt,
        period: 'month' as const,
        offset: 1,
      };
      let report: Report | null = null;
      const collect = await repeat(bench.runs, async () => {
        const t0 = performance.now();
        report = await collectReport(analytics, request);
        return performance.now() - t0;
      });
      let pdf: Buffer = Buffer.alloc(0);
      const draw = await repeat(bench.runs, async () => {
        const t0 = performance.now();
        pdf = await renderReportPdf(report as unknown as Report);
        return performance.now() - t0;
      });
      const chart = await repeat(bench.runs, () => {
        const t0 = performance.now();
        renderChartImage({
          type: 'bar',
          title: 'Clips created, Discord shares and reactions per day',
          labels: Array.from({ length: 31 }, (_, i) => `12-${String(i + 1).padStart(2, '0')}`),
          datasets: ['Clips', 'Shares', 'Reactions'].map((label, s) => ({
            label,
            data: Array.from({ length: 31 }, (_, i) => (i * (s + 3)) % 17),
          })),
        });
        return performance.now() - t0;
      });
      const pages = (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
      const scope = `guild ${largest.id} (${largest.clips.toLocaleString('en-US')} clips), ${(report as Report | null)?.period.label ?? ''}`;
      const figures: Figure[] = [
        figure('report.collect_ms', collect, 'ms', { better: 'lower', note: `every section's analytics reads, ${scope}` }),
        figure('report.pdf_ms', draw, 'ms', {
          better: 'lower',
          note: 'charts drawn with Chart.js on @napi-rs/canvas, then the PDF with pdfkit',
        }),
        figure('report.floor_one_chart_ms', chart, 'ms', { better: 'lower', note: 'one 31-day, 3-series bar chart to JPEG alone' }),
        single('report.pdf_kib', Math.round(pdf.length / 1024), 'KiB', { note: `${pages} pages` }),
        single('report.pdf_pages', pages, 'pages'),
      ];
      return figures;
    } finally {
      closeDatabase(db);
    }
  },
};
