// The engagement timeline's "Show: Reactions by mood" toggle in a real browser (Debian's Chromium through
// playwright-core), on both engines: activity lines by default; the toggle stacks each bucket's reactions by mood in
// the moods panel's colours, with the numbers the API gives; switching back restores the activity lines.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import type { HttpServer } from '../../src/http/server';
import { aggregatedCommunityOn, GUILD_A, NOW } from '../fixtures/http-community';
import { chromiumFor, launchChromium } from '../helpers/browser';
import { testEngines } from '../helpers/engines';
import { startTestServer } from '../helpers/http-server';

const hasChromium = chromiumFor('timeline moods browser test');

interface ChartView {
  type: string;
  stacked: boolean;
  labels: string[];
  datasets: Array<{ label: string; data: number[]; color: string }>;
}

describe.skipIf(!hasChromium).each(testEngines())('the timeline’s mood toggle on %s', (engine) => {
  let community: { db: Db; close(): Promise<void> } | undefined;
  let db: Db;
  let server: HttpServer;
  let browser: Browser;
  let page: Page;
  let token: string;
  const errors: string[] = [];
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    community = await aggregatedCommunityOn(engine, 'dashboard-timeline-moods', clock);
    db = community.db;
    token = (await createApiToken(db, { guildId: GUILD_A, name: 'browser' }, NOW)).token;
    ({ server } = await startTestServer(db, {}, clock));
    const url = await server.listen('127.0.0.1', 0);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.fill('#token-input', token);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#creators tbody tr').first().waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await community?.close();
  });

  /** The chart Chart.js drew on the timeline canvas, as data. */
  const chart = (): Promise<ChartView | null> =>
    page.evaluate(() => {
      const Chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart;
      const c = Chart.getChart(document.getElementById('timeline-chart') as HTMLCanvasElement) as
        | {
            config: { type: string };
            options: { scales: { y: { stacked?: boolean } } };
            data: { labels: string[]; datasets: Array<{ label: string; data: number[]; backgroundColor: string }> };
          }
        | undefined;
      if (!c) return null;
      return {
        type: c.config.type,
        stacked: c.options.scales.y.stacked === true,
        labels: c.data.labels,
        datasets: c.data.datasets.map((d) => ({ label: d.label, data: [...d.data], color: d.backgroundColor })),
      };
    });
  const painted = (): Promise<number> =>
    page.evaluate(() => {
      const canvas = document.getElementById('timeline-chart') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });

  it('shows the activity lines by default', async () => {
    await expect.poll(() => page.locator('#timeline').getAttribute('data-state')).toBe('ready');
    expect(await page.locator('#timeline-show').inputValue()).toBe('activity');
    const view = await chart();
    expect(view?.type).toBe('line');
    expect(view?.datasets.map((d) => d.label)).toEqual(['Clips created', 'Discord shares', 'Reactions', 'Views']);
  });

  it('stacks each bucket’s reactions by mood, in the moods panel’s colours, as the API answers', async () => {
    await page.selectOption('#timeline-bucket', 'day');
    await page.selectOption('#timeline-days', '30');
    await expect.poll(async () => (await chart())?.labels.length).toBe(30);
    await page.selectOption('#timeline-show', 'moods');
    await expect.poll(async () => (await chart())?.type).toBe('bar');
    expect(await page.locator('#timeline').getAttribute('data-show')).toBe('moods');
    const view = (await chart()) as ChartView;
    expect(view.stacked).toBe(true);
    expect(view.datasets.map((d) => d.label)).toEqual(['Hype', 'Funny', 'Love', 'Wow', 'Sad', 'Negative', 'Other']);
    // The same colours as the "What the reactions say" panel's bars.
    const moodColours = await page.evaluate(() => {
      const Chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart;
      const c = Chart.getChart(document.getElementById('moods-chart') as HTMLCanvasElement) as
        | { data: { datasets: Array<{ backgroundColor: string }> } }
        | undefined;
      return c?.data.datasets.map((d) => d.backgroundColor) ?? [];
    });
    expect(view.datasets.map((d) => d.color)).toEqual(moodColours);
    // The numbers are the API's, bucket by bucket: 2026-11-24 (the 29th of 30 days) has two 😂 and one 🔥.
    const api = await page.evaluate(async (t) => {
      const res = await fetch('/analytics/api/engagement-timeline?period=day&days=30', { headers: { authorization: `Bearer ${t}` } });
      return (await res.json()) as { buckets: Array<{ date: string; moods: Record<string, number> }> };
    }, token);
    const keys = ['hype', 'funny', 'love', 'wow', 'sad', 'negative', 'other'];
    expect(view.datasets.map((d) => d.data)).toEqual(keys.map((k) => api.buckets.map((b) => b.moods[k])));
    const day = api.buckets.findIndex((b) => b.date === '2026-11-24');
    expect(view.datasets.find((d) => d.label === 'Funny')?.data[day]).toBe(2);
    expect(view.datasets.find((d) => d.label === 'Hype')?.data[day]).toBe(1);
    expect(await painted()).toBeGreaterThan(1000);
  });

  it('keeps the moods across a change of range, and switches back to the activity lines', async () => {
    await page.selectOption('#timeline-bucket', 'week');
    await expect.poll(async () => (await chart())?.labels.length).toBeLessThan(30);
    expect((await chart())?.type).toBe('bar');
    await page.selectOption('#timeline-show', 'activity');
    await expect.poll(async () => (await chart())?.type).toBe('line');
    expect((await chart())?.datasets.map((d) => d.label)).toEqual(['Clips created', 'Discord shares', 'Reactions', 'Views']);
    expect(errors).toEqual([]);
  });
});
