// GET /analytics/api/compare?period=day|week|month&offset= (or from=&to=)&span=to_date|whole: this period against the
// one before, with absolute and percentage change for each headline number. While the period runs, span=to_date (the
// default) sets it against the same elapsed span of the previous one; span=whole against all of it.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { compareQuery } from '../query-params';
import type { RouteContext } from '../route-context';

export function registerCompareRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/compare',
    { preHandler: ctx.guard },
    jsonAnswerHandler(ctx, 'compare', compareQuery, (analytics, analysis, params) =>
      analytics.compare(analysis, params.period, params.span),
    ),
  );
}
