// GET /analytics/api/compare?period=day|week|month&offset= (or from=&to=): this period against the one before,
// with absolute and percentage change for each headline number.
import type { FastifyInstance } from 'fastify';
import { compare } from '../../analytics/compare';
import { JSON_TYPE, sendAnswer } from '../answer';
import { compareQuery, parseRequestQuery } from '../query-params';
import type { RouteContext } from '../server';

export function registerCompareRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/compare', { preHandler: ctx.guard }, (request, reply) => {
    const params = parseRequestQuery(compareQuery, request);
    sendAnswer(ctx, request, reply, {
      route: 'compare',
      params,
      contentType: JSON_TYPE,
      render: (analysis) => JSON.stringify(compare(ctx.db, analysis, params)),
    });
  });
}
