// Drives the real dashboard in Debian's Chromium through playwright-core: sign in, read the numbers, switch
// period, draw the chart, download a CSV, see hostile text as text, and follow a live change.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import type { HttpServer } from '../../src/http/server';
import { createApiToken } from '../../src/auth/tokens';
import { GUILD_A, HOSTILE_TITLE, NOW, seedCommunity, shareNewClip } from '../fixtures/http-community';
import { startTestServer } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { chromiumFor, launchChromium } from '../helpers/browser';

const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
const hasChromium = chromiumFor('dashboard browser test');

describe.skipIf(!hasChromium)('dashboard in Chromium', () => {
  let temp: TempDb;
  let server: HttpServer;
  let browser: Browser;
  let page: Page;
  let url: string;
  let token: string;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    temp = createTempDb();
    seedCommunity(temp.db);
    token = (await createApiToken(temp.db, { guildId: GUILD_A, name: 'browser' }, NOW)).token;
    ({ server } = await startTestServer(temp.db, { changeCheckMs: 50 }, clock));
    url = await server.listen('127.0.0.1', 0);
    browser = await launchChromium();
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    temp?.cleanup();
  });

  const card = (label: string) =>
    page.locator('.card', { has: page.locator('.card-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.card-value');

  it('asks for a token, then shows the guild’s numbers for this week', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    await page.fill('#token-input', 'cs_not-a-real-token');
    await page.click('#sign-in-form button[type=submit]');
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toContain('not accepted');

    await page.fill('#token-input', token);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#creators tbody tr').first().waitFor();
    expect(page.url()).not.toContain('cs_');
    expect(await page.evaluate(() => sessionStorage.getItem('clipscope.token'))).toBe(token);
    expect(await card('Clips').textContent()).toBe('2');
    const creators = await page.locator('#creators tbody td[data-col=creator_name]').allTextContents();
    expect(creators).toContain('Alice');
    expect(creators).not.toContain('Bob');
    expect(await page.locator('#games tbody tr').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('switches period and the numbers change', async () => {
    await page.click('#period-buttons button[data-period=all_time]');
    await expect.poll(() => card('Clips').textContent()).toBe('4');
    await expect.poll(() => page.locator('#creators tbody td[data-col=creator_name]').allTextContents()).toContain('Bob');
    expect(await page.locator('#period-buttons button[data-period=all_time]').getAttribute('aria-pressed')).toBe('true');
  });

  it('sorts a table by a column', async () => {
    await page.click('#creators th button:has-text("Views")');
    await expect.poll(() => page.locator('#creators tbody tr:first-child td[data-col=creator_name]').textContent()).toBe('Bob');
    expect(await page.locator('#creators th[aria-sort=descending]').textContent()).toContain('Views');
  });

  it('draws the engagement chart and the heatmap', async () => {
    await page.selectOption('#timeline-days', '730');
    await expect.poll(() => page.locator('#timeline').getAttribute('data-state')).toBe('ready');
    const painted = await page.evaluate(() => {
      const canvas = document.getElementById('timeline-chart') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) opaque++;
      return { width: canvas.width, height: canvas.height, opaque };
    });
    expect(painted.width).toBeGreaterThan(100);
    expect(painted.opaque).toBeGreaterThan(1000);
    await expect.poll(() => page.locator('#peak .hm-cell').count()).toBe(7 * 24);
    expect(await page.locator('#peak .hm-cell[data-value="1"]').count()).toBeGreaterThan(0);
  });

  it('draws when in the stream clips happen, with the placed and unplaced clips counted', async () => {
    await expect.poll(() => page.locator('#streams').getAttribute('data-state')).toBe('ready');
    // All time: Alpha's clip 20 minutes into the followed broadcast; the three others have no VOD offset.
    expect(await page.locator('#streams-summary').textContent()).toContain(
      '1 of 4 clips placed in their stream, 3 without a VOD offset (counted apart) · 1 stream, 3 h, 0.33/h · first clip after 20 min (median)',
    );
    const opaque = await page.evaluate(() => {
      const canvas = document.getElementById('streams-chart') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(opaque).toBeGreaterThan(1000);
  });

  it('draws the reaction moods as stacked bars', async () => {
    await expect.poll(() => page.locator('#moods').getAttribute('data-state')).toBe('ready');
    const painted = await page.evaluate(() => {
      const canvas = document.getElementById('moods-chart') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) opaque++;
      return { width: canvas.width, opaque };
    });
    expect(painted.width).toBeGreaterThan(100);
    expect(painted.opaque).toBeGreaterThan(1000);
  });

  it('suggests growth opportunities for the period', async () => {
    await expect.poll(() => page.locator('#growth').getAttribute('data-state')).toBe('ready');
    // All time: the clip with three reactions on a thousand views is the community's favourite.
    expect(await page.locator('#growth .growth-list').nth(2).textContent()).toContain('Alpha: the clutch');
  });

  it('shows a hostile clip title as text, never as markup', async () => {
    await expect.poll(() => page.locator('#viral .clip-title').allTextContents()).toContain(HOSTILE_TITLE);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#viral img[src="x"]').count()).toBe(0);
    // Thumbnails only ever point at the https URLs stored for the clips (unreachable offline: then a placeholder).
    for (const src of await page.locator('#viral .clip img').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src')))) {
      expect(src).toMatch(/^https:\/\/clips-media-assets2\.twitch\.tv\//);
    }
    expect(await page.locator('#viral .clip').count()).toBe(4);
  });

  it('downloads a CSV of the table', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.csv[data-report=top-creators]')]);
    expect(download.suggestedFilename()).toBe('clipscope-top-creators-all-time.csv');
    const file = await download.path();
    const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    expect(text.split('\r\n')[0]).toContain('creator_name');
    expect(text).toContain('Alice');
  });

  it('updates live when a clip is shared, without reloading', async () => {
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
    await expect.poll(() => page.locator('#live').getAttribute('data-state')).toBe('live');
    clock.advance(1000);
    shareNewClip(temp.db, GUILD_A, 'LiveClipSix', { views: 123, creator: ['c6', 'Livewire'], at: clock.now(), messageId: '8001' });
    await expect.poll(() => card('Clips').textContent(), { timeout: 10_000 }).toBe('5');
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
  });

  it('signs out and forgets the token', async () => {
    await page.click('#sign-out');
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('clipscope.token'))).toBeNull();
  });
});
