// Aggregation runs sharing PostgreSQL with each other and with capture: two processes aggregating the same guild at
// once never count anything twice (a per-guild advisory lock serialises them), and capture writes committed while
// a run reads and writes are each carried exactly once (REPEATABLE READ steps delete only the marks and journal
// entries they read, and are retried when they lose a race). SQLite needs neither: its file lock serialises every
// write transaction across processes (BEGIN IMMEDIATE), which the other aggregation tests run under.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import { ManualClock } from '../../src/clock';
import { withGuildAggregationLock } from '../../src/db/aggregation/steps';
import type { Db } from '../../src/db/database';
import { recordDirtyHours } from '../../src/db/dirty';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { summaryRows } from './raw-copy';

const NOW = Date.parse('2026-04-20T15:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FROM = Date.parse('2026-03-01T00:00:00Z');
const clock = new ManualClock(NOW);
const GUILD = 'g-conc';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

let messageSeq = 0;

/**
 * What capture does for one new message sharing a clip, inside its transaction `tx`: the share, its journaled
 * engagement change and the engagement-only dirty mark of its hour (the mark by src/db/dirty.ts itself: its upsert
 * locks an hour's existing mark until the capture commits, which the aggregation relies on, see ADR 0043).
 */
async function writeShare(tx: Db, clipId: string, at: number): Promise<void> {
  const messageId = `m${++messageSeq}`;
  const q = queries(tx);
  await q.run(
    `INSERT INTO shares (guild_id, channel_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source)
     VALUES (?, 'ch', ?, ?, 'u', 'u', ?, ?, 'discord')`,
    [GUILD, messageId, clipId, false, at],
  );
  await q.run(
    `INSERT INTO engagement_changes (guild_id, at, clip_id, shares, reactions) VALUES (?, ?, ?, 1, 0)
     ON CONFLICT (guild_id, at, clip_id) DO UPDATE SET shares = engagement_changes.shares + excluded.shares`,
    [GUILD, at, clipId],
  );
  await recordDirtyHours(tx, GUILD, [at], 'engagement');
}

/** One captured share in its own transaction. */
function captureShare(db: Db, clipId: string, at: number): Promise<void> {
  return db.transaction((tx) => writeShare(tx, clipId, at));
}

// Skipped (with the reason printed) only when PostgreSQL is skipped on purpose; CI never skips it.
describe.skipIf(!testEngines().includes('postgres'))('concurrent aggregation on PostgreSQL', () => {
  const engine = 'postgres' as const;
  let t: TestDatabase;
  let other: { db: Db; close(): Promise<void> };

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'aggregate-concurrency');
    other = await t.openAnother();
    await updateGuildSettings(t.db, GUILD, { timezone: 'Europe/Berlin' }, NOW);
    const q = queries(t.db);
    for (let i = 0; i < 12; i++) {
      await q.run(
        `INSERT INTO clips (guild_id, clip_id, url, creator_id, creator_name, game_id, game_name, view_count, clip_created_at,
                            enrichment_state, title, first_seen_at, last_updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'done', ?, 0, 0)`,
        [
          GUILD,
          `C${i}`,
          `https://clips.twitch.tv/C${i}`,
          `cr${i % 3}`,
          `Creator ${i % 3}`,
          `g${i % 4}`,
          `Game ${i % 4}`,
          10 * i,
          FROM + i * DAY,
          `Clip ${i}`,
        ],
      );
    }
    await aggregateAll(t.db, { clock }, { full: true });
  });

  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('lets one run at a time hold a guild, and another guild run meanwhile', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = withGuildAggregationLock(t.db, GUILD, async () => {
      entered();
      await held;
      return 'first';
    });
    await inside;
    await expect(withGuildAggregationLock(other.db, GUILD, async () => 'second', 600)).rejects.toThrow(
      /being aggregated by another process/,
    );
    expect(await withGuildAggregationLock(other.db, 'g-else', async () => 'else', 600)).toBe('else');
    release();
    expect(await first).toBe('first');
    expect(await withGuildAggregationLock(other.db, GUILD, async () => 'after', 600)).toBe('after');
  });

  it('counts every share once when two processes aggregate while capture writes', async () => {
    const rand = random(7);
    let captured = 0;
    const capture = (async () => {
      for (let i = 0; i < 120; i++) {
        // Some shares land on the same instant and clip, so the journal row is updated rather than inserted.
        const at = FROM + Math.floor(rand() * 20) * DAY + (i % 5 === 0 ? 0 : Math.floor(rand() * DAY));
        await captureShare(i % 2 === 0 ? t.db : other.db, `C${Math.floor(rand() * 12)}`, at);
        captured += 1;
      }
    })();
    const runs = (db: Db) =>
      (async () => {
        let n = 0;
        while (captured < 120) {
          await aggregateAll(db, { clock });
          n += 1;
        }
        return n;
      })();
    const [, a, b] = await Promise.all([capture, runs(t.db), runs(other.db)]);
    expect(a + b).toBeGreaterThan(2);
    await aggregateAll(t.db, { clock });
    const incremental = await summaryRows(t.db);
    const total = incremental.totals.find((r) => r.period_type === 'all_time');
    expect(total?.discord_shares).toBe(120);
    expect(incremental.left).toEqual([
      { what: 'dirty', n: 0 },
      { what: 'journal', n: 0 },
      { what: 'pending', n: 0 },
    ]);
    await aggregateAll(t.db, { clock }, { full: true });
    expect({ ...(await summaryRows(t.db)), state: null }).toEqual({ ...incremental, state: null });
  });

  it('counts a share whose capture commits while a run waits to take the mark of its hour', async () => {
    await aggregateAll(t.db, { clock });
    const shares = async (): Promise<unknown> => (await summaryRows(t.db)).totals.find((r) => r.period_type === 'all_time')?.discord_shares;
    const before = Number(await shares());
    const at = FROM + 3 * DAY + 5 * HOUR;
    // A committed share marks its hour; a second capture in the same hour holds its transaction open after writing,
    // so its upsert holds the existing mark's row lock while a run starts.
    await captureShare(t.db, 'C1', at);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const inside = new Promise<void>((resolve) => (written = resolve));
    const capture = other.db.transaction(async (tx) => {
      await writeShare(tx, 'C2', at + 60_000);
      written();
      await held;
    });
    await inside;
    const run = aggregateAll(t.db, { clock });
    // The run waits for the capture's lock on the mark (it has begun its transaction by then).
    await expect
      .poll(
        async () =>
          (
            await queries(t.db).get<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%dirty_hours%'`,
            )
          )?.n,
      )
      .toBe(1);
    release();
    await capture;
    await run;
    await aggregateAll(t.db, { clock });
    const incremental = await summaryRows(t.db);
    expect(await shares()).toBe(before + 2);
    expect(incremental.left).toEqual([
      { what: 'dirty', n: 0 },
      { what: 'journal', n: 0 },
      { what: 'pending', n: 0 },
    ]);
    await aggregateAll(t.db, { clock }, { full: true });
    expect({ ...(await summaryRows(t.db)), state: null }).toEqual({ ...incremental, state: null });
  });
});
