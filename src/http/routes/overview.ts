// GET /analytics/api/overview?period=&offset= (or from=&to=): the guild's headline numbers for one period.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { overviewQuery } from '../query-params';
import type { RouteContext } from '../route-context';

export function registerOverviewRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/overview',
    { preHandler: ctx.guard },
    jsonAnswerHandler(ctx, 'overview', overviewQuery, (analytics, analysis, params) => analytics.overview(analysis, params.period)),
  );
}
