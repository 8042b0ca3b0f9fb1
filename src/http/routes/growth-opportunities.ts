// GET /analytics/api/growth-opportunities?period=&limit=&min_reactions=: under-clipped games, creators with the
// most Discord engagement per clip, and community favourites (many reactions for their views).
import type { FastifyInstance } from 'fastify';
import { growthOpportunities } from '../../analytics/growth-opportunities';
import { JSON_TYPE, sendAnswer } from '../answer';
import { growthOpportunitiesQuery, parseQuery } from '../query-params';
import type { RouteContext } from '../server';

export function registerGrowthOpportunitiesRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/growth-opportunities', { preHandler: ctx.guard }, async (request, reply) => {
    const params = parseQuery(growthOpportunitiesQuery, request.query);
    return sendAnswer(ctx, request, reply, {
      route: 'growth-opportunities',
      params,
      contentType: JSON_TYPE,
      render: (analysis) => JSON.stringify(growthOpportunities(ctx.db, analysis, params)),
    });
  });
}
