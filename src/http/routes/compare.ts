// GET /analytics/api/compare?period=day|week|month&offset= (or from=&to=): this period against the one before,
// with absolute and percentage change for each headline number.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { compareQuery } from '../query-params';
import type { RouteContext } from '../route-context';

export function registerCompareRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/compare',
    { preHandler: ctx.guard },
    jsonAnswerHandler(ctx, 'compare', compareQuery, (analytics, analysis, params) => analytics.compare(analysis, params.period)),
  );
}
