// Settings from the browser: managers only (a fresh check through the bot before each change), the CSRF token on
// every change, each value checked against what the bot can do in the server, every change recorded, and the
// same settings the slash commands read.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { guildSettingsStore } from '../../src/db/guild-settings';
import { GUILD_A, GUILD_B, TEST_NOW, bearer, tokenFor } from '../helpers/http-server';
import { InjectBrowser, PUBLIC_URL, startSignInWorld, type SignInWorld } from '../helpers/sign-in';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

interface SettingsAnswer {
  settings: {
    timezone: string;
    digest: { channelId: string | null; weekday: number; hour: number; enabled: boolean };
    capture: { channelIds: string[]; includeBots: boolean };
    viewerRoleId: string | null;
  };
  channels: { id: string; name: string; canPost: boolean; canView: boolean; missingToPost: string[] }[];
  roles: { id: string; name: string }[];
  recentChanges: { field: string; actorName: string; source: string; oldValue: unknown; newValue: unknown }[];
}

describe.each(testEngines())('settings from the browser on %s', (engine) => {
  let t: TestDatabase;
  let world: SignInWorld;
  let browser: InjectBrowser;
  let csrf: string;
  const url = `/dashboard/api/settings?guild=${GUILD_A}`;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'dashboard-settings');
  });
  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    for (const table of [
      'dashboard_session_guilds',
      'dashboard_sessions',
      'dashboard_sign_ins',
      'api_tokens',
      'guild_settings',
      'settings_changes',
    ])
      await queries(t.db).run(`DELETE FROM ${table}`);
    world = await startSignInWorld(t.db, { guildA: GUILD_A, guildB: GUILD_B });
    browser = new InjectBrowser(world.server);
    await browser.signIn(world, world.alice.id);
    csrf = ((await browser.get('/auth/session')).json() as { csrfToken: string }).csrfToken;
  });
  afterEach(async () => {
    await world?.stop();
  });

  const patch = (body: unknown, headers: Record<string, string> = { 'x-csrf-token': csrf, origin: PUBLIC_URL }) =>
    browser.request('PATCH', url, { headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
  const channel = (answer: SettingsAnswer, name: string) => answer.channels.find((c) => c.name === name)!;

  it('shows a manager the settings, the channels with what the bot may do there, and the roles', async () => {
    const response = await browser.get(url);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const answer = response.json() as SettingsAnswer;
    expect(answer.settings).toEqual({
      timezone: 'UTC',
      digest: { channelId: null, weekday: 1, hour: 10, enabled: true, lastError: null },
      capture: { channelIds: [], includeBots: false },
      viewerRoleId: null,
    });
    expect(channel(answer, 'digest')).toMatchObject({ canPost: true, canView: true, missingToPost: [] });
    expect(channel(answer, 'rules')).toMatchObject({ canPost: false, canView: true, missingToPost: ['Send Messages'] });
    expect(answer.roles.map((r) => r.name)).toEqual(['Mods', 'Viewers']);
  });

  it('changes the timezone, the digest and the capture channels, and records who changed what', async () => {
    const before = (await browser.get(url)).json() as SettingsAnswer;
    const changed = await patch({
      timezone: 'Europe/Berlin',
      digest: { channelId: channel(before, 'digest').id, weekday: 5, hour: 18 },
      capture: { channelIds: [channel(before, 'clips').id] },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const answer = changed.json() as SettingsAnswer;
    expect(answer.settings).toMatchObject({
      timezone: 'Europe/Berlin',
      digest: { channelId: channel(before, 'digest').id, weekday: 5, hour: 18, enabled: true },
      capture: { channelIds: [channel(before, 'clips').id] },
    });
    // The slash commands read the same settings.
    expect(await guildSettingsStore(t.db).get(GUILD_A)).toMatchObject({ timezone: 'Europe/Berlin', digestHour: 18 });
    expect(answer.recentChanges.map((c) => [c.field, c.newValue, c.actorName, c.source]).sort()).toEqual(
      [
        ['timezone', 'Europe/Berlin', 'Alice', 'dashboard'],
        ['digestChannelId', channel(before, 'digest').id, 'Alice', 'dashboard'],
        ['digestWeekday', 5, 'Alice', 'dashboard'],
        ['digestHour', 18, 'Alice', 'dashboard'],
        ['captureChannelIds', [channel(before, 'clips').id], 'Alice', 'dashboard'],
      ].sort(),
    );
    const rows = await queries(t.db).all('SELECT actor_id, old_value FROM settings_changes WHERE field = ?', ['timezone']);
    expect(rows).toEqual([{ actor_id: world.alice.id, old_value: '"UTC"' }]);
    // An unchanged value is not recorded again.
    await patch({ timezone: 'Europe/Berlin', digest: { hour: 19 } });
    expect(await queries(t.db).get('SELECT count(*) AS n FROM settings_changes')).toEqual({ n: 6 });
  });

  it('refuses values the server cannot use, saying why, and changes nothing', async () => {
    const answer = (await browser.get(url)).json() as SettingsAnswer;
    const refusals: [unknown, string, RegExp][] = [
      [{ timezone: 'Mars/Olympus' }, 'timezone', /IANA timezone/],
      [
        { digest: { channelId: channel(answer, 'rules').id } },
        'digest.channelId',
        /cannot post the digest in #rules: it needs Send Messages/,
      ],
      [{ digest: { channelId: '123456789012345678' } }, 'digest.channelId', /not in this server/],
      [{ digest: { hour: 24 } }, 'digest.hour', /an hour from 0 to 23/],
      [{ digest: { weekday: 0 } }, 'digest.weekday', /a day from 1/],
      [{ capture: { channelIds: ['not-an-id'] } }, 'capture.channelIds.0', /a Discord id/],
      [{ capture: { channelIds: [world.guildB.channels![0]!.id] } }, 'capture.channelIds', /not in this server/],
      [{ viewerRoleId: '123456789012345678' }, 'viewerRoleId', /role is not in this server/],
      [{ timezone: 'UTC', colour: 'red' }, '(body)', /no such setting \(colour\)/],
    ];
    for (const [body, field, message] of refusals) {
      const refused = await patch(body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json()).toMatchObject({ error: 'invalid_setting', field });
      expect(refused.json().message).toMatch(message);
    }
    const notJson = await browser.request('PATCH', url, {
      headers: { 'content-type': 'text/plain', 'x-csrf-token': csrf },
      payload: 'timezone=Europe/Berlin',
    });
    expect(notJson.statusCode).toBe(415);
    expect(await queries(t.db).get('SELECT count(*) AS n FROM settings_changes')).toEqual({ n: 0 });
    expect((await guildSettingsStore(t.db).get(GUILD_A)).timezone).toBe('UTC');
  });

  it('needs the CSRF token and the dashboard’s own origin for a change', async () => {
    expect((await patch({ timezone: 'Europe/Berlin' }, {})).statusCode).toBe(403);
    expect((await patch({ timezone: 'Europe/Berlin' }, { 'x-csrf-token': 'A'.repeat(43) })).statusCode).toBe(403);
    const crossSite = await patch({ timezone: 'Europe/Berlin' }, { 'x-csrf-token': csrf, origin: 'https://evil.example' });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.json()).toMatchObject({ error: 'cross_site_request' });
    expect((await patch({ timezone: 'Europe/Berlin' }, { 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await guildSettingsStore(t.db).get(GUILD_A)).timezone).toBe('UTC');
  });

  it('is for managers only: not for viewers, tokens, other servers, or someone who just lost Manage Server', async () => {
    await guildSettingsStore(t.db).update(GUILD_A, { dashboardViewerRoleId: world.guildA.viewersRoleId }, TEST_NOW);
    const vera = new InjectBrowser(world.server);
    await vera.signIn(world, world.viewer.id);
    const viewerRead = await vera.get(url);
    expect(viewerRead.statusCode).toBe(403);
    expect(viewerRead.json()).toMatchObject({ error: 'not_a_manager' });

    const token = await tokenFor(t.db, GUILD_A);
    expect((await world.server.app.inject({ url, headers: bearer(token) })).statusCode).toBe(401);
    expect((await browser.get(`/dashboard/api/settings?guild=${GUILD_B}`)).statusCode).toBe(403);
    expect((await browser.get('/dashboard/api/settings')).statusCode).toBe(400);

    // The role goes; the very next change is checked through the bot at once, not after the re-check interval.
    world.guildA.members!.find((m) => m.user.id === world.alice.id)!.roles = [];
    const refused = await patch({ timezone: 'Europe/Berlin' });
    expect(refused.statusCode).toBe(403);
    expect((await guildSettingsStore(t.db).get(GUILD_A)).timezone).toBe('UTC');
  });
});
