// GET /analytics/api/export.csv?report=top-creators|top-games|viral-clips|timeline&…: the same answers as the
// JSON endpoints (same parameters, same analytics call), as a spreadsheet-safe CSV download.
import type { FastifyInstance } from 'fastify';
import type { Analytics } from '../../analytics/service';
import type { AnalysisContext, CreatorRow, GameRow, PeriodQuery, TimelineBucket, ViralClip } from '../../analytics/types';
import { sendAnswer } from '../answer';
import { toCsv, type CsvColumn } from '../csv';
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

type Ranked<T> = T & { rank: number };
const ranked = <T>(rows: T[]): Ranked<T>[] => rows.map((row, i) => ({ ...row, rank: i + 1 }));

const creatorColumns: CsvColumn<Ranked<CreatorRow>>[] = [
  { header: 'rank', value: (r) => r.rank },
  { header: 'creator_id', value: (r) => r.creator_id },
  { header: 'creator_name', value: (r) => r.creator_name },
  { header: 'clip_count', value: (r) => r.clip_count },
  { header: 'total_views', value: (r) => r.total_views },
  { header: 'avg_views', value: (r) => r.avg_views },
  { header: 'discord_shares', value: (r) => r.discord_shares },
  { header: 'discord_reactions', value: (r) => r.discord_reactions },
  { header: 'unique_games', value: (r) => r.unique_games },
  { header: 'top_game_id', value: (r) => r.top_game?.id },
  { header: 'top_game_name', value: (r) => r.top_game?.name },
];

const gameColumns: CsvColumn<Ranked<GameRow>>[] = [
  { header: 'rank', value: (r) => r.rank },
  { header: 'game_id', value: (r) => r.game_id },
  { header: 'game_name', value: (r) => r.game_name },
  { header: 'clip_count', value: (r) => r.clip_count },
  { header: 'total_views', value: (r) => r.total_views },
  { header: 'avg_view_count', value: (r) => r.avg_view_count },
  { header: 'unique_creators', value: (r) => r.unique_creators },
  { header: 'discord_shares', value: (r) => r.discord_shares },
  { header: 'discord_reactions', value: (r) => r.discord_reactions },
  { header: 'top_clip_id', value: (r) => r.top_clip?.id },
  { header: 'top_clip_title', value: (r) => r.top_clip?.title },
  { header: 'top_clip_views', value: (r) => r.top_clip?.views },
  { header: 'top_clip_url', value: (r) => r.top_clip?.url },
];

const clipColumns: CsvColumn<Ranked<ViralClip>>[] = [
  { header: 'rank', value: (r) => r.rank },
  { header: 'clip_id', value: (r) => r.clip_id },
  { header: 'title', value: (r) => r.title },
  { header: 'url', value: (r) => r.url },
  { header: 'creator_id', value: (r) => r.creator_id },
  { header: 'creator_name', value: (r) => r.creator_name },
  { header: 'game_id', value: (r) => r.game_id },
  { header: 'game_name', value: (r) => r.game_name },
  { header: 'broadcaster_name', value: (r) => r.broadcaster_name },
  { header: 'view_count', value: (r) => r.view_count },
  { header: 'discord_shares', value: (r) => r.discord_shares },
  { header: 'discord_reactions', value: (r) => r.discord_reactions },
  {
    header: 'reaction_types',
    value: (r) =>
      Object.entries(r.reaction_types)
        .map(([emoji, n]) => `${emoji} ${n}`)
        .join('; '),
  },
  { header: 'view_velocity', value: (r) => r.view_velocity },
  { header: 'clip_created_at', value: (r) => r.clip_created_at },
  { header: 'first_shared_at', value: (r) => r.first_shared_at },
  { header: 'thumbnail_url', value: (r) => r.thumbnail_url },
];

const timelineColumns: CsvColumn<TimelineBucket>[] = [
  { header: 'start', value: (r) => r.start },
  { header: 'date', value: (r) => r.date },
  { header: 'clips_created', value: (r) => r.clips_created },
  { header: 'views', value: (r) => r.views },
  { header: 'discord_shares', value: (r) => r.discord_shares },
  { header: 'discord_reactions', value: (r) => r.discord_reactions },
];

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
