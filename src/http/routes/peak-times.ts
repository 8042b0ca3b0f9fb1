// GET /analytics/api/peak-times?period=: clip creation and Discord shares by local hour and weekday (7×24).
import type { FastifyInstance } from 'fastify';
import { peakTimes } from '../../analytics/peak-times';
import { JSON_TYPE, sendAnswer } from '../answer';
import { parseRequestQuery, peakTimesQuery } from '../query-params';
import type { RouteContext } from '../server';

export function registerPeakTimesRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/peak-times', { preHandler: ctx.guard }, (request, reply) => {
    const params = parseRequestQuery(peakTimesQuery, request);
    sendAnswer(ctx, request, reply, {
      route: 'peak-times',
      params,
      contentType: JSON_TYPE,
      render: (analysis) => JSON.stringify(peakTimes(ctx.db, analysis, params)),
    });
  });
}
