// The aggregation's stores (src/db/aggregation) on both engines: dirty hours taken once, pending days merged with
// "a full recompute wins", run state, the raw-day reads with local weekday and hour, the journal with its
// attribution, and the summary writers writing only what differs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPendingDays, readPendingDays, storePendingDays, takeDirtyHours } from '../../src/db/aggregation/dirty-days';
import { addClipMoods, addMoodMixes } from '../../src/db/aggregation/moods';
import { readSummaryNames } from '../../src/db/aggregation/names';
import { readActivitySpan, readDayFactRows, readJournal } from '../../src/db/aggregation/raw-days';
import { finishRebuild, writeBuckets } from '../../src/db/aggregation/rebuild';
import {
  countCurrentPeriodTypes,
  FACTS_VERSION,
  hasIncrementalWork,
  listGuildsToAggregate,
  markFactsStale,
  recordRun,
} from '../../src/db/aggregation/state';
import { readStoredDays } from '../../src/db/aggregation/stored-days';
import type { BucketRows } from '../../src/db/aggregation/types';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Monday, 2026-03-02 00:00 UTC. */
const MONDAY = Date.parse('2026-03-02T00:00:00Z');

function emptyRows(): BucketRows {
  return { guild_period_stats: [], game_analytics: [], creator_analytics: [], guild_peak_activity: [], analytics_pair_facts: [] };
}

