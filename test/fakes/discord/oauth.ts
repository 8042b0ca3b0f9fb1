// Discord's OAuth2 on the fake Discord: the authorize page a browser opens, the token endpoint (authorization code
// with PKCE, refresh token), revocation, and what a user's Bearer token reads (/users/@me, its guilds with
// permissions, its connections). Everything on the same loopback server as the fake REST and gateway.
//
//   const oauth = installFakeOAuth(discord, { clientId, clientSecret, redirectUris: [`${publicUrl}/auth/discord/callback`] });
//   const alice = oauth.account(user({ username: 'alice' }), { guilds: [oauthGuild(guild, { owner: true })] });
//   oauth.signInAs(alice.user.id);             // who is signed in to "discord.com" in the browser
//   GET  {origin}/oauth2/authorize?…           // 302 to redirect_uri?code=…&state=… (or error=access_denied)
//   POST {apiBaseUrl}/oauth2/token             // form: grant_type, code, redirect_uri, code_verifier | refresh_token
import { createHash, randomBytes } from 'node:crypto';
import type { FakeDiscord, RouteRequest, RouteResponse } from './server';
import type { ApiUser, FakeGuild } from './payloads';

/** A guild as GET /users/@me/guilds lists it: partial, with the user's `owner` flag and `permissions` string. */
export interface OAuthGuild {
  id: string;
  name: string;
  icon: string | null;
  banner: string | null;
  owner: boolean;
  /** The user's permissions in the guild (without channel overwrites), a decimal string. */
  permissions: string;
  features: string[];
}

/** A connection as GET /users/@me/connections lists it. */
export interface OAuthConnection {
  type: string;
  id: string;
  name: string;
  verified: boolean;
  revoked?: boolean;
  visibility: 0 | 1;
  friend_sync: boolean;
  show_activity: boolean;
  two_way_link: boolean;
  [key: string]: unknown;
}

export interface OAuthAccount {
  user: ApiUser;
  guilds: OAuthGuild[];
  connections: OAuthConnection[];
}

export interface FakeOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** Redirect URIs registered for the application; the authorize and token requests must use one exactly. */
  redirectUris: string[];
  /** Lifetime of an access token (Discord: 604800 s, a week). */
  accessTokenSeconds?: number;
  /** Lifetime of an authorization code (Discord: 10 minutes). */
  codeSeconds?: number;
}

/** Permission bits as Discord defines them. */
export const PermissionBits = {
  administrator: 1n << 3n,
  manageGuild: 1n << 5n,
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
} as const;

/** The permissions string of a plain member, a manager (Manage Server), and an administrator. */
export const OAuthPermissions = {
  member: (PermissionBits.viewChannel | PermissionBits.sendMessages).toString(),
  manager: (PermissionBits.viewChannel | PermissionBits.sendMessages | PermissionBits.manageGuild).toString(),
  // Discord reports every bit set for administrators and owners; a large value checks BigInt parsing.
  administrator: ((1n << 51n) - 1n).toString(),
} as const;

/** A partial guild for /users/@me/guilds, from a fake guild (or any id and name). */
export function oauthGuild(guild: Pick<FakeGuild, 'id' | 'name'>, fields: Partial<OAuthGuild> = {}): OAuthGuild {
  return {
    icon: null,
    banner: null,
    owner: false,
    permissions: OAuthPermissions.member,
    features: [],
    ...fields,
    id: guild.id,
    name: guild.name,
  };
}

export function twitchConnection(fields: Partial<OAuthConnection> & { id: string; name: string }): OAuthConnection {
  return { type: 'twitch', verified: true, visibility: 1, friend_sync: false, show_activity: true, two_way_link: false, ...fields };
}

interface Code {
  userId: string;
  scopes: string[];
  redirectUri: string;
  challenge: string | null;
  expiresAt: number;
  used: boolean;
  /** Tokens issued for this code: a replayed code revokes them, as RFC 6749 §4.1.2 recommends. */
  grant: Grant | null;
}

interface Grant {
  userId: string;
  scopes: string[];
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
  revoked: boolean;
}

/** What an OAuth error answer looks like on Discord (RFC 6749 §5.2). */
const oauthError = (status: number, error: string, description: string): RouteResponse => ({
  status,
  body: { error, error_description: description },
});

const unauthorized: RouteResponse = { status: 401, body: { message: '401: Unauthorized', code: 0 } };
const missingAccess: RouteResponse = { status: 403, body: { message: 'Missing Access', code: 50001 } };

export class FakeDiscordOAuth {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: string[];
  /** Accounts by user id. */
  readonly accounts = new Map<string, OAuthAccount>();
  /** Whether the person in the browser approves the consent screen ('deny' answers error=access_denied). */
  consent: 'approve' | 'deny' = 'approve';
  /** Every access and refresh token ever issued (the secrets test searches for them). */
  readonly issuedTokens: string[] = [];
  /** Tokens revoked through /oauth2/token/revoke, in order. */
  readonly revokedTokens: string[] = [];
  /** Every token request's grant type and outcome, in order. */
  readonly tokenRequests: { grantType: string; status: number; error?: string }[] = [];

