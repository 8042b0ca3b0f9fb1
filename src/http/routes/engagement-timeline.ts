// GET /analytics/api/engagement-timeline?period=day|week|month&days=: activity per bucket over the last N days,
// empty buckets included, each with its reactions by mood, as { bucket, days, timezone, buckets, mood_source }.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { engagementTimelineQuery } from '../query-params';
import { serializeTimeline } from '../response-schemas';
import type { RouteContext } from '../route-context';

export function registerEngagementTimelineRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/engagement-timeline',
    { preHandler: ctx.guard },
    jsonAnswerHandler(
      ctx,
      'engagement-timeline',
      engagementTimelineQuery,
      (analytics, analysis, params) => analytics.timeline(analysis, params),
      serializeTimeline,
    ),
  );
}
