// GET /analytics/api/top-creators?period=&limit=&sort=: the creator leaderboard, as { period, sort, creators }.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { topCreatorsQuery } from '../query-params';
import { serializeTopCreators } from '../response-schemas';
import type { RouteContext } from '../route-context';

export function registerTopCreatorsRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/top-creators',
    { preHandler: ctx.guard },
    jsonAnswerHandler(
      ctx,
      'top-creators',
      topCreatorsQuery,
      (analytics, analysis, params) => analytics.topCreators(analysis, params),
      serializeTopCreators,
    ),
  );
}
