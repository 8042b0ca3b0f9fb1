// The shared tail of every analytics route: serve from the cache while the guild's data is unchanged, otherwise
// compute with one analytics call, and answer with an ETag (304 when the client already has these bytes).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Analytics } from '../analytics/service';
import type { AnalysisContext } from '../analytics/types';
import type { Clock } from '../clock';
import { guildOf } from './auth';
import type { DataVersions } from './data-version';
import type { QueryBudget } from './query-budget';
import { parseRequestQuery } from './query-params';
import { answerKey, etagMatches, etagOf, type ResponseCache } from './response-cache';

export interface AnswerContext {
  analytics: Analytics;
  /**
   * The analytics that uncached answers are computed with: on SQLite with read workers, a pool of threads of their
   * own (read-pool.ts), so the thread that serves cached answers never runs a long query; else `analytics`.
   */
  reads: Analytics;
  clock: Clock;
  versions: DataVersions;
  cache: ResponseCache;
  /** Each token's share of query time for answers not in the cache. */
  queries: QueryBudget;
}

/** Renders an answer body with the analytics of one read snapshot, for the request's guild. */
export type Render<P> = (analytics: Analytics, analysis: AnalysisContext, params: P) => Promise<string>;

export interface AnswerSpec {
  /** Route name, part of the cache key. */
  route: string;
  /** The validated, normalised parameters: equal parameters share one cache entry. */
  params: unknown;
  contentType: string;
  render: Render<unknown>;
  /** Extra headers, e.g. Content-Disposition for a CSV download. */
  headers?: Record<string, string>;
}

/**
 * What every answer says about caching: answers differ per token and per signed-in person, so shared caches must not
 * keep them, and a browser cache must not hand one person's answer to another (Vary: Authorization, Cookie).
 */
const CACHE_CONTROL = 'private, no-cache';
/** The request headers an answer depends on: the token, or the session cookie. */
const VARY = 'Authorization, Cookie';

/**
 * Sends the answer for the request's guild: from the cache when the guild's data is unchanged, otherwise rendered
 * in one read snapshot (consistent, and one WAL read lock instead of one per statement). Resolves once sent.
 */
export function sendAnswer(ctx: AnswerContext, request: FastifyRequest, reply: FastifyReply, spec: AnswerSpec): Promise<FastifyReply> {
  return answer(ctx, request, reply, spec.route, spec.params, spec.contentType, spec.render, spec.headers);
}

/**
 * The handler of a JSON analytics route: validate the query (memoised), then answer. Everything but the
 * parameters is built once per route, so a cached answer allocates almost nothing.
 */
export function jsonAnswerHandler<S extends z.ZodType, A>(
  ctx: AnswerContext,
  route: string,
  query: S,
  analyse: (analytics: Analytics, analysis: AnalysisContext, params: z.output<S>) => Promise<A>,
  /** The answer's compiled serialiser (response-schemas.ts), where it has one. */
  serialize: (answer: A) => string = JSON.stringify,
): (request: FastifyRequest, reply: FastifyReply) => void {
  const render: Render<z.output<S>> = async (analytics, analysis, params) => serialize(await analyse(analytics, analysis, params));
  // Not an async handler: it returns nothing and the answer is sent when ready (a failure goes to the error handler).
  return (request, reply) => {
    answer(ctx, request, reply, route, parseRequestQuery(query, request), JSON_TYPE, render).catch((error: unknown) => reply.send(error));
  };
}

async function answer<P>(
  ctx: AnswerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  route: string,
  params: P,
  contentType: string,
  render: Render<P>,
  headers?: Record<string, string>,
): Promise<FastifyReply> {
  const guildId = guildOf(request);
  const now = ctx.clock.now();
  const { version, timezone } = await ctx.versions.read(guildId);
  const key = answerKey(guildId, route, params);
  let cached = ctx.cache.get(key, version, now);
  reply.header('x-cache', cached ? 'hit' : 'miss');
  if (!cached) {
    const text = await ctx.queries.run(request.access?.key ?? 'none', () =>
      ctx.reads.snapshot((analytics) => render(analytics, { guildId, timezone, now }, params)),
    );
    // Stored as bytes with its ETag: a cache hit neither encodes nor hashes.
    const body = Buffer.from(text, 'utf8');
    cached = { version, body, etag: etagOf(guildId, text), storedAt: now };
    ctx.cache.set(key, cached);
  }
  reply.header('etag', cached.etag);
  reply.header('cache-control', CACHE_CONTROL);
  const vary = reply.getHeader('vary');
  reply.header('vary', vary ? `${String(vary)}, ${VARY}` : VARY);
  if (headers) reply.headers(headers);
  if (etagMatches(request.headers['if-none-match'], cached.etag)) return reply.code(304).send();
  reply.header('content-type', contentType);
  return reply.send(cached.body);
}

export const JSON_TYPE = 'application/json; charset=utf-8';
