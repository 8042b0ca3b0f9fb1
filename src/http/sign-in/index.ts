// Sign in with Discord, as a fastify plugin: GET /auth/discord (to Discord's authorize page, with a state bound to
// this browser and PKCE), GET /auth/discord/callback (checks the state, exchanges the code, reads the person and
// their servers, starts a session), POST /auth/logout, GET /auth/session (who is signed in, their servers and the
// CSRF token), POST /auth/refresh (reads the server list from Discord again) and the managers' settings
// (settings.ts, /dashboard/api/settings; settings-moods.ts, /dashboard/api/settings/moods). The API guard (src/http/server.ts)
// opens sessions through `authenticate` and checks `?guild=` through `access`.
import { discordCdnUrl } from '../discord-cdn';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { createDiscordOAuth, DiscordOAuthError, type DiscordOAuth, type DiscordTokens } from '../../auth/discord-oauth';
import { BotUnavailableError, managesGuild, type BotView } from '../../auth/guild-access';
import type { Session, SessionGuild, SessionService } from '../../auth/sessions';
import type { Clock } from '../../clock';
import type { SignInSettings } from '../../config';
import type { Logger } from '../../logger';
import { HttpError } from '../errors';
import { createGuildAccessChecker, type GuildAccessChecker } from './access';
import { clearCookie, cookieNames, readCookie, setCookie, type CookieNames } from './cookies';
import { csrfFailure } from './csrf';
import { signInErrorPage } from './pages';
import type { FeedAdmin } from '../../feed/admin';
import { registerSettingsRoutes } from './settings';
import { registerMoodSettingsRoutes } from './settings-moods';
import type { MoodAdmin } from '../../analytics/mood-overrides';
import { finishTwitchLink, registerTwitchLinkRoutes, revokeQuietly } from './twitch-link';
import type { TwitchLinks } from '../../auth/twitch-links';
import type { GuildSettingsStore } from '../../db/guild-settings';
import type { DigestStore } from '../../db/stores/digests';

export const CALLBACK_PATH = '/auth/discord/callback';
/** The scopes of a sign-in: who the person is and which servers they are in. */
export const SIGN_IN_SCOPES = ['identify', 'guilds'];
/** Discord's list of the person's servers is read again when older than this (on GET /auth/session). */
const GUILD_LIST_MAX_AGE_MS = 60 * 60_000;
/** A Discord access token this close to its expiry is refreshed before use. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;

/** What the HTTP server needs for sign-in; built by src/http/services.ts (sessions) and the worker (the bot bridge). */
export interface SignInDeps {
  settings: SignInSettings;
  sessions: SessionService;
  bot: BotView;
  /** The settings store the slash commands use too (settings from the browser), and the digest's record. */
  guildSettings: GuildSettingsStore;
  digests: DigestStore;
  /** Members' verified Twitch links (linked from the dashboard). */
  twitchLinks: TwitchLinks;
  /** The server's emoji → mood overrides (the service /clipscope-admin moods uses). */
  moods: MoodAdmin;
  /** Discord's OAuth2; the real client over settings.apiBaseUrl unless a test gives another. */
  oauth?: DiscordOAuth;
  /** Clip feeds from the dashboard's settings; null or absent when Twitch is not configured. */
  feeds?: FeedAdmin | null;
}

export interface SignIn {
  plugin: FastifyPluginCallback;
  cookies: CookieNames;
  sessions: SessionService;
  access: GuildAccessChecker;
  /**
   * The session of the request's cookie: null when it carries none, a 401 when it carries one that is no longer valid
   * (the reply is told to drop the cookie).
   */
  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Session | null | HttpError>;
  /** The 403 for a state-changing request without a valid CSRF token or from another site; null when it passes. */
  csrfFailure(request: FastifyRequest, session: Session): HttpError | null;
}

export const sessionEnded = (): HttpError =>
  new HttpError(401, 'session_ended', 'Your dashboard session has ended (signed out, expired or idle). Sign in again.');

