// GET /healthz: is the service able to answer? Database reachable, when aggregation last finished, how much
// enrichment work is queued, and the bot's gateway shards in this process (status, ping, guilds per shard). Counts and
// times only: no tokens, guild ids or error texts. A shard down makes `discord.status` degraded, not the whole answer:
// the API still answers without the gateway.
import type { FastifyInstance } from 'fastify';
import type { JobRunRow } from '../../analytics/service';
import { parseQuery, emptyQuery } from '../query-params';
import type { RouteContext } from '../route-context';
import type { GatewayStatus } from '../../discord/shard-plan';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function registerHealthzRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/healthz', async (request, reply) => {
    parseQuery(emptyQuery, request.query);
    reply.header('cache-control', 'no-store');
    let counts: { pending: number; failed: number };
    let runs: JobRunRow[];
    try {
      ({ queue: counts, jobs: runs } = await ctx.analytics.health());
    } catch (error) {
      request.log.error({ err: error, reqId: request.id }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable', checked_at: iso(ctx.clock.now()) });
    }
    const aggregations = runs.filter((r) => r.job.startsWith('aggregat'));
    const lastAggregation = aggregations
      .filter((r) => r.last_finished_at !== null)
      .sort((a, b) => (b.last_finished_at ?? 0) - (a.last_finished_at ?? 0))[0];
    const failing = runs.filter((r) => r.last_error !== null).map((r) => r.job);
    const discord = await gatewayHealth(ctx);
    return reply.send({
      status: failing.length === 0 ? 'ok' : 'degraded',
      database: 'ok',
      checked_at: iso(ctx.clock.now()),
      last_aggregation: lastAggregation
        ? { job: lastAggregation.job, finished_at: iso(lastAggregation.last_finished_at), ok: lastAggregation.last_error === null }
        : null,
      jobs: runs.map((r) => ({
        job: r.job,
        last_started_at: iso(r.last_started_at),
        last_finished_at: iso(r.last_finished_at),
        ok: r.last_error === null,
      })),
      queues: { enrichment_pending: counts.pending, enrichment_failed: counts.failed },
      discord,
    });
  });
}

/**
 * The bot's shards as the main thread reports them: null when no bot runs in this process, `unknown` when it did not
 * answer in time, else `ok` when every shard is ready and `degraded` otherwise.
 */
async function gatewayHealth(ctx: RouteContext) {
  let status: GatewayStatus | null;
  try {
    status = (await ctx.gateway?.gatewayStatus()) ?? null;
  } catch {
    return { status: 'unknown' as const };
  }
  if (status === null) return null;
  return {
    status: status.shards.every((s) => s.status === 'ready') ? ('ok' as const) : ('degraded' as const),
    shard_count: status.shardCount,
    shards: status.shards.map((s) => ({ id: s.id, status: s.status, ping_ms: s.pingMs, guilds: s.guilds })),
  };
}
