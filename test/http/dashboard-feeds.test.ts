// Clip feeds from the dashboard's settings, on both engines: managers only (a fresh check before each change), the
// CSRF token on every change, the slash command's input rules and feed service, channels checked against what the
// bot can do there, and every feed scoped to its server.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { guildSettingsStore } from '../../src/db/guild-settings';
import { getFeed, listFeeds } from '../../src/db/stores/feeds';
import { queries } from '../../src/db/sql';
import { createFeedAdmin } from '../../src/feed/admin';
import { silentLogger } from '../../src/logger';
import { createTwitchApi } from '../../src/twitch/client';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { GUILD_A, GUILD_B, TEST_NOW } from '../helpers/http-server';
import { InjectBrowser, PUBLIC_URL, startSignInWorld, type SignInWorld } from '../helpers/sign-in';

interface FeedJson {
  id: number;
  channelId: string;
  twitch: { id: string; login: string; name: string };
  min_views: number;
  games: string[];
  exclude_games: string[];
  max_per_hour: number;
  taking_off: boolean;
  paused: boolean;
  pauseCause: string | null;
}

describe.each(testEngines())('clip feeds from the dashboard on %s', (engine) => {
  let t: TestDatabase;
  let helix: FakeHelix;
  let restoreHelix: () => void;
  let world: SignInWorld;
  let browser: InjectBrowser;
  let csrf: string;
  const feedsUrl = (guild = GUILD_A, path = '') => `/dashboard/api/settings/feeds${path}?guild=${guild}`;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'dashboard-feeds');
    helix = new FakeHelix();
    restoreHelix = useFakeHelixPort(await helix.start());
    helix.addUser({ id: '777', login: 'bigstreamer', display_name: 'BigStreamer' });
  });
  afterAll(async () => {
    await helix?.stop();
    restoreHelix?.();
    await t?.close();
  });

  beforeEach(async () => {
    for (const table of ['dashboard_session_guilds', 'dashboard_sessions', 'dashboard_sign_ins', 'feeds', 'guild_settings'])
      await queries(t.db).run(`DELETE FROM ${table}`);
    const twitch = createTwitchApi({
      clientId: helix.clientId,
      clientSecret: helix.clientSecret,
      logger: silentLogger(),
      retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 },
      requestTimeoutMs: 5000,
      pacing: false,
    });
    world = await startSignInWorld(t.db, {
      guildA: GUILD_A,
      guildB: GUILD_B,
      feeds: createFeedAdmin({ db: t.db, clock: new ManualClock(TEST_NOW), twitch }),
    });
    browser = new InjectBrowser(world.server);
    await browser.signIn(world, world.alice.id);
    csrf = ((await browser.get('/auth/session')).json() as { csrfToken: string }).csrfToken;
  });
  afterEach(async () => {
    await world?.stop();
  });

  const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) =>
    browser.request(method, url, {
      headers: {
        'x-csrf-token': csrf,
        origin: PUBLIC_URL,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const channelId = async (name: string): Promise<string> => {
    const answer = (await browser.get(`/dashboard/api/settings?guild=${GUILD_A}`)).json() as { channels: { id: string; name: string }[] };
    return answer.channels.find((c) => c.name === name)!.id;
  };
  const list = async (): Promise<FeedJson[]> => ((await browser.get(feedsUrl())).json() as { feeds: FeedJson[] }).feeds;

  it('adds, lists, edits, pauses, resumes and removes a feed with the slash command’s service', async () => {
    expect(await list()).toEqual([]);
    const clips = await channelId('clips');
    const added = await send('POST', feedsUrl(), {
      channel: clips,
      twitch: 'https://twitch.tv/BigStreamer',
      min_views: 10,
      games: 'Just Chatting, Slots',
    });
    expect(added.statusCode, added.body).toBe(201);
    const feed = (added.json() as { feed: FeedJson }).feed;
    expect(feed).toMatchObject({
      channelId: clips,
      twitch: { id: '777', login: 'bigstreamer' },
      min_views: 10,
      games: ['just chatting', 'slots'],
    });
    // The store the slash command and the feed job read.
    expect(await getFeed(t.db, GUILD_A, feed.id)).toMatchObject({ broadcasterId: '777', minViews: 10 });
    expect((await list()).map((f) => f.id)).toEqual([feed.id]);

    const edited = await send('PATCH', feedsUrl(GUILD_A, `/${feed.id}`), { games: 'none', max_per_hour: 6, taking_off: false });
    expect(edited.statusCode, edited.body).toBe(200);
    expect((edited.json() as { feed: FeedJson }).feed).toMatchObject({ games: [], max_per_hour: 6, taking_off: false, min_views: 10 });

    const paused = await send('POST', feedsUrl(GUILD_A, `/${feed.id}/pause`));
    expect((paused.json() as { feed: FeedJson }).feed).toMatchObject({ paused: true, pauseCause: 'admin' });
    const resumed = await send('POST', feedsUrl(GUILD_A, `/${feed.id}/resume`));
    expect((resumed.json() as { feed: FeedJson }).feed).toMatchObject({ paused: false });

    expect((await send('DELETE', feedsUrl(GUILD_A, `/${feed.id}`))).statusCode).toBe(204);
    expect(await list()).toEqual([]);
    expect((await send('DELETE', feedsUrl(GUILD_A, `/${feed.id}`))).statusCode).toBe(404);
  });

  it('refuses what the slash command refuses, naming the field, and adds nothing', async () => {
    const clips = await channelId('clips');
    const rules = await channelId('rules');
    const refusals: [unknown, number, string, RegExp][] = [
      [{ channel: clips, twitch: 'no spaces allowed' }, 400, 'twitch', /Twitch login/],
      [{ channel: clips, twitch: 'nobodyknowsme' }, 400, 'twitch', /Twitch knows no channel "nobodyknowsme"/],
      [{ channel: clips, twitch: 'bigstreamer', max_per_hour: 101 }, 400, 'max_per_hour', /0 \(no limit\) to 100/],
      [{ channel: clips, twitch: 'bigstreamer', min_views: -1 }, 400, 'min_views', /at least 0/],
      [{ channel: clips, twitch: 'bigstreamer', minViews: 5 }, 400, '(body)', /no such option \(minViews\)/],
      [{ channel: rules, twitch: 'bigstreamer' }, 400, 'channel', /needs Send Messages in #rules/],
      [{ channel: '123456789012345678', twitch: 'bigstreamer' }, 400, 'channel', /not a text channel of this server/],
      [{ channel: clips, twitch: 'bigstreamer', alert_channel: rules }, 400, 'alert_channel', /needs Send Messages/],
    ];
    for (const [body, status, field, message] of refusals) {
      const response = await send('POST', feedsUrl(), body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      const error = response.json() as { field?: string; message: string };
      expect(error.field, JSON.stringify(body)).toBe(field);
      expect(error.message).toMatch(message);
    }
    expect(await listFeeds(t.db, GUILD_A)).toEqual([]);
  });

  it('keeps feeds to managers of their own server, and every change to requests with the CSRF token', async () => {
    const clips = await channelId('clips');
    const added = (await send('POST', feedsUrl(), { channel: clips, twitch: 'bigstreamer' })).json() as { feed: FeedJson };
    // Another server's feeds are not reachable through this one's id, nor this one's through another's.
    expect((await send('PATCH', feedsUrl(GUILD_B, `/${added.feed.id}`), { min_views: 5 })).statusCode).toBe(403);
    expect((await browser.get(feedsUrl(GUILD_B))).statusCode).toBe(403);
    // Without the CSRF token nothing changes.
    const forged = await send('DELETE', feedsUrl(GUILD_A, `/${added.feed.id}`), undefined, { 'x-csrf-token': 'forged' });
    expect(forged.statusCode).toBe(403);
    expect(await listFeeds(t.db, GUILD_A)).toHaveLength(1);
    // A member who may view the dashboard but has no Manage Server sees no feeds.
    await guildSettingsStore(t.db).update(GUILD_A, { dashboardViewerRoleId: world.guildA.viewersRoleId }, TEST_NOW);
    const viewer = new InjectBrowser(world.server);
    await viewer.signIn(world, world.viewer.id);
    const refused = await viewer.get(feedsUrl());
    expect(refused.statusCode).toBe(403);
    expect((refused.json() as { error: string }).error).toBe('not_a_manager');
  });
});
