// The HTTP server: the analytics JSON API under /analytics/api (one route file each in routes/), the
// dashboard at /, and /healthz. Every API request is scoped to the single guild of its Bearer token.
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { InvalidPeriodError } from '../analytics/periods';
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { createTimezoneLookup, type AnswerContext } from './answer';
import { createAuthenticate } from './auth';
import { createDataVersions, type DataVersions } from './data-version';
import { HttpError } from './errors';
import { createResponseCache } from './response-cache';
import { registerRoutes } from './routes';
import { registerSecurityHeaders } from './security-headers';
import { registerDashboard } from './static-files';
import { createTokenVerifier } from './tokens';

export interface HttpOptions {
  /** Origins allowed to call the API from a browser; empty = CORS off. */
  corsOrigins: readonly string[];
  /** Requests per minute per API token. */
  rateLimitPerMinute: number;
  /** Requests per minute per client IP, authenticated or not. */
  rateLimitPerIpPerMinute: number;
  /** Lifetime of a cached answer while the guild's data is unchanged; 0 = no cache. */
  cacheSeconds: number;
  /** Minimum interval between two database checks of the guild data versions. */
  changeCheckMs: number;
  trustProxy: boolean;
  /** Live-update streams one token may hold open at once. */
  maxStreamsPerToken?: number;
  /** Heartbeat interval of live-update streams. */
  heartbeatMs?: number;
}

export interface HttpServerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  options: HttpOptions;
}

/** What every route file receives: the services it may use and the guard that authenticates and rate-limits. */
export interface RouteContext extends AnswerContext {
  logger: Logger;
  /** preHandler for every guild-scoped route: authenticate, then the per-token rate limit. */
  guard: Array<(request: FastifyRequest, reply: FastifyReply) => Promise<void>>;
  options: Required<HttpOptions>;
  /** Closed by the server on shutdown (live-update streams end with it). */
  onShutdown(listener: () => void): void;
}

export interface HttpServer {
  app: FastifyInstance;
  versions: DataVersions;
  /** Starts listening; resolves to the base URL, e.g. http://127.0.0.1:3000. */
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

/** Query strings longer than this are refused (414) before any parsing. */
export const MAX_URL_LENGTH = 2048;
/** The API takes no bodies; anything larger than this is refused (413). */
export const BODY_LIMIT_BYTES = 16 * 1024;

export async function createHttpServer({ db, clock, logger, options: given }: HttpServerDeps): Promise<HttpServer> {
  const options: Required<HttpOptions> = { maxStreamsPerToken: 10, heartbeatMs: 25_000, ...given };
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }),
    // Per-request log lines would dominate the cost of a cached answer; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 200 },
    trustProxy: options.trustProxy,
    forceCloseConnections: true,
    return503OnClosing: true,
  }) as unknown as FastifyInstance; // pino's Logger is fastify's logger; the cast only drops the generic parameter
  app.decorateRequest('access', null);

  const versions = createDataVersions({ db, now: () => clock.now(), checkIntervalMs: options.changeCheckMs });
  const shutdownListeners = new Set<() => void>();

  registerSecurityHeaders(app, { corsOrigins: options.corsOrigins });

  app.addHook('onRequest', async (request) => {
    if (request.raw.url && request.raw.url.length > MAX_URL_LENGTH) {
      throw new HttpError(414, 'uri_too_long', `The URL is longer than ${MAX_URL_LENGTH} characters; send fewer or shorter parameters.`);
    }
  });

  await app.register(rateLimit, { global: false });
  const ipLimit = app.createRateLimit({ max: options.rateLimitPerIpPerMinute, timeWindow: 60_000, keyGenerator: (r) => `ip:${r.ip}` });
  const tokenLimit = app.createRateLimit({
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (r) => `token:${r.access?.tokenId ?? 'none'}`,
  });
  const enforce = (limiter: typeof ipLimit, scope: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await limiter(request);
    if (result.isAllowed) return;
    reply.header('x-ratelimit-limit', result.max);
    reply.header('x-ratelimit-remaining', result.remaining);
    reply.header('x-ratelimit-reset', result.ttlInSeconds);
    if (!result.isExceeded) return;
    throw new HttpError(
      429,
      'rate_limited',
      `Too many requests from this ${scope}: at most ${result.max} a minute. Retry in ${result.ttlInSeconds} s.`,
      { retry_after: result.ttlInSeconds },
      { 'retry-after': String(result.ttlInSeconds) },
    );
  };
  // Per IP first, for every request (it also bounds token guessing); per token after authentication.
  app.addHook('onRequest', enforce(ipLimit, 'address'));

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return reply.code(error.statusCode).type('application/json; charset=utf-8').send(error.toJSON());
    }
    if (error instanceof InvalidPeriodError) {
      // The analytics' own check of a period (e.g. a timezone it cannot resolve): its message is for the caller.
      return reply.code(400).send({ error: 'invalid_parameter', message: error.message, parameter: 'period', rule: error.message });
    }
    const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 400 && status < 500) {
      // fastify's own client errors (body too large, bad content type…): their messages are written for clients.
      const message = error instanceof Error ? error.message : 'Bad request';
      return reply.code(status).send({ error: status === 413 ? 'payload_too_large' : 'bad_request', message });
    }
    request.log.error({ err: error, url: request.url }, 'request failed');
    return reply.code(500).send({ error: 'internal_error', message: 'Something went wrong on the server; it has been logged. Try again shortly.' });
  });
  app.setNotFoundHandler(async (_request, reply) =>
    reply.code(404).send({ error: 'not_found', message: 'No such page or endpoint. The API lives under /analytics/api/ (see the README).' }),
  );

  const authenticate = createAuthenticate(createTokenVerifier(db), clock);
  const context: RouteContext = {
    db,
    clock,
    logger,
    versions,
    cache: createResponseCache({ maxEntries: 2000, ttlMs: options.cacheSeconds * 1000 }),
    timezoneOf: createTimezoneLookup(db),
    guard: [authenticate, enforce(tokenLimit, 'token')],
    options,
    onShutdown: (listener) => shutdownListeners.add(listener),
  };
  registerRoutes(app, context);
  registerDashboard(app);

  app.addHook('preClose', async () => {
    for (const listener of shutdownListeners) listener();
    versions.close();
  });

  return {
    app,
    versions,
    async listen(host, port) {
      await app.listen({ host, port });
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      return `http://${shownHost}:${actualPort}`;
    },
    async close() {
      await app.close();
    },
  };
}
