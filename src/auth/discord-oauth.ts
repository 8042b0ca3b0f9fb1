// Discord's OAuth2 for Sign in with Discord: the authorize URL (on the origin of DISCORD_API_BASE_URL, so a fake Discord
// on loopback serves the whole flow), the code exchange with PKCE, refresh, revocation, and what a user's token reads.
// Every answer is parsed with zod at this edge; no error message or log field ever carries a token or the secret.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ClipscopeError } from '../errors';

export interface DiscordOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** The redirect URI registered for the application: PUBLIC_URL/auth/discord/callback. */
  redirectUri: string;
  /** DISCORD_API_BASE_URL, e.g. https://discord.com/api. */
  apiBaseUrl: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

export interface DiscordTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms. */
  expiresAt: number;
  scopes: string[];
}

export interface DiscordUser {
  id: string;
  /** The display name (global name), or the username. */
  name: string;
  avatar: string | null;
}

export interface DiscordUserGuild {
  id: string;
  name: string;
  icon: string | null;
  owner: boolean;
  /** The user's permissions in the guild, parsed as a 64-bit field (BigInt). */
  permissions: bigint;
}

export interface DiscordConnection {
  type: string;
  id: string;
  name: string;
  verified: boolean;
}

/** Why Discord refused or could not answer; the message is for the person signing in. */
export class DiscordOAuthError extends ClipscopeError {
  constructor(
    code: 'invalid_grant' | 'discord_refused' | 'discord_unavailable',
    message: string,
    readonly status: number | null,
    detail: Record<string, unknown> = {},
  ) {
    super(code, message, { userFacing: true, detail });
  }
}

const snowflake = z.string().regex(/^\d{1,20}$/);

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer'),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1),
  scope: z.string(),
});

const userAnswer = z.object({
  id: snowflake,
  username: z.string(),
  global_name: z.string().nullish(),
  avatar: z.string().nullish(),
});

const guildsAnswer = z.array(
  z.object({
    id: snowflake,
    name: z.string(),
    icon: z.string().nullish(),
    owner: z.boolean().optional(),
    permissions: z.string().regex(/^\d{1,20}$/),
  }),
);

const connectionsAnswer = z.array(
  z.object({ type: z.string(), id: z.string(), name: z.string(), verified: z.boolean().optional(), revoked: z.boolean().optional() }),
);

/** The S256 PKCE challenge of a verifier (RFC 7636 §4.2). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export interface DiscordOAuth {
  /** Where to send the browser: Discord's authorize page with the scopes, state and PKCE challenge. */
  authorizeUrl(input: { scopes: string[]; state: string; codeVerifier: string; prompt?: 'consent' | 'none' }): string;
  exchangeCode(code: string, codeVerifier: string, now: number): Promise<DiscordTokens>;
  refresh(refreshToken: string, now: number): Promise<DiscordTokens>;
  /** Revokes a token (and with it the grant); failures are swallowed by the caller's choice, not here. */
  revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<void>;
  user(accessToken: string): Promise<DiscordUser>;
  guilds(accessToken: string): Promise<DiscordUserGuild[]>;
  connections(accessToken: string): Promise<DiscordConnection[]>;
}

