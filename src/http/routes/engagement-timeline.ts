// GET /analytics/api/engagement-timeline?period=day|week|month&days=: activity per bucket over the last N days,
// empty buckets included, as { bucket, days, timezone, buckets }.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { engagementTimelineQuery } from '../query-params';
import type { RouteContext } from '../route-context';

export function registerEngagementTimelineRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/engagement-timeline',
    { preHandler: ctx.guard },
    jsonAnswerHandler(ctx, 'engagement-timeline', engagementTimelineQuery, (analytics, analysis, params) =>
      analytics.timeline(analysis, params),
    ),
  );
}
