// GET /analytics/api/export.csv?report=top-creators|top-games|viral-clips|timeline&…: the same answers as the
// JSON endpoints (same parameters, same analytics call), as a spreadsheet-safe CSV download.
import type { FastifyInstance } from 'fastify';
import type { Analytics } from '../../analytics/service';
import type { AnalysisContext, PeriodQuery } from '../../analytics/types';
import { clipColumns, creatorColumns, gameColumns, ranked, timelineColumns } from '../../reports/csv-columns';
import { sendAnswer } from '../answer';
import { toCsv } from '../csv';
import {
  engagementTimelineQuery,
  exportReportQuery,
  parseQuery,
  topCreatorsQuery,
  topGamesQuery,
  viralClipsQuery,
  type CsvReport,
} from '../query-params';
import type { RouteContext } from '../route-context';

/** clipscope-top-creators-week.csv, …-week-previous-1.csv, …-2026-11-01-to-2026-11-30.csv: what and which period. */
function fileName(report: CsvReport, period: PeriodQuery | string): string {
  let when: string;
  if (typeof period === 'string') when = period;
  else if (period.type === 'range')
    when = `${new Date(period.from).toISOString().slice(0, 10)}-to-${new Date(period.to).toISOString().slice(0, 10)}`;
  else when = `${period.type.replace('_', '-')}${period.offset ? `-previous-${period.offset}` : ''}`;
  return `clipscope-${report}-${when}.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function registerExportCsvRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/export.csv', { preHandler: ctx.guard }, async (request, reply) => {
    const { report: given, ...rest } = (request.query ?? {}) as Record<string, unknown>;
    const { report } = parseQuery(exportReportQuery, { report: given });
    // A UTF-8 byte order mark, so spreadsheet programs read names with accents and emoji correctly.
    const csv = (text: string): string => `\uFEFF${text}`;
    const send = (filename: string, params: unknown, render: (analytics: Analytics, analysis: AnalysisContext) => Promise<string>) =>
      sendAnswer(ctx, request, reply, {
        route: `export:${report}`,
        params,
        contentType: 'text/csv; charset=utf-8',
        render: async (analytics, analysis) => csv(await render(analytics, analysis)),
        headers: { 'content-disposition': `attachment; filename="${filename}"` },
      });

    switch (report) {
      case 'top-creators': {
        const params = parseQuery(topCreatorsQuery, rest);
        return send(fileName(report, params.period), params, async (analytics, analysis) =>
          toCsv(creatorColumns, ranked((await analytics.topCreators(analysis, params)).creators)),
        );
      }
      case 'top-games': {
        const params = parseQuery(topGamesQuery, rest);
        return send(fileName(report, params.period), params, async (analytics, analysis) =>
          toCsv(gameColumns, ranked((await analytics.topGames(analysis, params)).games)),
        );
      }
      case 'viral-clips': {
        const params = parseQuery(viralClipsQuery, rest);
        return send(fileName(report, params.period), params, async (analytics, analysis) => {
          const answer = await analytics.viralClips(analysis, {
            period: params.period,
            limit: params.limit,
            sort: params.sort,
            minViews: params.min_views,
          });
          return toCsv(clipColumns, ranked(answer.clips));
        });
      }
      case 'timeline': {
        const params = parseQuery(engagementTimelineQuery, rest);
        return send(fileName(report, `${params.bucket}-${params.days}d`), params, async (analytics, analysis) =>
          toCsv(timelineColumns, (await analytics.timeline(analysis, params)).buckets),
        );
      }
    }
  });
}