export function createDiscordOAuth(config: DiscordOAuthConfig): DiscordOAuth {
  const api = config.apiBaseUrl.replace(/\/+$/, '');
  // Discord serves the authorize page at the site's root (https://discord.com/oauth2/authorize) and the API under /api.
  const authorizePage = `${new URL(api).origin}/oauth2/authorize`;
  const timeoutMs = config.timeoutMs ?? 10_000;
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`).toString('base64')}`;

  const call = async (path: string, init: RequestInit, what: string): Promise<{ status: number; body: unknown }> => {
    let response: Response;
    try {
      response = await fetch(`${api}/v10${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new DiscordOAuthError('discord_unavailable', 'Discord could not be reached. Try again in a moment.', null, {
        what,
        cause: error instanceof Error ? error.name : 'unknown',
      });
    }
    let body: unknown = null;
    const text = await response.text();
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    return { status: response.status, body };
  };

  const tokenRequest = async (form: Record<string, string>, now: number): Promise<DiscordTokens> => {
    const { status, body } = await call(
      '/oauth2/token',
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic, accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
      },
      `token (${form.grant_type})`,
    );
    if (status === 200) {
      const parsed = tokenAnswer.safeParse(body);
      if (!parsed.success) {
        throw new DiscordOAuthError('discord_unavailable', 'Discord answered the sign-in in a form Clipscope does not know.', status);
      }
      const t = parsed.data;
      return {
        accessToken: t.access_token,
        refreshToken: t.refresh_token,
        expiresAt: now + t.expires_in * 1000,
        scopes: t.scope.split(' ').filter(Boolean),
      };
    }
    const error = typeof (body as { error?: unknown } | null)?.error === 'string' ? (body as { error: string }).error : null;
    if (status === 400 && error === 'invalid_grant') {
      throw new DiscordOAuthError('invalid_grant', 'This sign-in link has expired or was already used. Sign in again.', status, {
        grantType: form.grant_type,
      });
    }
    if (status === 401 || error === 'invalid_client') {
      throw new DiscordOAuthError(
        'discord_refused',
        'Discord refused Clipscope’s sign-in credentials; a server admin must check DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET.',
        status,
        { error },
      );
    }
    if (status >= 500 || status === 429) {
      throw new DiscordOAuthError('discord_unavailable', 'Discord is not answering sign-ins right now. Try again in a moment.', status);
    }
    throw new DiscordOAuthError('discord_refused', 'Discord refused the sign-in. Sign in again.', status, { error });
  };

  const read = async <T>(path: string, accessToken: string, schema: z.ZodType<T>, what: string): Promise<T> => {
    const { status, body } = await call(path, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }, what);
    if (status === 200) {
      const parsed = schema.safeParse(body);
      if (parsed.success) return parsed.data;
      throw new DiscordOAuthError('discord_unavailable', `Discord answered ${what} in a form Clipscope does not know.`, status);
    }
    if (status === 401) throw new DiscordOAuthError('invalid_grant', 'Discord no longer accepts this sign-in. Sign in again.', status);
    if (status >= 500 || status === 429) {
      throw new DiscordOAuthError('discord_unavailable', 'Discord is not answering right now. Try again in a moment.', status);
    }
    throw new DiscordOAuthError('discord_refused', `Discord refused to share ${what}.`, status);
  };

  return {
    authorizeUrl({ scopes, state, codeVerifier, prompt }) {
      const params = new URLSearchParams({
        response_type: 'code',
        client_id: config.clientId,
        scope: scopes.join(' '),
        redirect_uri: config.redirectUri,
        state,
        code_challenge: pkceChallenge(codeVerifier),
        code_challenge_method: 'S256',
      });
      if (prompt) params.set('prompt', prompt);
      // Discord documents spaces in scope as %20; URLSearchParams writes '+', which it also accepts.
      return `${authorizePage}?${params.toString().replace(/\+/g, '%20')}`;
    },
    exchangeCode: (code, codeVerifier, now) =>
      tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: config.redirectUri, code_verifier: codeVerifier }, now),
    refresh: (refreshToken, now) => tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, now),
    async revoke(token, hint) {
      const { status } = await call(
        '/oauth2/token/revoke',
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
          body: new URLSearchParams({ token, token_type_hint: hint }).toString(),
        },
        'revoke',
      );
      if (status !== 200) throw new DiscordOAuthError('discord_refused', 'Discord did not revoke the sign-in.', status);
    },
    async user(accessToken) {
      const u = await read('/users/@me', accessToken, userAnswer, 'your account');
      return { id: u.id, name: u.global_name || u.username, avatar: u.avatar ?? null };
    },
    async guilds(accessToken) {
      const list = await read('/users/@me/guilds?limit=200', accessToken, guildsAnswer, 'your servers');
      return list.map((g) => ({
        id: g.id,
        name: g.name,
        icon: g.icon ?? null,
        owner: g.owner === true,
        permissions: BigInt(g.permissions),
      }));
    },
    async connections(accessToken) {
      const list = await read('/users/@me/connections', accessToken, connectionsAnswer, 'your connections');
      return list.filter((c) => c.revoked !== true).map((c) => ({ type: c.type, id: c.id, name: c.name, verified: c.verified === true }));
    },
  };
}
