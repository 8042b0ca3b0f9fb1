// The dashboard tells the truth in a real browser (Debian's Chromium through playwright-core): comparisons say what
// they compare and show the previous value beside the change; clips still waiting for Twitch are said to be waiting.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens';
import { recordMessageNow } from '../../src/capture/record-now';
import { rememberGuildName } from '../../src/db/guild-settings';
import { ManualClock } from '../../src/clock';
import type { HttpServer } from '../../src/http/server';
import { GUILD_A, NOW, seedCommunity, shareNewClip } from '../fixtures/http-community';
import { startTestServer } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { chromiumFor, launchChromium } from '../helpers/browser';

/** The server's icon hash as the gateway gave it (the page cannot load it offline; its address is what is checked). */
const ICON = 'fedcba9876543210fedcba9876543210';
const hasChromium = chromiumFor('dashboard browser test');
describe.skipIf(!hasChromium)('an honest dashboard in Chromium', () => {
  let temp: TempDb;
  let server: HttpServer;
  let browser: Browser;
  let page: Page;
  let url: string;
  let token: string;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    temp = createTempDb();
    seedCommunity(temp.db);
    // October: one clip early in the month, one late; the comparisons below set November against them.
    shareNewClip(temp.db, GUILD_A, 'OctoberEarly', {
      views: 10,
      creator: ['c1', 'Alice'],
      at: Date.parse('2026-10-03T10:00:00Z'),
      messageId: '7101',
    });
    shareNewClip(temp.db, GUILD_A, 'OctoberLate', {
      views: 10,
      creator: ['c1', 'Alice'],
      at: Date.parse('2026-10-28T10:00:00Z'),
      messageId: '7102',
    });
    // Shared in Discord but never looked up on Twitch (this server has no Twitch credentials): a share, not yet a clip.
    recordMessageNow(
      temp.db,
      {
        guildId: GUILD_A,
        channelId: '900',
        messageId: '7201',
        authorId: 'poster',
        authorName: 'poster',
        authorIsBot: false,
        postedAt: NOW - 60_000,
        content: 'https://clips.twitch.tv/StillWaiting',
        source: 'discord',
      },
      NOW - 60_000,
    );
    await rememberGuildName(temp.db, GUILD_A, 'Clip Club', NOW, ICON);
    token = (await createApiToken(temp.db, { guildId: GUILD_A, name: 'honest' }, NOW)).token;
    ({ server } = await startTestServer(temp.db, { changeCheckMs: 50 }, clock));
    url = await server.listen('127.0.0.1', 0);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(url);
    await page.evaluate((t) => sessionStorage.setItem('clipscope.token', t), token);
    await page.reload();
    await page.locator('#creators tbody tr').first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    temp?.cleanup();
  });

  const change = (label: string) =>
    page.locator('.card', { has: page.locator('.card-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.card-change');

  it('names the server it shows, with its icon, in the header and the tab title', async () => {
    await expect.poll(() => page.locator('#guild-name').textContent()).toBe('Clip Club');
    expect(await page.title()).toBe('Clip Club · Clipscope');
    expect(await page.locator('#guild-name img').getAttribute('src')).toBe(
      `https://cdn.discordapp.com/icons/${GUILD_A}/${ICON}.png?size=64`,
    );
  });

  describe('clips waiting for Twitch', () => {
    it('says a shared clip is waiting for Twitch data, and which settings look it up', async () => {
      await expect
        .poll(() => page.locator('#status-line').textContent())
        .toBe(
          '1 clip waiting for Twitch data: this server does not look clips up on Twitch. Set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET to count them as clips (they already count as shares).',
        );
      expect(await page.locator('#status-line').isVisible()).toBe(true);
    });
  });

  describe('panels that heal', () => {
    const PANELS = ['overview', 'creators', 'games', 'timeline', 'peak', 'growth', 'viral'];
    const states = () => page.evaluate((ids) => ids.map((id) => document.getElementById(id)?.dataset.state), PANELS);

    it('retries a panel whose one request failed, and is not "Live" meanwhile', async () => {
      await expect.poll(() => page.locator('#live').getAttribute('data-state')).toBe('live');
      // Record every state the games panel and the badge pass through.
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { __seen: string[] }).__seen = seen;
        const games = document.getElementById('games') as HTMLElement;
        const live = document.getElementById('live') as HTMLElement;
        const note = () => seen.push(`${games.dataset.state}/${live.dataset.state}`);
        const observer = new MutationObserver(note);
        observer.observe(games, { attributes: true, attributeFilter: ['data-state'] });
        observer.observe(live, { attributes: true, attributeFilter: ['data-state'] });
      });
      let aborted = 0;
      await page.route(
        /\/analytics\/api\/top-games\?/,
        (route) => {
          aborted++;
          return route.abort('connectionreset');
        },
        { times: 1 },
      );
      await page.click('#period-buttons button[data-period=day]');
      await expect.poll(() => aborted).toBe(1);
      await expect.poll(() => page.locator('#games').getAttribute('data-state'), { timeout: 10_000 }).toBe('ready');
      const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
      expect(seen.some((s) => s.startsWith('error/'))).toBe(true);
      expect(seen.filter((s) => s.startsWith('error/')).every((s) => !s.endsWith('/live'))).toBe(true);
      await expect.poll(() => page.locator('#live').getAttribute('data-state')).toBe('live');
    });

    it('shows one banner while the server is down, and every panel recovers when it is back', async () => {
      const port = Number(new URL(url).port);
      await server.close();
      await expect.poll(() => page.locator('#live').getAttribute('data-state')).not.toBe('live');
      await page.click('#period-buttons button[data-period=week]');
      await expect.poll(() => page.locator('#offline-banner').isVisible()).toBe(true);
      await expect.poll(states).toEqual(PANELS.map(() => 'error'));
      // The sentence once, in the banner; the panels say briefly that they wait.
      expect(await page.getByText('The server cannot be reached').count()).toBe(1);
      expect(await page.locator('#games .state').textContent()).toContain('Waiting for the server');
      expect(await page.locator('#live').getAttribute('data-state')).not.toBe('live');

      ({ server } = await startTestServer(temp.db, { changeCheckMs: 50 }, clock));
      await server.listen('127.0.0.1', port);
      await expect.poll(states, { timeout: 20_000 }).toEqual(PANELS.map(() => 'ready'));
      await expect.poll(() => page.locator('#offline-banner').isVisible()).toBe(false);
      await expect.poll(() => page.locator('#live').getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
    });
  });

  describe('numbers that say what they are', () => {
    it('shows the figure "most engaging creators" ranks by, in order', async () => {
      await page.click('#period-buttons button[data-period=all_time]');
      // The panel can re-render between two reads (a period switch, a live refresh): take its text and its list in one
      // snapshot, once a render with the list is on the page.
      const snapshot = () =>
        page.locator('#growth').evaluate((el) => ({
          ready: el.getAttribute('data-state') === 'ready',
          text: el.textContent ?? '',
          lines: Array.from(el.querySelectorAll('.growth-list')[1]?.querySelectorAll('li') ?? [], (li) => li.textContent ?? ''),
        }));
      let seen = await snapshot();
      await expect
        .poll(async () => {
          seen = await snapshot();
          return seen.ready && seen.lines.length > 1;
        })
        .toBe(true);
      const { text, lines } = seen;
      const perClip = lines.map((line) => {
        expect(line).toMatch(/ · [\d.]+ per clip \(\d+ shares? \+ \d+ reactions? on \d+ clips?\)$/);
        return Number(/([\d.]+) per clip/.exec(line)?.[1]);
      });
      expect(perClip).toEqual([...perClip].sort((a, b) => b - a));
      expect(text).toContain('Ranked by Discord shares + reactions per clip');
    });

    it('never says "1 clips", "1 shares", "1 reactions" or "1 views"', async () => {
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).not.toMatch(/(^|[^\d,.])1 (clips|shares|reactions|views)\b/);
      expect(text).toMatch(/\b1 clip\b/);
    });

    it('explains a views-per-hour order when no clip has view history', async () => {
      await page.selectOption('#viral-sort', 'view_velocity');
      await expect.poll(() => page.locator('.sort-note').textContent()).toContain('No clip in this period has view history yet');
      expect(await page.locator('#viral .clip-stats').first().textContent()).toMatch(/^no view history yet · /);
      await page.selectOption('#viral-sort', 'view_count');
      await expect.poll(() => page.locator('.sort-note').isVisible()).toBe(false);
    });
  });

  describe('layout', () => {
    const fits = (id: string) =>
      page.evaluate((id) => {
        const wrap = document.getElementById(id) as HTMLElement;
        return wrap.scrollWidth <= wrap.clientWidth + 1;
      }, id);

    it('shows every column of both tables at 1400 px', async () => {
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.click('#period-buttons button[data-period=all_time]');
      await page.locator('#creators tbody tr').first().waitFor();
      await expect.poll(() => fits('creators')).toBe(true);
      await expect.poll(() => fits('games')).toBe(true);
      await expect.poll(() => page.locator('#creators th').allTextContents()).toContain('Top game');
      expect(await page.locator('.scroll-hint').first().isVisible()).toBe(false);
    });

    it('keeps the figure cards one line tall beside a long top game or creator name, at both widths', async () => {
      const heights = () =>
        page.evaluate(() =>
          Array.from(document.querySelectorAll('#overview .card')).map((card) => ({
            label: card.querySelector('.card-label')?.textContent,
            height: card.getBoundingClientRect().height,
            width: card.getBoundingClientRect().width,
          })),
        );
      for (const width of [1400, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.click('#period-buttons button[data-period=all_time]');
        // Polled as a whole: the overview re-renders after the period click, and a card measured mid-render lies.
        const layout = async () => {
          const cards = await heights();
          const clips = cards.find((card) => card.label === 'Clips');
          const game = cards.find((card) => card.label === 'Top game');
          // A figure card holds a label, a number and a change line: it never grows to the height of a wrapped name.
          const tall = cards
            .filter((c) => c.label !== 'Top game' && c.label !== 'Top creator' && c.height >= 100)
            .map((c) => `${c.label}: ${c.height}px`);
          return { cards: cards.length >= 8, tall, spansTwoColumns: Boolean(game && clips && game.width > 1.9 * clips.width) };
        };
        await expect.poll(layout, { message: `cards at ${width} px` }).toEqual({ cards: true, tall: [], spansTwoColumns: true });
      }
      await page.setViewportSize({ width: 1400, height: 900 });
    });

    it('at 390 px a table either fits or says it scrolls, and the heatmap shows all 24 hours', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      for (const id of ['creators', 'games']) {
        await expect.poll(async () => (await fits(id)) || (await page.locator(`#${id} + .scroll-hint`).isVisible())).toBe(true);
      }
      await expect.poll(() => page.locator('#peak .hm-cell').count()).toBe(7 * 24);
      const lastHour = await page.locator('#peak .hm-cell').nth(23).boundingBox();
      expect(lastHour && lastHour.x + lastHour.width).toBeLessThanOrEqual(390);
      expect(await fits('peak')).toBe(true);
      await page.setViewportSize({ width: 1400, height: 900 });
    });
  });

  describe('charts', () => {
    it('draws 730 daily points without markers, with human dates and the running bucket marked', async () => {
      await page.selectOption('#timeline-bucket', 'day');
      await page.selectOption('#timeline-days', '730');
      await expect.poll(() => page.locator('#timeline').getAttribute('data-state')).toBe('ready');
      const chart = await page.evaluate(() => {
        const canvas = document.getElementById('timeline-chart') as HTMLCanvasElement;
        const found = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart.getChart(canvas);
        return { labels: found.data.labels as string[], radius: found.data.datasets.map((d: { pointRadius: number }) => d.pointRadius) };
      });
      expect(chart.labels).toHaveLength(730);
      expect(chart.radius.every((r: number) => r === 0)).toBe(true);
      expect(chart.labels.some((l) => /^\d{4}-\d{2}-\d{2}$/.test(l))).toBe(false);
      expect(chart.labels.at(-1)).toBe('Nov 25 (so far)');
      expect(await page.locator('#timeline-note').textContent()).toContain('not the period buttons');
    });

    it('lets a low series be read: a click on a legend entry hides that series and rescales the axis to the rest', async () => {
      await page.selectOption('#timeline-bucket', 'day');
      await page.selectOption('#timeline-days', '30');
      await expect.poll(() => page.locator('#timeline').getAttribute('data-state')).toBe('ready');
      type Shape = { max: number; hidden: boolean[]; boxes: { left: number; top: number; width: number; height: number; text: string }[] };
      const shape = () =>
        page.evaluate((): Shape => {
          const canvas = document.getElementById('timeline-chart') as HTMLCanvasElement;
          const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart.getChart(canvas);
          return {
            max: chart.scales.y.max,
            hidden: chart.data.datasets.map((_: unknown, i: number) => !chart.isDatasetVisible(i)),
            boxes: chart.legend.legendHitBoxes.map((box: Shape['boxes'][number], i: number) => ({
              ...box,
              text: chart.legend.legendItems[i].text,
            })),
          };
        });
      const before = await shape();
      const values = await page.evaluate(() => {
        const canvas = document.getElementById('timeline-chart') as HTMLCanvasElement;
        const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart.getChart(canvas);
        return chart.data.datasets.map((d: { label: string; data: number[] }) => ({ label: d.label, max: Math.max(...d.data) }));
      });
      // The series with the highest count on the left axis; once hidden, the axis ends at the next one's top.
      const left = values.filter((v: { label: string }) => v.label !== 'Views');
      const top = left.reduce((a: { max: number }, b: { max: number }) => (b.max > a.max ? b : a));
      await page.locator('#timeline-chart').scrollIntoViewIfNeeded();
      const canvasBox = (await page.locator('#timeline-chart').boundingBox())!;
      const box = before.boxes.find((b) => b.text === top.label)!;
      await page.mouse.click(canvasBox.x + box.left + box.width / 2, canvasBox.y + box.top + box.height / 2);
      await expect.poll(async () => (await shape()).hidden[before.boxes.indexOf(box)]).toBe(true);
      const after = await shape();
      const rest = Math.max(...left.filter((v: { label: string }) => v.label !== top.label).map((v: { max: number }) => v.max));
      expect(after.max).toBeLessThan(before.max);
      expect(after.max).toBeGreaterThanOrEqual(rest);
      // Shown again with a second click.
      await page.mouse.click(canvasBox.x + box.left + box.width / 2, canvasBox.y + box.top + box.height / 2);
      await expect.poll(async () => (await shape()).hidden.every((h) => !h)).toBe(true);
    });

    it('gives the heatmap a colour scale up to its busiest cell', async () => {
      await expect.poll(() => page.locator('#peak .hm-legend').count()).toBe(1);
      expect(await page.locator('#peak .hm-swatch').count()).toBe(5);
      expect(await page.locator('#peak .hm-legend').textContent()).toMatch(/^0\d+ clips?$/);
    });
  });

  describe('comparisons', () => {
    it('sets this month so far against the same days of last month, says so, and shows the previous value', async () => {
      await page.click('#period-buttons button[data-period=month]');
      await page.selectOption('#compare-span', 'to_date');
      await expect.poll(() => page.locator('#compare-label').textContent()).toBe('· Nov 1–25 vs Oct 1–25');
      // November so far: 3 clips; October 1–25: 1.
      await expect.poll(() => change('Clips').textContent()).toBe('+200% · was 1');
    });

    it('offers the whole previous month as the second choice', async () => {
      await page.selectOption('#compare-span', 'whole');
      await expect.poll(() => page.locator('#compare-label').textContent()).toBe('· November 2026 so far vs October 2026');
      await expect.poll(() => change('Clips').textContent()).toBe('+50% · was 2');
    });

    it('this week against the same days of last week', async () => {
      await page.click('#period-buttons button[data-period=week]');
      await page.selectOption('#compare-span', 'to_date');
      await expect.poll(() => page.locator('#compare-label').textContent()).toBe('· Nov 23–25 vs Nov 16–18');
      await expect.poll(() => change('Clips').textContent()).toBe('+2 (new) · was 0');
      await page.selectOption('#compare-span', '');
      await expect.poll(() => page.locator('#compare-label').isVisible()).toBe(false);
      expect(await change('Clips').count()).toBe(0);
    });
  });
});
