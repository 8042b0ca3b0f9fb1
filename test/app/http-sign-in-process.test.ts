// A real http-only process (`ROLES=http`, `node --import tsx src/main.ts`) with DISCORD_TOKEN, on both engines: Sign
// in with Discord through the fake's OAuth2 over real HTTP, and the bot's side of it (which guilds it is in, the
// member's roles for the viewer role and, at the re-check, Manage Server; what it may post where) answered over REST
// from the fake Discord with no gateway session (docs/adr/0037-jobs-and-sign-in-over-rest.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client';
import type { Db } from '../../src/db/database';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import {
  installFakeOAuth,
  member,
  OAuthPermissions,
  oauthGuild,
  role,
  snowflake,
  startFakeDiscord,
  textChannel,
  user,
  type FakeDiscord,
} from '../fakes/discord';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { logLines, spawnApp, waitUntil, type Child } from '../reliability/child-process';

const PUBLIC_URL = 'http://clipscope.test';
const CLIENT_ID = '111111111111111111';
const CLIENT_SECRET = 'client-secret-for-tests-0123456789';
const MANAGE_GUILD = 1n << 5n;
const SEND_MESSAGES = 1n << 11n;

/** A browser over real HTTP to the process: keeps its cookies, follows no redirect by itself. */
class Browser {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async get(pathAndQuery: string): Promise<Response> {
    const response = await fetch(`${this.base}${pathAndQuery}`, {
      redirect: 'manual',
      headers: this.cookies.size > 0 ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** The dashboard's button, Discord's authorize page (the fake, as `userId`), and back to the callback. */
  async signIn(oauth: ReturnType<typeof installFakeOAuth>, userId: string): Promise<Response> {
    oauth.signInAs(userId);
    const start = await this.get('/auth/discord');
    if (start.status !== 302) throw new Error(`GET /auth/discord answered ${start.status}: ${await start.text()}`);
    const discordAnswer = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = discordAnswer.headers.get('location');
    if (!back) throw new Error(`Discord's authorize page answered ${discordAnswer.status}: ${await discordAnswer.text()}`);
    // PUBLIC_URL is the dashboard's address behind its proxy; the test talks to the process directly.
    const callback = new URL(back);
    expect(callback.origin).toBe(PUBLIC_URL);
    return this.get(`${callback.pathname}${callback.search}`);
  }
}

describe.each(testEngines())('an http-only process signing in over REST on %s', (engine) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-http-rest-'));
  let child: Child | null = null;
  let discord: FakeDiscord | null = null;
  let pg: TestPostgresDatabase | null = null;
  let db: Db | null = null;

  afterAll(async () => {
    await child?.kill();
    if (db) {
      if (engine === 'postgres') await closePostgres(db as never);
      else closeDatabase(db);
    }
    await pg?.drop();
    await discord?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs in and lists the servers the person manages or views, with roles, Manage Server and channel permissions read over REST', async () => {
    const alice = user({ username: 'alice', global_name: 'Alice' });
    const owner = user({ username: 'owner' });
    const guildA = snowflake();
    const guildB = snowflake();
    const guildC = { id: snowflake(), name: 'Guild C' };
    const mods = snowflake();
    const viewers = snowflake();
    // @everyone: what the bot needs to post (the fake's default), not Manage Server.
    const everyone = (id: string) => role({ id });
    const fake = await startFakeDiscord({
      guilds: [
        {
          id: guildA,
          name: 'Guild A',
          ownerId: owner.id,
          roles: [everyone(guildA), role({ id: mods, name: 'Mods', position: 1, permissions: String(MANAGE_GUILD) })],
          channels: [
            textChannel({ guild_id: guildA, name: 'digest' }),
            // Everyone, the bot included, may read but not write here.
            textChannel({
              guild_id: guildA,
              name: 'rules',
              permission_overwrites: [{ id: guildA, type: 0, allow: '0', deny: String(SEND_MESSAGES) }],
            }),
          ],
          members: [member(owner), member(alice, { roles: [mods] })],
        },
        {
          id: guildB,
          name: 'Guild B',
          ownerId: owner.id,
          roles: [everyone(guildB), role({ id: viewers, name: 'Viewers', position: 1 })],
          channels: [textChannel({ guild_id: guildB, name: 'general' })],
          members: [member(owner), member(alice, { roles: [viewers] })],
        },
      ],
    });
    discord = fake;
    const oauth = installFakeOAuth(fake, {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${PUBLIC_URL}/auth/discord/callback`],
    });
    // Guild A: a manager through the Mods role. Guild B: no manager, but holds its dashboard viewer role. Guild C: an administrator, but no bot there.
    oauth.account(alice, {
      guilds: [
        oauthGuild({ id: guildA, name: 'Guild A' }, { permissions: OAuthPermissions.manager }),
        oauthGuild({ id: guildB, name: 'Guild B' }, { permissions: OAuthPermissions.member }),
        oauthGuild(guildC, { permissions: OAuthPermissions.administrator }),
      ],
    });

    const database: Record<string, string> = {};
    if (engine === 'postgres') {
      pg = await createPostgresDatabase('http-rest-process');
      database.DATABASE_URL = pg.url;
      database.DATABASE_POOL_SIZE = '4';
    } else {
      database.DATABASE_PATH = path.join(dir, 'clipscope.db');
    }
    const log = path.join(dir, 'http.log');
    child = spawnApp(
      {
        ...database,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        TZ: 'UTC',
        ROLES: 'http',
        HTTP_PORT: '0',
        HTTP_READ_WORKERS: '0',
        DISCORD_TOKEN: fake.token,
        DISCORD_API_BASE_URL: fake.apiBaseUrl,
        DISCORD_CLIENT_ID: CLIENT_ID,
        DISCORD_CLIENT_SECRET: CLIENT_SECRET,
        PUBLIC_URL,
        SESSION_RECHECK_SECONDS: '10',
      },
      log,
    );
    await waitUntil(() => logLines(log).some((l) => l.msg === 'clipscope running'), `${log} to start`, 90_000, 100);
    const url = logLines(log).find((l) => typeof l.url === 'string')!.url as string;
    const browser = new Browser(url);
    db =
      engine === 'postgres'
        ? openPostgres({ url: database.DATABASE_URL!, poolSize: 2 })
        : openDatabase({ path: database.DATABASE_PATH!, migrate: false });
    await updateGuildSettings(db, guildB, { dashboardViewerRoleId: viewers }, Date.now());

    const callback = await browser.signIn(oauth, alice.id);
    expect(callback.status, await callback.text()).toBe(303);
    const me = (await (await browser.get('/auth/session')).json()) as { guilds: unknown[] };
    // Guild B by the viewer role, read from her member over REST; Guild C answered 404 over REST (no bot there).
    expect(me.guilds).toEqual([
      { id: guildA, name: 'Guild A', iconUrl: null, access: 'manage' },
      { id: guildB, name: 'Guild B', iconUrl: null, access: 'view' },
    ]);
    expect(fake.requestsTo('GET', `/guilds/${guildB}/members/${alice.id}`)).toHaveLength(1);
    expect(fake.requestsTo('GET', `/guilds/${guildC.id}`)).toHaveLength(1);

    const overview = (guild: string) => browser.get(`/analytics/api/overview?guild=${guild}`);
    const first = await overview(guildA);
    expect(first.status, await first.text()).toBe(200);
    expect((await overview(guildB)).status).toBe(200);
    const settings = await browser.get(`/dashboard/api/settings?guild=${guildA}`);
    const settingsBody = await settings.text();
    expect(settings.status, settingsBody).toBe(200);
    const channels = (JSON.parse(settingsBody) as { channels: { name: string; canPost: boolean; missingToPost: string[] }[] }).channels;
    expect(channels.find((c) => c.name === 'digest')).toMatchObject({ canPost: true, missingToPost: [] });
    // The @everyone overwrite in #rules, computed over REST, applies to the bot too.
    expect(channels.find((c) => c.name === 'rules')).toMatchObject({ canPost: false, missingToPost: ['Send Messages'] });
    // A viewer may read, not change settings.
    expect((await browser.get(`/dashboard/api/settings?guild=${guildB}`)).status).toBe(403);

    // Mods is taken away on Discord: at the next re-check Manage Server, computed from her roles over REST, is gone.
    fake.guilds[0]!.members!.find((m) => m.user.id === alice.id)!.roles = [];
    const lookups = fake.requestsTo('GET', `/guilds/${guildA}/members/${alice.id}`).length;
    const deadline = Date.now() + 25_000;
    while ((await overview(guildA)).status === 200) {
      if (Date.now() > deadline) throw new Error('Guild A stayed open after Mods was taken away');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect((await overview(guildA)).status).toBe(403);
    expect(fake.requestsTo('GET', `/guilds/${guildA}/members/${alice.id}`).length).toBeGreaterThan(lookups);

    // No gateway session: the process is http-only.
    expect(fake.identifies).toHaveLength(0);
    expect(fake.requestsTo('GET', '/gateway/bot')).toHaveLength(0);
  }, 120_000);
});