  private signedIn: string | null = null;
  private readonly codes = new Map<string, Code>();
  private readonly grantsByAccess = new Map<string, Grant>();
  private readonly grantsByRefresh = new Map<string, Grant>();
  private readonly accessTokenMs: number;
  private readonly codeMs: number;

  constructor(
    private readonly discord: FakeDiscord,
    options: FakeOAuthOptions,
  ) {
    this.clientId = options.clientId;
    this.clientSecret = options.clientSecret;
    this.redirectUris = options.redirectUris;
    this.accessTokenMs = (options.accessTokenSeconds ?? 604_800) * 1000;
    this.codeMs = (options.codeSeconds ?? 600) * 1000;
    this.install();
  }

  /** Where a browser is sent to sign in: this server's origin, as discord.com is Discord's. */
  get authorizeUrl(): string {
    return `${this.discord.origin}/oauth2/authorize`;
  }

  /** Adds (or replaces) a Discord account: what its Bearer token reads. */
  account(user: ApiUser, fields: { guilds?: OAuthGuild[]; connections?: OAuthConnection[] } = {}): OAuthAccount {
    const account = { user, guilds: fields.guilds ?? [], connections: fields.connections ?? [] };
    this.accounts.set(user.id, account);
    return account;
  }

  /** Who is signed in to discord.com in the browser: the authorize page grants as this account. */
  signInAs(userId: string | null): void {
    if (userId !== null && !this.accounts.has(userId)) throw new Error(`no fake OAuth account ${userId}`);
    this.signedIn = userId;
  }

  /** Lets every access token issued so far expire now (a refresh token still works). */
  expireAccessTokens(): void {
    for (const grant of this.grantsByAccess.values()) grant.accessExpiresAt = 0;
  }

  /** Whether a token (access or refresh) is still accepted. */
  isLive(token: string): boolean {
    const grant = this.grantsByAccess.get(token) ?? this.grantsByRefresh.get(token);
    if (!grant || grant.revoked) return false;
    return grant.refreshToken === token || grant.accessExpiresAt > Date.now();
  }

  private install(): void {
    this.discord.page('GET', '/oauth2/authorize', (request) => this.authorize(request));
    const own = { authorization: 'own' as const };
    this.discord.route('POST', '/oauth2/token', (request) => this.token(request), own);
    this.discord.route('POST', '/oauth2/token/revoke', (request) => this.revoke(request), own);
    // The bot token still reads the bot user; a Bearer token reads its own user.
    this.discord.route(
      'GET',
      '/users/@me',
      (request) => {
        if (request.headers.authorization === `Bot ${this.discord.token}`) return { body: this.discord.bot };
        return this.withUser(request, 'identify', (account) => ({ body: account.user }));
      },
      own,
    );
    this.discord.route(
      'GET',
      '/users/@me/guilds',
      (request) =>
        this.withUser(request, 'guilds', (account) => {
          const limit = Math.min(200, Math.max(1, Number(request.query.get('limit') ?? 200) || 200));
          const after = request.query.get('after');
          const sorted = [...account.guilds].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
          return { body: (after ? sorted.filter((g) => BigInt(g.id) > BigInt(after)) : sorted).slice(0, limit) };
        }),
      own,
    );
    this.discord.route(
      'GET',
      '/users/@me/connections',
      (request) => this.withUser(request, 'connections', (account) => ({ body: account.connections })),
      own,
    );
  }

