// Sign in with Discord in Debian's Chromium through playwright-core, against the fake Discord: the button, Discord's
// authorize page and back, the person and their servers, the numbers of the picked server, changing the timezone,
// linking their Twitch account, switching servers, losing a server when a role is removed, signing out, and the token sign-in folded below the button.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { createApiToken } from '../../src/auth/tokens';
import { GUILD_A, GUILD_B, NOW, seedCommunity, shareNewClip } from '../fixtures/http-community';
import { twitchConnection } from '../fakes/discord';
import { startSignInWorld, type SignInWorld } from '../helpers/sign-in';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { chromiumFor, freePort, launchChromium } from '../helpers/browser';

const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
const hasChromium = chromiumFor('sign-in browser test');

describe.skipIf(!hasChromium)('Sign in with Discord in Chromium', () => {
  let temp: TempDb;
  let world: SignInWorld;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let url: string;
  const errors: string[] = [];
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    temp = createTempDb();
    seedCommunity(temp.db);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    world = await startSignInWorld(temp.db, { guildA: GUILD_A, guildB: GUILD_B, clock, publicUrl: url, http: { changeCheckMs: 50 } });
    await world.server.listen('127.0.0.1', port);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await world?.stop();
    temp?.cleanup();
  });

  async function freshPage(): Promise<Page> {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    return page;
  }

  const card = (label: string) =>
    page.locator('.card', { has: page.locator('.card-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.card-value');

  it('offers Sign in with Discord, with the token sign-in folded below', async () => {
    await freshPage();
    await page.goto(url);
    await expect.poll(() => page.locator('#discord-button').isVisible()).toBe(true);
    expect(await page.locator('#token-sign-in').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await page.locator('#token-input').isVisible()).toBe(false);
  });

  it('signs in through Discord and opens the one server the person manages, with its numbers', async () => {
    world.oauth.signInAs(world.alice.id);
    await page.click('#discord-button');
    await page.waitForURL(`${url}/?guild=${GUILD_A}`);
    await expect.poll(() => card('Clips').textContent()).toBe('2');
    expect(await page.locator('#user').textContent()).toContain('Alice');
    expect(await page.locator('#current-server').textContent()).toContain('Guild A');
    await expect.poll(() => page.locator('#live').getAttribute('data-state')).toBe('live');
    // The session cookie is HttpOnly: the page cannot read it, and it is in no URL.
    expect(await page.evaluate(() => document.cookie)).not.toContain('clipscope_session');
    expect(page.url()).not.toMatch(/code=|state=/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-signed-in.png'), fullPage: true });
  });

  it('changes the server’s timezone from the settings panel, and refuses a digest channel the bot cannot post in', async () => {
    await expect.poll(() => page.locator('#settings-form').getAttribute('data-state')).toBe('ready');
    expect(await page.locator('#setting-timezone').inputValue()).toBe('UTC');
    await page.selectOption('#setting-timezone', 'Europe/Berlin');
    await page.click('#settings-save');
    await expect.poll(() => page.locator('#settings-status').textContent()).toBe('Saved.');
    expect(await page.locator('#settings-changes li').first().textContent()).toMatch(
      /timezone UTC → Europe\/Berlin, by Alice \(dashboard\)/,
    );
    expect(
      (temp.db.$client.prepare('SELECT timezone FROM guild_settings WHERE guild_id = ?').get(GUILD_A) as { timezone: string }).timezone,
    ).toBe('Europe/Berlin');
    // The numbers follow the new timezone (read again), and the page did not reload.
    await expect.poll(() => card('Clips').textContent()).toBe('2');

    const rules = await page.locator('#setting-digest-channel option', { hasText: '#rules' }).getAttribute('value');
    await page.selectOption('#setting-digest-channel', rules!);
    await page.click('#settings-save');
    await expect
      .poll(() => page.locator('#settings-error').textContent())
      .toContain('cannot post the digest in #rules: it needs Send Messages');
    expect(
      (
        temp.db.$client.prepare('SELECT digest_channel_id FROM guild_settings WHERE guild_id = ?').get(GUILD_A) as {
          digest_channel_id: string | null;
        }
      ).digest_channel_id,
    ).toBeNull();
    await page.locator('#settings').screenshot({ path: path.join(ARTIFACTS, 'dashboard-settings.png') });
  });

  it('links the person’s verified Twitch account, shows their Discord name beside their clips, and unlinks it', async () => {
    world.oauth.accounts.get(world.alice.id)!.connections = [twitchConnection({ id: '4242', name: 'alice_tv' })];
    // A clip by that Twitch account, so the creators table has a row to name.
    shareNewClip(temp.db, GUILD_A, 'AliceTvClip', {
      views: 5000,
      creator: ['4242', 'alice_tv'],
      at: NOW - 90 * 86_400_000,
      messageId: '8101',
    });
    await expect.poll(() => page.locator('#twitch-link').isVisible()).toBe(true);
    expect(await page.locator('#twitch-link-state').textContent()).toContain('Link the Twitch account you clip with');
    await page.click('#twitch-link-button');
    await page.waitForURL(`${url}/?guild=${GUILD_A}`);
    await expect.poll(() => page.locator('#twitch-link-state').textContent()).toContain('Linked: alice_tv on Twitch (verified by Discord)');
    await page.click('#period-buttons button[data-period=all_time]');
    await expect
      .poll(() => page.locator('#creators tbody td[data-col=creator_name]').allTextContents())
      .toContain('alice_tv · Alice on Discord');
    await page.click('#twitch-unlink');
    await expect.poll(() => page.locator('#twitch-link-state').textContent()).toContain('Link the Twitch account you clip with');
    await expect.poll(() => page.locator('#creators tbody td[data-col=creator_name]').allTextContents()).toContain('alice_tv');
    expect(temp.db.$client.prepare('SELECT count(*) AS n FROM twitch_links').get()).toEqual({ n: 0 });
  });

  it('takes the server away when the person’s Manage Server role is removed, and says so', async () => {
    const alice = world.guildA.members!.find((m) => m.user.id === world.alice.id)!;
    alice.roles = [];
    clock.advance(world.settings.recheckMs);
    await page.click('#period-buttons button[data-period=all_time]');
    await expect.poll(() => page.locator('#server-picker').isVisible()).toBe(true);
    expect(await page.locator('#picker-message').textContent()).toContain('no longer have access to Guild A');
    expect(await page.locator('#server-list li').count()).toBe(0);
    expect(await page.locator('#server-empty').isVisible()).toBe(true);
    alice.roles = [world.guildA.modsRoleId];
  });

  it('signs out: back to the sign-in page, the Discord grant revoked', async () => {
    const tokensBefore = [...world.oauth.issuedTokens];
    await page.click('#sign-out');
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#sign-in-error').textContent()).toContain('signed out');
    expect(tokensBefore.some((t) => world.oauth.isLive(t))).toBe(false);
    await page.reload();
    await expect.poll(() => page.locator('#discord-button').isVisible()).toBe(true);
  });

  it('lists an owner’s servers with names, picks one, and switches to another', async () => {
    await freshPage();
    world.oauth.signInAs(world.bob.id);
    await page.goto(url);
    await page.click('#discord-button');
    await page.waitForURL(`${url}/`);
    await expect
      .poll(() => page.locator('#server-list button').allTextContents())
      .toEqual([expect.stringContaining('Guild A'), expect.stringContaining('Guild B')]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-server-picker.png') });
    await page.click(`#server-list button[data-guild="${GUILD_A}"]`);
    await page.waitForURL(`${url}/?guild=${GUILD_A}`);
    await expect.poll(() => card('Clips').textContent()).toBe('2');
    await page.click('#current-server');
    await page.click(`#server-list button[data-guild="${GUILD_B}"]`);
    await page.waitForURL(`${url}/?guild=${GUILD_B}`);
    await page.click('#period-buttons button[data-period=all_time]');
    // Guild B's own creator; guild A's Bob is not there.
    await expect.poll(() => page.locator('#creators tbody td[data-col=creator_name]').allTextContents()).toContain('Mallory');
    expect(await page.locator('#creators tbody td[data-col=creator_name]').allTextContents()).not.toContain('Bob');
    // Reloading keeps the server; a server id the person may not open falls back to the picker.
    await page.reload();
    await expect.poll(() => page.locator('#current-server').textContent()).toContain('Guild B');
    await page.goto(`${url}/?guild=999999999999999999`);
    await expect.poll(() => page.locator('#picker-message').textContent()).toContain('cannot open that server');
  });

  it('still signs in with an API token from the folded form', async () => {
    await freshPage();
    const token = (await createApiToken(temp.db, { guildId: GUILD_A, name: 'browser' }, NOW)).token;
    await page.goto(url);
    await page.click('#token-sign-in summary');
    await page.fill('#token-input', token);
    await page.click('#sign-in-form button[type=submit]');
    await expect.poll(() => card('Clips').textContent()).toBe('2');
    expect(await page.locator('#user').isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });
});
