// The fake Discord's OAuth2 answers as Discord documents it: the authorize redirect, the code exchange with PKCE and
// client authentication, refresh, revocation, and what a user's Bearer token reads.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  installFakeOAuth,
  OAuthPermissions,
  oauthGuild,
  snowflake,
  startFakeDiscord,
  twitchConnection,
  user,
  type FakeDiscord,
  type FakeDiscordOAuth,
} from './discord';

const REDIRECT = 'http://clipscope.test/auth/discord/callback';

describe('fake Discord OAuth2', () => {
  let discord: FakeDiscord;
  let oauth: FakeDiscordOAuth;
  const alice = user({ username: 'alice' });
  const guild = { id: snowflake(), name: 'Guild A' };

  beforeEach(async () => {
    discord = await startFakeDiscord();
    oauth = installFakeOAuth(discord, { clientId: '123456789012345678', clientSecret: 'shh', redirectUris: [REDIRECT] });
    oauth.account(alice, {
      guilds: [oauthGuild(guild, { permissions: OAuthPermissions.manager })],
      connections: [twitchConnection({ id: '4242', name: 'alice_tv' })],
    });
  });
  afterEach(async () => {
    await discord.stop();
  });

  const authorize = async (params: Record<string, string>): Promise<Response> =>
    fetch(`${oauth.authorizeUrl}?${new URLSearchParams(params)}`, { redirect: 'manual' });

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  const exchange = (form: Record<string, string>, auth = basic(oauth.clientId, oauth.clientSecret)) =>
    fetch(`${discord.apiBaseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
      body: new URLSearchParams(form),
    });

  async function codeFor(scope = 'identify guilds', verifier?: string): Promise<string> {
    oauth.signInAs(alice.id);
    const challenge: Record<string, string> = verifier
      ? { code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' }
      : {};
    const response = await authorize({
      response_type: 'code',
      client_id: oauth.clientId,
      scope,
      redirect_uri: REDIRECT,
      state: 'st8',
      ...challenge,
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st8');
    return location.searchParams.get('code')!;
  }

  it('redirects back with a code and the state, and refuses unknown clients and redirect URIs', async () => {
    expect(await codeFor()).toMatch(/^[\w-]{10,}$/);
    const base = { response_type: 'code', client_id: oauth.clientId, scope: 'identify', redirect_uri: REDIRECT, state: 'x' };
    expect((await authorize({ ...base, client_id: '1' })).status).toBe(400);
    expect((await authorize({ ...base, redirect_uri: 'https://evil.example/cb' })).status).toBe(400);
    oauth.consent = 'deny';
    const denied = new URL((await authorize(base)).headers.get('location')!);
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('x');
  });

  it('exchanges a code once, checking the client, the redirect URI and the PKCE verifier', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const code = await codeFor('identify guilds connections', verifier);
    expect(
      (
        await exchange(
          { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
          basic(oauth.clientId, 'wrong'),
        )
      ).status,
    ).toBe(401);
    // The failed client authentication did not use up the code.
    const wrongVerifier = await codeFor('identify', verifier);
    const badPkce = await exchange({
      grant_type: 'authorization_code',
      code: wrongVerifier,
      redirect_uri: REDIRECT,
      code_verifier: 'nope',
    });
    expect(badPkce.status).toBe(400);
    expect(await badPkce.json()).toMatchObject({ error: 'invalid_grant' });

    const ok = await exchange({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as { access_token: string; refresh_token: string; expires_in: number; scope: string };
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 604800, scope: 'identify guilds connections' });

    const me = await fetch(`${discord.apiBaseUrl}/v10/users/@me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await me.json()).toMatchObject({ id: alice.id, username: 'alice' });
    const guilds = (await (
      await fetch(`${discord.apiBaseUrl}/v10/users/@me/guilds`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    ).json()) as { id: string; permissions: string }[];
    expect(guilds).toEqual([expect.objectContaining({ id: guild.id, owner: false, permissions: OAuthPermissions.manager })]);
    const connections = await (
      await fetch(`${discord.apiBaseUrl}/users/@me/connections`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    ).json();
    expect(connections).toEqual([expect.objectContaining({ type: 'twitch', id: '4242', verified: true })]);

    // Replaying the code is refused, and the tokens it gave are revoked.
    const replay = await exchange({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(replay.status).toBe(400);
    expect(oauth.isLive(tokens.access_token)).toBe(false);
  });

  it('refreshes (rotating the refresh token), revokes, and reads nothing outside the granted scopes', async () => {
    const code = await codeFor('identify');
    const first = (await (await exchange({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT })).json()) as {
      access_token: string;
      refresh_token: string;
    };
    const guilds = await fetch(`${discord.apiBaseUrl}/v10/users/@me/guilds`, {
      headers: { authorization: `Bearer ${first.access_token}` },
    });
    expect(guilds.status).toBe(403);
    oauth.expireAccessTokens();
    expect(
      (await fetch(`${discord.apiBaseUrl}/v10/users/@me`, { headers: { authorization: `Bearer ${first.access_token}` } })).status,
    ).toBe(401);
    const refreshed = (await (await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).json()) as {
      access_token: string;
      refresh_token: string;
    };
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect((await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).status).toBe(400);
    // The bot token still reads the bot.
    const bot = await fetch(`${discord.apiBaseUrl}/v10/users/@me`, { headers: { authorization: `Bot ${discord.token}` } });
    expect(await bot.json()).toMatchObject({ id: discord.bot.id });

    const revoke = await fetch(`${discord.apiBaseUrl}/oauth2/token/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshed.access_token, client_id: oauth.clientId, client_secret: oauth.clientSecret }),
    });
    expect(revoke.status).toBe(200);
    expect(oauth.isLive(refreshed.refresh_token)).toBe(false);
    expect(
      (await fetch(`${discord.apiBaseUrl}/v10/users/@me`, { headers: { authorization: `Bearer ${refreshed.access_token}` } })).status,
    ).toBe(401);
  });

  it('serves a guild member with its current roles to the bot', async () => {
    const roleId = snowflake();
    const member = { user: alice, nick: null, roles: [roleId], joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0 };
    discord.guilds.push({ id: guild.id, name: guild.name, members: [member] });
    const bot = { authorization: `Bot ${discord.token}` };
    expect(await (await fetch(`${discord.apiBaseUrl}/v10/guilds/${guild.id}/members/${alice.id}`, { headers: bot })).json()).toMatchObject({
      roles: [roleId],
    });
    member.roles = [];
    expect(await (await fetch(`${discord.apiBaseUrl}/v10/guilds/${guild.id}/members/${alice.id}`, { headers: bot })).json()).toMatchObject({
      roles: [],
    });
    const unknown = await fetch(`${discord.apiBaseUrl}/v10/guilds/${guild.id}/members/${snowflake()}`, { headers: bot });
    expect(await unknown.json()).toMatchObject({ code: 10007 });
  });
});
