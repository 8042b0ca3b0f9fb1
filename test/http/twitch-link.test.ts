// Verified Twitch links from the dashboard: a second consent with the `connections` scope, stored only where Discord
// marks the Twitch connection verified, per server the member shares with the bot, shown beside the creator's
// Twitch name, and removed on request (with the CSRF token).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GUILD_A, GUILD_B, bearer, tokenFor } from '../helpers/http-server';
import { InjectBrowser, PUBLIC_URL, startSignInWorld, type SignInWorld } from '../helpers/sign-in';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { twitchConnection } from '../fakes/discord';

describe.each(testEngines())('verified Twitch links on %s', (engine) => {
  let t: TestDatabase;
  let world: SignInWorld;
  let browser: InjectBrowser;
  let csrf: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'twitch-link');
  });
  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    for (const table of [
      'twitch_links',
      'dashboard_session_guilds',
      'dashboard_sessions',
      'dashboard_sign_ins',
      'api_tokens',
      'guild_settings',
    ])
      await queries(t.db).run(`DELETE FROM ${table}`);
    world = await startSignInWorld(t.db, { guildA: GUILD_A, guildB: GUILD_B });
    world.oauth.accounts.get(world.alice.id)!.connections = [
      twitchConnection({ type: 'youtube', id: 'UC123', name: 'alice-yt' }),
      twitchConnection({ id: '4242', name: 'alice_tv' }),
    ];
    browser = new InjectBrowser(world.server);
    await browser.signIn(world, world.alice.id);
    csrf = ((await browser.get('/auth/session')).json() as { csrfToken: string }).csrfToken;
  });
  afterEach(async () => {
    await world?.stop();
  });

  const links = () =>
    queries(t.db).all('SELECT guild_id, discord_user_id, twitch_user_id, twitch_name FROM twitch_links ORDER BY guild_id');

  /** Starts a link in `b`, approves on the fake Discord as `asUser`, and returns the callback's answer. */
  async function link(b: InjectBrowser, asUser = world.alice.id, next = `/?guild=${GUILD_A}`) {
    const start = await b.get(`/auth/discord/link-twitch?next=${encodeURIComponent(next)}`);
    expect(start.statusCode, start.body).toBe(302);
    world.oauth.signInAs(asUser);
    const back = new URL((await fetch(String(start.headers.location), { redirect: 'manual' })).headers.get('location')!);
    return { start, callback: await b.get(`${back.pathname}${back.search}`) };
  }

  it('asks Discord for the connections, and links the verified Twitch account in each server shared with the bot', async () => {
    const { start, callback } = await link(browser);
    expect(new URL(String(start.headers.location)).searchParams.get('scope')).toBe('identify guilds connections');
    expect(callback.statusCode, callback.body).toBe(303);
    expect(callback.headers.location).toBe(`/?guild=${GUILD_A}`);
    // Guild A (manager) and B (member) have the bot; C does not.
    expect(await links()).toEqual([
      { guild_id: GUILD_A, discord_user_id: world.alice.id, twitch_user_id: '4242', twitch_name: 'alice_tv' },
      { guild_id: GUILD_B, discord_user_id: world.alice.id, twitch_user_id: '4242', twitch_name: 'alice_tv' },
    ]);
    const mine = (await browser.get('/dashboard/api/twitch-link')).json();
    expect(mine).toMatchObject({ twitch: { id: '4242', name: 'alice_tv' }, guilds: [GUILD_A, GUILD_B] });
    // The server's numbers show who the creator is on Discord: for the session and for a token alike.
    const linked = await browser.get(`/analytics/api/linked-accounts?guild=${GUILD_A}`);
    expect(linked.json()).toEqual({
      accounts: [{ twitch_user_id: '4242', twitch_name: 'alice_tv', discord_user_id: world.alice.id, discord_name: 'Alice' }],
    });
    const tokenB = await tokenFor(t.db, GUILD_B);
    expect(
      (await world.server.app.inject({ url: '/analytics/api/linked-accounts', headers: bearer(tokenB) })).json().accounts,
    ).toHaveLength(1);
    // The session still works, on the newer grant; the older grant (the sign-in's) is revoked.
    expect((await browser.get(`/analytics/api/overview?guild=${GUILD_A}`)).statusCode).toBe(200);
    const [signInAccess, signInRefresh, ...linkTokens] = world.oauth.issuedTokens;
    expect(world.oauth.isLive(signInAccess!) || world.oauth.isLive(signInRefresh!)).toBe(false);
    expect(linkTokens.every((t) => world.oauth.isLive(t))).toBe(true);
  });

  it('stores nothing when Discord does not mark the Twitch connection verified', async () => {
    world.oauth.accounts.get(world.alice.id)!.connections = [twitchConnection({ id: '4242', name: 'alice_tv', verified: false })];
    const { callback } = await link(browser);
    expect(callback.statusCode).toBe(409);
    expect(callback.body).toContain('no verified Twitch account');
    expect(await links()).toEqual([]);
  });

  it('refuses a link approved as another Discord account, or finished in another session, or without one', async () => {
    const other = await link(browser, world.bob.id);
    expect(other.callback.statusCode).toBe(403);
    expect(other.callback.body).toContain('as another account');

    // The callback reaches a browser with another session: refused, the state spent.
    const start = await browser.get('/auth/discord/link-twitch');
    world.oauth.signInAs(world.alice.id);
    const back = new URL((await fetch(String(start.headers.location), { redirect: 'manual' })).headers.get('location')!);
    const intruder = new InjectBrowser(world.server);
    await intruder.signIn(world, world.alice.id);
    intruder.cookies.set('clipscope_signin', browser.cookies.get('clipscope_signin')!);
    const refused = await intruder.get(`${back.pathname}${back.search}`);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('another session');

    const anonymous = await new InjectBrowser(world.server).get('/auth/discord/link-twitch');
    expect(anonymous.statusCode).toBe(401);
    expect(await links()).toEqual([]);
  });

  it('unlinks everywhere, only with the CSRF token', async () => {
    await link(browser);
    expect(await links()).toHaveLength(2);
    expect((await browser.request('DELETE', '/dashboard/api/twitch-link')).statusCode).toBe(403);
    const gone = await browser.request('DELETE', '/dashboard/api/twitch-link', { headers: { 'x-csrf-token': csrf, origin: PUBLIC_URL } });
    expect(gone.statusCode).toBe(200);
    expect(gone.json()).toEqual({ twitch: null, guilds: [], removed: 2 });
    expect(await links()).toEqual([]);
  });
});
