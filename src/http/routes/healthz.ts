// GET /healthz: is the service able to answer? Database reachable, when aggregation last finished, and how much
// enrichment work is queued. Counts and times only: no tokens, guild ids or error texts.
import type { FastifyInstance } from 'fastify';
import type { JobRunRow } from '../../analytics/service';
import { parseQuery, emptyQuery } from '../query-params';
import type { RouteContext } from '../route-context';

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
    });
  });
}
