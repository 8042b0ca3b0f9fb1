// The shared tail of every analytics route: serve from the cache while the guild's data is unchanged, otherwise
// compute with one analytics call, and answer with an ETag (304 when the client already has these bytes).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AnalysisContext } from '../analytics/types';
import type { Clock } from '../clock';
import { cachedStatement, type Db } from '../db/client';
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

/** What every answer says about caching: answers differ per token, so shared caches must not keep them. */
const CACHE_CONTROL = 'private, no-cache';

/**
 * Sends the answer for the request's guild: from the cache when the guild's data is unchanged, otherwise
 * rendered inside one read transaction (a consistent snapshot, and one WAL read lock instead of one per
 * statement, which halves the cost of an uncached answer). Synchronous; the caller's handler returns nothing.
 */
export function sendAnswer(ctx: AnswerContext, request: FastifyRequest, reply: FastifyReply, spec: AnswerSpec): FastifyReply {
  const guildId = guildOf(request);
  const now = ctx.clock.now();
  const version = ctx.versions.current(guildId);
  const key = answerKey(guildId, spec.route, spec.params);
  let answer = ctx.cache.get(key, version, now);
  reply.header('x-cache', answer ? 'hit' : 'miss');
  if (!answer) {
    const text = readTransaction(ctx.db, () => spec.render({ guildId, timezone: ctx.timezoneOf(guildId), now }));
    // Stored as bytes with its ETag: a cache hit neither encodes nor hashes.
    const body = Buffer.from(text, 'utf8');
    answer = { version, body, etag: etagOf(guildId, body), storedAt: now };
    ctx.cache.set(key, answer);
  }
  reply.header('etag', answer.etag);
  reply.header('cache-control', CACHE_CONTROL);
  const vary = reply.getHeader('vary');
  reply.header('vary', vary ? `${String(vary)}, Authorization` : 'Authorization');
  if (spec.headers) reply.headers(spec.headers);
  if (etagMatches(request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
  reply.header('content-type', spec.contentType);
  return reply.send(answer.body);
}

/** Runs fn in one deferred (read) transaction, or inside the caller's when one is open. */
function readTransaction<T>(db: Db, fn: () => T): T {
  if (db.$client.inTransaction) return fn();
  cachedStatement(db, 'BEGIN').run();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    cachedStatement(db, 'ROLLBACK').run();
    throw error;
  }
  cachedStatement(db, 'COMMIT').run();
  return result;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
