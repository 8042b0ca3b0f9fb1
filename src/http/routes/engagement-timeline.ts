// GET /analytics/api/engagement-timeline?period=day|week|month&days=: activity per bucket over the last N days,
// empty buckets included, as { bucket, days, timezone, buckets }.
import type { FastifyInstance } from 'fastify';
import { engagementTimeline } from '../../analytics/engagement-timeline';
import { JSON_TYPE, sendAnswer } from '../answer';
import { engagementTimelineQuery, parseRequestQuery } from '../query-params';
import type { RouteContext } from '../server';

export function registerEngagementTimelineRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/engagement-timeline', { preHandler: ctx.guard }, (request, reply) => {
    const params = parseRequestQuery(engagementTimelineQuery, request);
    sendAnswer(ctx, request, reply, {
      route: 'engagement-timeline',
      params,
      contentType: JSON_TYPE,
      render: (analysis) => JSON.stringify(engagementTimeline(ctx.db, analysis, params)),
    });
  });
}
