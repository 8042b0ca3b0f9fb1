// The HTTP server: the analytics JSON API under /analytics/api (one route file each in routes/), the
// dashboard at /, Sign in with Discord under /auth (sign-in/), and /healthz. Every API request is scoped to one guild:
// its Bearer token's, or the `?guild=` a signed-in session may open (auth.ts).
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import { InvalidPeriodError } from '../analytics/periods';
import type { Analytics } from '../analytics/service';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { createAccessRecheck, createAuthenticate } from './auth';
import { answerClientError, bodyOnReadRequest } from './client-errors';
import { createDataVersions, type DataVersions } from './data-version';
import { HttpError } from './errors';
import { createQueryBudget } from './query-budget';
import { createRateLimiter, type RateLimiter } from './rate-limiter';
import { createResponseCache, type ResponseCache } from './response-cache';
import type { HttpOptions, RouteContext, RouteGuard } from './route-context';
import type { GatewayView } from './bot-bridge';
import { registerRoutes } from './routes';
import { registerSecurityHeaders } from './security-headers';
import { registerDashboard } from './static-files';
import type { TokenVerifier } from '../auth/tokens';
import { createSignIn, signInDisabledPlugin, type SignInDeps } from './sign-in';
import { BotUnavailableError } from '../auth/guild-access';
import { DiscordOAuthError } from '../auth/discord-oauth';
import { storageProblemKind } from '../db/storage-errors';

export type { HttpOptions, RouteContext, RouteGuard };

export interface HttpServerDeps {
  /** Every read the routes make (src/http/services.ts builds it and the verifier over a database). */
  analytics: Analytics;
  /** Where uncached answers are computed (a read pool on SQLite: read-pool.ts); `analytics` when absent. */
  reads?: Analytics | null;
  tokens: TokenVerifier;
  clock: Clock;
  logger: Logger;
  options: HttpOptions;
  /** Sign in with Discord (src/http/sign-in/); null or absent = the dashboard takes API tokens only. */
  signIn?: SignInDeps | null;
  /** The bot's shards for /healthz (bot-bridge.ts); absent = /healthz shows `discord: null`. */
  gateway?: GatewayView | null;
}

