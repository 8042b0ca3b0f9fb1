// GET /analytics/api/overview?period=&offset= (or from=&to=): the guild's headline numbers for one period.
import type { FastifyInstance } from 'fastify';
import { overview } from '../../analytics/overview';
import { JSON_TYPE, sendAnswer } from '../answer';
import { overviewQuery, parseRequestQuery } from '../query-params';
import type { RouteContext } from '../server';

export function registerOverviewRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/overview', { preHandler: ctx.guard }, (request, reply) => {
    const params = parseRequestQuery(overviewQuery, request);
    sendAnswer(ctx, request, reply, {
      route: 'overview',
      params,
      contentType: JSON_TYPE,
      render: (analysis) => JSON.stringify(overview(ctx.db, analysis, params)),
    });
  });
}