/** Only the dashboard's own page, optionally with a server picked, is a place to return to: no open redirect. */
export function safeReturnPath(next: unknown): string {
  return typeof next === 'string' && /^\/(\?guild=\d{17,20})?$/.test(next) ? next : '/';
}

export function createSignIn(deps: SignInDeps, shared: { clock: Clock; logger: Logger }): SignIn {
  const { settings, sessions, bot } = deps;
  const logger = shared.logger.child({ component: 'sign-in' });
  const clock = shared.clock;
  const redirectUri = `${settings.publicUrl}${CALLBACK_PATH}`;
  const publicOrigin = new URL(settings.publicUrl).origin;
  const oauth =
    deps.oauth ??
    createDiscordOAuth({ clientId: settings.clientId, clientSecret: settings.clientSecret, redirectUri, apiBaseUrl: settings.apiBaseUrl });
  const cookies = cookieNames(settings.publicUrl);
  const access = createGuildAccessChecker({ sessions, bot, recheckMs: settings.recheckMs });

  const authenticate: SignIn['authenticate'] = async (request, reply) => {
    const presented = readCookie(request, cookies.session);
    if (presented === undefined || presented === '') return null;
    const session = await sessions.open(presented, clock.now());
    if (session) return session;
    clearCookie(reply, cookies.session, cookies.secure);
    return sessionEnded();
  };

  /** The person's servers as Discord lists them now, narrowed to those they may open (through the bot). */
  const grantedGuilds = async (userId: string, accessToken: string, now: number): Promise<SessionGuild[]> => {
    const listed = await oauth.guilds(accessToken);
    const granted = await bot.signInAccess(
      userId,
      listed.map((g) => ({ id: g.id, manages: managesGuild(g) })),
    );
    const byId = new Map(listed.map((g) => [g.id, g]));
    // Only ids Discord listed: whatever the bot answers, a session never gets a server Discord did not name.
    return granted
      .filter((g) => byId.has(g.id))
      .map((g) => ({
        id: g.id,
        name: byId.get(g.id)?.name ?? g.name,
        icon: byId.get(g.id)?.icon ?? g.icon,
        access: g.access,
        checkedAt: now,
      }));
  };

  /** The session's Discord tokens, refreshed first when they are about to expire; null when Discord no longer takes them. */
  const usableTokens = async (session: Session, now: number, force = false): Promise<DiscordTokens | null> => {
    const tokens = sessions.discordTokens(session);
    if (!tokens) return null;
    if (!force && tokens.expiresAt - TOKEN_REFRESH_MARGIN_MS > now) return tokens;
    try {
      const refreshed = await oauth.refresh(tokens.refreshToken, now);
      await sessions.storeDiscordTokens(session, refreshed);
      logger.debug({ userId: session.user.id }, 'Discord token refreshed');
      return refreshed;
    } catch (error) {
      if (error instanceof DiscordOAuthError && error.code === 'invalid_grant') return null;
      throw error;
    }
  };

  /** Reads the server list from Discord again; ends the session (401) when Discord no longer accepts its grant. */
  const refreshGuilds = async (session: Session, reply: FastifyReply, now: number): Promise<void> => {
    let guilds: SessionGuild[] | null = null;
    // Discord may refuse an access token before its stated expiry (revoked, rotated): refresh once, then give up.
    for (const force of [false, true]) {
      const tokens = await usableTokens(session, now, force);
      if (!tokens) break;
      try {
        guilds = await grantedGuilds(session.user.id, tokens.accessToken, now);
        break;
      } catch (error) {
        if (!(error instanceof DiscordOAuthError && error.code === 'invalid_grant')) throw error;
      }
    }
    if (guilds === null) {
      await sessions.end(session);
      clearCookie(reply, cookies.session, cookies.secure);
      throw sessionEnded();
    }
    if (!(await sessions.replaceGuilds(session, guilds, now))) throw sessionEnded();
  };

  const sessionView = (session: Session) => ({
    signIn: { enabled: true },
    user: { id: session.user.id, name: session.user.name, avatarUrl: discordCdnUrl('avatars', session.user.id, session.user.avatar) },
    csrfToken: sessions.csrfToken(session),
    expiresAt: new Date(Math.min(session.expiresAt, session.lastSeenAt + sessions.idleMs)).toISOString(),
    guilds: [...session.guilds.values()]
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .map((g) => ({ id: g.id, name: g.name, iconUrl: discordCdnUrl('icons', g.id, g.icon), access: g.access })),
  });

  const noStore = (reply: FastifyReply): void => {
    reply.header('cache-control', 'no-store');
    reply.header('vary', 'Cookie');
  };

  const plugin: FastifyPluginCallback = (app, _options, done) => {
    app.get('/auth/discord', async (request, reply) => {
      const now = clock.now();
      const returnTo = safeReturnPath((request.query as Record<string, unknown> | undefined)?.next);
      const started = await sessions.beginSignIn({ purpose: 'sign-in', sessionHash: null, returnTo }, now);
      setCookie(reply, cookies.signIn, started.browserNonce, 10 * 60_000, cookies.secure);
      noStore(reply);
      return reply.redirect(oauth.authorizeUrl({ scopes: SIGN_IN_SCOPES, state: started.state, codeVerifier: started.codeVerifier }), 302);
    });

    app.get(CALLBACK_PATH, async (request, reply) => {
      const now = clock.now();
      const query = (request.query ?? {}) as Record<string, unknown>;
      const text = (key: string): string | undefined => (typeof query[key] === 'string' ? (query[key] as string) : undefined);
      const nonce = readCookie(request, cookies.signIn);
      clearCookie(reply, cookies.signIn, cookies.secure);
      noStore(reply);
      const state = text('state');
      if (state === undefined)
        return signInErrorPage(reply, 400, 'This sign-in link is incomplete (it has no state). Start again from the dashboard.');
      const signIn = await sessions.finishSignIn(state, nonce, now);
      if (!signIn) {
        logger.info({ reqId: request.id }, 'sign-in refused: unknown, used, expired or foreign state');
        return signInErrorPage(
          reply,
          400,
          'This sign-in link has expired, was already used, or was started in another browser. Start again from the dashboard.',
        );
      }
      if (text('error') !== undefined) {
        return signInErrorPage(reply, 403, 'The sign-in was cancelled on Discord. Nothing was shared with Clipscope.');
      }
      const code = text('code');
      if (code === undefined || code.length > 200)
        return signInErrorPage(reply, 400, 'Discord sent no sign-in code. Start again from the dashboard.');
      let linking: Session | null = null;
      if (signIn.purpose === 'link-twitch') {
        // A link continues the session that started it, in this browser.
        const current = await authenticate(request, reply);
        if (current === null || current instanceof HttpError || current.idHash !== signIn.sessionHash) {
          return signInErrorPage(reply, 400, 'This link was started in another session. Sign in and link again.', 'Twitch link failed');
        }
        linking = current;
      }
      try {
        const tokens = await oauth.exchangeCode(code, signIn.codeVerifier, now);
        if (linking)
          return await finishTwitchLink(
            { twitchLinks: deps.twitchLinks, oauth, bot, sessions },
            reply,
            linking,
            tokens,
            signIn.returnTo,
            now,
          );
        const user = await oauth.user(tokens.accessToken);
        const guilds = await grantedGuilds(user.id, tokens.accessToken, now);
        // Signing in again in the same browser replaces its session: the older one ends, and its grant with it.
        const previous = await authenticate(request, reply);
        if (previous !== null && !(previous instanceof HttpError)) {
          const older = sessions.discordTokens(previous);
          await sessions.end(previous);
          if (older) await revokeQuietly(oauth, older);
        }
        const session = await sessions.start({ user, tokens, guilds }, now);
        setCookie(reply, cookies.session, session.id, sessions.maxMs, cookies.secure);
        logger.info({ userId: user.id, guilds: guilds.length }, 'signed in with Discord');
        return reply.redirect(signIn.returnTo, 303);
      } catch (error) {
        if (error instanceof DiscordOAuthError || error instanceof BotUnavailableError) {
          logger.warn({ code: error.code, detail: error.detail, reqId: request.id }, 'sign-in failed');
          const status = error instanceof DiscordOAuthError && error.code === 'invalid_grant' ? 400 : 502;
          return signInErrorPage(reply, status, error.message);
        }
        throw error;
      }
    });

    app.get('/auth/session', async (request, reply) => {
      noStore(reply);
      const found = await authenticate(request, reply);
      if (found instanceof HttpError || found === null) return reply.send({ signIn: { enabled: true }, user: null });
      const now = clock.now();
      if (now - found.guildsReadAt >= GUILD_LIST_MAX_AGE_MS) {
        try {
          await refreshGuilds(found, reply, now);
        } catch (error) {
          // Discord or the bot not answering keeps the list the session has (each server is still re-checked through
          // the bot before use); only a grant Discord no longer accepts ends the session.
          if (error instanceof HttpError) return reply.send({ signIn: { enabled: true }, user: null });
          if (!(error instanceof DiscordOAuthError || error instanceof BotUnavailableError)) throw error;
          logger.warn({ code: error.code, userId: found.user.id }, 'could not read the server list again; keeping the one the session has');
        }
      }
      return reply.send(sessionView(found));
    });

    app.post('/auth/refresh', async (request, reply) => {
      noStore(reply);
      const found = await authenticate(request, reply);
      if (found === null) throw sessionEnded();
      if (found instanceof HttpError) throw found;
      const refused = csrfFailure(request, found, sessions, publicOrigin);
      if (refused) throw refused;
      await refreshGuilds(found, reply, clock.now());
      return reply.send(sessionView(found));
    });

    app.post('/auth/logout', async (request, reply) => {
      noStore(reply);
      const found = await authenticate(request, reply);
      if (found === null || found instanceof HttpError) {
        clearCookie(reply, cookies.session, cookies.secure);
        return reply.code(204).send();
      }
      const refused = csrfFailure(request, found, sessions, publicOrigin);
      if (refused) throw refused;
      const tokens = sessions.discordTokens(found);
      await sessions.end(found);
      clearCookie(reply, cookies.session, cookies.secure);
      if (tokens) {
        // The grant ends at Discord too; a failure there must not keep the person signed in here.
        await revokeQuietly(oauth, tokens, (hint, error) =>
          logger.warn(
            { code: error instanceof DiscordOAuthError ? error.code : 'unknown', hint },
            'could not revoke a Discord token on sign-out',
          ),
        );
      }
      logger.info({ userId: found.user.id }, 'signed out');
      return reply.code(204).send();
    });

    registerTwitchLinkRoutes(app, {
      twitchLinks: deps.twitchLinks,
      oauth,
      bot,
      sessions,
      cookies,
      clock,
      safeReturnPath,
      authenticate,
      csrfFailure: (request, session) => csrfFailure(request, session, sessions, publicOrigin),
    });

    registerSettingsRoutes(app, {
      guildSettings: deps.guildSettings,
      digests: deps.digests,
      feeds: deps.feeds ?? null,
      bot,
      sessions,
      access,
      clock,
      authenticate,
      csrfFailure: (request, session) => csrfFailure(request, session, sessions, publicOrigin),
    });

    registerMoodSettingsRoutes(app, {
      moods: deps.moods,
      access,
      clock,
      authenticate,
      csrfFailure: (request, session) => csrfFailure(request, session, sessions, publicOrigin),
    });

    done();
  };

  return {
    plugin,
    cookies,
    sessions,
    access,
    authenticate,
    csrfFailure: (request, session) => csrfFailure(request, session, sessions, publicOrigin),
  };
}

/** GET /auth/session when sign-in is off: the dashboard hides the button. */
export const signInDisabledPlugin: FastifyPluginCallback = (app, _options, done) => {
  app.get('/auth/session', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return reply.send({ signIn: { enabled: false }, user: null });
  });
  done();
};
