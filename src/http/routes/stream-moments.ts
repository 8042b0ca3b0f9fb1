// GET /analytics/api/stream-moments?period=&offset=&from=&to=&limit=: when in their broadcasts the guild's clips happen
// (10-minute bins, per game), clips per hour streamed, the streams with the most clips and views, time to first clip.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { streamMomentsQuery } from '../query-params';
import { serializeStreamMoments } from '../response-schemas';
import type { RouteContext } from '../route-context';

export function registerStreamMomentsRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/stream-moments',
    { preHandler: ctx.guard },
    jsonAnswerHandler(
      ctx,
      'stream-moments',
      streamMomentsQuery,
      (analytics, analysis, params) => analytics.streamMoments(analysis, params),
      serializeStreamMoments,
    ),
  );
}
