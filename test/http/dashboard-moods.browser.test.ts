// The settings panel's emoji moods in a real browser (Debian's Chromium through playwright-core), on both engines: a
// manager signed in with Discord sets an override (KEKW → negative) with the same rules as /clipscope-admin moods,
// sees a refused one named by its field, resets it; another server's overrides stay apart, and a server the person
// does not manage is refused.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { listMoodOverrides, setMoodOverride } from '../../src/db/stores/mood-overrides';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { startSignInWorld, type SignInWorld } from '../helpers/sign-in';
import { chromiumFor, freePort, launchChromium } from '../helpers/browser';

const hasChromium = chromiumFor('mood settings browser test');
const GUILD_A = '100000000000000001';
const GUILD_B = '200000000000000002';
const NOW = Date.parse('2026-11-25T12:00:00Z');

describe.skipIf(!hasChromium).each(testEngines())('mood overrides on the settings panel on %s', (engine) => {
  let t: TestDatabase;
  let world: SignInWorld;
  let browser: Browser;
  let page: Page;
  let url: string;
  const errors: string[] = [];

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'dashboard-moods');
    // Another server's override, which this server's panel must never show.
    await setMoodOverride(t.db, GUILD_B, { emoji: 'name:lul', mood: 'sad', by: 'bob', now: NOW }, 200);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    world = await startSignInWorld(t.db, { guildA: GUILD_A, guildB: GUILD_B, clock: new ManualClock(NOW), publicUrl: url });
    await world.server.listen('127.0.0.1', port);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    world.oauth.signInAs(world.alice.id);
    await page.goto(url);
    await page.click('#discord-button');
    await page.waitForURL(`${url}/?guild=${GUILD_A}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await world?.stop();
    await t?.close();
  });

  const overrides = () => page.locator('#mood-overrides li').allTextContents();
  const stored = async (guildId: string) => (await listMoodOverrides(t.db, guildId, 200)).map((r) => [r.emoji, r.mood]);

  it('lists no override at first, and none of another server’s', async () => {
    await expect.poll(() => page.locator('#mood-settings').getAttribute('data-state')).toBe('ready');
    expect(await overrides()).toEqual(['No override: every emoji counts as the default table says.']);
    expect(await page.locator('#mood-setting-mood option').allTextContents()).toEqual([
      'hype',
      'funny',
      'love',
      'wow',
      'sad',
      'negative',
      'other',
    ]);
  });

  it('sets KEKW to negative by name, for this server only', async () => {
    await page.fill('#mood-setting-emoji', 'KEKW');
    await page.selectOption('#mood-setting-mood', 'negative');
    await page.click('#mood-setting-save');
    await expect.poll(overrides).toEqual([':kekw: → negative (default: funny) Reset']);
    expect(await page.locator('#mood-settings-status').textContent()).toBe('Saved. Mood answers use it at once.');
    expect(await stored(GUILD_A)).toEqual([['name:kekw', 'negative']]);
    expect(await stored(GUILD_B)).toEqual([['name:lul', 'sad']]);
  });

  it('refuses an empty emoji with the field named, and changes nothing', async () => {
    await page.fill('#mood-setting-emoji', '   ');
    await page.click('#mood-setting-save');
    await expect.poll(() => page.locator('#mood-settings-error').textContent()).toBe('emoji: must not be empty');
    expect(await stored(GUILD_A)).toEqual([['name:kekw', 'negative']]);
  });

  it('resets the override to the default', async () => {
    await page.locator('#mood-overrides button.mood-reset').click();
    await expect.poll(overrides).toEqual(['No override: every emoji counts as the default table says.']);
    expect(await stored(GUILD_A)).toEqual([]);
    expect(await stored(GUILD_B)).toEqual([['name:lul', 'sad']]);
  });

  it('refuses the overrides of a server the person only belongs to, and a change without the CSRF token', async () => {
    const status = (path: string, method: string) =>
      page.evaluate(
        async ([p, m]) =>
          (
            await fetch(p as string, {
              method: m as string,
              headers: { 'content-type': 'application/json' },
              body: m === 'GET' ? undefined : JSON.stringify({ emoji: 'LUL', mood: 'hype' }),
            })
          ).status,
        [path, method],
      );
    expect(await status(`/dashboard/api/settings/moods?guild=${GUILD_B}`, 'GET')).toBe(403);
    expect(await status(`/dashboard/api/settings/moods?guild=${GUILD_A}`, 'PUT')).toBe(403);
    expect(await stored(GUILD_A)).toEqual([]);
    expect(await stored(GUILD_B)).toEqual([['name:lul', 'sad']]);
    expect(errors).toEqual([]);
  });
});
