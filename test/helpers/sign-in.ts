// A Discord world for Sign in with Discord tests: the fake Discord with its OAuth2, three guilds (the bot in two of
// them), roles for managers and viewers, people with different standings, a real discord.js client logged in to the
// fake as the bot, and the dashboard server with sign-in wired to both. Inject-based: `browser()` keeps cookies.
import type { FeedAdmin } from '../../src/feed/admin';
import type { Client } from 'discord.js';
import type { LightMyRequestResponse } from 'fastify';
import type { SignInSettings } from '../../src/config';
import { guildSettingsStore } from '../../src/db/guild-settings';
import { digestStore } from '../../src/db/stores/digests';
import { createTwitchLinks } from '../../src/auth/twitch-links';
import type { Db } from '../../src/db/database';
import { createDiscordClient } from '../../src/discord/client';
import { createBotView } from '../../src/discord/bot-view';
import { createRestBotView } from '../../src/discord/rest/bot-view';
import { createDiscordRest } from '../../src/discord/rest/discord-rest';
import type { HttpOptions, HttpServer } from '../../src/http/server';
import { sessionService } from '../../src/http/services';
import { ManualClock } from '../../src/clock';
import { createMoodAdmin } from '../../src/analytics/mood-overrides';
import {
  BOT_PERMISSIONS,
  installFakeOAuth,
  member,
  OAuthPermissions,
  oauthGuild,
  role,
  snowflake,
  startFakeDiscord,
  textChannel,
  user,
  type ApiUser,
  type FakeDiscord,
  type FakeDiscordOAuth,
  type FakeGuild,
} from '../fakes/discord';
import { startTestServer, TEST_NOW } from './http-server';

export const PUBLIC_URL = 'http://clipscope.test';
export const CLIENT_ID = '111111111111111111';
export const CLIENT_SECRET = 'client-secret-for-tests-0123456789';
const MANAGE_GUILD = (1n << 5n).toString();

export interface SignInWorld {
  discord: FakeDiscord;
  oauth: FakeDiscordOAuth;
  client: Client;
  server: HttpServer;
  clock: ManualClock;
  settings: SignInSettings;
  /** Guild A: the bot is in it; alice manages it through the Mods role, viewer holds the Viewers role. */
  guildA: FakeGuild & { modsRoleId: string; viewersRoleId: string };
  /** Guild B: the bot is in it; alice is a plain member there. */
  guildB: FakeGuild;
  /** Guild C: alice administers it, but the bot is not in it. */
  guildC: { id: string; name: string };
  alice: ApiUser;
  bob: ApiUser;
  viewer: ApiUser;
  stop(): Promise<void>;
}

