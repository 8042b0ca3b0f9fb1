// GET /analytics/api/top-games?period=&limit=&sort=: the game leaderboard, as { period, sort, games }.
import type { FastifyInstance } from 'fastify';
import { topGames } from '../../analytics/top-games';
import { JSON_TYPE, sendAnswer } from '../answer';
import { parseRequestQuery, topGamesQuery } from '../query-params';
import type { RouteContext } from '../server';

export function registerTopGamesRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/top-games', { preHandler: ctx.guard }, (request, reply) => {
    const params = parseRequestQuery(topGamesQuery, request);
    sendAnswer(ctx, request, reply, {
      route: 'top-games',
      params,
      contentType: JSON_TYPE,
      render: (analysis) => JSON.stringify(topGames(ctx.db, analysis, params)),
    });
  });
}
