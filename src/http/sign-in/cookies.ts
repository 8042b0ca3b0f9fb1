// The two cookies of Sign in with Discord: the session (HttpOnly, SameSite=Lax, Secure and __Host- prefixed over
// https) and the short-lived sign-in nonce that binds an OAuth2 state to the browser that asked for it.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CookieNames {
  session: string;
  signIn: string;
  secure: boolean;
}

/** Cookie names and flags for a public URL: https gets Secure and the __Host- prefix (no Domain, Path=/). */
export function cookieNames(publicUrl: string): CookieNames {
  const secure = new URL(publicUrl).protocol === 'https:';
  return {
    session: secure ? '__Host-clipscope_session' : 'clipscope_session',
    signIn: secure ? '__Host-clipscope_signin' : 'clipscope_signin',
    secure,
  };
}

/** The value of one cookie of a request, or undefined; a name given twice is ignored (a planted duplicate). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || header.length === 0) return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    if (found !== undefined) return undefined;
    found = part.slice(eq + 1).trim();
  }
  return found;
}

function serialize(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  // __Host- cookies must be Secure, have Path=/ and no Domain; the sign-in nonce shares the prefix so it is Path=/ too.
  return [`${name}=${value}`, 'Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; ');
}

/** Adds a Set-Cookie header (keeping any set before it). */
export function setCookie(reply: FastifyReply, name: string, value: string, maxAgeMs: number, secure: boolean): void {
  appendSetCookie(reply, serialize(name, value, Math.max(0, Math.floor(maxAgeMs / 1000)), secure));
}

export function clearCookie(reply: FastifyReply, name: string, secure: boolean): void {
  appendSetCookie(reply, serialize(name, '', 0, secure));
}

function appendSetCookie(reply: FastifyReply, cookie: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, cookie]);
}
