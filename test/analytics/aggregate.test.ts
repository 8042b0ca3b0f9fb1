import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAll, aggregateAnalytics, type AggregateSummary } from '../../src/analytics/aggregate';
import { overview } from '../../src/analytics/overview';
import { topCreators } from '../../src/analytics/top-creators';
import type { AnalysisContext } from '../../src/analytics/types';
import { ManualClock } from '../../src/clock';
import { type SqliteDb } from '../../src/db/client';
import { deferDirtyHours, markClipHoursDirty, markDirtyHours } from '../../src/db/dirty';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { sqliteClient } from '../../src/db/client';
import {
  inCaptureBatchNow,
  recordMessageNow,
  recordMessagesDeletedNow,
  recordReactionAddedNow,
  recordReactionRemovedNow,
  recordReactionsClearedNow,
  recordReactionSnapshotNow,
} from '../../src/capture/record-now';
import { inBulkTransaction as inTransaction } from '../../src/db/bulk';
import type { Db } from '../../src/db/database';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { copyRawTables, summaryRows } from './raw-copy';

const NOW = Date.parse('2026-04-20T15:00:00Z');
const DAY = 86_400_000;
const clock = new ManualClock(NOW);
let temp: TempDb | undefined;
afterEach(() => temp?.cleanup());

// Every scenario runs on SQLite, where capture writes, and again on PostgreSQL from the same data: at each
// aggregation the raw tables, dirty hours and journal are copied into a PostgreSQL twin (raw-copy.ts), which is
// aggregated the same way and must then hold exactly the same summaries, facts, names and state.
const ENGINES = testEngines();
let twin: TestDatabase | undefined;
let twinStale = true;

beforeAll(async () => {
  if (ENGINES.includes('postgres')) twin = await openTestDatabase('postgres', 'aggregate-twin');
}, 60_000);

afterAll(async () => {
  await twin?.close();
});

/** A new SQLite database for a test; the PostgreSQL twin is emptied before its next aggregation. */
function freshDb(): TempDb {
  twinStale = true;
  twinOff = false;
  return createTempDb();
}

/**
 * Leaves the twin out of the rest of a test whose SQLite run dies by an injected SQLite trigger: the twin cannot die
 * at the same point, and copying the dead run's leftovers (pending days, journal) onto a twin that finished would
 * carry them twice. aggregate-engines.test.ts kills PostgreSQL's runs the same way itself.
 */
let twinOff = false;
function withoutTwin(): void {
  twinOff = true;
}

/** Runs `run` (an aggregation whose result is checked later) on SQLite and, from the same data, on the twin. */
async function alsoOnTwin<T>(db: SqliteDb, run: (on: Db) => Promise<T>): Promise<T> {
  if (twin && !twinOff) {
    if (twinStale) {
      await emptyTwin(twin.db);
      twinStale = false;
    }
    await copyRawTables(db, twin.db);
  }
  const result = await run(db);
  if (twin && !twinOff) await run(twin.db);
  return result;
}

async function emptyTwin(db: Db): Promise<void> {
  const tables = await queries(db).all<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE '\\_\\_drizzle%'",
  );
  await queries(db).run(`TRUNCATE ${tables.map((t) => t.tablename).join(', ')}`);
}

/** aggregateAll on the test's SQLite database, then the same on the PostgreSQL twin, expecting the same rows. */
async function aggregate(db: SqliteDb, options: { full?: boolean } = {}): Promise<AggregateSummary> {
  // The copy goes first: the SQLite run takes the dirty hours and journal the twin must take too.
  if (twin && !twinOff) {
    if (twinStale) {
      await emptyTwin(twin.db);
      twinStale = false;
    }
    await copyRawTables(db, twin.db);
  }
  const summary = await aggregateAll(db, { clock }, options);
  if (twin && !twinOff) {
    await aggregateAll(twin.db, { clock }, options);
    expect(await summaryRows(twin.db), 'PostgreSQL, aggregated from the same data').toEqual(await summaryRows(db));
  }
  return summary;
}

