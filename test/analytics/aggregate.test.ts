import { afterEach, describe, expect, it } from 'vitest';
import { aggregateAll, aggregateAnalytics } from '../../src/analytics/aggregate';
import { overview } from '../../src/analytics/overview';
import { topCreators } from '../../src/analytics/top-creators';
import type { AnalysisContext } from '../../src/analytics/types';
import { recordMessage, recordMessagesDeleted } from '../../src/capture/record-share';
import { recordReactionSnapshot } from '../../src/capture/record-reaction';
import { ManualClock } from '../../src/clock';
import { inTransaction, type Db } from '../../src/db/client';
import { markClipHoursDirty } from '../../src/db/dirty';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const NOW = Date.parse('2026-04-20T15:00:00Z');
const DAY = 86_400_000;
const clock = new ManualClock(NOW);
let temp: TempDb | undefined;
afterEach(() => temp?.cleanup());

function post(db: Db, guildId: string, messageId: string, postedAt: number, clipIds: string[]): void {
  inTransaction(db, () =>
    recordMessage(
      db,
      {
        guildId,
        channelId: 'chan',
        messageId,
        authorId: 'u1',
        authorName: 'u1',
        authorIsBot: false,
        postedAt,
        content: clipIds.map((id) => `https://clips.twitch.tv/${id}`).join(' '),
        source: 'discord',
      },
      NOW,
    ),
  );
}

function enrich(db: Db, guildId: string, clipId: string, createdAt: number, creator = '77'): void {
  inTransaction(db, () => {
    db.$client
      .prepare(
        `UPDATE clips SET creator_id = ?, creator_name = ?, game_id = '33', game_name = 'Chess', view_count = 100, clip_created_at = ?,
                enrichment_state = 'done', title = 't' WHERE guild_id = ? AND clip_id = ?`,
      )
      .run(creator, `Creator ${creator}`, createdAt, guildId, clipId);
    markClipHoursDirty(db, guildId, [clipId]);
  });
}

function snapshot(db: Db, guildId: string, messageId: string, count: number, at: number): void {
  inTransaction(db, () =>
    recordReactionSnapshot(db, { guildId, channelId: 'chan', messageId, emojiKey: '🔥', count, userIds: [], at }, NOW),
  );
}

function summaries(db: Db): unknown[] {
  return db.$client
    .prepare(
      `SELECT period_type, period_start, clip_count, total_views, discord_shares, discord_reactions FROM guild_period_stats
       UNION ALL SELECT 'creator ' || creator_id, period_start, clip_count, total_views, discord_shares, discord_reactions FROM creator_analytics
       ORDER BY 1, 2`,
    )
    .all();
}

/** Runs an incremental pass, then checks a full rebuild would leave exactly the same summaries. */
async function expectIncrementalEqualsFull(db: Db): Promise<void> {
  await aggregateAll(db, { clock });
  const incremental = summaries(db);
  await aggregateAll(db, { clock }, { full: true });
  expect(incremental).toEqual(summaries(db));
}

