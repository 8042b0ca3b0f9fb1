// GET /analytics/api/role-changes?limit=&cursor=: clipper roles (docs/roles.md), as { rules, changes, next_cursor,
// last_run }. Not from the answer cache: role changes do not move the guild's data version (data-version.ts), and
// the read is a few indexed rows.
import type { FastifyInstance } from 'fastify';
import { JSON_TYPE } from '../answer';
import { guildOf } from '../auth';
import { parseRequestQuery, roleChangesQuery } from '../query-params';
import { serializeRoleChanges } from '../response-schemas';
import type { RouteContext } from '../route-context';

export function registerRoleChangesRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/analytics/api/role-changes', { preHandler: ctx.guard }, async (request, reply) => {
    const query = parseRequestQuery(roleChangesQuery, request);
    const guildId = guildOf(request);
    const answer = await ctx.queries.run(request.access?.key ?? 'none', () => ctx.reads.roleChanges(guildId, query));
    reply.header('cache-control', 'private, no-store');
    reply.header('vary', 'Authorization, Cookie');
    reply.header('content-type', JSON_TYPE);
    return reply.send(serializeRoleChanges(answer));
  });
}
