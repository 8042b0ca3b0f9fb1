// Sign in with Discord where no gateway client runs (the DISCORD_PROCESSES > 1 parent, an http-only process): the
// same routes, with the bot's answers over REST from the fake Discord (docs/adr/0037). Who manages which server,
// the channels with what the bot may post, and a Manage Server role taken away counting at the next re-check.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { GUILD_A, GUILD_B } from '../helpers/http-server';
import { InjectBrowser, startSignInWorld, type SignInWorld } from '../helpers/sign-in';

describe.each(testEngines())('Sign in with Discord over REST on %s', (engine) => {
  let t: TestDatabase;
  let world: SignInWorld;
  let browser: InjectBrowser;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'sign-in-rest');
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    for (const table of ['dashboard_session_guilds', 'dashboard_sessions', 'dashboard_sign_ins', 'guild_settings', 'settings_changes'])
      await queries(t.db).run(`DELETE FROM ${table}`);
    world = await startSignInWorld(t.db, { guildA: GUILD_A, guildB: GUILD_B, botView: 'rest' });
    browser = new InjectBrowser(world.server);
  });
  afterEach(async () => {
    await world?.stop();
  });

  const overview = () => browser.get(`/analytics/api/overview?guild=${GUILD_A}`);

  it('gives the servers the person manages where the bot is, checks Manage Server over REST, and sees a role removed', async () => {
    const callback = await browser.signIn(world, world.alice.id);
    expect(callback.statusCode, callback.body).toBe(303);
    const me = (await browser.get('/auth/session')).json() as { guilds: unknown[] };
    // Guild B: a plain member there. Guild C: an administrator, but the bot is not in it (404 over REST).
    expect(me.guilds).toEqual([{ id: GUILD_A, name: 'Guild A', iconUrl: null, access: 'manage' }]);
    expect(world.discord.requestsTo('GET', `/guilds/${world.guildC.id}`)).toHaveLength(1);

    const settings = await browser.get(`/dashboard/api/settings?guild=${GUILD_A}`);
    expect(settings.statusCode, settings.body).toBe(200);
    const channels = (settings.json() as { channels: { name: string; canPost: boolean; missingToPost: string[] }[] }).channels;
    expect(channels.find((c) => c.name === 'digest')).toMatchObject({ canPost: true, missingToPost: [] });
    // @everyone may not send in #rules: the overwrite, computed over REST, applies to the bot too.
    expect(channels.find((c) => c.name === 'rules')).toMatchObject({ canPost: false, missingToPost: ['Send Messages'] });

    expect((await overview()).statusCode).toBe(200);
    world.guildA.members!.find((m) => m.user.id === world.alice.id)!.roles = [];
    world.clock.advance(world.settings.recheckMs);
    expect((await overview()).statusCode).toBe(403);
  }, 60_000);
});
