// The HTTP thread's dashboard feed actions spend the Twitch client id's shared Helix bucket (ADR 0034), on both
// engines: the feed service the worker builds (createDashboardFeedAdmin) takes its grants from the helix_budgets row, and
// waits for it rather than calling Twitch when other processes have spent it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { queries } from '../../src/db/sql';
import { readBudget, takeBudgetGrant } from '../../src/db/stores/helix-claims';
import { createDashboardFeedAdmin } from '../../src/feed/dashboard-admin';
import { silentLogger } from '../../src/logger';
import { DEFAULT_PACING } from '../../src/twitch/pacing';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { GUILD_A, GUILD_B, TEST_NOW } from '../helpers/http-server';
import { InjectBrowser, PUBLIC_URL, startSignInWorld, type SignInWorld } from '../helpers/sign-in';

const SRC = path.resolve(import.meta.dirname, '../../src');

describe.each(testEngines())('the HTTP worker’s feed Twitch client on %s', (engine) => {
  let t: TestDatabase;
  let helix: FakeHelix;
  let restoreHelix: () => void;
  let world: SignInWorld;
  let browser: InjectBrowser;
  let csrf: string;
  const clock = new ManualClock(TEST_NOW);
  const feedsUrl = `/dashboard/api/settings/feeds?guild=${GUILD_A}`;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'dashboard-feeds-budget');
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
    const tables = ['dashboard_session_guilds', 'dashboard_sessions', 'dashboard_sign_ins', 'feeds', 'guild_settings', 'helix_budgets'];
    for (const table of tables) await queries(t.db).run(`DELETE FROM ${table}`);
    helix.requests.length = 0;
    // What src/http/worker.ts builds, with quick retries and a short wait for the bucket.
    const feeds = createDashboardFeedAdmin({
      db: t.db,
      clock,
      logger: silentLogger(),
      twitch: { clientId: helix.clientId, clientSecret: helix.clientSecret },
      tuning: { retry: { retries: 0, baseDelayMs: 5, maxDelayMs: 10 }, requestTimeoutMs: 5000, budget: { maxWaitMs: 200 } },
    });
    world = await startSignInWorld(t.db, { guildA: GUILD_A, guildB: GUILD_B, feeds: feeds! });
    browser = new InjectBrowser(world.server);
    await browser.signIn(world, world.alice.id);
    csrf = ((await browser.get('/auth/session')).json() as { csrfToken: string }).csrfToken;
  });
  afterEach(async () => {
    await world?.stop();
  });

  const addFeed = async () => {
    const settings = (await browser.get(`/dashboard/api/settings?guild=${GUILD_A}`)).json() as { channels: { id: string; name: string }[] };
    const channel = settings.channels.find((c) => c.name === 'clips')!.id;
    return browser.request('POST', feedsUrl, {
      headers: { 'x-csrf-token': csrf, origin: PUBLIC_URL, 'content-type': 'application/json' },
      payload: JSON.stringify({ channel, twitch: 'bigstreamer' }),
    });
  };
  const getUsersCalls = () => helix.requests.filter((r) => r.kind === 'helix' && r.endpoint === 'users');

  it('takes the points of a dashboard feed action from the client id’s budget row', async () => {
    expect(await readBudget(t.db, helix.clientId)).toBeNull();
    const added = await addFeed();
    expect(added.statusCode, added.body).toBe(201);
    expect(getUsersCalls()).toHaveLength(1);
    // One grant of 20 points went from the full bucket to the process that called Get Users.
    const row = await readBudget(t.db, helix.clientId);
    expect(row).toMatchObject({ refilledAt: TEST_NOW });
    expect(row!.points).toBe(DEFAULT_PACING.points - 20);
  });

  it('does not call Twitch while other processes have spent the bucket: the action is refused as unavailable', async () => {
    // Another process (the jobs, a CLI run) took every point there is; the manual clock refills none.
    const spent = await takeBudgetGrant(t.db, {
      clientId: helix.clientId,
      now: TEST_NOW,
      capacity: DEFAULT_PACING.points,
      windowMs: DEFAULT_PACING.windowMs,
      want: DEFAULT_PACING.points,
    });
    expect(spent.granted).toBe(DEFAULT_PACING.points);
    const refused = await addFeed();
    expect(refused.statusCode, refused.body).toBe(503);
    expect(getUsersCalls()).toEqual([]);
    expect(await queries(t.db).all('SELECT id FROM feeds')).toEqual([]);
  });
});

describe('Helix clients in the product', () => {
  it('are all built by createSharedTwitchApi, which spends the shared budget', () => {
    const callers: string[] = [];
    for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = path.join(entry.parentPath, entry.name);
      if (/\bcreateTwitchApi\(|new HelixPacer\(/.test(readFileSync(file, 'utf8'))) callers.push(path.relative(SRC, file));
    }
    expect(callers.sort()).toEqual(['twitch/client.ts', 'twitch/shared-budget.ts']);
  });
});
