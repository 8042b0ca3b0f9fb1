// Security headers for every response (what @fastify/helmet would set, written out so each one is deliberate),
// and CORS, which stays off unless HTTP_CORS_ORIGINS lists the origins allowed to call the API from a browser.
import type { FastifyInstance } from 'fastify';

/** Twitch thumbnails come from its CDNs over https; everything else is served by this server itself. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
  'origin-agent-cluster': '?1',
};

/**
 * The headers of API answers (JSON, CSV, the event stream) under /analytics/api/: the set OWASP's REST cheat sheet
 * gives for APIs. The document-only ones above (permissions, opener, DNS prefetch, Flash policy, agent cluster)
 * do nothing for a response no browser renders as a page, and each header costs every answer its validation and
 * bytes: the cached API answer is only a few times dearer than writing its headers.
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

const API_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': API_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

const API_PREFIX = '/analytics/api/';

/**
 * Whether a request is for the API, as the router sees it: by the matched route, or, for an unknown path, by the
 * decoded path of the target, so `/analytics/%61pi/…` and an absolute-form `http://host/analytics/api/…` get the
 * API's headers like the plain form does.
 */
export function isApiRequest(request: { url: string; routeOptions: { url?: string } }): boolean {
  const route = request.routeOptions.url;
  if (route !== undefined) return route.startsWith(API_PREFIX);
  let target = request.url;
  if (!target.startsWith('/')) {
    // Absolute form (RFC 9112 3.2.2): scheme://authority/path…
    const pathStart = target.indexOf('/', target.indexOf('//') + 2);
    target = pathStart === -1 ? '/' : target.slice(pathStart);
  }
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  try {
    return decodeURIComponent(path).startsWith(API_PREFIX);
  } catch {
    return path.startsWith(API_PREFIX);
  }
}

/** The headers an answer outside fastify's routing carries (the client-error handler's raw answers). */
export const RAW_API_HEADERS: Readonly<Record<string, string>> = API_SECURITY_HEADERS;

export function registerSecurityHeaders(app: FastifyInstance, options: { corsOrigins: readonly string[]; https?: boolean }): void {
  const allowed = new Set(options.corsOrigins);
  // One frozen set of headers, copied into each reply in one call: this hook runs on every request.
  const hsts: Record<string, string> = options.https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {};
  const pageHeaders: Record<string, string> = { ...SECURITY_HEADERS, ...hsts };
  const apiHeaders: Record<string, string> = { ...API_SECURITY_HEADERS, ...hsts };
  // A callback hook, not an async one: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    // Set before the handler runs so that every answer, errors and 304s included, carries them.
    // The plain form is the common case and needs no decoding.
    reply.headers(request.url.startsWith(API_PREFIX) || isApiRequest(request) ? apiHeaders : pageHeaders);
    const origin = request.headers.origin;
    if (allowed.size === 0 || typeof origin !== 'string') return done();
    reply.header('vary', 'Origin');
    if (!allowed.has(origin)) return done();
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', 'ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset');
    if (request.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'GET, OPTIONS');
      reply.header('access-control-allow-headers', 'Authorization, If-None-Match');
      reply.header('access-control-max-age', '600');
      reply.code(204).send();
      return;
    }
    done();
  });
}
