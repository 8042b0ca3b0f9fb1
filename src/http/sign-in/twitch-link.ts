// Linking a member's verified Twitch account from the dashboard: GET /auth/discord/link-twitch asks Discord again with
// the `connections` scope (a state bound to this browser and this session), the callback (index.ts) reads the
// connections and stores the link where Discord marks it verified; GET and DELETE /dashboard/api/twitch-link show and
// remove it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DiscordOAuth, DiscordTokens } from '../../auth/discord-oauth';
import type { BotView } from '../../auth/guild-access';
import type { Session, SessionService } from '../../auth/sessions';
import type { TwitchLinks } from '../../auth/twitch-links';
import type { Clock } from '../../clock';
import { HttpError } from '../errors';
import type { CookieNames } from './cookies';
import { setCookie } from './cookies';
import { signInErrorPage } from './pages';

export const LINK_PATH = '/auth/discord/link-twitch';
export const LINK_API_PATH = '/dashboard/api/twitch-link';
/** Linking asks for the person's connections on top of the sign-in's scopes. */
export const LINK_SCOPES = ['identify', 'guilds', 'connections'];

export interface TwitchLinkDeps {
  twitchLinks: TwitchLinks;
  oauth: DiscordOAuth;
  bot: BotView;
  sessions: SessionService;
  cookies: CookieNames;
  clock: Clock;
  safeReturnPath(next: unknown): string;
  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Session | null | HttpError>;
  csrfFailure(request: FastifyRequest, session: Session): HttpError | null;
}

/** The callback's half of a link: the Discord grant came back for `session`. Sends the answer. */
export async function finishTwitchLink(
  deps: Pick<TwitchLinkDeps, 'twitchLinks' | 'oauth' | 'bot' | 'sessions'>,
  reply: FastifyReply,
  session: Session,
  tokens: DiscordTokens,
  returnTo: string,
  now: number,
): Promise<FastifyReply> {
  const user = await deps.oauth.user(tokens.accessToken);
  if (user.id !== session.user.id) {
    return signInErrorPage(
      reply,
      403,
      `You approved on Discord as another account (${user.name}) than the one signed in here. Switch accounts on Discord and link again.`,
      'Twitch link failed',
    );
  }
  const [connections, listed] = await Promise.all([deps.oauth.connections(tokens.accessToken), deps.oauth.guilds(tokens.accessToken)]);
  const guildIds = await deps.bot.presentIn(listed.map((g) => g.id));
  // The newer grant (with the connections scope) replaces the session's, and the older one is revoked: one live grant
  // per session, the one sign-out revokes.
  const older = deps.sessions.discordTokens(session);
  await deps.sessions.storeDiscordTokens(session, tokens);
  if (older) await revokeQuietly(deps.oauth, older);
  if (guildIds.length === 0) {
    return signInErrorPage(
      reply,
      409,
      'None of your servers has Clipscope, so there is nowhere to link your Twitch account yet.',
      'Twitch link failed',
    );
  }
  const linked = await deps.twitchLinks.linkFromConnections({ user: { id: user.id, name: user.name }, connections, guildIds }, now);
  if (!linked) {
    return signInErrorPage(
      reply,
      409,
      'Discord lists no verified Twitch account for you. Connect Twitch in Discord (User Settings → Connections), then link again.',
      'Twitch link failed',
    );
  }
  return reply.redirect(returnTo, 303);
}

/** Revokes both tokens of a grant; Discord's refusal changes nothing here (the grant expires on its own). */
export async function revokeQuietly(
  oauth: DiscordOAuth,
  tokens: DiscordTokens,
  onFailure?: (hint: string, error: unknown) => void,
): Promise<void> {
  for (const [token, hint] of [
    [tokens.refreshToken, 'refresh_token'],
    [tokens.accessToken, 'access_token'],
  ] as const) {
    try {
      await oauth.revoke(token, hint);
    } catch (error) {
      onFailure?.(hint, error);
    }
  }
}

export function registerTwitchLinkRoutes(app: FastifyInstance, deps: TwitchLinkDeps): void {
  const signedIn = async (request: FastifyRequest, reply: FastifyReply): Promise<Session> => {
    reply.header('cache-control', 'no-store');
    reply.header('vary', 'Cookie');
    const session = await deps.authenticate(request, reply);
    if (session instanceof HttpError) throw session;
    if (session === null) throw new HttpError(401, 'unauthorized', 'Sign in with Discord first, then link your Twitch account.');
    return session;
  };

  app.get(LINK_PATH, async (request, reply) => {
    const session = await deps.authenticate(request, reply);
    reply.header('cache-control', 'no-store');
    if (session === null || session instanceof HttpError) {
      return signInErrorPage(reply, 401, 'Sign in with Discord first, then link your Twitch account.', 'Twitch link failed');
    }
    const returnTo = deps.safeReturnPath((request.query as Record<string, unknown> | undefined)?.next);
    const started = await deps.sessions.beginSignIn({ purpose: 'link-twitch', sessionHash: session.idHash, returnTo }, deps.clock.now());
    setCookie(reply, deps.cookies.signIn, started.browserNonce, 10 * 60_000, deps.cookies.secure);
    return reply.redirect(deps.oauth.authorizeUrl({ scopes: LINK_SCOPES, state: started.state, codeVerifier: started.codeVerifier }), 302);
  });

  app.get(LINK_API_PATH, async (request, reply) => {
    const session = await signedIn(request, reply);
    const links = await deps.twitchLinks.linksOf(session.user.id);
    const first = links[0];
    return reply.send({
      twitch: first ? { id: first.twitchUserId, name: first.twitchName, linkedAt: new Date(first.linkedAt).toISOString() } : null,
      guilds: links.map((l) => l.guildId),
    });
  });

  app.delete(LINK_API_PATH, async (request, reply) => {
    const session = await signedIn(request, reply);
    const refused = deps.csrfFailure(request, session);
    if (refused) throw refused;
    const removed = await deps.twitchLinks.unlinkEverywhere(session.user.id);
    return reply.send({ twitch: null, guilds: [], removed });
  });
}
