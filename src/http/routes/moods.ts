// GET /analytics/api/moods?period=&limit=&clip=: what the reactions say (docs/moods.md), as { period, source, mix,
// creators, games, rankings, clip }.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { moodsQuery } from '../query-params';
import { serializeMoods } from '../response-schemas';
import type { RouteContext } from '../route-context';

export function registerMoodsRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/moods',
    { preHandler: ctx.guard },
    jsonAnswerHandler(
      ctx,
      'moods',
      moodsQuery,
      (analytics, analysis, params) => analytics.moods(analysis, { period: params.period, limit: params.limit, clipId: params.clip }),
      serializeMoods,
    ),
  );
}
