// What every route file receives from the server: the services it may use, the guard and the options. Its own file,
// so that routes and the server that registers them do not import each other.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger';
import type { AnswerContext } from './answer';
import type { AccessRecheck } from './auth';
import type { GatewayView } from './bot-bridge';

export interface HttpOptions {
  /** Origins allowed to call the API from a browser; empty = CORS off. */
  corsOrigins: readonly string[];
  /** Requests per minute per API token. */
  rateLimitPerMinute: number;
  /** Requests per minute per client IP, authenticated or not. */
  rateLimitPerIpPerMinute: number;
  /** Lifetime of a cached answer while the guild's data is unchanged; 0 = no cache. */
  cacheSeconds: number;
  /** The answer cache's bound in bytes (HTTP_CACHE_MAX_MB); the oldest answers leave first beyond it. */
  cacheMaxBytes?: number;
  /**
   * Seconds of query time per minute one token or session may spend on answers not in the cache
   * (HTTP_QUERY_SECONDS_PER_MINUTE); fractions allowed.
   */
  querySecondsPerMinute?: number;
  /** Uncached answers one token or session may have waiting or being computed at once. */
  maxQueuedQueries?: number;
  /** Minimum interval between two database checks of the guild data versions. */
  changeCheckMs: number;
  trustProxy: boolean;
  /** Live-update streams one token may hold open at once. */
  maxStreamsPerToken?: number;
  /** Heartbeat interval of live-update streams. */
  heartbeatMs?: number;
  /** How often an open live-update stream checks its token or session again (a revoked one ends within this). */
  streamRecheckMs?: number;
  /**
   * Read worker threads that compute uncached answers on SQLite (HTTP_READ_WORKERS; read-pool.ts); 0 = on the HTTP
   * thread itself. Not used on PostgreSQL, whose queries do not block the thread.
   */
  readWorkers?: number;
  /** A read worker's time limit per answer (HTTP_QUERY_TIMEOUT_SECONDS): past it, 503 query_timeout. */
  queryTimeoutMs?: number;
  /** Whether this process looks clips up on Twitch (credentials set); the dashboard's status line says so. */
  twitchEnrichment?: boolean;
}

/** A callback-style preHandler (no promise per request). */
export type RouteGuard = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void;

/** What every route file receives: the services it may use and the guard that authenticates and rate-limits. */
export interface RouteContext extends AnswerContext {
  logger: Logger;
  /** preHandler for every guild-scoped route: authenticate, then the per-token rate limit. */
  guard: RouteGuard;
  options: Required<HttpOptions>;
  /** Checks a long-lived request's credential again (live-update streams). */
  recheckAccess: AccessRecheck;
  /** Closed by the server on shutdown (live-update streams end with it). */
  onShutdown(listener: () => void): void;
  /** The bot's gateway shards for /healthz (through the bridge to the main thread); null when not wired (tests). */
  gateway: GatewayView | null;
}