describe.each(testEngines())('aggregation stores on %s', (engine) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'aggregation-stores');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('takes a guild dirty hours once, with their kind, leaving other guilds alone', async () => {
    const q = queries(t.db);
    for (const [g, hour, e] of [
      ['d1', 0, true],
      ['d1', HOUR, false],
      ['d2', 0, true],
    ] as const) {
      await q.run('INSERT INTO dirty_hours (guild_id, hour_start, engagement_only) VALUES (?, ?, ?)', [g, hour, e]);
    }
    expect(await hasIncrementalWork(t.db, 'd1')).toBe(true);
    const taken = await t.db.transaction((tx) => takeDirtyHours(tx, 'd1'));
    expect(taken.sort((a, b) => a.hour_start - b.hour_start)).toEqual([
      { hour_start: 0, engagement_only: true },
      { hour_start: HOUR, engagement_only: false },
    ]);
    expect(await takeDirtyHours(t.db, 'd1')).toEqual([]);
    expect(await hasIncrementalWork(t.db, 'd1')).toBe(false);
    expect(await hasIncrementalWork(t.db, 'd2')).toBe(true);
    expect(await listGuildsToAggregate(t.db, false)).toEqual(['d2']);
    await takeDirtyHours(t.db, 'd2');
  });

  it('merges pending days so that a full recompute is never weakened to engagement only', async () => {
    await storePendingDays(t.db, 'p1', [
      [DAY, true],
      [2 * DAY, false],
      [3 * DAY, true],
    ]);
    await storePendingDays(t.db, 'p1', [
      [DAY, false],
      [2 * DAY, true],
      [3 * DAY, true],
      // A day listed twice in one call (PostgreSQL writes the call in one statement) is full if either listing is.
      [4 * DAY, true],
      [4 * DAY, false],
    ]);
    const pending = (await readPendingDays(t.db, 'p1')).sort((a, b) => a.period_start - b.period_start);
    expect(pending).toEqual([
      { period_start: DAY, engagement_only: false },
      { period_start: 2 * DAY, engagement_only: false },
      { period_start: 3 * DAY, engagement_only: true },
      { period_start: 4 * DAY, engagement_only: false },
    ]);
    expect(await hasIncrementalWork(t.db, 'p1')).toBe(true);
    await dropPendingDays(t.db, 'p1', [DAY, 3 * DAY, 4 * DAY]);
    expect(await readPendingDays(t.db, 'p1')).toEqual([{ period_start: 2 * DAY, engagement_only: false }]);
    await dropPendingDays(t.db, 'p1', [2 * DAY]);
  });

  it('records runs per period type, keeps the last full time on incremental runs, and marks facts stale', async () => {
    await recordRun(t.db, 's1', ['day', 'week'], 'Europe/Berlin', 1000, true);
    await recordRun(t.db, 's1', ['day', 'week'], 'Europe/Berlin', 2000, false);
    const rows = await queries(t.db).all(
      'SELECT period_type, timezone, last_full_at, last_run_at, facts_version FROM analytics_state WHERE guild_id = ? ORDER BY 1',
      ['s1'],
    );
    expect(rows).toEqual([
      { period_type: 'day', timezone: 'Europe/Berlin', last_full_at: 1000, last_run_at: 2000, facts_version: FACTS_VERSION },
      { period_type: 'week', timezone: 'Europe/Berlin', last_full_at: 1000, last_run_at: 2000, facts_version: FACTS_VERSION },
    ]);
    expect(await countCurrentPeriodTypes(t.db, 's1', 'Europe/Berlin')).toBe(2);
    expect(await countCurrentPeriodTypes(t.db, 's1', 'UTC')).toBe(0);
    await markFactsStale(t.db, 's1');
    expect(await countCurrentPeriodTypes(t.db, 's1', 'Europe/Berlin')).toBe(0);
    expect(await listGuildsToAggregate(t.db, true)).toContain('s1');
  });

  it('reads counted clips, live shares and reactions per local day, weekday and hour, attributed to the clip', async () => {
    const q = queries(t.db);
    const g = 'r1';
    // Clip A counts (game 5, creator 9); clip B is not enriched; clip C is gone from Twitch.
    await q.run(
      `INSERT INTO clips (guild_id, clip_id, url, creator_id, game_id, view_count, clip_created_at, enrichment_state, title, first_seen_at, last_updated_at)
       VALUES (?, 'A', 'https://clips.twitch.tv/A', '9', '5', 40, ?, 'done', 'Clip A', 0, 0),
              (?, 'B', 'https://clips.twitch.tv/B', NULL, NULL, 0, NULL, 'pending', NULL, 0, 0),
              (?, 'C', 'https://clips.twitch.tv/C', '8', '5', 7, ?, 'not_found', 'Clip C', 0, 0)`,
      [g, MONDAY + 23 * HOUR + 10 * 60_000, g, g, MONDAY + HOUR],
    );
    const share = `INSERT INTO shares (guild_id, channel_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source, deleted_at)
                   VALUES (?, 'ch', ?, ?, 'u', 'u', ?, ?, 'discord', ?)`;
    await q.run(share, [g, 'm1', 'A', false, MONDAY + 23 * HOUR + 30 * 60_000, null]);
    await q.run(share, [g, 'm2', 'B', false, MONDAY + 2 * HOUR, null]);
    await q.run(share, [g, 'm3', 'A', false, MONDAY + 3 * HOUR, MONDAY + 4 * HOUR]);
    await q.run("INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at) VALUES (?, 'ch', ?, ?, ?, ?)", [
      g,
      'm1',
      '🔥',
      'u2',
      MONDAY + 23 * HOUR + 40 * 60_000,
    ]);
    // A segment with offset +1 h (as Berlin in winter): 23:10 UTC Monday is 00:10 on Tuesday there.
    const batches = await readDayFactRows(t.db, g, [
      { key: MONDAY - HOUR, start: MONDAY - HOUR, end: MONDAY + 23 * HOUR, offset: HOUR },
      { key: MONDAY + 23 * HOUR, start: MONDAY + 23 * HOUR, end: MONDAY + 47 * HOUR, offset: HOUR },
    ]);
    expect(batches).toHaveLength(1);
    const [rows] = batches;
    expect(rows?.clips).toEqual([
      {
        k: MONDAY + 23 * HOUR,
        wd: 1,
        hr: 0,
        clip_id: 'A',
        at: MONDAY + 23 * HOUR + 10 * 60_000,
        game_id: '5',
        creator_id: '9',
        views: 40,
        title: 'Clip A',
        url: 'https://clips.twitch.tv/A',
      },
    ]);
    // Tuesday is weekday 1 (Monday 0), as the local hour says.
    const shares = [...(rows?.shares ?? [])].sort((a, b) => a.k - b.k);
    expect(shares).toEqual([
      { k: MONDAY - HOUR, wd: 0, hr: 3, game_id: null, creator_id: null, n: 1 },
      { k: MONDAY + 23 * HOUR, wd: 1, hr: 0, game_id: '5', creator_id: '9', n: 1 },
    ]);
    expect(rows?.reactions).toEqual([{ k: MONDAY + 23 * HOUR, game_id: '5', creator_id: '9', n: 1 }]);
    expect(await readActivitySpan(t.db, g)).toEqual({ lo: MONDAY + HOUR, hi: MONDAY + 23 * HOUR + 40 * 60_000 });
    expect(await readActivitySpan(t.db, 'nobody')).toBeNull();

    await q.run('INSERT INTO engagement_changes (guild_id, at, clip_id, shares, reactions) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)', [
      g,
      MONDAY + 5 * HOUR,
      'A',
      1,
      2,
      g,
      MONDAY + 6 * HOUR,
      'B',
      -1,
      0,
    ]);
    const journal = await readJournal(t.db, g, [{ key: 7, start: MONDAY, end: MONDAY + DAY }]);
    expect([...(journal.get(7) ?? [])].sort((a, b) => a.at - b.at)).toEqual([
      { at: MONDAY + 5 * HOUR, shares: 1, reactions: 2, game_id: '5', creator_id: '9' },
      { at: MONDAY + 6 * HOUR, shares: -1, reactions: 0, game_id: null, creator_id: null },
    ]);
  });

  it('writes bucket rows equal to what it is given, changing only rows that differ, and trims a rebuild to its span', async () => {
    const q = queries(t.db);
    const g = 'w1';
    const rows = emptyRows();
    rows.guild_period_stats.push([MONDAY, MONDAY + DAY, 2, 50, 1, 1, 3, 1, MONDAY + HOUR, MONDAY + 2 * HOUR]);
    rows.game_analytics.push([MONDAY, '5', 'Chess', MONDAY + DAY, 2, 50, 25, 1, 3, 1, 'A', 'Clip A', 40]);
    rows.creator_analytics.push([MONDAY, '9', 'Nine', MONDAY + DAY, 2, 50, 25, 3, 1, 1, '5', 'Chess']);
    rows.guild_peak_activity.push([MONDAY, 0, 1, 2, 3]);
    rows.analytics_pair_facts.push([MONDAY, '5', '9', 2, 50, 3, 1]);
    await t.db.transaction((tx) => writeBuckets(tx, g, 'day', [MONDAY], rows, [['5', MONDAY, 'A', 'Clip A', 40]], 100));
    const stored = await readStoredDays(t.db, g, [MONDAY]);
    expect(stored.get(MONDAY)).toEqual({
      pairs: [{ game_id: '5', creator_id: '9', n: 2, views: 50, shares: 3, reactions: 1 }],
      cells: [{ weekday: 0, hour: 1, clips: 2, shares: 3 }],
      totals: {
        clip_count: 2,
        total_views: 50,
        discord_shares: 3,
        discord_reactions: 1,
        first_clip_at: MONDAY + HOUR,
        last_clip_at: MONDAY + 2 * HOUR,
      },
      tops: [{ game_id: '5', clip_id: 'A', title: 'Clip A', views: 40 }],
    });
    // The same rows again at a later time: nothing differs, so computed_at stays.
    await t.db.transaction((tx) => writeBuckets(tx, g, 'day', [MONDAY], rows, [['5', MONDAY, 'A', 'Clip A', 40]], 200));
    expect(await q.all('SELECT computed_at FROM game_analytics WHERE guild_id = ?', [g])).toEqual([{ computed_at: 100 }]);
    // One value changes and a creator goes: only that row is stamped, the other deleted.
    const changed = emptyRows();
    changed.guild_period_stats.push([MONDAY, MONDAY + DAY, 2, 50, 1, 1, 4, 1, MONDAY + HOUR, MONDAY + 2 * HOUR]);
    changed.game_analytics.push([MONDAY, '5', 'Chess', MONDAY + DAY, 2, 50, 25, 1, 4, 1, 'A', 'Clip A', 40]);
    await t.db.transaction((tx) => writeBuckets(tx, g, 'day', [MONDAY], changed, [], 300));
    expect(await q.all('SELECT discord_shares, computed_at FROM game_analytics WHERE guild_id = ?', [g])).toEqual([
      { discord_shares: 4, computed_at: 300 },
    ]);
    expect(await q.all('SELECT creator_id FROM creator_analytics WHERE guild_id = ?', [g])).toEqual([]);
    expect(await q.all('SELECT game_id FROM analytics_day_top_clips WHERE guild_id = ?', [g])).toEqual([]);
    // A rebuild whose days end before MONDAY deletes it, and records the run.
    await queries(t.db).run('INSERT INTO dirty_hours (guild_id, hour_start, engagement_only) VALUES (?, ?, ?)', [g, HOUR, true]);
    await t.db.transaction((tx) => finishRebuild(tx, g, new Map([['day', { first: 0, last: MONDAY - DAY }]]), 'UTC', 400));
    expect(await q.all('SELECT period_start FROM guild_period_stats WHERE guild_id = ?', [g])).toEqual([]);
    expect((await takeDirtyHours(t.db, g)).map((h) => h.engagement_only)).toEqual([false]);
    expect(await countCurrentPeriodTypes(t.db, g, 'UTC')).toBe(1);
  });

  it('adds mood changes summed per row, deletes rows brought to zero and sets each changed clip total', async () => {
    const q = queries(t.db);
    const moodRows = () =>
      q.all<Record<string, unknown>>(
        `SELECT guild_id, period_type, period_start, clip_id, mood, reactions, clip_total FROM analytics_clip_moods
          WHERE guild_id IN ('m1', 'm2') ORDER BY 1, 2, 3, 4, 5`,
      );
    await t.db.transaction(async (tx) => {
      await addClipMoods(tx, 'm1', [
        ['day', MONDAY, 'c1', 'hype', 2],
        ['day', MONDAY, 'c1', 'funny', 1],
        ['day', MONDAY, 'c2', 'love', 4],
        ['week', MONDAY, 'c1', 'hype', 2],
      ]);
      await addClipMoods(tx, 'm2', [['day', MONDAY, 'c1', 'hype', 7]]);
    });
    // The same row twice in one call (summed), a row brought to zero (deleted, the clip's total follows), a zero change.
    await t.db.transaction((tx) =>
      addClipMoods(tx, 'm1', [
        ['day', MONDAY, 'c1', 'hype', 3],
        ['day', MONDAY, 'c1', 'hype', -1],
        ['day', MONDAY, 'c1', 'funny', -1],
        ['day', MONDAY, 'c2', 'love', 0],
      ]),
    );
    expect(
      (await moodRows()).map((r) => ({
        ...r,
        period_start: Number(r.period_start),
        reactions: Number(r.reactions),
        clip_total: Number(r.clip_total),
      })),
    ).toEqual([
      { guild_id: 'm1', period_type: 'day', period_start: MONDAY, clip_id: 'c1', mood: 'hype', reactions: 4, clip_total: 4 },
      { guild_id: 'm1', period_type: 'day', period_start: MONDAY, clip_id: 'c2', mood: 'love', reactions: 4, clip_total: 4 },
      { guild_id: 'm1', period_type: 'week', period_start: MONDAY, clip_id: 'c1', mood: 'hype', reactions: 2, clip_total: 2 },
      { guild_id: 'm2', period_type: 'day', period_start: MONDAY, clip_id: 'c1', mood: 'hype', reactions: 7, clip_total: 7 },
    ]);

    const mixRows = () =>
      q.all<Record<string, unknown>>(
        `SELECT guild_id, period_type, dimension, subject_id, total, hype, funny, other FROM analytics_mood_mixes
          WHERE guild_id = 'm1' ORDER BY 1, 2, 3, 4`,
      );
    const counts = (hype: number, funny: number) => [hype, funny, 0, 0, 0, 0, 0];
    await t.db.transaction((tx) =>
      addMoodMixes(tx, 'm1', [
        ['day', MONDAY, 'guild', '', counts(2, 1)],
        ['day', MONDAY, 'creator', 'k1', counts(2, 0)],
        ['day', MONDAY, 'creator', 'k1', counts(1, 0)],
      ]),
    );
    await t.db.transaction((tx) =>
      addMoodMixes(tx, 'm1', [
        ['day', MONDAY, 'guild', '', counts(-1, 0)],
        ['day', MONDAY, 'creator', 'k1', counts(-3, 0)],
        ['day', MONDAY, 'game', 'g1', counts(0, 0)],
      ]),
    );
    expect(
      (await mixRows()).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v : Number(v)]))),
    ).toEqual([{ guild_id: 'm1', period_type: 'day', dimension: 'guild', subject_id: '', total: 2, hype: 1, funny: 1, other: 0 }]);
  });

  it('reads the display names of summary rows: stored names, the id, "Game <id>" and "Unknown game"', async () => {
    await queries(t.db).run(
      `INSERT INTO clips (guild_id, clip_id, url, creator_id, creator_name, game_id, game_name, view_count, clip_created_at, enrichment_state, first_seen_at, last_updated_at)
       VALUES ('n1', 'X', 'https://clips.twitch.tv/X', 'c1', 'Caster', 'g1', 'Golf', 1, 10, 'done', 0, 0)`,
    );
    const names = await t.db.transaction((tx) => readSummaryNames(tx, 'n1', { creators: ['c1', 'c2'], games: ['g1', 'g2', ''] }));
    expect([names.creatorName('c1'), names.creatorName('c2'), names.gameName('g1'), names.gameName('g2'), names.gameName('')]).toEqual([
      'Caster',
      'c2',
      'Golf',
      'Game g2',
      'Unknown game',
    ]);
    expect(() => names.creatorName('c3')).toThrow(/not read/);
  });
});