describe('incremental aggregation', () => {
  it('moves an imported reaction count that changes later within the hour it was first observed', async () => {
    temp = createTempDb();
    const t = Date.parse('2026-03-02T12:00:00Z');
    post(temp.db, 'g', 'm1', t, ['SlugOne']);
    snapshot(temp.db, 'g', 'm1', 5, t + 3_600_000);
    await aggregateAll(temp.db, { clock });
    snapshot(temp.db, 'g', 'm1', 9, t + 20 * DAY);
    await expectIncrementalEqualsFull(temp.db);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    expect(overview(temp.db, ctx, { period: { type: 'range', from: t, to: t + DAY } }).discord_reactions).toBe(9);
  });

  it('takes anonymous counts observed days later out when their message is deleted', async () => {
    temp = createTempDb();
    const t = Date.parse('2026-03-02T12:00:00Z');
    post(temp.db, 'g', 'm1', t, ['SlugOne']);
    snapshot(temp.db, 'g', 'm1', 4, t + 9 * DAY);
    await aggregateAll(temp.db, { clock });
    inTransaction(temp.db, () => recordMessagesDeleted(temp!.db, ['m1'], NOW));
    await expectIncrementalEqualsFull(temp.db);
    expect(overview(temp.db, { guildId: 'g', timezone: 'UTC', now: NOW }).discord_reactions).toBe(0);
  });

  it("credits a clip's earlier shares to its creator once enrichment names the creator", async () => {
    temp = createTempDb();
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    const shared = Date.parse('2026-04-01T12:00:00Z');
    post(temp.db, 'g', 'm1', shared, ['SlugOne']);
    post(temp.db, 'g', 'm2', shared + 2 * DAY, ['SlugOne']);
    await aggregateAll(temp.db, { clock });
    expect(topCreators(temp.db, ctx).creators).toEqual([]);
    expect(overview(temp.db, ctx).discord_shares).toBe(2);
    enrich(temp.db, 'g', 'SlugOne', Date.parse('2026-03-01T00:00:00Z'));
    await expectIncrementalEqualsFull(temp.db);
    const april = topCreators(temp.db, ctx, { period: { type: 'month' } }).creators;
    expect(april).toMatchObject([{ creator_id: '77', clip_count: 0, discord_shares: 2, top_game: null }]);
    const march = topCreators(temp.db, ctx, { period: { type: 'month', offset: 1 } }).creators;
    expect(march).toMatchObject([{ creator_id: '77', clip_count: 1, discord_shares: 0, top_game: { id: '33', name: 'Chess' } }]);
  });

  it('recomputes both local days an hour spans in a half-hour timezone', async () => {
    temp = createTempDb();
    updateGuildSettings(temp.db, 'g', { timezone: 'Asia/Kolkata' }, NOW);
    post(temp.db, 'g', 'm0', Date.parse('2026-04-01T10:00:00Z'), ['SlugZero']);
    await aggregateAll(temp.db, { clock });
    // 18:10Z and 18:40Z are 23:40 on the 10th and 00:10 on the 11th in India, yet one UTC hour.
    post(temp.db, 'g', 'm1', Date.parse('2026-04-10T18:10:00Z'), ['SlugOne']);
    post(temp.db, 'g', 'm2', Date.parse('2026-04-10T18:40:00Z'), ['SlugTwo']);
    await expectIncrementalEqualsFull(temp.db);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'Asia/Kolkata', now: NOW };
    expect(overview(temp.db, ctx, { period: { type: 'day', offset: 10 } }).discord_shares).toBe(1);
    expect(overview(temp.db, ctx, { period: { type: 'day', offset: 9 } }).discord_shares).toBe(1);
  });

  it('brings every period type up to date when asked for one, since all are carried forward from the same days', async () => {
    temp = createTempDb();
    post(temp.db, 'g', 'm0', Date.parse('2026-04-01T10:00:00Z'), ['SlugZero']);
    await aggregateAll(temp.db, { clock });
    post(temp.db, 'g', 'm1', Date.parse('2026-04-02T10:00:00Z'), ['SlugOne']);
    const weekOnly = await aggregateAnalytics(temp.db, { guildId: 'g', period: 'week' }, { clock });
    expect(weekOnly).toMatchObject({ guilds: 1, units: 1, buckets: 1, dirty_hours: 1, rebuilt: 0 });
    expect(temp.db.$client.prepare('SELECT count(*) AS n FROM aggregation_pending').get()).toEqual({ n: 0 });
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    for (const type of ['day', 'week', 'month', 'all_time'] as const) {
      const period = type === 'all_time' ? { type } : { type, offset: type === 'day' ? 18 : type === 'week' ? 2 : 0 };
      expect(overview(temp.db, ctx, { period }), type).toEqual(overview(temp.db, ctx, { period, source: 'raw' }));
    }
    expect(overview(temp.db, ctx).discord_shares).toBe(2);
    const rest = await aggregateAll(temp.db, { clock });
    expect(rest.buckets).toBe(0);
    await expectIncrementalEqualsFull(temp.db);
  });

  it('rebuilds again after a full rebuild that died part way, ending where an uninterrupted one ends', async () => {
    temp = createTempDb();
    const db = temp.db;
    for (let i = 0; i < 40; i++) post(db, 'g', `m${i}`, Date.parse('2026-01-03T10:00:00Z') + i * 2.5 * DAY, [`Slug${i % 7}`]);
    for (let i = 0; i < 7; i++) enrich(db, 'g', `Slug${i}`, Date.parse('2026-01-01T00:00:00Z') + i * 9 * DAY, String(70 + (i % 3)));
    await aggregateAll(db, { clock });
    post(db, 'g', 'late', Date.parse('2026-04-10T10:00:00Z'), ['Slug3']);
    // Dies writing the months, after the days and weeks of the rebuild were committed.
    db.$client.exec(`CREATE TEMP TRIGGER die BEFORE INSERT ON guild_period_stats WHEN NEW.period_type = 'month'
                     BEGIN SELECT RAISE(ABORT, 'killed'); END`);
    db.$client.exec("DELETE FROM guild_period_stats WHERE period_type = 'month'");
    await expect(aggregateAll(db, { clock }, { full: true })).rejects.toThrow('killed');
    db.$client.exec('DROP TRIGGER die');
    expect(db.$client.prepare('SELECT DISTINCT facts_version AS v FROM analytics_state').all()).toEqual([{ v: 0 }]);
    const again = await aggregateAll(db, { clock });
    expect(again.rebuilt).toBe(4);
    await expectIncrementalEqualsFull(db);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    expect(overview(db, ctx, { period: { type: 'month' } }).discord_shares).toBe(overview(db, ctx, { period: { type: 'month' }, source: 'raw' }).discord_shares);
  });

  it('keeps one guild out of another guild run and reports progress per guild period', async () => {
    temp = createTempDb();
    post(temp.db, 'a', 'm1', Date.parse('2026-04-01T10:00:00Z'), ['SlugOne']);
    post(temp.db, 'b', 'm2', Date.parse('2026-04-01T10:00:00Z'), ['SlugOne']);
    const progress: Array<[number, number]> = [];
    const summary = await aggregateAnalytics(temp.db, { guildId: 'a' }, { clock, onProgress: (d, t) => progress.push([d, t]) });
    expect(summary).toMatchObject({ guilds: 1, units: 4, rebuilt: 4 });
    expect(progress).toEqual([[0, 4], [1, 4], [2, 4], [3, 4], [4, 4]]);
    const guilds = temp.db.$client.prepare('SELECT DISTINCT guild_id FROM guild_period_stats').all();
    expect(guilds).toEqual([{ guild_id: 'a' }]);
    expect(temp.db.$client.prepare("SELECT count(*) AS n FROM dirty_hours WHERE guild_id = 'b'").get()).toEqual({ n: 1 });
  });
});
