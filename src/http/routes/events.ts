// GET /analytics/api/events: Server-Sent Events for the token's guild: "version" on connect and "change" each time
// the guild's data version moves, so the dashboard refetches only when numbers changed. An open stream checks its
// credential again every few seconds and ends with a "closed" event once the token is revoked or the session has
// ended or lost the guild: a stream must not outlive the access that opened it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { guildOf } from '../auth';
import { HttpError } from '../errors';
import { emptyQuery, parseQuery } from '../query-params';
import type { RouteContext } from '../route-context';

interface OpenStream {
  request: FastifyRequest;
  /** Ends the stream, first telling the client why when a reason is given. */
  close(reason?: HttpError): void;
}

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
};

/** Browsers' EventSource cannot send headers, so the dashboard reads this stream with fetch and its Bearer token. */
export function registerEventsRoute(app: FastifyInstance, ctx: RouteContext): void {
  const openPerToken = new Map<string, number>();
  const streams = new Set<OpenStream>();
  ctx.onShutdown(() => {
    for (const stream of [...streams]) stream.close();
  });

  // One timer for every open stream, running only while some are open; a check never overlaps the previous one.
  let recheckTimer: NodeJS.Timeout | null = null;
  let checking = false;
  const recheckAll = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      // Streams of one credential and guild share one check: a dashboard has one stream per tab.
      const verdicts = new Map<string, Promise<HttpError | null>>();
      for (const stream of [...streams]) {
        const access = stream.request.access;
        const key = `${access?.key}\n${access?.guildId}`;
        let verdict = verdicts.get(key);
        if (!verdict) {
          // A check that cannot complete (the bot or the database cannot answer) ends the stream too: access is
          // confirmed or refused, never assumed; the client reconnects and gets the current answer.
          verdict = ctx.recheckAccess(stream.request).catch((error: unknown) => {
            ctx.logger.warn({ err: error, reqId: stream.request.id }, 'live-update stream: access re-check failed; closing it');
            return new HttpError(503, 'access_unconfirmed', 'Your access could not be confirmed right now; reconnect shortly.');
          });
          verdicts.set(key, verdict);
        }
        const failure = await verdict;
        if (failure) stream.close(failure);
      }
    } finally {
      checking = false;
    }
  };
  const watchStreams = (): void => {
    if (recheckTimer || streams.size === 0) return;
    recheckTimer = setInterval(() => void recheckAll(), ctx.options.streamRecheckMs);
    recheckTimer.unref();
  };
  const forget = (stream: OpenStream): void => {
    streams.delete(stream);
    if (streams.size === 0 && recheckTimer) {
      clearInterval(recheckTimer);
      recheckTimer = null;
    }
  };

  app.get('/analytics/api/events', { preHandler: ctx.guard }, async (request, reply) => {
    parseQuery(emptyQuery, request.query);
    const guildId = guildOf(request);
    reply.header('vary', 'Authorization, Cookie');
    // HEAD asks what a stream would answer, not for a stream: headers only, at once, and no stream slot.
    if (request.method === 'HEAD') return reply.code(200).headers(STREAM_HEADERS).send();
    const tokenId = request.access?.key ?? 'none';
    // Read before counting the stream: from the check to the count nothing may wait, or two requests could pass it.
    const version = await ctx.versions.current(guildId);
    const open = openPerToken.get(tokenId) ?? 0;
    if (open >= ctx.options.maxStreamsPerToken) {
      throw new HttpError(
        429,
        'too_many_streams',
        `This ${tokenId.startsWith('session:') ? 'session' : 'token'} already has ${open} live-update streams open; close a dashboard tab or wait for one to end.`,
        {},
        { 'retry-after': '30' },
      );
    }
    openPerToken.set(tokenId, open + 1);

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = String(value);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...headers, ...STREAM_HEADERS, connection: 'keep-alive' });
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write('retry: 5000\n\n');
    send('version', { version });

    const unwatch = ctx.versions.watch(guildId, (version) => send('change', { version }));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), ctx.options.heartbeatMs);
    heartbeat.unref();
    let closed = false;
    const stream: OpenStream = {
      request,
      close(reason) {
        if (closed) return;
        closed = true;
        unwatch();
        clearInterval(heartbeat);
        forget(stream);
        const left = (openPerToken.get(tokenId) ?? 1) - 1;
        if (left <= 0) openPerToken.delete(tokenId);
        else openPerToken.set(tokenId, left);
        if (res.writableEnded) return;
        // The error a new request would get, so the client knows not to reconnect with the same credential.
        if (reason) send('closed', { status: reason.statusCode, ...reason.toJSON() });
        res.end();
      },
    };
    streams.add(stream);
    watchStreams();
    const closeQuietly = (): void => stream.close();
    request.raw.on('close', closeQuietly);
    res.on('close', closeQuietly);
    res.on('error', closeQuietly);
  });
}