export interface HttpServer {
  app: FastifyInstance;
  versions: DataVersions;
  /** The answer cache (its size in bytes is bounded by the options' cacheMaxBytes). */
  cache: ResponseCache;
  /** Starts listening; resolves to the base URL, e.g. http://127.0.0.1:3000. */
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

/** Query strings longer than this are refused (414) before any parsing. */
export const MAX_URL_LENGTH = 2048;
/** The API takes no bodies; anything larger than this is refused (413). */
export const BODY_LIMIT_BYTES = 16 * 1024;
/** The answer cache's bound when the options give none (HTTP_CACHE_MAX_MB's default). */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;

export async function createHttpServer({
  analytics,
  reads,
  tokens,
  clock,
  logger,
  options: given,
  signIn: signInDeps,
  gateway,
}: HttpServerDeps): Promise<HttpServer> {
  const options: Required<HttpOptions> = {
    maxStreamsPerToken: 10,
    heartbeatMs: 25_000,
    streamRecheckMs: 2_000,
    cacheMaxBytes: DEFAULT_CACHE_MAX_BYTES,
    querySecondsPerMinute: 20,
    maxQueuedQueries: 64,
    readWorkers: 0,
    queryTimeoutMs: 15_000,
    twitchEnrichment: false,
    ...given,
  };
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }),
    // Per-request log lines would dominate the cost of a cached answer; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // request.log is the server's logger itself, not a pino child per request (a child costs more than a cached
    // answer's own work); the few lines logged per request name the request id themselves.
    childLoggerFactory: (logger) => logger,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 200 },
    trustProxy: options.trustProxy,
    clientErrorHandler: answerClientError,
    forceCloseConnections: true,
    return503OnClosing: true,
  }) as unknown as FastifyInstance; // pino's Logger is fastify's logger; the cast only drops the generic parameter
  app.decorateRequest('access', null);

  const versions = createDataVersions({ analytics, now: () => clock.now(), checkIntervalMs: options.changeCheckMs });
  const shutdownListeners = new Set<() => void>();

  registerSecurityHeaders(app, { corsOrigins: options.corsOrigins });

  const ipLimit = createRateLimiter({ max: options.rateLimitPerIpPerMinute, windowMs: 60_000 });
  const tokenLimit = createRateLimiter({ max: options.rateLimitPerMinute, windowMs: 60_000 });
  /** Counts the request against limiter; sets X-RateLimit-* and returns the 429 to send when over the limit. */
  const limitError = (limiter: RateLimiter, key: string, scope: string, reply: FastifyReply): HttpError | null => {
    const result = limiter.hit(key, clock.now());
    reply.header('x-ratelimit-limit', result.limit);
    reply.header('x-ratelimit-remaining', result.remaining);
    reply.header('x-ratelimit-reset', result.resetSeconds);
    if (!result.exceeded) return null;
    return new HttpError(
      429,
      'rate_limited',
      `Too many requests from this ${scope}: at most ${result.limit} a minute. Retry in ${result.resetSeconds} s.`,
      { retry_after: result.resetSeconds },
      { 'retry-after': String(result.resetSeconds) },
    );
  };

  // Callback hooks throughout the request path: an async hook costs a promise and a microtask turn per request,
  // which on a cached answer is a large share of the whole.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.raw.url && request.raw.url.length > MAX_URL_LENGTH) {
      return done(
        new HttpError(414, 'uri_too_long', `The URL is longer than ${MAX_URL_LENGTH} characters; send fewer or shorter parameters.`),
      );
    }
    const bodyError = bodyOnReadRequest(request.method, request.headers);
    if (bodyError) return done(bodyError);
    // Per IP first, for every request (it also bounds token guessing); per token after authentication.
    done(limitError(ipLimit, request.ip, 'address', reply) ?? undefined);
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return reply.code(error.statusCode).type('application/json; charset=utf-8').send(error.toJSON());
    }
    if (error instanceof BotUnavailableError || error instanceof DiscordOAuthError) {
      // Sign-in's outside parties (the bot, Discord) could not answer: access is refused for now, not guessed.
      request.log.warn({ code: error.code, detail: error.detail, reqId: request.id }, 'sign-in check could not complete');
      const status = error instanceof BotUnavailableError ? 503 : error.code === 'invalid_grant' ? 401 : 502;
      return reply.code(status).send({ error: error.code, message: error.message });
    }
    if (error instanceof InvalidPeriodError) {
      // The analytics' own check of a period (e.g. a timezone it cannot resolve): its message is for the caller.
      return reply.code(400).send({ error: 'invalid_parameter', message: error.message, parameter: 'period', rule: error.message });
    }
    const storage = storageProblemKind(error);
    if (storage !== null) {
      // "Not now" from the database (a full PostgreSQL pool after DATABASE_ACQUIRE_TIMEOUT_MS, the statement timeout,
      // a lost connection, SQLite busy): the client may retry; the log names the problem and the database.
      request.log.warn({ err: error, kind: storage, url: request.url, reqId: request.id }, 'database could not answer');
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({
          error: 'database_unavailable',
          message:
            storage === 'busy'
              ? 'The database is busy (every connection in use, or the query ran past its time limit); retry in a few seconds.'
              : 'The database cannot be reached or written right now; retry in a few seconds.',
        });
    }
    const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 400 && status < 500) {
      // fastify's own client errors (body too large, bad content type…): their messages are written for clients.
      const message = error instanceof Error ? error.message : 'Bad request';
      return reply.code(status).send({ error: status === 413 ? 'payload_too_large' : 'bad_request', message });
    }
    request.log.error({ err: error, url: request.url, reqId: request.id }, 'request failed');
    return reply
      .code(500)
      .send({ error: 'internal_error', message: 'Something went wrong on the server; it has been logged. Try again shortly.' });
  });
  app.setNotFoundHandler(async (_request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: 'No such page or endpoint. The API lives under /analytics/api/ (see the README).' }),
  );

  const signIn = signInDeps ? createSignIn(signInDeps, { clock, logger }) : null;
  const authenticate = createAuthenticate(tokens, clock, signIn);
  const guard: RouteGuard = (request, reply, done) => {
    authenticate(request, reply).then((failure) => {
      if (failure) return done(failure);
      const key = request.access?.key ?? 'none';
      done(limitError(tokenLimit, key, key.startsWith('session:') ? 'session' : 'token', reply) ?? undefined);
    }, done);
  };
  const cache = createResponseCache({ maxBytes: options.cacheMaxBytes, ttlMs: options.cacheSeconds * 1000, now: () => clock.now() });
  const context: RouteContext = {
    analytics,
    reads: reads ?? analytics,
    clock,
    logger,
    versions,
    cache,
    queries: createQueryBudget({ msPerMinute: options.querySecondsPerMinute * 1000, maxQueued: options.maxQueuedQueries }),
    guard,
    recheckAccess: createAccessRecheck(tokens, clock, signIn),
    options,
    onShutdown: (listener) => shutdownListeners.add(listener),
    gateway: gateway ?? null,
  };
  registerRoutes(app, context);
  registerDashboard(app);
  app.register(signIn ? signIn.plugin : signInDisabledPlugin);

  app.addHook('preClose', async () => {
    for (const listener of shutdownListeners) listener();
    versions.close();
    cache.close();
  });

  return {
    app,
    versions,
    cache,
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
