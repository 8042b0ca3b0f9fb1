// GET /analytics/api/events: Server-Sent Events for the token's guild: "version" on connect and "change" each time
// the guild's data version moves, so the dashboard refetches only when numbers changed.
import type { FastifyInstance } from 'fastify';
import { guildOf } from '../auth';
import { HttpError } from '../errors';
import { emptyQuery, parseQuery } from '../query-params';
import type { RouteContext } from '../route-context';

/** Browsers' EventSource cannot send headers, so the dashboard reads this stream with fetch and its Bearer token. */
export function registerEventsRoute(app: FastifyInstance, ctx: RouteContext): void {
  const openPerToken = new Map<string, number>();
  const closers = new Set<() => void>();
  ctx.onShutdown(() => {
    for (const close of [...closers]) close();
  });

  app.get('/analytics/api/events', { preHandler: ctx.guard }, async (request, reply) => {
    parseQuery(emptyQuery, request.query);
    const guildId = guildOf(request);
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

    reply.header('vary', 'Authorization, Cookie');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = String(value);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write('retry: 5000\n\n');
    send('version', { version });

    const unwatch = ctx.versions.watch(guildId, (version) => send('change', { version }));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), ctx.options.heartbeatMs);
    heartbeat.unref();
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      unwatch();
      clearInterval(heartbeat);
      closers.delete(close);
      const left = (openPerToken.get(tokenId) ?? 1) - 1;
      if (left <= 0) openPerToken.delete(tokenId);
      else openPerToken.set(tokenId, left);
      if (!res.writableEnded) res.end();
    };
    closers.add(close);
    request.raw.on('close', close);
    res.on('close', close);
    res.on('error', close);
  });
}