function post(db: SqliteDb, guildId: string, messageId: string, postedAt: number, clipIds: string[]): void {
  inTransaction(db, () =>
    recordMessageNow(
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

function enrich(db: SqliteDb, guildId: string, clipId: string, createdAt: number, creator = '77'): void {
  inTransaction(db, () => {
    sqliteClient(db)
      .prepare(
        `UPDATE clips SET creator_id = ?, creator_name = ?, game_id = '33', game_name = 'Chess', view_count = 100, clip_created_at = ?,
                enrichment_state = 'done', title = 't' WHERE guild_id = ? AND clip_id = ?`,
      )
      .run(creator, `Creator ${creator}`, createdAt, guildId, clipId);
    markClipHoursDirty(db, guildId, [clipId]);
  });
}

function snapshot(db: SqliteDb, guildId: string, messageId: string, count: number, at: number): void {
  inTransaction(db, () =>
    recordReactionSnapshotNow(db, { guildId, channelId: 'chan', messageId, emojiKey: '🔥', count, userIds: [], at }, NOW),
  );
}

function react(db: SqliteDb, guildId: string, messageId: string, userId: string, at: number, remove = false): void {
  const event = { guildId, channelId: 'chan', messageId, emojiKey: '🔥', userId, at };
  inTransaction(db, () => (remove ? recordReactionRemovedNow(db, event, NOW) : recordReactionAddedNow(db, event, NOW)));
}

/** Every stored summary and fact row (computed_at aside), in key order. */
function everything(db: SqliteDb): Record<string, unknown[]> {
  const q = (sql: string): unknown[] => sqliteClient(db).prepare(sql).all();
  return {
    games:
      q(`SELECT guild_id, game_id, game_name, period_type, period_start, period_end, clip_count, total_views, avg_view_count, unique_creators,
                discord_shares, discord_reactions, top_clip_id, top_clip_title, top_clip_views FROM game_analytics ORDER BY 1, 4, 5, 2`),
    creators: q(`SELECT guild_id, creator_id, creator_name, period_type, period_start, period_end, clip_count, total_views, avg_views,
                   discord_shares, discord_reactions, unique_games, top_game_id, top_game_name FROM creator_analytics ORDER BY 1, 4, 5, 2`),
    totals:
      q(`SELECT guild_id, period_type, period_start, period_end, clip_count, total_views, unique_creators, unique_games, discord_shares,
                 discord_reactions, first_clip_at, last_clip_at FROM guild_period_stats ORDER BY 1, 2, 3`),
    peaks: q('SELECT * FROM guild_peak_activity ORDER BY 1, 2, 3, 4, 5'),
    pairs: q('SELECT * FROM analytics_pair_facts ORDER BY 1, 2, 3, 4, 5'),
    tops: q('SELECT * FROM analytics_day_top_clips ORDER BY 1, 2, 3'),
  };
}

/** Runs an incremental pass, then checks a full rebuild would leave every summary and stored fact exactly the same. */
async function expectIncrementalEqualsFullEverywhere(db: SqliteDb): Promise<void> {
  await aggregate(db);
  const incremental = everything(db);
  await aggregate(db, { full: true });
  expect(incremental).toEqual(everything(db));
}

function dirtyHours(db: SqliteDb): unknown[] {
  return sqliteClient(db).prepare('SELECT guild_id, hour_start, engagement_only FROM dirty_hours ORDER BY 1, 2').all();
}

function summaries(db: SqliteDb): unknown[] {
  return sqliteClient(db)
    .prepare(
      `SELECT period_type, period_start, clip_count, total_views, discord_shares, discord_reactions FROM guild_period_stats
       UNION ALL SELECT 'creator ' || creator_id, period_start, clip_count, total_views, discord_shares, discord_reactions FROM creator_analytics
       ORDER BY 1, 2`,
    )
    .all();
}

/** Runs an incremental pass, then checks a full rebuild would leave exactly the same summaries. */
async function expectIncrementalEqualsFull(db: SqliteDb): Promise<void> {
  await aggregate(db);
  const incremental = summaries(db);
  await aggregate(db, { full: true });
  expect(incremental).toEqual(summaries(db));
}

describe(`incremental aggregation (${ENGINES.join(' and ')})`, () => {
  it('moves an imported reaction count that changes later within the hour it was first observed', async () => {
    temp = freshDb();
    const t = Date.parse('2026-03-02T12:00:00Z');
    post(temp.db, 'g', 'm1', t, ['SlugOne']);
    snapshot(temp.db, 'g', 'm1', 5, t + 3_600_000);
    await aggregate(temp.db);
    snapshot(temp.db, 'g', 'm1', 9, t + 20 * DAY);
    await expectIncrementalEqualsFull(temp.db);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    expect((await overview(temp.db, ctx, { period: { type: 'range', from: t, to: t + DAY } })).discord_reactions).toBe(9);
  });

  it('takes anonymous counts observed days later out when their message is deleted', async () => {
    temp = freshDb();
    const t = Date.parse('2026-03-02T12:00:00Z');
    post(temp.db, 'g', 'm1', t, ['SlugOne']);
    snapshot(temp.db, 'g', 'm1', 4, t + 9 * DAY);
    await aggregate(temp.db);
    inTransaction(temp.db, () => recordMessagesDeletedNow(temp!.db, 'g', ['m1'], NOW));
    await expectIncrementalEqualsFull(temp.db);
    expect((await overview(temp.db, { guildId: 'g', timezone: 'UTC', now: NOW })).discord_reactions).toBe(0);
  });

  it("credits a clip's earlier shares to its creator once enrichment names the creator", async () => {
    temp = freshDb();
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    const shared = Date.parse('2026-04-01T12:00:00Z');
    post(temp.db, 'g', 'm1', shared, ['SlugOne']);
    post(temp.db, 'g', 'm2', shared + 2 * DAY, ['SlugOne']);
    await aggregate(temp.db);
    expect((await topCreators(temp.db, ctx)).creators).toEqual([]);
    expect((await overview(temp.db, ctx)).discord_shares).toBe(2);
    enrich(temp.db, 'g', 'SlugOne', Date.parse('2026-03-01T00:00:00Z'));
    await expectIncrementalEqualsFull(temp.db);
    const april = (await topCreators(temp.db, ctx, { period: { type: 'month' } })).creators;
    expect(april).toMatchObject([{ creator_id: '77', clip_count: 0, discord_shares: 2, top_game: null }]);
    const march = (await topCreators(temp.db, ctx, { period: { type: 'month', offset: 1 } })).creators;
    expect(march).toMatchObject([{ creator_id: '77', clip_count: 1, discord_shares: 0, top_game: { id: '33', name: 'Chess' } }]);
  });

  it('recomputes both local days an hour spans in a half-hour timezone', async () => {
    temp = freshDb();
    await updateGuildSettings(temp.db, 'g', { timezone: 'Asia/Kolkata' }, NOW);
    post(temp.db, 'g', 'm0', Date.parse('2026-04-01T10:00:00Z'), ['SlugZero']);
    await aggregate(temp.db);
    // 18:10Z and 18:40Z are 23:40 on the 10th and 00:10 on the 11th in India, yet one UTC hour.
    post(temp.db, 'g', 'm1', Date.parse('2026-04-10T18:10:00Z'), ['SlugOne']);
    post(temp.db, 'g', 'm2', Date.parse('2026-04-10T18:40:00Z'), ['SlugTwo']);
    await expectIncrementalEqualsFull(temp.db);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'Asia/Kolkata', now: NOW };
    expect((await overview(temp.db, ctx, { period: { type: 'day', offset: 10 } })).discord_shares).toBe(1);
    expect((await overview(temp.db, ctx, { period: { type: 'day', offset: 9 } })).discord_shares).toBe(1);
  });

  it('brings every period type up to date when asked for one, since all are carried forward from the same days', async () => {
    temp = freshDb();
    post(temp.db, 'g', 'm0', Date.parse('2026-04-01T10:00:00Z'), ['SlugZero']);
    await aggregate(temp.db);
    post(temp.db, 'g', 'm1', Date.parse('2026-04-02T10:00:00Z'), ['SlugOne']);
    const weekOnly = await alsoOnTwin(temp.db, (on) => aggregateAnalytics(on, { guildId: 'g', period: 'week' }, { clock }));
    expect(weekOnly).toMatchObject({ guilds: 1, units: 1, buckets: 1, dirty_hours: 1, rebuilt: 0 });
    expect(temp.db.$client.prepare('SELECT count(*) AS n FROM aggregation_pending').get()).toEqual({ n: 0 });
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    for (const type of ['day', 'week', 'month', 'all_time'] as const) {
      const period = type === 'all_time' ? { type } : { type, offset: type === 'day' ? 18 : type === 'week' ? 2 : 0 };
      expect(await overview(temp.db, ctx, { period }), type).toEqual(await overview(temp.db, ctx, { period, source: 'raw' }));
    }
    expect((await overview(temp.db, ctx)).discord_shares).toBe(2);
    const rest = await aggregateAll(temp.db, { clock });
    expect(rest.buckets).toBe(0);
    await expectIncrementalEqualsFull(temp.db);
  });

  it('rebuilds again after a full rebuild that died part way, ending where an uninterrupted one ends', async () => {
    temp = freshDb();
    const db = temp.db;
    for (let i = 0; i < 40; i++) post(db, 'g', `m${i}`, Date.parse('2026-01-03T10:00:00Z') + i * 2.5 * DAY, [`Slug${i % 7}`]);
    for (let i = 0; i < 7; i++) enrich(db, 'g', `Slug${i}`, Date.parse('2026-01-01T00:00:00Z') + i * 9 * DAY, String(70 + (i % 3)));
    await aggregate(db);
    post(db, 'g', 'late', Date.parse('2026-04-10T10:00:00Z'), ['Slug3']);
    // Dies writing the months, after the days and weeks of the rebuild were committed.
    withoutTwin();
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
    expect((await overview(db, ctx, { period: { type: 'month' } })).discord_shares).toBe(
      (await overview(db, ctx, { period: { type: 'month' }, source: 'raw' })).discord_shares,
    );
  });

  it('keeps one guild out of another guild run and reports progress per guild period', async () => {
    temp = freshDb();
    post(temp.db, 'a', 'm1', Date.parse('2026-04-01T10:00:00Z'), ['SlugOne']);
    post(temp.db, 'b', 'm2', Date.parse('2026-04-01T10:00:00Z'), ['SlugOne']);
    const progress: Array<[number, number]> = [];
    const summary = await aggregateAnalytics(temp.db, { guildId: 'a' }, { clock, onProgress: (d, t) => progress.push([d, t]) });
    expect(summary).toMatchObject({ guilds: 1, units: 4, rebuilt: 4 });
    expect(progress).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    const guilds = temp.db.$client.prepare('SELECT DISTINCT guild_id FROM guild_period_stats').all();
    expect(guilds).toEqual([{ guild_id: 'a' }]);
    expect(temp.db.$client.prepare("SELECT count(*) AS n FROM dirty_hours WHERE guild_id = 'b'").get()).toEqual({ n: 1 });
  });
});

describe(`days only Discord activity touched (${ENGINES.join(' and ')})`, () => {
  const HOUR = 3_600_000;
  const day = Date.parse('2026-03-10T00:00:00Z');

  /** Two enriched clips made on `day`, shared and reacted to that day; a third made a week before, shared that day. */
  function community(db: SqliteDb): void {
    post(db, 'g', 'm1', day + 10 * HOUR, ['SlugOne', 'SlugTwo']);
    post(db, 'g', 'm2', day + 12 * HOUR, ['SlugOld']);
    post(db, 'g', 'm3', day + 3 * DAY, ['SlugOne']);
    enrich(db, 'g', 'SlugOne', day + 9 * HOUR, '77');
    enrich(db, 'g', 'SlugTwo', day + 8 * HOUR, '78');
    enrich(db, 'g', 'SlugOld', day - 7 * DAY, '77');
    react(db, 'g', 'm1', 'u1', day + 11 * HOUR);
    react(db, 'g', 'm2', 'u2', day + 13 * HOUR);
  }

  /** The community plus a share on each of 100 days (a full rebuild then takes several steps), aggregated. */
  async function aggregatedHundredDays(): Promise<SqliteDb> {
    temp = freshDb();
    const db = temp.db;
    community(db);
    for (let i = 0; i < 100; i++) post(db, 'g', `daily${i}`, day + i * DAY + 6 * HOUR, ['SlugOld']);
    await aggregate(db);
    return db;
  }

  it('marks capture writes as engagement only and clip changes as clip changes, a clip change winning in a shared hour', async () => {
    temp = freshDb();
    const db = temp.db;
    post(db, 'g', 'm1', day + 10 * HOUR + 60_000, ['SlugOne']);
    react(db, 'g', 'm1', 'u1', day + 11 * HOUR + 60_000);
    expect(dirtyHours(db)).toEqual([
      { guild_id: 'g', hour_start: day + 10 * HOUR, engagement_only: 1 },
      { guild_id: 'g', hour_start: day + 11 * HOUR, engagement_only: 1 },
    ]);
    // Enrichment places the clip at 11:xx: its creation hour and every hour of its engagement become clip changes.
    enrich(db, 'g', 'SlugOne', day + 11 * HOUR + 120_000);
    post(db, 'g', 'm2', day + 11 * HOUR + 180_000, ['SlugTwo']);
    expect(dirtyHours(db)).toEqual([
      { guild_id: 'g', hour_start: day + 10 * HOUR, engagement_only: 0 },
      { guild_id: 'g', hour_start: day + 11 * HOUR, engagement_only: 0 },
    ]);
    // Within one batch of writes, whichever order they come in.
    db.$client.exec('DELETE FROM dirty_hours');
    inTransaction(db, () =>
      deferDirtyHours(db, () => {
        markDirtyHours(db, 'g', [day], 'engagement');
        markDirtyHours(db, 'g', [day]);
        markDirtyHours(db, 'g', [day + HOUR]);
        markDirtyHours(db, 'g', [day + HOUR], 'engagement');
        markDirtyHours(db, 'g', [day + 2 * HOUR], 'engagement');
      }),
    );
    expect(dirtyHours(db)).toEqual([
      { guild_id: 'g', hour_start: day, engagement_only: 0 },
      { guild_id: 'g', hour_start: day + HOUR, engagement_only: 0 },
      { guild_id: 'g', hour_start: day + 2 * HOUR, engagement_only: 1 },
    ]);
  });

  it('carries new shares, reactions, removed reactions, edits and deletions as a full rebuild computes them', async () => {
    temp = freshDb();
    const db = temp.db;
    community(db);
    post(db, 'g', 'lonely', day + 5 * DAY, ['SlugOld']);
    await aggregate(db);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    const period = { type: 'range' as const, from: day, to: day + DAY };
    const before = await overview(db, ctx, { period });
    post(db, 'g', 'm4', day + 20 * HOUR, ['SlugOld', 'SlugTwo']);
    react(db, 'g', 'm4', 'u3', day + 21 * HOUR);
    react(db, 'g', 'm1', 'u1', day + 11 * HOUR, true);
    post(db, 'g', 'm2', day + 12 * HOUR, ['SlugTwo']); // edited: SlugOld out, SlugTwo in
    inTransaction(db, () => recordMessagesDeletedNow(db, 'g', ['lonely', 'm3'], NOW)); // the only activity of two other days
    snapshot(db, 'g', 'm4', 3, day + 22 * HOUR);
    expect(db.$client.prepare('SELECT DISTINCT engagement_only AS e FROM dirty_hours').all()).toEqual([{ e: 1 }]);
    await expectIncrementalEqualsFullEverywhere(db);
    const after = await overview(db, ctx, { period });
    expect(after).toEqual(await overview(db, ctx, { period, source: 'raw' }));
    expect({ clips: after.total_clips, views: after.total_views }).toEqual({ clips: before.total_clips, views: before.total_views });
    expect(after.discord_shares).toBe(before.discord_shares + 2);
    expect((await overview(db, ctx, { period: { type: 'range', from: day + 5 * DAY, to: day + 6 * DAY } })).discord_shares).toBe(0);
  });

  it('recomputes a day in full when its clips changed in the same run as engagement-only changes, in either order', async () => {
    temp = freshDb();
    const db = temp.db;
    community(db);
    await aggregate(db);
    react(db, 'g', 'm2', 'u9', day + 14 * HOUR);
    enrich(db, 'g', 'SlugTwo', day + 15 * HOUR, '79'); // another creator, later that day
    await expectIncrementalEqualsFullEverywhere(db);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    expect((await topCreators(db, ctx, { period: { type: 'range', from: day, to: day + DAY } })).creators.map((c) => c.creator_id)).toEqual(
      ['77', '79'],
    );
    post(db, 'g', 'm5', day + 2 * DAY + HOUR, ['SlugNew']);
    enrich(db, 'g', 'SlugNew', day + 2 * HOUR, '80');
    post(db, 'g', 'm6', day + 2 * HOUR + 60_000, ['SlugNew']);
    await expectIncrementalEqualsFullEverywhere(db);
    expect((await overview(db, ctx, { period: { type: 'range', from: day, to: day + DAY } })).total_clips).toBe(3);
  });

  it('finishes a run of many days that died after its first step, keeping which days need a full recompute', async () => {
    temp = freshDb();
    const db = temp.db;
    community(db);
    await aggregate(db);
    // 80 days of new shares (more than one step), and a clip change on the last of them.
    for (let i = 0; i < 80; i++) post(db, 'g', `late${i}`, day + (i + 1) * DAY + 6 * HOUR, [i % 2 ? 'SlugOne' : 'SlugOld']);
    post(db, 'g', 'late-new', day + 80 * DAY + 7 * HOUR, ['SlugLate']);
    enrich(db, 'g', 'SlugLate', day + 80 * DAY + 5 * HOUR, '81');
    withoutTwin();
    db.$client.exec(`CREATE TEMP TRIGGER die BEFORE DELETE ON aggregation_pending BEGIN SELECT RAISE(ABORT, 'killed'); END`);
    try {
      await expect(aggregateAll(db, { clock })).rejects.toThrow('killed');
    } finally {
      db.$client.exec('DROP TRIGGER die');
    }
    expect(dirtyHours(db)).toEqual([]);
    const pending = db.$client
      .prepare<[], { period_start: number; engagement_only: number }>(
        'SELECT period_start, engagement_only FROM aggregation_pending ORDER BY 1',
      )
      .all();
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.filter((p) => p.engagement_only === 0).map((p) => p.period_start)).toEqual([day + 80 * DAY]);
    // A share on the clip-changed day before the next run does not make it engagement-only.
    post(db, 'g', 'later-still', day + 80 * DAY + 9 * HOUR, ['SlugOne']);
    await expectIncrementalEqualsFullEverywhere(db);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    expect((await overview(db, ctx)).discord_shares).toBe((await overview(db, ctx, { source: 'raw' })).discord_shares);
    expect(db.$client.prepare('SELECT count(*) AS n FROM aggregation_pending').get()).toEqual({ n: 0 });
  });

  it('counts a share captured while a full rebuild runs exactly once, whether or not the rebuild read its day', async () => {
    const db = await aggregatedHundredDays();
    // The rebuild reads 62 days per step and yields between steps: one share lands on a day it has read, one on a
    // day it has not read yet.
    const rebuild = aggregateAll(db, { clock }, { full: true });
    setImmediate(() => {
      post(db, 'g', 'during-read', day + 2 * DAY + 7 * HOUR, ['SlugOne']);
      post(db, 'g', 'during-unread', day + 90 * DAY + 7 * HOUR, ['SlugOne']);
    });
    await rebuild;
    expect(sqliteClient(db).prepare('SELECT count(*) AS n FROM engagement_changes').get()).toEqual({ n: 0 });
    await expectIncrementalEqualsFullEverywhere(db);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    expect(await overview(db, ctx)).toEqual(await overview(db, ctx, { source: 'raw' }));
  });

  it('names summary rows with the latest names at once, and with a rename made while a full rebuild writes', async () => {
    const db = await aggregatedHundredDays();
    const distinct = (sql: string): unknown[] => sqliteClient(db).prepare(sql).pluck().all();
    const creator77 = "SELECT DISTINCT creator_name FROM creator_analytics WHERE guild_id = 'g' AND creator_id = '77'";
    expect(distinct(creator77)).toEqual(['Creator 77']);
    // Renames on the newest clip of creator 77 and of game 33 reach every stored row before any aggregation.
    sqliteClient(db).prepare("UPDATE clips SET creator_name = 'Renamed 77' WHERE guild_id = 'g' AND clip_id = 'SlugOne'").run();
    sqliteClient(db).prepare("UPDATE clips SET game_name = 'Chess960' WHERE guild_id = 'g'").run();
    expect(distinct(creator77)).toEqual(['Renamed 77']);
    expect(distinct("SELECT DISTINCT game_name FROM game_analytics WHERE game_id = '33'")).toEqual(['Chess960']);
    expect(distinct("SELECT DISTINCT top_game_name FROM creator_analytics WHERE top_game_id = '33'")).toEqual(['Chess960']);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    expect(await topCreators(db, ctx)).toEqual(await topCreators(db, ctx, { source: 'raw' }));

    // A rename committed between two of a rebuild's write transactions is in the rows written after it too.
    let rebuilding = true;
    let renamedWhileWriting = false;
    const renameOnceWriting = (): void => {
      if (!rebuilding) return;
      const writing = sqliteClient(db).prepare("SELECT min(facts_version) FROM analytics_state WHERE guild_id = 'g'").pluck().get() === 0;
      if (!writing) return void setImmediate(renameOnceWriting);
      sqliteClient(db).prepare("UPDATE clips SET creator_name = 'Again 77' WHERE guild_id = 'g' AND clip_id = 'SlugOne'").run();
      renamedWhileWriting = true;
    };
    setImmediate(renameOnceWriting);
    await aggregateAll(db, { clock }, { full: true });
    rebuilding = false;
    expect(renamedWhileWriting).toBe(true);
    expect(distinct(creator77)).toEqual(['Again 77']);
  });

  it('carries a batch of live events that touches the same messages many times as a full rebuild computes them', async () => {
    temp = freshDb();
    const db = temp.db;
    community(db);
    await aggregate(db);
    const message = (messageId: string, postedAt: number, clipIds: string[]) => ({
      guildId: 'g',
      channelId: 'chan',
      messageId,
      authorId: 'u1',
      authorName: 'u1',
      authorIsBot: false,
      postedAt,
      content: clipIds.map((id) => `https://clips.twitch.tv/${id}`).join(' '),
      source: 'discord' as const,
    });
    const reaction = (messageId: string, userId: string, at: number, emojiKey = '🔥') => ({
      guildId: 'g',
      channelId: 'chan',
      messageId,
      emojiKey,
      userId,
      at,
    });
    inCaptureBatchNow(db, () => {
      recordMessageNow(db, message('b1', day + 15 * HOUR, ['SlugOne']), NOW); // new
      recordReactionAddedNow(db, reaction('b1', 'u5', day + 16 * HOUR), NOW);
      recordMessageNow(db, message('b1', day + 15 * HOUR, ['SlugOne', 'SlugTwo']), NOW); // edited: a clip added
      recordReactionAddedNow(db, reaction('b1', 'u6', day + 17 * HOUR), NOW); // counts for both clips now
      recordReactionAddedNow(db, reaction('m1', 'u7', day + 2 * DAY), NOW); // an old message, a later day
      recordReactionRemovedNow(db, reaction('m2', 'u2', day + 13 * HOUR), NOW);
      recordReactionSnapshotNow(
        db,
        { guildId: 'g', channelId: 'chan', messageId: 'm1', emojiKey: '😂', count: 4, userIds: ['u8'], at: day + 18 * HOUR },
        NOW,
      );
      recordMessagesDeletedNow(db, 'g', ['m3'], NOW);
      recordMessageNow(db, message('b2', day + 19 * HOUR, ['SlugOld']), NOW); // new, then gone in the same batch
      recordReactionAddedNow(db, reaction('b2', 'u9', day + 20 * HOUR), NOW);
      recordMessagesDeletedNow(db, 'g', ['b2'], NOW);
    });
    inTransaction(db, () => recordReactionsClearedNow(db, { guildId: 'g', messageId: 'm1', emojiKey: '😂' }, NOW));
    await expectIncrementalEqualsFullEverywhere(db);
    const ctx: AnalysisContext = { guildId: 'g', timezone: 'UTC', now: NOW };
    const period = { type: 'range' as const, from: day, to: day + DAY };
    expect(await overview(db, ctx, { period })).toEqual(await overview(db, ctx, { period, source: 'raw' }));
    // Per clip the message shares: m1's u1 and b1's u5 and u6, twice each; m2's u2 removed; the 😂 snapshot cleared.
    expect((await overview(db, ctx, { period })).discord_reactions).toBe(6);
  });
});