export async function startSignInWorld(
  db: Db,
  options: {
    guildA: string;
    guildB: string;
    clock?: ManualClock;
    http?: Partial<HttpOptions>;
    publicUrl?: string;
    listen?: boolean;
    /** Clip feeds from the settings (none: the feed routes answer that Twitch is not configured). */
    feeds?: FeedAdmin;
    /** Who answers the sign-in checks: the gateway client's cache (default), or REST alone (docs/adr/0037). */
    botView?: 'gateway' | 'rest';
  },
): Promise<SignInWorld> {
  const alice = user({ username: 'alice', global_name: 'Alice' });
  const bob = user({ username: 'bob' });
  const viewer = user({ username: 'vera', global_name: 'Vera' });
  const modsRoleId = snowflake();
  const viewersRoleId = snowflake();
  const guildA = {
    id: options.guildA,
    name: 'Guild A',
    modsRoleId,
    viewersRoleId,
    roles: [
      role({ id: options.guildA }),
      role({ id: modsRoleId, name: 'Mods', permissions: (BigInt(BOT_PERMISSIONS) | BigInt(MANAGE_GUILD)).toString(), position: 2 }),
      role({ id: viewersRoleId, name: 'Viewers', permissions: BOT_PERMISSIONS, position: 1 }),
    ],
    channels: [
      textChannel({ guild_id: options.guildA, name: 'clips' }),
      textChannel({ guild_id: options.guildA, name: 'digest' }),
      // Everyone, the bot included, may read but not write here.
      textChannel({
        guild_id: options.guildA,
        name: 'rules',
        permission_overwrites: [{ id: options.guildA, type: 0, allow: '0', deny: (1n << 11n).toString() }],
      }),
    ],
    members: [member(bob), member(alice, { roles: [modsRoleId] }), member(viewer, { roles: [viewersRoleId] })],
    ownerId: bob.id,
  };
  const guildB: FakeGuild = {
    id: options.guildB,
    name: 'Guild B',
    roles: [role({ id: options.guildB })],
    channels: [textChannel({ guild_id: options.guildB, name: 'general' })],
    members: [member(bob), member(alice)],
    ownerId: bob.id,
  };
  const guildC = { id: snowflake(), name: 'Guild C' };
  const discord = await startFakeDiscord({ guilds: [guildA, guildB] });
  const publicUrl = options.publicUrl ?? PUBLIC_URL;
  const oauth = installFakeOAuth(discord, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${publicUrl}/auth/discord/callback`],
  });
  oauth.account(alice, {
    guilds: [
      oauthGuild(guildA, { permissions: OAuthPermissions.manager }),
      oauthGuild(guildB, { permissions: OAuthPermissions.member }),
      oauthGuild(guildC, { permissions: OAuthPermissions.administrator }),
    ],
  });
  oauth.account(bob, {
    guilds: [oauthGuild(guildA, { owner: true, permissions: OAuthPermissions.administrator }), oauthGuild(guildB, { owner: true })],
  });
  oauth.account(viewer, { guilds: [oauthGuild(guildA, { permissions: OAuthPermissions.member })] });

  const client = createDiscordClient({ apiBaseUrl: discord.apiBaseUrl });
  await client.login(discord.token);
  await new Promise<void>((resolve) => (client.isReady() ? resolve() : client.once('ready', () => resolve())));
  await discord.waitFor(() => client.guilds.cache.size === 2);

  const settings: SignInSettings = {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    publicUrl,
    apiBaseUrl: discord.apiBaseUrl,
    sessionIdleMs: 24 * 3_600_000,
    sessionMaxMs: 7 * 86_400_000,
    recheckMs: 300_000,
  };
  const serverClock = options.clock ?? new ManualClock(TEST_NOW);
  const { server, clock } = await startTestServer(db, options.http ?? {}, serverClock, {
    signIn: {
      settings,
      sessions: sessionService(db, settings),
      bot:
        options.botView === 'rest'
          ? createRestBotView(
              createDiscordRest({ token: discord.token, apiBaseUrl: discord.apiBaseUrl, clock: serverClock }),
              guildSettingsStore(db),
            )
          : createBotView(client, guildSettingsStore(db)),
      guildSettings: guildSettingsStore(db),
      digests: digestStore(db),
      twitchLinks: createTwitchLinks(db),
      feeds: options.feeds ?? null,
      moods: createMoodAdmin({ db, clock: serverClock }),
    },
  });
  return {
    discord,
    oauth,
    client,
    server,
    clock,
    settings,
    guildA,
    guildB,
    guildC,
    alice,
    bob,
    viewer,
    async stop() {
      await server.close();
      await client.destroy();
      await discord.stop();
    },
  };
}

/** A browser over fastify's inject: keeps cookies (by name, as Set-Cookie sets and clears them). */
export class InjectBrowser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly server: HttpServer) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    init: { headers?: Record<string, string>; payload?: unknown } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...(this.cookies.size > 0 ? { cookie: this.cookieHeader } : {}), ...init.headers };
    const response = await this.server.app.inject({
      method,
      url,
      headers,
      ...(init.payload !== undefined ? { payload: init.payload as string } : {}),
    });
    this.absorb(response);
    return response;
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, { headers });
  }

  absorb(response: LightMyRequestResponse): void {
    const set = response.headers['set-cookie'];
    for (const line of set === undefined ? [] : Array.isArray(set) ? set : [set]) {
      const [pair = ''] = String(line).split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(String(line)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /**
   * The whole sign-in as a person at this browser does it: the dashboard's button, Discord's authorize page (the fake,
   * over real HTTP, signed in as `userId`), and back to the callback. Resolves with the callback's answer.
   */
  async signIn(world: Pick<SignInWorld, 'oauth'>, userId: string | null, next?: string): Promise<LightMyRequestResponse> {
    world.oauth.signInAs(userId);
    const start = await this.get(`/auth/discord${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`);
    if (start.statusCode !== 302) throw new Error(`GET /auth/discord answered ${start.statusCode}: ${start.body}`);
    const discordAnswer = await fetch(String(start.headers.location), { redirect: 'manual' });
    const back = discordAnswer.headers.get('location');
    if (!back) throw new Error(`Discord's authorize page answered ${discordAnswer.status}: ${await discordAnswer.text()}`);
    const callback = new URL(back);
    return this.get(`${callback.pathname}${callback.search}`);
  }
}
