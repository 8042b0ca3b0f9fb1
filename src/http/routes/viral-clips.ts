// GET /analytics/api/viral-clips?period=&limit=&sort=&min_views=: the most watched (or reacted, or fastest
// growing) clips, as { period, sort, min_views, clips }.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { viralClipsQuery } from '../query-params';
import type { RouteContext } from '../route-context';

export function registerViralClipsRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/viral-clips',
    { preHandler: ctx.guard },
    jsonAnswerHandler(ctx, 'viral-clips', viralClipsQuery, (analytics, analysis, params) =>
      analytics.viralClips(analysis, { period: params.period, limit: params.limit, sort: params.sort, minViews: params.min_views }),
    ),
  );
}
