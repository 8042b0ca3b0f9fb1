// GET /analytics/api/report?period=day|week|month&offset=N: the guild's report for one calendar period as a PDF
// download (the dashboard's "Download report (PDF)"). A report reads every analysis and draws charts, so it is bounded:
// one render at a time per token or session (429 report_in_progress) and a few at once per server (503 reports_busy).
import type { FastifyInstance } from 'fastify';
import { renderReportPdf } from '../../reports/pdf';
import { collectReport } from '../../reports/report';
import { guildOf } from '../auth';
import { HttpError } from '../errors';
import { parseQuery, reportQuery } from '../query-params';
import type { RouteContext } from '../route-context';

/** Reports rendered at once by this server; each holds a PDF and its chart images in memory. */
export const MAX_CONCURRENT_REPORTS = 2;

/** clipscope-report-November-2026.pdf: the period's label, safe in a header and a file name. */
const fileName = (label: string): string => `clipscope-report-${label}.pdf`.replace(/[^A-Za-z0-9._-]+/g, '-');

export function registerReportRoute(app: FastifyInstance, ctx: RouteContext): void {
  // Tokens and sessions with a report being made; the set is bounded by MAX_CONCURRENT_REPORTS.
  const rendering = new Set<string>();

  app.get('/analytics/api/report', { preHandler: ctx.guard }, async (request, reply) => {
    const params = parseQuery(reportQuery, request.query);
    const guildId = guildOf(request);
    const key = request.access?.key ?? 'none';
    if (rendering.has(key)) {
      throw new HttpError(
        429,
        'report_in_progress',
        'A report for this token or session is already being made; wait for it to download before asking for another.',
        { retry_after: 5 },
        { 'retry-after': '5' },
      );
    }
    if (rendering.size >= MAX_CONCURRENT_REPORTS) {
      throw new HttpError(
        503,
        'reports_busy',
        `The server is already making ${MAX_CONCURRENT_REPORTS} reports; try again in a few seconds.`,
        { retry_after: 10 },
        { 'retry-after': '10' },
      );
    }
    rendering.add(key);
    try {
      const now = ctx.clock.now();
      const { timezone } = await ctx.versions.read(guildId);
      const guildName = await ctx.analytics.guildName(guildId);
      // The reads share the token's query budget like any uncached answer; drawing the PDF is bounded above.
      const report = await ctx.queries.run(key, () =>
        ctx.reads.snapshot((analytics) =>
          collectReport(analytics, { guildId, guildName, timezone, now, period: params.period, offset: params.offset }),
        ),
      );
      const pdf = await renderReportPdf(report);
      reply.header('content-type', 'application/pdf');
      reply.header('content-disposition', `attachment; filename="${fileName(report.period.label)}"`);
      reply.header('cache-control', 'private, no-store');
      // Per token or session, like every answer: no shared cache may hand it to someone else.
      reply.header('vary', 'Authorization, Cookie');
      return reply.send(pdf);
    } finally {
      rendering.delete(key);
    }
  });
}
