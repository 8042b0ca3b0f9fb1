// Who is asking: the Bearer token of each API request, verified against api_tokens, decides the one guild the
// request may read. No parameter, header or cookie can name another guild.
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../clock';
import { HttpError } from './errors';
import type { TokenAccess, TokenVerifier } from '../auth/tokens';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authenticate(): the guild this request is scoped to. */
    access: TokenAccess | null;
  }
}

const CHALLENGE = 'Bearer realm="clipscope"';
const HOW_TO = 'Send your API token as "Authorization: Bearer <token>"; create one with: npx clipscope token create --guild <guild id>';

/** Reads "Authorization: Bearer <token>"; null when the header is absent or not a Bearer credential. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Authenticates a request: sets request.access, or resolves with the 401 to send. */
export function createAuthenticate(verifier: TokenVerifier, clock: Clock) {
  return async function authenticate(request: FastifyRequest): Promise<HttpError | null> {
    const presented = bearerToken(request.headers.authorization);
    if (presented === null) {
      return new HttpError(401, 'unauthorized', `An API token is required. ${HOW_TO}`, {}, { 'www-authenticate': CHALLENGE });
    }
    const access = await verifier.verify(presented, clock.now());
    if (!access) {
      return new HttpError(
        401,
        'invalid_token',
        'This API token is not valid: it may have been revoked or mistyped. Ask a server admin for a new one.',
        {},
        { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` },
      );
    }
    request.access = access;
    return null;
  };
}

/** The guild of an authenticated request (the route's preHandler guarantees it). */
export function guildOf(request: FastifyRequest): string {
  if (!request.access) throw new Error('guildOf called on a request that was not authenticated');
  return request.access.guildId;
}
