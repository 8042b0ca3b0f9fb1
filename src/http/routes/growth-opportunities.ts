// GET /analytics/api/growth-opportunities?period=&limit=&min_reactions=: under-clipped games, creators with the
// most Discord engagement per clip, and community favourites (many reactions for their views).
import type { FastifyInstance } from 'fastify';
import { growthOpportunities } from '../../analytics/growth-opportunities';
import { JSON_TYPE, sendAnswer } from '../answer';
import { growthOpportunitiesQuery, parseRequestQuery } from '../query-params';
import type { RouteContext } from '../server';

export function registerGrowthOpportunitiesRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/growth-opportunities', { preHandler: ctx.guard }, (request, reply) => {
    const params = parseRequestQuery(growthOpportunitiesQuery, request);
    sendAnswer(ctx, request, reply, {
      route: 'growth-opportunities',
      params,
      contentType: JSON_TYPE,
      render: (analysis) => JSON.stringify(growthOpportunities(ctx.db, analysis, params)),
    });
  });
}
