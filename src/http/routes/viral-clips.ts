// GET /analytics/api/viral-clips?period=&limit=&sort=&min_views=: the most watched (or reacted, or fastest
// growing) clips, as { period, sort, min_views, clips }.
import type { FastifyInstance } from 'fastify';
import { viralClips } from '../../analytics/viral-clips';
import { JSON_TYPE, sendAnswer } from '../answer';
import { parseRequestQuery, viralClipsQuery } from '../query-params';
import type { RouteContext } from '../server';

export function registerViralClipsRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/viral-clips', { preHandler: ctx.guard }, (request, reply) => {
    const params = parseRequestQuery(viralClipsQuery, request);
    sendAnswer(ctx, request, reply, {
      route: 'viral-clips',
      params,
      contentType: JSON_TYPE,
      render: (analysis) => JSON.stringify(viralClips(ctx.db, analysis, params)),
    });
  });
}