  private authorize(request: RouteRequest): RouteResponse {
    const q = request.query;
    const page = (message: string): RouteResponse => ({ status: 400, body: { message, code: 50035 } });
    if (q.get('client_id') !== this.clientId) return page('Unknown application (client_id)');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!this.redirectUris.includes(redirectUri)) return page('Invalid OAuth2 redirect_uri');
    const redirect = (params: Record<string, string>): RouteResponse => {
      const target = new URL(redirectUri);
      for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      return { status: 302, headers: { location: target.toString() } };
    };
    if (q.get('response_type') !== 'code') return redirect({ error: 'unsupported_response_type' });
    const scopes = (q.get('scope') ?? '').split(/[ +]/).filter(Boolean);
    const known = ['identify', 'guilds', 'connections', 'email', 'guilds.members.read'];
    if (scopes.length === 0 || scopes.some((s) => !known.includes(s))) {
      return redirect({ error: 'invalid_scope', error_description: 'The requested scope is invalid, unknown, or malformed.' });
    }
    const challenge = q.get('code_challenge');
    if (challenge !== null && q.get('code_challenge_method') !== 'S256') {
      return redirect({ error: 'invalid_request', error_description: 'Only S256 code challenges are supported.' });
    }
    if (this.signedIn === null) return { status: 401, body: { message: 'Not signed in to Discord in this browser', code: 0 } };
    if (this.consent === 'deny') {
      return redirect({ error: 'access_denied', error_description: 'The resource owner or authorization server denied the request' });
    }
    const code = randomBytes(15).toString('base64url');
    this.codes.set(code, {
      userId: this.signedIn,
      scopes,
      redirectUri,
      challenge,
      expiresAt: Date.now() + this.codeMs,
      used: false,
      grant: null,
    });
    return redirect({ code });
  }

  /** Client authentication: HTTP Basic, or client_id and client_secret in the form. */
  private clientAuthenticated(request: RouteRequest, form: URLSearchParams): boolean {
    const header = request.headers.authorization;
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    if (typeof header === 'string' && header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    return id === this.clientId && secret === this.clientSecret;
  }

  private token(request: RouteRequest): RouteResponse {
    const form = formOf(request);
    const grantType = form.get('grant_type') ?? '';
    const answer = (response: RouteResponse): RouteResponse => {
      const error = (response.body as { error?: string } | undefined)?.error;
      this.tokenRequests.push({ grantType, status: response.status ?? 200, ...(error ? { error } : {}) });
      return response;
    };
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return answer(oauthError(400, 'invalid_request', 'The token request must be form-encoded'));
    }
    if (!this.clientAuthenticated(request, form)) return answer(oauthError(401, 'invalid_client', 'Invalid client credentials'));
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code || code.expiresAt <= Date.now()) return answer(oauthError(400, 'invalid_grant', 'Invalid "code" in request.'));
      if (code.used) {
        // A replayed code: refuse it and revoke what the first exchange issued.
        if (code.grant) code.grant.revoked = true;
        return answer(oauthError(400, 'invalid_grant', 'Invalid "code" in request.'));
      }
      code.used = true;
      if (form.get('redirect_uri') !== code.redirectUri) {
        return answer(oauthError(400, 'invalid_grant', 'Invalid "redirect_uri" in request.'));
      }
      if (code.challenge !== null) {
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
          return answer(oauthError(400, 'invalid_grant', 'Invalid "code_verifier" in request.'));
        }
      }
      code.grant = this.issue(code.userId, code.scopes);
      return answer({ body: this.tokenBody(code.grant) });
    }
    if (grantType === 'refresh_token') {
      const grant = this.grantsByRefresh.get(form.get('refresh_token') ?? '');
      if (!grant || grant.revoked) return answer(oauthError(400, 'invalid_grant', 'Invalid "refresh_token" in request.'));
      // The old refresh token is used up; the new grant carries the same user and scopes.
      grant.revoked = true;
      return answer({ body: this.tokenBody(this.issue(grant.userId, grant.scopes)) });
    }
    return answer(oauthError(400, 'unsupported_grant_type', `Unsupported grant type "${grantType}"`));
  }

  private revoke(request: RouteRequest): RouteResponse {
    const form = formOf(request);
    if (!this.clientAuthenticated(request, form)) return oauthError(401, 'invalid_client', 'Invalid client credentials');
    const token = form.get('token') ?? '';
    const grant = this.grantsByAccess.get(token) ?? this.grantsByRefresh.get(token);
    // Revoking either token of a grant ends the whole grant; an unknown token is answered 200 too (RFC 7009 §2.2).
    if (grant) grant.revoked = true;
    this.revokedTokens.push(token);
    return { body: {} };
  }

  private issue(userId: string, scopes: string[]): Grant {
    const grant: Grant = {
      userId,
      scopes,
      accessToken: randomBytes(22).toString('base64url'),
      refreshToken: randomBytes(22).toString('base64url'),
      accessExpiresAt: Date.now() + this.accessTokenMs,
      revoked: false,
    };
    this.grantsByAccess.set(grant.accessToken, grant);
    this.grantsByRefresh.set(grant.refreshToken, grant);
    this.issuedTokens.push(grant.accessToken, grant.refreshToken);
    return grant;
  }

  private tokenBody(grant: Grant): Record<string, unknown> {
    return {
      access_token: grant.accessToken,
      token_type: 'Bearer',
      expires_in: Math.round(this.accessTokenMs / 1000),
      refresh_token: grant.refreshToken,
      scope: grant.scopes.join(' '),
    };
  }

  /** Runs `answer` for the account behind a live Bearer token that has `scope`; 401 or 403 otherwise. */
  private withUser(request: RouteRequest, scope: string, answer: (account: OAuthAccount) => RouteResponse): RouteResponse {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return unauthorized;
    const grant = this.grantsByAccess.get(header.slice(7));
    if (!grant || grant.revoked || grant.accessExpiresAt <= Date.now()) return unauthorized;
    if (!grant.scopes.includes(scope)) return missingAccess;
    const account = this.accounts.get(grant.userId);
    return account ? answer(account) : unauthorized;
  }
}

/** Adds Discord's OAuth2 to a fake Discord. */
export function installFakeOAuth(discord: FakeDiscord, options: FakeOAuthOptions): FakeDiscordOAuth {
  return new FakeDiscordOAuth(discord, options);
}

function formOf(request: RouteRequest): URLSearchParams {
  return new URLSearchParams(typeof request.body === 'string' ? request.body : '');
}
