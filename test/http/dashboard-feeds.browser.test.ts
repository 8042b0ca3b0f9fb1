// Clip feeds in the dashboard's settings panel, in Debian's Chromium through playwright-core, on both engines: a
// manager signs in with Discord, adds a feed, is told which option is wrong, edits, pauses, resumes and removes it,
// and the feed store the slash command and the feed job read follows each step.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { listFeeds } from '../../src/db/stores/feeds';
import { createFeedAdmin } from '../../src/feed/admin';
import { silentLogger } from '../../src/logger';
import { createTwitchApi } from '../../src/twitch/client';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { GUILD_A, GUILD_B, TEST_NOW } from '../helpers/http-server';
import { startSignInWorld, type SignInWorld } from '../helpers/sign-in';
import { chromiumFor, freePort, launchChromium } from '../helpers/browser';

const hasChromium = chromiumFor('dashboard feeds browser test');
describe.skipIf(!hasChromium).each(testEngines())('clip feeds in the dashboard on %s', (engine) => {
  let t: TestDatabase;
  let helix: FakeHelix;
  let restoreHelix: () => void;
  let world: SignInWorld;
  let browser: Browser;
  let page: Page;
  let url: string;
  const errors: string[] = [];

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'dashboard-feeds-browser');
    helix = new FakeHelix();
    restoreHelix = useFakeHelixPort(await helix.start());
    helix.addUser({ id: '777', login: 'bigstreamer', display_name: 'BigStreamer' });
    const twitch = createTwitchApi({
      clientId: helix.clientId,
      clientSecret: helix.clientSecret,
      logger: silentLogger(),
      retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 },
      requestTimeoutMs: 5000,
      pacing: false,
    });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    world = await startSignInWorld(t.db, {
      guildA: GUILD_A,
      guildB: GUILD_B,
      clock: new ManualClock(TEST_NOW),
      publicUrl: url,
      feeds: createFeedAdmin({ db: t.db, clock: new ManualClock(TEST_NOW), twitch }),
    });
    await world.server.listen('127.0.0.1', port);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => errors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await world?.stop();
    await helix?.stop();
    restoreHelix?.();
    await t?.close();
  });

  const feedItems = () => page.locator('#feeds-list li').allTextContents();

  it('adds, refuses, edits, pauses, resumes and removes a feed from the settings panel', async () => {
    await page.goto(url);
    world.oauth.signInAs(world.alice.id);
    await page.click('#discord-button');
    await page.waitForURL(`${url}/?guild=${GUILD_A}`);
    await expect.poll(() => page.locator('#feeds').getAttribute('data-state')).toBe('ready');
    expect(await feedItems()).toEqual(['No clip feeds yet.']);

    await page.selectOption('#feed-channel', { label: '#clips' });
    await page.fill('#feed-twitch', 'BigStreamer');
    await page.fill('#feed-min-views', '10');
    await page.fill('#feed-max-per-hour', '101');
    await page.click('#feed-save');
    // The slash command's rule, naming the option.
    await expect.poll(() => page.locator('#feed-error').textContent()).toMatch(/max_per_hour: expected 0 \(no limit\) to 100/);
    expect(await listFeeds(t.db, GUILD_A)).toEqual([]);

    await page.fill('#feed-max-per-hour', '6');
    await page.click('#feed-save');
    await expect.poll(() => page.locator('#feed-status').textContent()).toBe('Saved.');
    const [feed] = await listFeeds(t.db, GUILD_A);
    expect(feed).toMatchObject({ broadcasterLogin: 'bigstreamer', minViews: 10, maxPerHour: 6 });
    expect((await feedItems())[0]).toMatch(new RegExp(`^#${feed!.id} BigStreamer → #clips · posting · at least 10 views · at most 6/hour`));

    const item = page.locator(`#feeds-list li[data-feed="${feed!.id}"]`);
    await item.locator('button', { hasText: 'Edit' }).click();
    await page.fill('#feed-min-views', '25');
    await page.fill('#feed-games', 'Just Chatting');
    await page.click('#feed-save');
    await expect.poll(async () => (await feedItems())[0]).toMatch(/at least 25 views · games: just chatting/);
    expect((await listFeeds(t.db, GUILD_A))[0]).toMatchObject({ minViews: 25, games: ['just chatting'], maxPerHour: 6 });

    // The slash command's other options: clippers left out, a role to mention, clips members shared first left out.
    await item.locator('button', { hasText: 'Edit' }).click();
    await page.fill('#feed-creators-exclude', 'SpamBot, Alt_Account');
    await page.selectOption('#feed-mention-role', { label: '@Viewers' });
    await page.uncheck('#feed-post-member-shared');
    await page.click('#feed-save');
    await expect
      .poll(async () => (await feedItems())[0])
      .toMatch(/not clipped by: spambot, alt_account · .*mentions @Viewers · not clips members shared first/);
    expect((await listFeeds(t.db, GUILD_A))[0]).toMatchObject({
      creatorsExclude: ['spambot', 'alt_account'],
      mentionRoleId: world.guildA.viewersRoleId,
      postMemberShared: false,
      minViews: 25,
    });
    // "No mention" clears the role; nothing else changes.
    await item.locator('button', { hasText: 'Edit' }).click();
    expect(await page.inputValue('#feed-mention-role')).toBe(world.guildA.viewersRoleId);
    await page.selectOption('#feed-mention-role', { label: 'No mention' });
    await page.click('#feed-save');
    await expect.poll(async () => (await feedItems())[0]).not.toMatch(/mentions/);
    expect((await listFeeds(t.db, GUILD_A))[0]).toMatchObject({
      mentionRoleId: null,
      postMemberShared: false,
      creatorsExclude: ['spambot', 'alt_account'],
    });

    await item.locator('button', { hasText: 'Pause' }).click();
    await expect.poll(async () => (await feedItems())[0]).toMatch(/· paused/);
    expect((await listFeeds(t.db, GUILD_A))[0]).toMatchObject({ paused: true, pauseCause: 'admin' });
    await page.locator(`#feeds-list li[data-feed="${feed!.id}"] button`, { hasText: 'Resume' }).click();
    await expect.poll(async () => (await feedItems())[0]).toMatch(/· posting/);

    await page.locator(`#feeds-list li[data-feed="${feed!.id}"] button`, { hasText: 'Remove' }).click();
    await expect.poll(() => feedItems()).toEqual(['No clip feeds yet.']);
    expect(await listFeeds(t.db, GUILD_A)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
