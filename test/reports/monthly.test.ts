// The monthly report delivery on both engines, posting to the fake Discord through the real sender: last month's PDF
// once per guild and month, across two processes at once and later checks; refusals recorded for the admin; nothing
// for a month whose first days have passed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAnalytics } from '../../src/analytics/service';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { guildSettingsStore } from '../../src/db/guild-settings';
import { reportStore } from '../../src/db/stores/reports';
import { createDiscordClient } from '../../src/discord/client';
import { createReportSender } from '../../src/discord/report-sender';
import { silentLogger } from '../../src/logger';
import { runDueReports, type MonthlyReportDeps } from '../../src/reports/monthly';
import { GUILD, OTHER_GUILD, seedCommunity } from '../analytics/community-seed';
import { snowflake, startFakeDiscord, textChannel, type FakeDiscord, type RecordedRequest } from '../fakes/discord';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const reportsChannel = textChannel({ guild_id: GUILD, name: 'reports' });
const otherChannel = textChannel({ guild_id: OTHER_GUILD, name: 'general' });
/** 1 December 2026, 07:00 in Berlin (the community's timezone): November has just ended. */
const DEC_1 = Date.parse('2026-12-01T06:00:00Z');
const NOVEMBER_START = Date.parse('2026-10-31T23:00:00Z');
const DEC_10 = Date.parse('2026-12-10T12:00:00Z');

/** The PDF attached to a multipart message post. */
function attachedPdf(request: RecordedRequest): Buffer {
  const raw = request.raw as Buffer;
  const start = raw.indexOf('%PDF-');
  const end = raw.lastIndexOf('%%EOF');
  if (start < 0 || end < 0) throw new Error('no PDF in the request');
  return raw.subarray(start, end + 5);
}

describe.each(testEngines())('monthly report delivery on %s', (engine) => {
  let t: TestDatabase;
  let other: { db: Db; close(): Promise<void> };
  let discord: FakeDiscord;
  let dir: string;
  const clients: Client[] = [];
  const clock = new ManualClock(DEC_10);

  const login = async (): Promise<Client> => {
    const client = createDiscordClient({ apiBaseUrl: discord.apiBaseUrl });
    clients.push(client);
    await client.login(discord.token);
    await vi.waitFor(() => expect(client.guilds.cache.size).toBe(2), { timeout: 15_000 });
    return client;
  };
  const deps = (client: Client, db: Db = t.db): MonthlyReportDeps => ({
    reports: reportStore(db),
    settings: guildSettingsStore(db),
    analytics: createAnalytics(db),
    sender: createReportSender(client),
    clock,
    logger: silentLogger(),
  });
  const posts = (channelId: string) => discord.requestsTo('POST', `/channels/${channelId}/messages`);

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'monthly-report');
    await seedCommunity(t.db);
    other = await t.openAnother();
    discord = await startFakeDiscord({
      guilds: [
        { id: GUILD, name: 'Clip Club', channels: [reportsChannel] },
        { id: OTHER_GUILD, name: 'Other', channels: [otherChannel] },
      ],
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-monthly-report-'));
  });
  afterAll(async () => {
    for (const client of clients) await client.destroy();
    await discord?.stop();
    await other?.close();
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('posts nothing for a month whose first days have passed (a channel chosen mid-month waits for the next)', async () => {
    clock.set(DEC_10);
    await reportStore(t.db).setChannel(GUILD, reportsChannel.id, DEC_10);
    expect(await runDueReports(deps(await login()))).toEqual([]);
    expect(posts(reportsChannel.id)).toHaveLength(0);
    expect(await reportStore(t.db).post({ guildId: GUILD, monthStart: NOVEMBER_START })).toBeNull();
  });

  it("posts November's report once, though two processes check at the same moment and later checks follow", async () => {
    clock.set(DEC_1);
    const [a, b] = [await login(), await login()];
    const outcomes = (await Promise.all([runDueReports(deps(a, t.db)), runDueReports(deps(b, other.db))])).flat();
    expect(outcomes).toEqual([{ guildId: GUILD, monthStart: NOVEMBER_START, result: 'posted' }]);
    expect(posts(reportsChannel.id)).toHaveLength(1);
    const post = posts(reportsChannel.id)[0] as RecordedRequest;
    expect(String(post.raw)).toContain('📄 Clipscope report · November 2026');
    expect(String(post.raw)).toContain('filename="clipscope-report-november-2026.pdf"');
    const file = path.join(dir, `${engine}.pdf`);
    fs.writeFileSync(file, attachedPdf(post));
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Clipscope report: Clip Club');
    expect(text).toContain('Compared: November 2026 vs October 2026');
    expect(await reportStore(t.db).post({ guildId: GUILD, monthStart: NOVEMBER_START })).toMatchObject({ state: 'posted', error: null });

    // Half an hour later, and a restarted process with a new client: nothing more.
    clock.advance(30 * 60_000);
    expect(await runDueReports(deps(a))).toEqual([]);
    expect(await runDueReports(deps(await login(), other.db))).toEqual([]);
    expect(posts(reportsChannel.id)).toHaveLength(1);
  });

  it('records a channel that no longer exists as failed for good, with what to do, and does not retry it', async () => {
    clock.set(DEC_1 + 60 * 60_000);
    const gone = snowflake();
    await reportStore(t.db).setChannel(OTHER_GUILD, gone, clock.now());
    const client = await login();
    const [outcome] = await runDueReports(deps(client));
    expect(outcome).toMatchObject({ guildId: OTHER_GUILD, result: 'failed' });
    expect(outcome?.error).toMatch(/report channel <#\d+> (no longer exists|is not a text channel).*\/clipscope-admin report channel:/);
    const monthStart = Date.parse('2026-11-01T00:00:00Z'); // OTHER_GUILD keeps the default timezone, UTC
    expect(await reportStore(t.db).post({ guildId: OTHER_GUILD, monthStart })).toMatchObject({ state: 'failed' });
    clock.advance(REPORT_RETRY_CHECK_MS);
    expect(await runDueReports(deps(client))).toEqual([]);
  });
});

/** Later than a claim's timeout: a failed month would be taken again if it were only stale. */
const REPORT_RETRY_CHECK_MS = 11 * 60_000;
