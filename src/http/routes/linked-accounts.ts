// GET /analytics/api/linked-accounts: the guild's members who linked their verified Twitch account (Sign in with
// Discord), so a creator's Discord name can be shown beside their Twitch name.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { emptyQuery } from '../query-params';
import type { RouteContext } from '../route-context';

export function registerLinkedAccountsRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/analytics/api/linked-accounts',
    { preHandler: ctx.guard },
    jsonAnswerHandler(ctx, 'linked-accounts', emptyQuery, async (analytics, analysis) => ({
      accounts: await analytics.linkedAccounts(analysis.guildId),
    })),
  );
}
