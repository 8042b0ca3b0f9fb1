// The monthly report store on both engines: one claim wins per guild and month, a stale claim is taken over once,
// a posted or failed month is never claimed again, and every read is the guild's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportStore, type ReportStore } from '../../src/db/stores/reports';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const G1 = '500000000000000001';
const G2 = '500000000000000002';
const MONTH = Date.parse('2026-11-01T00:00:00Z');
const NOW = Date.parse('2026-12-01T00:30:00Z');
const MINUTE = 60_000;

describe.each(testEngines())('report store on %s', (engine) => {
  let t: TestDatabase;
  let store: ReportStore;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'report-posts');
    store = reportStore(t.db);
  });
  afterAll(async () => t?.close());

  const claim = (guildId: string, now: number) =>
    store.claim({ guildId, monthStart: MONTH, channelId: 'c1', now, staleBefore: now - 10 * MINUTE });

  it('keeps one channel per guild, lists the guilds with delivery on, and forgets a guild turned off', async () => {
    await store.setChannel(G1, 'c1', NOW);
    await store.setChannel(G2, 'c2', NOW);
    await store.setChannel(G2, 'c3', NOW + 1);
    expect(await store.deliveries()).toEqual([
      { guild_id: G1, channel_id: 'c1' },
      { guild_id: G2, channel_id: 'c3' },
    ]);
    expect(await store.deliveries(G1)).toEqual([{ guild_id: G2, channel_id: 'c3' }]);
    await store.setChannel(G2, null, NOW + 2);
    expect(await store.channel(G2)).toBeNull();
    expect(await store.channel(G1)).toBe('c1');
  });

  it('lets exactly one of many simultaneous claims win, and takes a stale claim over once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => claim(G1, NOW)));
    expect(results.filter((r) => r === 'fresh')).toHaveLength(1);
    expect(results.filter((r) => r === null)).toHaveLength(7);
    expect(await claim(G1, NOW + 5 * MINUTE)).toBeNull();
    // A transient failure makes the claim stale at once: the next check resumes it, and only one does.
    await store.recordFailure({ guildId: G1, monthStart: MONTH }, { message: 'Discord timed out', permanent: false });
    const resumed = await Promise.all([claim(G1, NOW + 6 * MINUTE), claim(G1, NOW + 6 * MINUTE)]);
    expect(resumed.sort()).toEqual([null, 'resumed'].sort());
    await store.recordPosted({ guildId: G1, monthStart: MONTH }, 'm1');
    expect(await store.post({ guildId: G1, monthStart: MONTH })).toEqual({ state: 'posted', messageId: 'm1', error: null });
    expect(await claim(G1, NOW + 60 * MINUTE)).toBeNull();
    // Another guild's same month is its own.
    expect(await claim(G2, NOW)).toBe('fresh');
    await store.recordFailure({ guildId: G2, monthStart: MONTH }, { message: 'channel gone', permanent: true });
    expect(await store.post({ guildId: G2, monthStart: MONTH })).toEqual({ state: 'failed', messageId: null, error: 'channel gone' });
    expect(await claim(G2, NOW + 60 * MINUTE)).toBeNull();
  });
});
