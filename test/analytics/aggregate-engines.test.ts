// Incremental and full aggregation on both engines from the same raw data: capture writes through SQLite's capture
// functions, the raw tables, dirty hours and journal are copied into PostgreSQL (raw-copy.ts), and both engines must
// then store exactly the same summaries, run after run, with incremental runs equal to full rebuilds on each, in a
// zone with a daylight-saving change and in a half-hour zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import {
  inCaptureBatchNow,
  recordMessageNow,
  recordMessagesDeletedNow,
  recordReactionAddedNow,
  recordReactionRemovedNow,
  recordReactionSnapshotNow,
} from '../../src/capture/record-now';
import { ManualClock } from '../../src/clock';
import { inBulkTransaction } from '../../src/db/bulk';
import { sqliteClient, type SqliteDb } from '../../src/db/client';
import { markClipHoursDirty } from '../../src/db/dirty';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { queries } from '../../src/db/sql';
import { countRoundTrips } from '../../bench/round-trips';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { copyRawTables, summaryRows, type SummaryDump } from './raw-copy';

const NOW = Date.parse('2026-04-20T15:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const clock = new ManualClock(NOW);

function post(db: SqliteDb, guildId: string, messageId: string, postedAt: number, clipIds: string[]): void {
  inBulkTransaction(db, () =>
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

function enrich(db: SqliteDb, guildId: string, clipId: string, createdAt: number, creator: string, game: string, views: number): void {
  inBulkTransaction(db, () => {
    sqliteClient(db)
      .prepare(
        `UPDATE clips SET creator_id = ?, creator_name = ?, game_id = ?, game_name = ?, view_count = ?, clip_created_at = ?,
                enrichment_state = 'done', title = ? WHERE guild_id = ? AND clip_id = ?`,
      )
      .run(creator, `Creator ${creator}`, game, `Game ${game}`, views, createdAt, `Title ${clipId}`, guildId, clipId);
    markClipHoursDirty(db, guildId, [clipId]);
  });
}

function react(db: SqliteDb, guildId: string, messageId: string, userId: string, at: number, remove = false): void {
  const event = { guildId, channelId: 'chan', messageId, emojiKey: '🔥', userId, at };
  inBulkTransaction(db, () => (remove ? recordReactionRemovedNow(db, event, NOW) : recordReactionAddedNow(db, event, NOW)));
}

function snapshot(db: SqliteDb, guildId: string, messageId: string, count: number, at: number): void {
  inBulkTransaction(db, () =>
    recordReactionSnapshotNow(db, { guildId, channelId: 'chan', messageId, emojiKey: '👍', count, userIds: [], at }, NOW),
  );
}

/** The guilds: New York (a 23-hour day on 2026-03-08), Kolkata (+05:30) and UTC. */
const GUILDS = [
  { id: 'g-ny', timezone: 'America/New_York' },
  { id: 'g-in', timezone: 'Asia/Kolkata' },
  { id: 'g-utc', timezone: 'UTC' },
] as const;
/** Around New York's spring-forward night: from 2026-03-06 to 2026-03-10 UTC. */
const DST = Date.parse('2026-03-06T00:00:00Z');

// Skipped (with the reason printed) only when PostgreSQL is skipped on purpose; CI never skips it.
describe.skipIf(!testEngines().includes('postgres'))('aggregation on PostgreSQL against SQLite', () => {
  const engine = 'postgres' as const;
  let sqlite: TempDb;
  let t: TestDatabase;

  beforeAll(async () => {
    sqlite = createTempDb();
    t = await openTestDatabase(engine, 'aggregate-engines');
    for (const g of GUILDS) await updateGuildSettings(sqlite.db, g.id, { timezone: g.timezone }, NOW);
  });

  afterAll(async () => {
    await t?.close();
    sqlite?.cleanup();
  });

  /** Copies SQLite's raw data to PostgreSQL, aggregates both (incremental unless full) and expects equal summaries. */
  async function aggregateBoth(full = false): Promise<SummaryDump> {
    await copyRawTables(sqlite.db, t.db);
    await aggregateAll(sqlite.db, { clock }, { full });
    await aggregateAll(t.db, { clock }, { full });
    const expected = await summaryRows(sqlite.db);
    const actual = await summaryRows(t.db);
    expect(actual).toEqual(expected);
    return actual;
  }

  /** An incremental run on both, then a full rebuild on PostgreSQL must change nothing. */
  async function expectIncrementalEqualsFull(): Promise<void> {
    const incremental = await aggregateBoth();
    await aggregateAll(t.db, { clock }, { full: true });
    const full = await summaryRows(t.db);
    expect({ ...full, state: null }).toEqual({ ...incremental, state: null });
  }

  it('rebuilds the same summaries as SQLite from the same data, placing every hour in the guild zone', async () => {
    let n = 0;
    for (const g of GUILDS) {
      for (let h = 0; h < 96; h += 5) {
        const at = DST + h * HOUR + 17 * 60_000;
        const clip = `Clip${g.id.replace(/\W/g, '')}${h}`;
        post(sqlite.db, g.id, `m-${g.id}-${h}`, at, [clip]);
        if (h % 3 !== 0) enrich(sqlite.db, g.id, clip, at - 2 * HOUR, String(70 + (h % 4)), String(30 + (h % 3)), 10 * h + 1);
        if (h % 2 === 0) react(sqlite.db, g.id, `m-${g.id}-${h}`, `u${h}`, at + HOUR);
        if (h % 7 === 0) snapshot(sqlite.db, g.id, `m-${g.id}-${h}`, 3, at + 30 * 60_000);
        n += 1;
      }
    }
    expect(n).toBe(60);
    const rows = await aggregateBoth();
    // New York's 2026-03-08 is 23 hours long, from 05:00 UTC to 04:00 UTC the next day.
    const ny = rows.totals.filter((r) => r.guild_id === 'g-ny' && r.period_type === 'day');
    const dstDay = ny.find((r) => r.period_start === Date.parse('2026-03-08T05:00:00Z')) as
      | { period_end: number; clip_count: number }
      | undefined;
    expect(dstDay?.period_end).toBe(Date.parse('2026-03-09T04:00:00Z'));
    // Kolkata's days start at 18:30 UTC.
    const inDays = rows.totals.filter((r) => r.guild_id === 'g-in' && r.period_type === 'day');
    expect(inDays.length).toBeGreaterThan(0);
    for (const d of inDays) expect(new Date(d.period_start as number).toISOString()).toMatch(/T18:30:00\.000Z$/);
    // Every counted clip is in exactly one day, on both engines.
    const counted = await queries(t.db).get<{ n: number }>(
      `SELECT count(*) AS n FROM clips WHERE clip_created_at IS NOT NULL AND creator_id IS NOT NULL AND enrichment_state <> 'not_found'`,
    );
    const summed = rows.totals.filter((r) => r.period_type === 'day').reduce((s, r) => s + (r.clip_count as number), 0);
    expect(summed).toBe(counted?.n);
    expect(rows.left).toEqual([
      { what: 'dirty', n: 0 },
      { what: 'journal', n: 0 },
      { what: 'pending', n: 0 },
    ]);
  });

  it('carries shares, reactions, removals, deletions and snapshots as SQLite does, and as a full rebuild computes them', async () => {
    for (const g of GUILDS) {
      const at = DST + 40 * HOUR;
      post(sqlite.db, g.id, `m2-${g.id}`, at, [`Clip${g.id.replace(/\W/g, '')}5`, 'SharedClip']);
      react(sqlite.db, g.id, `m2-${g.id}`, 'ua', at + 5 * 60_000);
      react(sqlite.db, g.id, `m2-${g.id}`, 'ub', at + 6 * 60_000);
      react(sqlite.db, g.id, `m-${g.id}-0`, 'u0', DST + HOUR, true);
      snapshot(sqlite.db, g.id, `m-${g.id}-7`, 8, DST + 7 * HOUR + 50 * 60_000);
      inBulkTransaction(sqlite.db, () => recordMessagesDeletedNow(sqlite.db, g.id, [`m-${g.id}-10`], NOW));
    }
    // Engagement only: every mark is engagement-only, so the incremental run carries the journal, not raw days.
    const marks = sqliteClient(sqlite.db).prepare('SELECT engagement_only AS e, count(*) AS n FROM dirty_hours GROUP BY 1').all();
    expect(marks).toEqual([{ e: 1, n: expect.any(Number) }]);
    const journal = sqliteClient(sqlite.db).prepare('SELECT count(*) AS n FROM engagement_changes').get() as { n: number };
    expect(journal.n).toBeGreaterThan(10);
    await expectIncrementalEqualsFull();
  });

  it('recomputes days whose clips changed (new creator, new game, more views, gone from Twitch) as SQLite does', async () => {
    for (const g of GUILDS) {
      const clip = `Clip${g.id.replace(/\W/g, '')}5`;
      enrich(sqlite.db, g.id, clip, DST + 3 * HOUR, '99', '31', 5000);
      enrich(sqlite.db, g.id, 'SharedClip', DST + 50 * HOUR, '71', '', 7);
      inBulkTransaction(sqlite.db, () => {
        sqliteClient(sqlite.db)
          .prepare(`UPDATE clips SET enrichment_state = 'not_found' WHERE guild_id = ? AND clip_id = ?`)
          .run(g.id, `Clip${g.id.replace(/\W/g, '')}20`);
        markClipHoursDirty(sqlite.db, g.id, [`Clip${g.id.replace(/\W/g, '')}20`]);
      });
      // A clip change and engagement in the same hour: the hour is recomputed in full.
      react(sqlite.db, g.id, `m-${g.id}-5`, 'uz', DST + 3 * HOUR + 60_000);
    }
    await expectIncrementalEqualsFull();
  });

  it('carries a run of more days than one step holds, in several steps, as SQLite does', async () => {
    const from = Date.parse('2025-11-01T12:00:00Z');
    inCaptureBatchNow(sqlite.db, () => {
      for (let d = 0; d < 150; d += 1) {
        for (const g of GUILDS) {
          recordMessageNow(
            sqlite.db,
            {
              guildId: g.id,
              channelId: 'chan',
              messageId: `long-${g.id}-${d}`,
              authorId: 'u2',
              authorName: 'u2',
              authorIsBot: false,
              postedAt: from + d * DAY + (d % 24) * HOUR,
              content: `https://clips.twitch.tv/LongClip${d % 9}`,
              source: 'discord',
            },
            NOW,
          );
        }
      }
    });
    for (const g of GUILDS) enrich(sqlite.db, g.id, 'LongClip4', from + 30 * DAY, '72', '30', 900);
    await expectIncrementalEqualsFull();
    const days = await queries(t.db).get<{ n: number }>(
      "SELECT count(DISTINCT period_start) AS n FROM guild_period_stats WHERE period_type = 'day'",
    );
    expect(days?.n).toBeGreaterThan(150);
  });

  it('carries a step of many days in about as many round trips as a step of two days', async () => {
    // Each statement is a round trip on PostgreSQL: a step reads and writes every bucket it carries (days, weeks,
    // months, all_time) a table at a time, so its statements do not grow with its days.
    const statementsOfRun = async (): Promise<number> => {
      await copyRawTables(sqlite.db, t.db);
      await aggregateAll(sqlite.db, { clock });
      const counted = countRoundTrips();
      let count: number;
      try {
        await aggregateAll(t.db, { clock });
      } finally {
        count = counted.stop();
      }
      expect(await summaryRows(t.db)).toEqual(await summaryRows(sqlite.db));
      return count;
    };
    const from = Date.parse('2026-01-05T12:00:00Z');
    const postDays = (label: string, days: number): void => {
      for (let d = 0; d < days; d++) {
        post(sqlite.db, 'g-utc', `${label}-${d}`, from + d * DAY, [`RoundClip${d % 7}`]);
        react(sqlite.db, 'g-utc', `${label}-${d}`, `u-${label}`, from + d * DAY + HOUR);
      }
    };
    await aggregateBoth();
    postDays('two', 2);
    const two = await statementsOfRun();
    postDays('many', 60);
    const many = await statementsOfRun();
    // 60 days touch 60 day buckets, 9 weeks and 3 months where 2 days touch 2, 1 and 1: a statement per bucket and
    // table would be hundreds more.
    expect(many).toBeLessThanOrEqual(two + 12);
  });

  it('rebuilds in full on request with the same result as SQLite, and rebuilds again when the zone changes', async () => {
    await aggregateBoth(true);
    await updateGuildSettings(sqlite.db, 'g-utc', { timezone: 'Australia/Lord_Howe' }, NOW);
    const rows = await aggregateBoth();
    expect(rows.state.filter((s) => s.guild_id === 'g-utc')).toEqual(
      ['all_time', 'day', 'month', 'week'].map((type) => ({
        guild_id: 'g-utc',
        period_type: type,
        timezone: 'Australia/Lord_Howe',
        facts_version: 2,
      })),
    );
  });

  /** A PostgreSQL trigger that makes the statement fail as a crash would, on `table` when `when` holds. */
  async function injectDeath(table: string, event: 'INSERT' | 'DELETE', when = 'true'): Promise<void> {
    const q = queries(t.db);
    await q.run("CREATE OR REPLACE FUNCTION test_die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'killed'; END $$");
    await q.run(`CREATE TRIGGER test_die BEFORE ${event} ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION test_die()`);
  }

  async function removeDeath(table: string): Promise<void> {
    await queries(t.db).run(`DROP TRIGGER test_die ON ${table}`);
  }

  /** Aggregates SQLite (no copy: PostgreSQL already has the data) and expects the same rows on both. */
  async function expectSameAsSqlite(): Promise<void> {
    await aggregateAll(sqlite.db, { clock });
    expect(await summaryRows(t.db)).toEqual(await summaryRows(sqlite.db));
  }

  it('rebuilds again after a PostgreSQL rebuild that died part way, ending where SQLite ends', async () => {
    post(sqlite.db, 'g-in', 'late-1', Date.parse('2026-04-10T10:00:00Z'), ['ClipgIN5']);
    await copyRawTables(sqlite.db, t.db);
    // Dies writing the months, after the days and weeks of the rebuild were committed.
    await queries(t.db).run("DELETE FROM guild_period_stats WHERE guild_id = 'g-in' AND period_type = 'month'");
    await injectDeath('guild_period_stats', 'INSERT', "NEW.period_type = 'month'");
    try {
      await expect(aggregateAll(t.db, { clock }, { full: true })).rejects.toThrow('killed');
    } finally {
      await removeDeath('guild_period_stats');
    }
    expect(await queries(t.db).all('SELECT DISTINCT facts_version FROM analytics_state WHERE guild_id = ?', ['g-in'])).toEqual([
      { facts_version: 0 },
    ]);
    const again = await aggregateAll(t.db, { clock });
    expect(again.rebuilt).toBeGreaterThan(0);
    await expectSameAsSqlite();
  });

  it('finishes a PostgreSQL incremental run that died after its first step, as SQLite computes it', async () => {
    const from = Date.parse('2026-01-05T12:00:00Z');
    for (let d = 0; d < 80; d++) post(sqlite.db, 'g-in', `late-in-${d}`, from + d * DAY, [d % 2 ? 'LongClip4' : 'ClipgIN5']);
    enrich(sqlite.db, 'g-in', 'ClipgIN5', from + 79 * DAY - HOUR, '73', '32', 77);
    await copyRawTables(sqlite.db, t.db);
    await injectDeath('aggregation_pending', 'DELETE');
    try {
      await expect(aggregateAll(t.db, { clock })).rejects.toThrow('killed');
    } finally {
      await removeDeath('aggregation_pending');
    }
    expect(await queries(t.db).get('SELECT count(*) AS n FROM dirty_hours')).toEqual({ n: 0 });
    const pending = await queries(t.db).get<{ n: number }>('SELECT count(*) AS n FROM aggregation_pending');
    expect(pending?.n).toBeGreaterThan(0);
    await aggregateAll(t.db, { clock });
    await expectSameAsSqlite();
    expect((await summaryRows(t.db)).left).toEqual([
      { what: 'dirty', n: 0 },
      { what: 'journal', n: 0 },
      { what: 'pending', n: 0 },
    ]);
  });
});
