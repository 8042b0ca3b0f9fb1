// Who is asking, and for which guild. An API request carries either a Bearer token, verified against api_tokens, whose
// one guild it may read (a `?guild=` naming another is refused), or a dashboard session cookie (Sign in with
// Discord), which names the guild with `?guild=<id>` and may read only a guild the session got from Discord and the
// bot still confirms. No other parameter, header or cookie can widen what a request reads.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GuildAccessLevel } from '../auth/guild-access';
import type { Clock } from '../clock';
import { HttpError } from './errors';
import type { TokenAccess, TokenVerifier } from '../auth/tokens';
import { sessionEnded, type SignIn } from './sign-in';
import { readCookie } from './sign-in/cookies';

/** What an authenticated API request may read. */
export interface RequestAccess {
  guildId: string;
  /** Rate limits and live-stream counts go by this: `token:<id>` or `session:<hash prefix>`. */
  key: string;
  /** The API token's id; null for a session. */
  tokenId: number | null;
  /** For a session: who is signed in and their access to this guild. */
  session: { userId: string; level: GuildAccessLevel } | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authenticate(): the guild this request is scoped to. */
    access: RequestAccess | null;
  }
}

/** The query parameter a session request names its guild with (tokens may repeat their own). */
export const GUILD_PARAMETER = 'guild';

const CHALLENGE = 'Bearer realm="clipscope"';

const invalidToken = (): HttpError =>
  new HttpError(
    401,
    'invalid_token',
    'This API token is not valid: it may have been revoked or mistyped. Ask a server admin for a new one.',
    {},
    { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` },
  );

const HOW_TO = 'Send your API token as "Authorization: Bearer <token>"; create one with: npx clipscope token create --guild <guild id>';

/** One answer for every guild a request may not read, whether it exists or not: nothing about it leaks. */
const notYourGuild = (): HttpError =>
  new HttpError(
    403,
    'guild_forbidden',
    'You cannot open this server’s dashboard. Pick one of your servers, or sign in with an account that manages it.',
  );

/** Reads "Authorization: Bearer <token>"; null when the header is absent or not a Bearer credential. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** The `?guild=` of a request: undefined when absent, a 400 when given more than once. */
function requestedGuild(request: FastifyRequest): string | undefined | HttpError {
  const value = (request.query as Record<string, unknown> | undefined)?.[GUILD_PARAMETER];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    return new HttpError(400, 'invalid_parameter', `${GUILD_PARAMETER}: expected given at most once`, {
      parameter: GUILD_PARAMETER,
      rule: 'given at most once',
    });
  }
  return value;
}

/** RequestAccess per verified token (the verifier remembers its TokenAccess objects): no allocation per request. */
const tokenAccesses = new WeakMap<TokenAccess, RequestAccess>();

function accessOfToken(token: TokenAccess): RequestAccess {
  let access = tokenAccesses.get(token);
  if (!access) {
    access = { guildId: token.guildId, key: `token:${token.tokenId}`, tokenId: token.tokenId, session: null };
    tokenAccesses.set(token, access);
  }
  return access;
}

/** Authenticates a request: sets request.access, or resolves with the 4xx to send. */
export function createAuthenticate(verifier: TokenVerifier, clock: Clock, signIn: SignIn | null = null) {
  const byToken = async (request: FastifyRequest, presented: string | null): Promise<HttpError | null> => {
    if (presented === null) {
      const how = signIn ? `Sign in with Discord on the dashboard, or send an API token. ${HOW_TO}` : `An API token is required. ${HOW_TO}`;
      return new HttpError(401, 'unauthorized', how, {}, { 'www-authenticate': CHALLENGE });
    }
    const token = await verifier.verify(presented, clock.now());
    if (!token) return invalidToken();
    // A token reads its own guild; naming it is allowed, naming any other is refused.
    const guild = requestedGuild(request);
    if (guild instanceof HttpError) return guild;
    if (guild !== undefined && guild !== token.guildId) return notYourGuild();
    request.access = accessOfToken(token);
    return null;
  };

  const bySession = async (request: FastifyRequest, reply: FastifyReply, signIn: SignIn): Promise<HttpError | null> => {
    const session = await signIn.authenticate(request, reply);
    if (session === null) return byToken(request, null);
    if (session instanceof HttpError) return session;
    const guild = requestedGuild(request);
    if (guild instanceof HttpError) return guild;
    if (guild === undefined) {
      return new HttpError(400, 'invalid_parameter', `${GUILD_PARAMETER}: expected the id of one of your servers (?guild=<id>)`, {
        parameter: GUILD_PARAMETER,
        rule: 'the id of one of your servers',
      });
    }
    const level = await signIn.access.check(session, guild, clock.now());
    if (level === null) return notYourGuild();
    request.access = {
      guildId: guild,
      key: `session:${session.idHash.slice(0, 24)}`,
      tokenId: null,
      session: { userId: session.user.id, level },
    };
    return null;
  };

  return function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<HttpError | null> {
    const header = request.headers.authorization;
    // An Authorization header means a token request, whatever cookies the client also sends.
    if (header !== undefined || signIn === null) return byToken(request, bearerToken(header));
    return bySession(request, reply, signIn);
  };
}

/**
 * Checks an authenticated request's credential again, for a request that outlives its authentication (a live-update
 * stream): the token must still be valid, or the session still open with access to the guild. Resolves with the
 * error a new request with the same credential would get, or null while it still holds.
 */
export type AccessRecheck = (request: FastifyRequest) => Promise<HttpError | null>;

export function createAccessRecheck(verifier: TokenVerifier, clock: Clock, signIn: SignIn | null = null): AccessRecheck {
  return async (request) => {
    const access = request.access;
    if (!access) return invalidToken();
    if (access.tokenId !== null) {
      const presented = bearerToken(request.headers.authorization);
      const token = presented === null ? null : await verifier.verify(presented, clock.now());
      return token && token.tokenId === access.tokenId && token.guildId === access.guildId ? null : invalidToken();
    }
    if (!signIn) return sessionEnded();
    const presented = readCookie(request, signIn.cookies.session);
    if (!presented) return sessionEnded();
    const now = clock.now();
    const session = await signIn.sessions.open(presented, now);
    if (!session) return sessionEnded();
    // The same check a request makes: the bot confirms again once the last confirmation is older than the interval.
    if ((await signIn.access.check(session, access.guildId, now)) !== null) return null;
    // A sign-out between the two reads takes the session's servers with it: say the session ended, not the server.
    return (await signIn.sessions.open(presented, now)) ? notYourGuild() : sessionEnded();
  };
}

/** The guild of an authenticated request (the route's preHandler guarantees it). */
export function guildOf(request: FastifyRequest): string {
  if (!request.access) throw new Error('guildOf called on a request that was not authenticated');
  return request.access.guildId;
}
