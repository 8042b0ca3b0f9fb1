// Sign in with Discord through the fake Discord, end to end over the real routes: the authorize redirect with a
// browser-bound state and PKCE, the callback, the session cookie, who sees which server, sign-out with revocation,
// and every refusal the issue lists, each with a clear status and nothing leaked.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { GUILD_A, GUILD_B, startTestServer, TEST_NOW } from '../helpers/http-server';
import { CLIENT_ID, InjectBrowser, PUBLIC_URL, startSignInWorld, type SignInWorld } from '../helpers/sign-in';
import { createTempDb } from '../helpers/temp-db';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

describe.each(testEngines())('Sign in with Discord on %s', (engine) => {
  let t: TestDatabase;
  let world: SignInWorld;
  let browser: InjectBrowser;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'sign-in');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every test starts from an empty sign-in state, as from a new database. */
  const emptyTables = async () => {
    for (const table of [
      'twitch_links',
      'dashboard_session_guilds',
      'dashboard_sessions',
      'dashboard_sign_ins',
      'api_tokens',
      'guild_settings',
      'settings_changes',
    ])
      await queries(t.db).run(`DELETE FROM ${table}`);
  };

  beforeEach(async () => {
    await emptyTables();
    world = await startSignInWorld(t.db, { guildA: GUILD_A, guildB: GUILD_B });
    browser = new InjectBrowser(world.server);
  });
  afterEach(async () => {
    await world?.stop();
  });

  const session = async (b = browser) =>
    (await b.get('/auth/session')).json() as {
      signIn: { enabled: boolean };
      user: { id: string; name: string } | null;
      csrfToken?: string;
      guilds?: { id: string; name: string; access: string }[];
    };

  it('sends the browser to Discord with a state bound to it and a PKCE challenge, on the origin of DISCORD_API_BASE_URL', async () => {
    const start = await browser.get('/auth/discord');
    expect(start.statusCode).toBe(302);
    const location = new URL(String(start.headers.location));
    expect(location.origin + location.pathname).toBe(`${new URL(world.discord.apiBaseUrl).origin}/oauth2/authorize`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      scope: 'identify guilds',
      redirect_uri: `${PUBLIC_URL}/auth/discord/callback`,
      code_challenge_method: 'S256',
    });
    expect(location.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    const cookie = String(start.headers['set-cookie']);
    expect(cookie).toMatch(/^clipscope_signin=[\w-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
    // The state sent to Discord is not the browser's nonce, and neither is stored.
    expect(cookie).not.toContain(location.searchParams.get('state'));
    expect(start.headers['cache-control']).toBe('no-store');
  });

  it('signs in: a session cookie, the person, and only the servers they manage where the bot is', async () => {
    expect((await session()).user).toBeNull();
    const callback = await browser.signIn(world, world.alice.id);
    expect(callback.statusCode, callback.body).toBe(303);
    expect(callback.headers.location).toBe('/');
    const cookies = [callback.headers['set-cookie']].flat().map(String);
    const sessionCookie = cookies.find((c) => c.startsWith('clipscope_session='))!;
    expect(sessionCookie).toMatch(/^clipscope_session=[\w-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/);
    expect(cookies.some((c) => /^clipscope_signin=; .*Max-Age=0/.test(c))).toBe(true);

    const me = await session();
    expect(me.user).toMatchObject({ id: world.alice.id, name: 'Alice' });
    // Guild B: a plain member there. Guild C: an administrator, but the bot is not in it.
    expect(me.guilds).toEqual([{ id: GUILD_A, name: 'Guild A', iconUrl: null, access: 'manage' }]);
    expect(me.csrfToken).toMatch(/^[\w-]{43}$/);
    // Only the hash of the session id is stored.
    const id = browser.cookies.get('clipscope_session')!;
    const stored = JSON.stringify(await queries(t.db).all('SELECT * FROM dashboard_sessions'));
    expect(stored).not.toContain(id);
    expect(stored).toContain(createHash('sha256').update(id).digest('hex'));
  });

  it('gives an owner every server of theirs the bot is in, and a plain member none', async () => {
    await browser.signIn(world, world.bob.id);
    expect((await session()).guilds?.map((g) => g.id).sort()).toEqual([GUILD_A, GUILD_B].sort());
    const other = new InjectBrowser(world.server);
    await other.signIn(world, world.viewer.id);
    expect((await session(other)).guilds).toEqual([]);
  });

  it('returns to the page it was asked to, never to another site', async () => {
    expect((await browser.signIn(world, world.alice.id, `/?guild=${GUILD_A}`)).headers.location).toBe(`/?guild=${GUILD_A}`);
    for (const next of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      '/../x',
      'javascript:alert(1)',
      `/?guild=${GUILD_A}&x=1`,
    ]) {
      const other = new InjectBrowser(world.server);
      expect((await other.signIn(world, world.alice.id, next)).headers.location, next).toBe('/');
    }
  });

  it('refuses a missing or wrong state, a replayed callback, another browser, and a cancelled consent', async () => {
    const refusedWith = async (b: InjectBrowser, url: string, status: number, text: RegExp) => {
      const response = await b.get(url);
      expect(response.statusCode, url).toBe(status);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).toMatch(text);
      expect(String(response.headers['set-cookie'] ?? '')).not.toMatch(/clipscope_session=[\w-]/);
    };
    await refusedWith(browser, '/auth/discord/callback?code=abc', 400, /no state/);
    await refusedWith(browser, `/auth/discord/callback?code=abc&state=${'x'.repeat(43)}`, 400, /expired, was already used/);

    // A real round trip, then the same callback URL again: the state is used up (and the code with it).
    world.oauth.signInAs(world.alice.id);
    const start = await browser.get('/auth/discord');
    const back = new URL((await fetch(String(start.headers.location), { redirect: 'manual' })).headers.get('location')!);
    const callbackUrl = `${back.pathname}${back.search}`;
    const nonce = browser.cookies.get('clipscope_signin')!;
    expect((await browser.get(callbackUrl)).statusCode).toBe(303);
    const replay = new InjectBrowser(world.server);
    replay.cookies.set('clipscope_signin', nonce);
    await refusedWith(replay, callbackUrl, 400, /expired, was already used/);

    // A callback that reaches another browser (a link forwarded, or a login CSRF) is refused.
    world.oauth.signInAs(world.alice.id);
    const victim = new InjectBrowser(world.server);
    const started = await victim.get('/auth/discord');
    const link = new URL((await fetch(String(started.headers.location), { redirect: 'manual' })).headers.get('location')!);
    await refusedWith(new InjectBrowser(world.server), `${link.pathname}${link.search}`, 400, /another browser/);
    // …and the state it carried is spent, so the right browser cannot reuse it either.
    await refusedWith(victim, `${link.pathname}${link.search}`, 400, /expired, was already used/);

    world.oauth.consent = 'deny';
    const cancelled = new InjectBrowser(world.server);
    world.oauth.signInAs(world.alice.id);
    const denied = await cancelled.get('/auth/discord');
    const deniedBack = new URL((await fetch(String(denied.headers.location), { redirect: 'manual' })).headers.get('location')!);
    await refusedWith(cancelled, `${deniedBack.pathname}${deniedBack.search}`, 403, /cancelled/);
    expect(await queries(t.db).get('SELECT count(*) AS n FROM dashboard_sessions')).toEqual({ n: 1 });
  });

  it('refuses a code Discord no longer takes (replayed at Discord) with a clear message', async () => {
    world.oauth.signInAs(world.alice.id);
    const start = await browser.get('/auth/discord');
    const back = new URL((await fetch(String(start.headers.location), { redirect: 'manual' })).headers.get('location')!);
    // Someone else redeems the code first (it leaked): Discord refuses the second exchange.
    await fetch(`${world.discord.apiBaseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back.searchParams.get('code')!,
        client_id: CLIENT_ID,
        client_secret: world.settings.clientSecret,
        redirect_uri: `${PUBLIC_URL}/auth/discord/callback`,
      }),
    });
    const callback = await browser.get(`${back.pathname}${back.search}`);
    expect(callback.statusCode).toBe(400);
    expect(callback.body).toContain('expired or was already used');
    expect((await session()).user).toBeNull();
  });

  it('signs out only with the CSRF token, revokes the Discord grant and forgets the session', async () => {
    await browser.signIn(world, world.alice.id);
    const { csrfToken } = await session();
    const issued = [...world.oauth.issuedTokens];
    expect(issued.every((t) => world.oauth.isLive(t))).toBe(true);

    const forged = await browser.request('POST', '/auth/logout');
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error: 'csrf_token_invalid' });
    const crossSite = await browser.request('POST', '/auth/logout', {
      headers: { 'x-csrf-token': csrfToken!, origin: 'https://evil.example' },
    });
    expect(crossSite.statusCode).toBe(403);
    expect((await session()).user).not.toBeNull();

    const id = browser.cookies.get('clipscope_session')!;
    const out = await browser.request('POST', '/auth/logout', { headers: { 'x-csrf-token': csrfToken!, origin: PUBLIC_URL } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/clipscope_session=; Path=\/; Max-Age=0/);
    expect(issued.some((t) => world.oauth.isLive(t))).toBe(false);
    expect(world.oauth.revokedTokens.length).toBeGreaterThan(0);
    // The old cookie, replayed, opens nothing.
    const replayed = new InjectBrowser(world.server);
    replayed.cookies.set('clipscope_session', id);
    expect((await session(replayed)).user).toBeNull();
  });

  describe('the API with a session', () => {
    const api = (b: InjectBrowser, query: string, path = 'overview') => b.get(`/analytics/api/${path}${query}`);

    it('reads the servers the person manages with ?guild=, and refuses every other the same way', async () => {
      await browser.signIn(world, world.alice.id);
      const ok = await api(browser, `?guild=${GUILD_A}&period=week`);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.headers.vary).toBe('Authorization, Cookie');
      expect(ok.headers['cache-control']).toBe('private, no-cache');
      const csv = await api(browser, `?guild=${GUILD_A}&report=top-creators&period=week`, 'export.csv');
      expect(csv.statusCode).toBe(200);
      expect(csv.headers.vary).toBe('Authorization, Cookie');

      const missing = await api(browser, '?period=week');
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toMatchObject({ parameter: 'guild' });
      // Guild B: a plain member. Guild C: the bot is not there. A made-up id. One answer for all three.
      const refusals = await Promise.all([GUILD_B, world.guildC.id, '999999999999999999', 'abc'].map((g) => api(browser, `?guild=${g}`)));
      for (const refused of refusals) {
        expect(refused.statusCode).toBe(403);
        expect(refused.body).toBe(refusals[0]!.body);
      }
      expect(refusals[0]!.json()).toMatchObject({ error: 'guild_forbidden' });
      expect((await api(browser, `?guild=${GUILD_A}&guild=${GUILD_B}`)).statusCode).toBe(400);
    });

    it('keeps token requests as they were: their own guild, another guild refused, cookies ignored', async () => {
      await browser.signIn(world, world.alice.id);
      const { tokenFor, bearer } = await import('../helpers/http-server');
      const tokenB = await tokenFor(t.db, GUILD_B);
      // Alice's browser, but a token for guild B: the token decides, and it reads only B.
      expect((await browser.get(`/analytics/api/overview`, bearer(tokenB))).statusCode).toBe(200);
      expect((await browser.get(`/analytics/api/overview?guild=${GUILD_B}`, bearer(tokenB))).statusCode).toBe(200);
      expect((await browser.get(`/analytics/api/overview?guild=${GUILD_A}`, bearer(tokenB))).statusCode).toBe(403);
      expect((await browser.get(`/analytics/api/overview?guild=${GUILD_A}`, { authorization: 'Bearer cs_nope' })).statusCode).toBe(401);
    });

    it('refuses a forged or expired session cookie with 401 and drops it', async () => {
      const forged = new InjectBrowser(world.server);
      forged.cookies.set('clipscope_session', 'A'.repeat(43));
      const refused = await api(forged, `?guild=${GUILD_A}`);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ error: 'session_ended' });
      expect(String(refused.headers['set-cookie'])).toMatch(/clipscope_session=; Path=\/; Max-Age=0/);
      const garbage = new InjectBrowser(world.server);
      garbage.cookies.set('clipscope_session', '"><script>');
      expect((await api(garbage, `?guild=${GUILD_A}`)).statusCode).toBe(401);

      await browser.signIn(world, world.alice.id);
      expect((await api(browser, `?guild=${GUILD_A}`)).statusCode).toBe(200);
      const id = browser.cookies.get('clipscope_session')!;
      world.clock.advance(7 * 86_400_000);
      const expired = new InjectBrowser(world.server);
      expired.cookies.set('clipscope_session', id);
      expect((await api(expired, `?guild=${GUILD_A}`)).statusCode).toBe(401);
    });

    it('takes a server away from a member whose Manage Server role was removed, without signing them out', async () => {
      await browser.signIn(world, world.alice.id);
      expect((await api(browser, `?guild=${GUILD_A}`)).statusCode).toBe(200);
      const alice = world.guildA.members!.find((m) => m.user.id === world.alice.id)!;
      alice.roles = [];
      // Within the re-check interval the confirmed access stands; after it, the bot sees the member's roles now.
      world.clock.advance(60_000);
      expect((await api(browser, `?guild=${GUILD_A}`)).statusCode).toBe(200);
      const fetchesBefore = world.discord.requestsTo('GET', '/guilds/:g/members/:u').length;
      world.clock.advance(world.settings.recheckMs);
      const panels = await Promise.all(
        ['overview', 'top-creators', 'top-games', 'viral-clips'].map((p) => api(browser, `?guild=${GUILD_A}`, p)),
      );
      expect(panels.map((r) => r.statusCode)).toEqual([403, 403, 403, 403]);
      // Four panels at once, one re-check through the bot.
      expect(world.discord.requestsTo('GET', '/guilds/:g/members/:u').length - fetchesBefore).toBe(1);
      const me = await session();
      expect(me.user).not.toBeNull();
      expect(me.guilds).toEqual([]);
      // Getting the role back does not bring the server back into this session; signing in again does.
      alice.roles = [world.guildA.modsRoleId];
      world.clock.advance(world.settings.recheckMs);
      expect((await api(browser, `?guild=${GUILD_A}`)).statusCode).toBe(403);
      const before = await queries(t.db).all('SELECT id_hash FROM dashboard_sessions');
      await browser.signIn(world, world.alice.id);
      expect((await api(browser, `?guild=${GUILD_A}`)).statusCode).toBe(200);
      // The browser's older session ended with the new sign-in.
      expect(await queries(t.db).all('SELECT id_hash FROM dashboard_sessions')).not.toEqual(expect.arrayContaining(before));
      expect(await queries(t.db).get('SELECT count(*) AS n FROM dashboard_sessions')).toEqual({ n: 1 });
    });

    it('refuses with 503 when the bot cannot confirm access, and does not guess', async () => {
      await browser.signIn(world, world.alice.id);
      world.discord.route('GET', '/guilds/:g/members/:u', () => ({ status: 500, body: { message: 'boom', code: 0 } }));
      world.clock.advance(world.settings.recheckMs);
      const refused = await api(browser, `?guild=${GUILD_A}`);
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toMatchObject({ error: 'bot_unavailable' });
    }, 60_000);

    it('lets the viewer role open a server read-only', async () => {
      const { guildSettingsStore } = await import('../../src/db/guild-settings');
      await guildSettingsStore(t.db).update(GUILD_A, { dashboardViewerRoleId: world.guildA.viewersRoleId }, TEST_NOW);
      await browser.signIn(world, world.viewer.id);
      expect((await session()).guilds).toEqual([{ id: GUILD_A, name: 'Guild A', iconUrl: null, access: 'view' }]);
      expect((await api(browser, `?guild=${GUILD_A}`)).statusCode).toBe(200);
    });

    it('reads the server list from Discord again, refreshing an expired Discord token first', async () => {
      await browser.signIn(world, world.alice.id);
      const { csrfToken } = await session();
      // Alice is made a manager of guild B on Discord and through the bot (a role with Manage Server).
      const account = world.oauth.accounts.get(world.alice.id)!;
      account.guilds = account.guilds.map((g) => (g.id === GUILD_B ? { ...g, permissions: '32' } : g));
      world.oauth.expireAccessTokens();
      const refreshesBefore = world.oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;
      const refused = await browser.request('POST', '/auth/refresh');
      expect(refused.statusCode).toBe(403);
      const refreshed = await browser.request('POST', '/auth/refresh', { headers: { 'x-csrf-token': csrfToken! } });
      expect(refreshed.statusCode, refreshed.body).toBe(200);
      expect((refreshed.json() as { guilds: { id: string }[] }).guilds.map((g) => g.id).sort()).toEqual([GUILD_A, GUILD_B].sort());
      expect(world.oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token').length).toBe(refreshesBefore + 1);
      // The refreshed tokens are sealed in the session, not stored in clear.
      const stored = JSON.stringify(await queries(t.db).all('SELECT * FROM dashboard_sessions'));
      for (const token of world.oauth.issuedTokens) expect(stored).not.toContain(token);
      // When Discord no longer accepts the grant at all, the session ends.
      const id = browser.cookies.get('clipscope_session')!;
      for (const token of world.oauth.issuedTokens) {
        await fetch(`${world.discord.apiBaseUrl}/oauth2/token/revoke`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, client_id: CLIENT_ID, client_secret: world.settings.clientSecret }),
        });
      }
      const ended = await browser.request('POST', '/auth/refresh', { headers: { 'x-csrf-token': csrfToken! } });
      expect(ended.statusCode).toBe(401);
      const again = new InjectBrowser(world.server);
      again.cookies.set('clipscope_session', id);
      expect((await session(again)).user).toBeNull();
    });
  });

  it('reads the server list again after an hour, keeps it when Discord does not answer, and ends the session when the grant is gone', async () => {
    await browser.signIn(world, world.alice.id);
    const listReads = () => world.discord.requestsTo('GET', '/users/@me/guilds').length;
    const before = listReads();
    world.clock.advance(30 * 60_000);
    await session();
    expect(listReads()).toBe(before);
    world.clock.advance(31 * 60_000);
    expect((await session()).guilds?.map((g) => g.id)).toEqual([GUILD_A]);
    expect(listReads()).toBe(before + 1);

    world.discord.route('GET', '/users/@me/guilds', () => ({ status: 502, body: { message: 'upstream', code: 0 } }), {
      authorization: 'own',
    });
    world.clock.advance(61 * 60_000);
    const kept = await session();
    expect(kept.user).not.toBeNull();
    expect(kept.guilds?.map((g) => g.id)).toEqual([GUILD_A]);

    world.discord.route('GET', '/users/@me/guilds', () => ({ status: 401, body: { message: '401: Unauthorized', code: 0 } }), {
      authorization: 'own',
    });
    for (const token of world.oauth.issuedTokens) {
      await fetch(`${world.discord.apiBaseUrl}/oauth2/token/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: CLIENT_ID, client_secret: world.settings.clientSecret }),
      });
    }
    expect((await session()).user).toBeNull();
    expect((await browser.get(`/analytics/api/overview?guild=${GUILD_A}`)).statusCode).toBe(401);
  });

  it('uses __Host- cookies with Secure when the public URL is https', async () => {
    await world.stop();
    await emptyTables();
    world = await startSignInWorld(t.db, { guildA: GUILD_A, guildB: GUILD_B, publicUrl: 'https://clipscope.example' });
    browser = new InjectBrowser(world.server);
    const callback = await browser.signIn(world, world.alice.id);
    const cookie = [callback.headers['set-cookie']]
      .flat()
      .map(String)
      .find((c) => c.startsWith('__Host-clipscope_session='));
    expect(cookie).toMatch(/^__Host-clipscope_session=[\w-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax; Secure$/);
  });
});

describe('Sign in with Discord, not configured', () => {
  it('tells the dashboard to hide the button, and has no sign-in routes', async () => {
    const temp = createTempDb();
    const { server } = await startTestServer(temp.db);
    try {
      const answer = await server.app.inject({ url: '/auth/session' });
      expect(answer.json()).toEqual({ signIn: { enabled: false }, user: null });
      expect((await server.app.inject({ url: '/auth/discord' })).statusCode).toBe(404);
      expect((await server.app.inject({ method: 'POST', url: '/auth/logout' })).statusCode).toBe(404);
    } finally {
      await server.close();
      temp.cleanup();
    }
    expect(TEST_NOW).toBeGreaterThan(0);
  });
});
