// The HTTP cache's data versions on both engines (docs/adr/0004, 0010): a guild's version moves when another process
// writes its clips, dirty hours, settings, Twitch links or mood overrides, and only that guild's; the change marker moves with every
// commit by anyone (SQLite: data_version and total_changes; PostgreSQL: the current snapshot).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/analytics/service';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { queries } from '../../src/db/sql';
import { resetMoodOverride, setMoodOverride } from '../../src/db/stores/mood-overrides';
import { writeTwitchClip } from '../../src/db/stores/twitch-clips';
import { upsertTwitchLinks } from '../../src/db/stores/twitch-links';
import { createDataVersions } from '../../src/http/data-version';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const clip = (viewCount: number) => ({
  id: 'Clip1',
  broadcasterId: 'b',
  broadcasterName: 'B',
  creatorId: 'c',
  creatorName: 'C',
  gameId: 'g',
  title: 'T',
  viewCount,
  createdAt: NOW - 3_600_000,
  thumbnailUrl: 'x',
  duration: 10,
  videoId: null,
  vodOffset: null,
});

describe.each(testEngines())('guild data versions on %s', (engine) => {
  let t: TestDatabase;
  let other: { db: TestDatabase['db']; close(): Promise<void> };
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'data-version');
    other = await t.openAnother();
    await queries(t.db).run(
      "INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at) VALUES ('gA', 'Clip1', 'u', ?, ?)",
      [NOW, NOW],
    );
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('moves a guild’s version when another process writes its data, and leaves other guilds’ alone', async () => {
    const analytics = createAnalytics(t.db);
    const versions = createDataVersions({ analytics, checkIntervalMs: 0 });
    const a0 = await versions.current('gA');
    const b0 = await versions.current('gB');
    const marker0 = await analytics.changeMarker();

    // Enrichment in another process: the clip's row and the guild's dirty hours change.
    await writeTwitchClip(other.db, clip(10), { now: NOW + 1000, gameName: 'Game' });
    expect(await analytics.changeMarker()).not.toBe(marker0);
    const a1 = await versions.current('gA');
    expect(a1).not.toBe(a0);
    expect(await versions.current('gB')).toBe(b0);

    await updateGuildSettings(other.db, 'gB', { timezone: 'Europe/Berlin' }, NOW + 2000);
    expect(await versions.current('gA')).toBe(a1);
    const b1 = await versions.current('gB');
    expect(b1).not.toBe(b0);
    expect(await analytics.dataVersion('gB')).toMatchObject({ timezone: 'Europe/Berlin' });

    await upsertTwitchLinks(other.db, [
      { guildId: 'gA', discordUserId: 'd', discordName: 'D', twitchUserId: 'c', twitchName: 'C', linkedAt: NOW },
    ]);
    const a2 = await versions.current('gA');
    expect(a2).not.toBe(a1);
    expect(await versions.current('gB')).toBe(b1);

    // A mood override changes the guild's mood answers (and the timeline's moods): set, changed, then reset.
    await setMoodOverride(other.db, 'gA', { emoji: 'name:kekw', mood: 'negative', by: 'admin', now: NOW + 3000 }, 100);
    const a3 = await versions.current('gA');
    expect(a3).not.toBe(a2);
    await setMoodOverride(other.db, 'gA', { emoji: 'name:kekw', mood: 'sad', by: 'admin', now: NOW + 4000 }, 100);
    const a4 = await versions.current('gA');
    expect(a4).not.toBe(a3);
    await resetMoodOverride(other.db, 'gA', 'name:kekw');
    expect(await versions.current('gA')).not.toBe(a4);
    expect(await versions.current('gB')).toBe(b1);
  });

  it('keeps the change marker while nobody commits on SQLite; reads the server’s snapshot on PostgreSQL', async () => {
    const analytics = createAnalytics(t.db);
    const marker = await analytics.changeMarker();
    if (engine === 'postgres') {
      // A shared server's snapshot also moves with other databases' work, so only its form and its advance are certain.
      expect(marker).toMatch(/^\d+:\d+:(\d+(,\d+)*)?$/);
      await queries(other.db).run("UPDATE clips SET last_updated_at = last_updated_at + 1 WHERE guild_id = 'gA'");
      expect(await analytics.changeMarker()).not.toBe(marker);
      return;
    }
    await queries(other.db).get('SELECT count(*) AS n FROM clips');
    expect(await analytics.changeMarker()).toBe(marker);
  });

  it('reads a guild again when the marker moved while its fingerprint was being read', async () => {
    const analytics = createAnalytics(t.db);
    // The real reads, with gA's fingerprint held back after it was read: a slow request overlapping another's check.
    let gate: { read: () => void; released: Promise<void> } | null = null;
    const versions = createDataVersions({
      analytics: {
        changeMarker: () => analytics.changeMarker(),
        dataVersion: async (guildId) => {
          const answer = await analytics.dataVersion(guildId);
          if (guildId === 'gA' && gate) {
            gate.read();
            await gate.released;
          }
          return answer;
        },
      },
      checkIntervalMs: 0,
    });
    const before = await versions.current('gA');
    let release!: () => void;
    const readDone = new Promise<void>((resolve) => {
      gate = { read: resolve, released: new Promise((r) => (release = r)) };
    });
    // Another guild's write moves the marker, so gA's next request reads its fingerprint; it is held after the read.
    await updateGuildSettings(other.db, 'gB', { timezone: 'Asia/Tokyo' }, NOW + 5000);
    const slow = versions.current('gA');
    await readDone;
    gate = null;
    // gA changes after that read; a request about gB sees the marker move and marks every guild stale.
    await writeTwitchClip(other.db, clip(99), { now: NOW + 6000, gameName: 'Game' });
    await versions.current('gB');
    release();
    expect(await slow).toBe(before);
    // The held read ended after the marker had moved: gA's version is read again, not kept.
    expect(await versions.current('gA')).not.toBe(before);
  });
});
