// The dashboard's "Clipper roles" panel in a real browser (Debian's Chromium through playwright-core): the server's
// rules and its role changes newest first, older pages appended by "Older changes" without a repeat, nothing of
// another server's, a role reason shown as text (never parsed as HTML), and a true empty state without any rule.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens';
import { ManualClock } from '../../src/clock';
import { recordJobRun } from '../../src/db/stores/jobs';
import { putRoleRule, recordRoleGranted, recordRoleRevoked } from '../../src/db/stores/roles';
import type { HttpServer } from '../../src/http/server';
import { GUILD_A, GUILD_B, NOW, seedCommunity } from '../fixtures/http-community';
import { startTestServer } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { chromiumFor, launchChromium } from '../helpers/browser';

const hasChromium = chromiumFor('roles panel browser test');
const MINUTE = 60_000;
const ROLE_A = '300000000000000003';
const ROLE_B = '400000000000000004';
const GUILD_EMPTY = '500000000000000005';
const HOSTILE_REASON = '<img src=x onerror="window.__pwned=1">';

describe.skipIf(!hasChromium)('the clipper roles panel in Chromium', () => {
  let temp: TempDb;
  let server: HttpServer;
  let browser: Browser;
  let page: Page;
  let url: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    temp = createTempDb();
    seedCommunity(temp.db);
    const rule = { guildId: GUILD_A, roleId: ROLE_A, kind: 'top_clippers_by_clips', period: 'month', top: 1, min: null } as const;
    await putRoleRule(temp.db, { ...rule, createdBy: 'admin' }, NOW - 100 * MINUTE);
    // 30 members got the role one minute apart (member-1 first), then member-1 lost it: 31 changes, two pages of 25.
    for (let i = 1; i <= 30; i += 1)
      await recordRoleGranted(temp.db, {
        guildId: GUILD_A,
        roleId: ROLE_A,
        userId: `member-${i}`,
        reason: i === 30 ? HOSTILE_REASON : 'top Twitch clipper of the month by clips',
        now: NOW - (60 - i) * MINUTE,
      });
    await recordRoleRevoked(
      temp.db,
      { guildId: GUILD_A, roleId: ROLE_A, userId: 'member-1', reason: 'top Twitch clipper of the month by clips', now: NOW - 10 * MINUTE },
      'removed',
    );
    await putRoleRule(
      temp.db,
      { guildId: GUILD_B, roleId: ROLE_B, kind: 'clips_milestone', period: 'all_time', top: null, min: 5, createdBy: 'b' },
      NOW,
    );
    await recordRoleGranted(temp.db, { guildId: GUILD_B, roleId: ROLE_B, userId: 'secret-member-of-b', reason: 'b', now: NOW - MINUTE });
    await recordJobRun(temp.db, {
      job: 'aggregate-incremental',
      started: NOW - 3 * MINUTE,
      finished: NOW - 2 * MINUTE,
      error: null,
      summary: null,
    });
    for (const guildId of [GUILD_A, GUILD_EMPTY]) tokens[guildId] = (await createApiToken(temp.db, { guildId, name: 'roles' }, NOW)).token;
    ({ server } = await startTestServer(temp.db, {}, new ManualClock(NOW)));
    url = await server.listen('127.0.0.1', 0);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    temp?.cleanup();
  });

  async function openAs(guildId: string): Promise<void> {
    await page.goto(url);
    await page.evaluate((t) => sessionStorage.setItem('clipscope.token', t), tokens[guildId] as string);
    await page.reload();
    await page.locator('#roles:not([data-state="loading"])').waitFor();
  }

  const members = () => page.locator('#roles tbody tr td:nth-child(2)').allTextContents();

  it('lists the rule and the changes newest first, then older pages once each', async () => {
    await openAs(GUILD_A);
    expect(await page.locator('#roles').getAttribute('data-state')).toBe('ready');
    expect(await page.locator('#roles .role-rules li').allTextContents()).toEqual([
      `Role ${ROLE_A} · top Twitch clipper of the month by clips · pending: preview it, then enable it`,
    ]);
    expect(await page.locator('#roles .roles-run').textContent()).toBe('No rule is enabled, so no role is given or taken.');
    const first = await members();
    expect(first).toHaveLength(25);
    expect(first.slice(0, 2)).toEqual(['Member member-1', 'Member member-30']);
    expect(await page.locator('#roles tbody tr').first().locator('td:nth-child(3)').textContent()).toBe('lost the role');
    // The reason of member-30's change is shown as text.
    expect(await page.locator('#roles tbody tr').nth(1).locator('td:nth-child(5)').textContent()).toBe(HOSTILE_REASON);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    await page.locator('#roles .roles-older').click();
    await expect.poll(() => page.locator('#roles tbody tr').count()).toBe(31);
    const all = await members();
    expect(new Set(all).size).toBe(30);
    expect(all.at(-1)).toBe('Member member-1');
    expect(await page.locator('#roles .roles-older').count()).toBe(0);
    expect(await page.locator('#roles').textContent()).not.toContain('secret-member-of-b');
    expect(await page.locator('#roles').textContent()).not.toContain(ROLE_B);
  });

  it('says when roles were last applied once a rule is enabled', async () => {
    temp.db.$client.prepare("UPDATE role_rules SET state = 'enabled', previewed_at = ? WHERE guild_id = ?").run(NOW, GUILD_A);
    await openAs(GUILD_A);
    expect(await page.locator('#roles .roles-run').textContent()).toMatch(/^Roles last applied .+\.$/);
    expect(await page.locator('#roles .role-rules li').first().textContent()).toContain('· enabled');
  });

  it('shows a true empty state on a server without any rule', async () => {
    await openAs(GUILD_EMPTY);
    expect(await page.locator('#roles').getAttribute('data-state')).toBe('empty');
    expect(await page.locator('#roles').textContent()).toBe(
      'No clipper roles on this server. An admin adds one with /clipscope-admin roles add, previews it and enables it.',
    );
  });
});
