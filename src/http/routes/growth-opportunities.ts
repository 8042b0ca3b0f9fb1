// GET /analytics/api/growth-opportunities?period=&limit=&min_reactions=: under-clipped games, creators with the
// most Discord engagement per clip, and community favourites (many reactions for their views).
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { growthOpportunitiesQuery } from '../query-params';
import type { RouteContext } from '../route-context';

export function registerGrowthOpportunitiesRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/growth-opportunities',
    { preHandler: ctx.guard },
    jsonAnswerHandler(ctx, 'growth-opportunities', growthOpportunitiesQuery, (analytics, analysis, params) =>
      analytics.growth(analysis, { period: params.period, limit: params.limit, minReactions: params.min_reactions }),
    ),
  );
}
