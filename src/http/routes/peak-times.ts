// GET /analytics/api/peak-times?period=: clip creation and Discord shares by local hour and weekday (7×24).
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { peakTimesQuery } from '../query-params';
import type { RouteContext } from '../route-context';

export function registerPeakTimesRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/peak-times',
    { preHandler: ctx.guard },
    jsonAnswerHandler(ctx, 'peak-times', peakTimesQuery, (analytics, analysis, params) => analytics.peakTimes(analysis, params.period)),
  );
}
