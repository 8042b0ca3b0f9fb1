// GET /analytics/api/top-games?period=&limit=&sort=: the game leaderboard, as { period, sort, games }.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { topGamesQuery } from '../query-params';
import { serializeTopGames } from '../response-schemas';
import type { RouteContext } from '../route-context';

export function registerTopGamesRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/top-games',
    { preHandler: ctx.guard },
    jsonAnswerHandler(
      ctx,
      'top-games',
      topGamesQuery,
      (analytics, analysis, params) => analytics.topGames(analysis, params),
      serializeTopGames,
    ),
  );
}
