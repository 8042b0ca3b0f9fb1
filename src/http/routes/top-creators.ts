// GET /analytics/api/top-creators?period=&limit=&sort=: the creator leaderboard, as { period, sort, creators }.
import type { FastifyInstance } from 'fastify';
import { topCreators } from '../../analytics/top-creators';
import { JSON_TYPE, sendAnswer } from '../answer';
import { parseRequestQuery, topCreatorsQuery } from '../query-params';
import type { RouteContext } from '../server';

export function registerTopCreatorsRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/top-creators', { preHandler: ctx.guard }, (request, reply) => {
    const params = parseRequestQuery(topCreatorsQuery, request);
    sendAnswer(ctx, request, reply, {
      route: 'top-creators',
      params,
      contentType: JSON_TYPE,
      render: (analysis) => JSON.stringify(topCreators(ctx.db, analysis, params)),
    });
  });
}
