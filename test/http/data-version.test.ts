import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import { createAnalytics } from '../../src/analytics/service';
import { recordMessage } from '../../src/capture/record-share';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { queries } from '../../src/db/sql';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { createDataVersions } from '../../src/http/data-version';
import { GUILD_A, GUILD_B, TEST_NOW } from '../helpers/http-server';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

let messageSeq = 1000;
async function share(db: Db, guildId: string, now: number, slug = `Clip${messageSeq}`): Promise<void> {
  messageSeq += 1;
  await db.transaction(async (tx) => {
    await recordMessage(
      tx,
      {
        guildId,
        channelId: '1',
        messageId: String(messageSeq),
        authorId: '2',
        authorName: 'viewer',
        authorIsBot: false,
        postedAt: now,
        content: `https://clips.twitch.tv/${slug}`,
        source: 'discord',
      },
      now,
    );
  });
}

// One database per engine for the file, emptied before each test.
describe.each(testEngines())('guild data versions on %s', (engine) => {
  let temp: TestDatabase;
  beforeAll(async () => {
    temp = await openTestDatabase(engine, 'http-data-version');
  });
  afterAll(() => temp?.close());
  beforeEach(() => clearTables(temp.db));

  it('changes a guild’s version when its clips change, and only that guild’s', async () => {
    const versions = createDataVersions({ analytics: createAnalytics(temp.db), checkIntervalMs: 0 });
    const a0 = await versions.current(GUILD_A);
    const b0 = await versions.current(GUILD_B);
    await share(temp.db, GUILD_B, TEST_NOW);
    expect(await versions.current(GUILD_A)).toBe(a0);
    const b1 = await versions.current(GUILD_B);
    expect(b1).not.toBe(b0);
    await share(temp.db, GUILD_A, TEST_NOW + 1);
    expect(await versions.current(GUILD_A)).not.toBe(a0);
    expect(await versions.current(GUILD_B)).toBe(b1);
  });

  it('changes when the guild’s timezone changes', async () => {
    const versions = createDataVersions({ analytics: createAnalytics(temp.db), checkIntervalMs: 0 });
    const v0 = await versions.current(GUILD_A);
    await updateGuildSettings(temp.db, GUILD_A, { timezone: 'Europe/Berlin' }, TEST_NOW);
    expect(await versions.current(GUILD_A)).not.toBe(v0);
  });

  it('gives the guild’s timezone with its version: UTC when unset, the new one from the version that has it', async () => {
    let now = 0;
    const versions = createDataVersions({ analytics: createAnalytics(temp.db), now: () => now, checkIntervalMs: 1000 });
    await versions.current(GUILD_A);
    expect(await versions.timezone(GUILD_A)).toBe('UTC');
    await updateGuildSettings(temp.db, GUILD_A, { timezone: 'Europe/Berlin' }, TEST_NOW);
    await updateGuildSettings(temp.db, GUILD_B, { timezone: 'Asia/Tokyo' }, TEST_NOW);
    // Within the check interval both the version and the timezone are the ones read together before.
    const v0 = await versions.current(GUILD_A);
    expect(await versions.timezone(GUILD_A)).toBe('UTC');
    now = 1000;
    // Until current() checks again, timezone() stays the one of the version current() returned.
    expect(await versions.timezone(GUILD_A)).toBe('UTC');
    expect(await versions.current(GUILD_A)).not.toBe(v0);
    expect(await versions.timezone(GUILD_A)).toBe('Europe/Berlin');
    expect(await versions.timezone(GUILD_B)).toBe('Asia/Tokyo');
    // Two writes in the same millisecond share updated_at; the version still moves with the timezone.
    const v1 = await versions.current(GUILD_A);
    await updateGuildSettings(temp.db, GUILD_A, { timezone: 'America/New_York' }, TEST_NOW);
    now = 2000;
    expect(await versions.current(GUILD_A)).not.toBe(v1);
    expect(await versions.timezone(GUILD_A)).toBe('America/New_York');
  });

  it('changes when aggregation consumes the guild’s dirty hours, not when an unrelated job finishes', async () => {
    const versions = createDataVersions({ analytics: createAnalytics(temp.db), checkIntervalMs: 0 });
    await share(temp.db, GUILD_A, TEST_NOW);
    const v1 = await versions.current(GUILD_A);
    await aggregateAll(temp.db, { clock: new ManualClock(TEST_NOW + 1000) }, { guildId: GUILD_A });
    const v2 = await versions.current(GUILD_A);
    expect(v2).not.toBe(v1);
    await queries(temp.db).run("INSERT INTO job_runs (job, last_finished_at) VALUES ('enrich', ?)", [TEST_NOW + 2000]);
    expect(await versions.current(GUILD_A)).toBe(v2);
  });

  it('sees writes made by another process (another connection to the same file)', async () => {
    const versions = createDataVersions({ analytics: createAnalytics(temp.db), checkIntervalMs: 0 });
    const v0 = await versions.current(GUILD_A);
    const other = await temp.openAnother();
    try {
      await share(other.db, GUILD_A, TEST_NOW + 5);
    } finally {
      await other.close();
    }
    expect(await versions.current(GUILD_A)).not.toBe(v0);
  });

  it('re-reads the database at most once per check interval', async () => {
    let now = 0;
    const versions = createDataVersions({ analytics: createAnalytics(temp.db), now: () => now, checkIntervalMs: 1000 });
    const v0 = await versions.current(GUILD_A);
    await share(temp.db, GUILD_A, TEST_NOW);
    now = 500;
    expect(await versions.current(GUILD_A)).toBe(v0);
    now = 1000;
    expect(await versions.current(GUILD_A)).not.toBe(v0);
  });

  it('tells watchers of a guild about its changes, and lets in-process writers announce one at once', async () => {
    const versions = createDataVersions({ analytics: createAnalytics(temp.db), checkIntervalMs: 10 });
    const seenA: string[] = [];
    const seenB: string[] = [];
    const stopA = versions.watch(GUILD_A, (v) => seenA.push(v));
    const stopB = versions.watch(GUILD_B, (v) => seenB.push(v));
    await share(temp.db, GUILD_A, TEST_NOW);
    await expect.poll(() => seenA.length).toBe(1);
    await versions.notifyChanged(GUILD_B);
    expect(seenB).toHaveLength(1);
    expect(seenA).toHaveLength(1);
    stopA();
    stopB();
    versions.close();
  });
});
