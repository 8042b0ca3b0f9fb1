// The dashboard's "Download report (PDF)" in Debian's Chromium through playwright-core: the report for the period on
// screen arrives as a PDF download (read back with poppler), follows a period switch, and is off for all time.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens';
import { ManualClock } from '../../src/clock';
import type { HttpServer } from '../../src/http/server';
import { GUILD_A, NOW, seedCommunity } from '../fixtures/http-community';
import { startTestServer } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { chromiumFor, launchChromium } from '../helpers/browser';

const hasChromium = chromiumFor('dashboard report browser test');

describe.skipIf(!hasChromium)('the dashboard report button in Chromium', () => {
  let temp: TempDb;
  let server: HttpServer;
  let browser: Browser;
  let page: Page;
  let url: string;
  let token: string;

  beforeAll(async () => {
    temp = createTempDb();
    seedCommunity(temp.db);
    token = (await createApiToken(temp.db, { guildId: GUILD_A, name: 'browser' }, NOW)).token;
    ({ server } = await startTestServer(temp.db, {}, new ManualClock(NOW)));
    url = await server.listen('127.0.0.1', 0);
    browser = await launchChromium();
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(url);
    await page.fill('#token-input', token);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#creators tbody tr').first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    temp?.cleanup();
  });

  /** Clicks the control and reads the PDF that arrives: its suggested name and its text. */
  async function download(): Promise<{ name: string; text: string }> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('#report-pdf')]);
    const saved = await file.path();
    expect(fs.readFileSync(saved).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    return {
      name: file.suggestedFilename(),
      text: execFileSync('pdftotext', ['-layout', saved, '-'], { encoding: 'utf8', timeout: 30_000 }),
    };
  }

  it("downloads this week's report as a PDF while the week is on screen", async () => {
    expect(await page.locator('#period-buttons button[data-period=week]').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#report-pdf').textContent()).toBe('Download report (PDF)');
    const { name, text } = await download();
    expect(name).toBe('clipscope-report-Week-of-2026-11-23.pdf');
    expect(text).toContain('Week of 2026-11-23');
    expect(text).toContain('Top creators');
    // Ready for the next one once it has arrived.
    await expect.poll(() => page.locator('#report-pdf').isEnabled()).toBe(true);
  });

  it('follows the period switch: this month gives the month’s report', async () => {
    await page.click('#period-buttons button[data-period=month]');
    const { name, text } = await download();
    expect(name).toBe('clipscope-report-November-2026.pdf');
    expect(text).toContain('November 2026');
    expect(text).toContain('Compared: Nov 1–25 vs Oct 1–25');
  });

  it('is off for all time, saying which periods a report covers', async () => {
    await page.click('#period-buttons button[data-period=all_time]');
    await expect.poll(() => page.locator('#report-pdf').isDisabled()).toBe(true);
    expect(await page.locator('#report-pdf').getAttribute('title')).toContain('a day, a week or a month');
    await page.click('#period-buttons button[data-period=day]');
    await expect.poll(() => page.locator('#report-pdf').isEnabled()).toBe(true);
    expect(await page.locator('#report-pdf').getAttribute('title')).toBe('The report for today as a PDF');
  });
});
