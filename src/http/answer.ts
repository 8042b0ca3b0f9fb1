// The shared tail of every analytics route: serve from the cache while the guild's data is unchanged, otherwise
// compute with one analytics call, and answer with an ETag (304 when the client already has these bytes).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AnalysisContext } from '../analytics/types';
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import { guildOf } from './auth';
import type { DataVersions } from './data-version';
import { answerKey, etagMatches, etagOf, type ResponseCache } from './response-cache';

export interface AnswerContext {
  db: Db;
  clock: Clock;
  versions: DataVersions;
  cache: ResponseCache;
  /** The guild's IANA timezone (guild settings; UTC when unset). */
  timezoneOf(guildId: string): string;
}

export interface AnswerSpec {
  /** Route name, part of the cache key. */
  route: string;
  /** The validated, normalised parameters: equal parameters share one cache entry. */
  params: unknown;
  contentType: string;
  /** Renders the answer body for the request's guild. */
  render(analysis: AnalysisContext): string;
  /** Extra headers, e.g. Content-Disposition for a CSV download. */
  headers?: Record<string, string>;
}

export function createTimezoneLookup(db: Db): (guildId: string) => string {
  const select = db.$client.prepare<[string], { timezone: string }>('SELECT timezone FROM guild_settings WHERE guild_id = ?');
  return (guildId) => select.get(guildId)?.timezone ?? 'UTC';
}

export function sendAnswer(ctx: AnswerContext, request: FastifyRequest, reply: FastifyReply, spec: AnswerSpec): FastifyReply {
  const guildId = guildOf(request);
  const now = ctx.clock.now();
  const version = ctx.versions.current(guildId);
  const key = answerKey(guildId, spec.route, spec.params);
  let answer = ctx.cache.get(key, version, now);
  reply.header('x-cache', answer ? 'hit' : 'miss');
  if (!answer) {
    const body = spec.render({ guildId, timezone: ctx.timezoneOf(guildId), now });
    answer = { version, body, etag: etagOf(guildId, body), storedAt: now };
    ctx.cache.set(key, answer);
  }
  reply.header('etag', answer.etag);
  // Answers differ per token, so shared caches must not keep them; clients revalidate with the ETag.
  reply.header('cache-control', 'private, no-cache');
  reply.header('vary', 'Authorization');
  if (spec.headers) for (const [name, value] of Object.entries(spec.headers)) reply.header(name, value);
  if (etagMatches(request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
  return reply.type(spec.contentType).send(answer.body);
}

export const JSON_TYPE = 'application/json; charset=utf-8';
