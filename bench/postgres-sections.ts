// The product's own figures on PostgreSQL, for the sections whose stores run there: capture through the storage
// layer (capture batches of 1,000 events, as the bot's queue writes them), and the aggregation (full, and incremental
// after 1,000 events) with the top-creators read. Each runs on ctx.postgresUrl, a fresh clone of the dataset, through
// openDb like any entry point; the bare-pg floors they are held against are in bench/postgres-floor.ts.
import pg from 'pg';
import { aggregateAll } from '../src/analytics/aggregate';
import { topCreators } from '../src/analytics/top-creators';
import { inCaptureBatch } from '../src/capture/capture-batch';
import { recordReactionAdded } from '../src/capture/record-reaction';
import { recordMessage, recordMessagesDeleted } from '../src/capture/record-share';
import { ManualClock } from '../src/clock';
import type { Db } from '../src/db/database';
import { closeDb, openDb } from '../src/db/open';
import { queries } from '../src/db/sql';
import { moodReads, readGoalMs, SUMMARY_TABLES } from './analytics';
import { freshEvents, type StorageEvent } from './capture-storage';
import { figure, repeat, summarise } from './measure';
import { bareGroupBy } from './postgres-floor';
import { countRoundTrips } from './round-trips';
import type { BenchContext, Figure } from './types';

const BATCH = 1000;

async function openBenchDatabase(ctx: BenchContext): Promise<Db> {
  if (!ctx.postgresUrl) throw new Error('a PostgreSQL run needs ctx.postgresUrl (--engine postgres or both)');
  return openDb(
    { engine: 'postgres', url: ctx.postgresUrl, poolSize: 4, statementTimeoutMs: 0, acquireTimeoutMs: 30_000 },
    { migrate: false, applicationName: 'clipscope-bench' },
  );
}

async function largestGuild(db: Db): Promise<{ guildId: string; clips: number; timezone: string }> {
  const row = await queries(db).get<{ guild_id: string; n: number; timezone: string }>(
    `SELECT c.guild_id, count(*) AS n, coalesce(max(g.timezone), 'UTC') AS timezone FROM clips c
       LEFT JOIN guild_settings g ON g.guild_id = c.guild_id GROUP BY c.guild_id ORDER BY n DESC LIMIT 1`,
  );
  if (!row) throw new Error('the PostgreSQL copy of the dataset has no clips');
  return { guildId: row.guild_id, clips: Number(row.n), timezone: row.timezone };
}

/** The events through the product's capture functions, BATCH per capture batch (one transaction each). */
async function applyThroughStorageLayer(db: Db, events: readonly StorageEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += BATCH) {
    const batch = events.slice(start, start + BATCH);
    await inCaptureBatch(db, async (tx) => {
      for (const e of batch) {
        if (e.kind === 'message') await recordMessage(tx, e.snapshot, e.now);
        else if (e.kind === 'reaction') await recordReactionAdded(tx, e.event, e.now);
        else await recordMessagesDeleted(tx, e.guildId, [e.messageId], e.now);
      }
    });
  }
}

/** capture.storage_events_per_s on PostgreSQL (pg.capture.…), against pg.floor.capture_batched_events_per_s. */
export function postgresCapture(clipsPerRun = 6_000): (ctx: BenchContext) => Promise<Figure[]> {
  return async (ctx) => {
    const db = await openBenchDatabase(ctx);
    try {
      const { guildId } = await largestGuild(db);
      const rates: number[] = [];
      let eventsPerRun = 0;
      for (let run = -1; run < ctx.runs; run++) {
        const events = freshEvents(ctx, guildId, (ctx.seed * 7919 + 3_000_017 + run + 100) >>> 0, clipsPerRun);
        eventsPerRun = events.length;
        const t0 = performance.now();
        await applyThroughStorageLayer(db, events);
        if (run >= 0) rates.push(events.length / ((performance.now() - t0) / 1000));
      }
      return [
        figure('capture.storage_events_per_s', summarise(rates), 'events/s', {
          better: 'higher',
          note: `recordMessage/recordReactionAdded/recordMessagesDeleted in capture batches of ${BATCH}; ${eventsPerRun.toLocaleString('en-US')} events per run into the largest guild; goal ≥ 0.7× pg.floor.capture_batched_events_per_s`,
        }),
      ];
    } finally {
      await closeDb(db);
    }
  };
}

/** 1,000 new shares and reactions in the last two days (a quarter in the largest guild), through capture batches. */
export async function addEvents(db: Db, guildIds: readonly string[], seed: number, now: number): Promise<void> {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const clipsByGuild = new Map<string, string[]>();
  for (const guildId of guildIds) {
    clipsByGuild.set(
      guildId,
      (
        await queries(db).all<{ clip_id: string }>('SELECT clip_id FROM clips WHERE guild_id = ? ORDER BY clip_id LIMIT 500', [guildId])
      ).map((r) => r.clip_id),
    );
  }
  const messages: Array<{ guildId: string; channelId: string; messageId: string }> = [];
  await inCaptureBatch(db, async (tx) => {
    for (let i = 0; i < 1000; i++) {
      const guildId = guildIds[i % 4 === 0 ? 0 : Math.floor(random() * guildIds.length)]!;
      const at = now - Math.floor(random() * 2 * 86_400_000);
      if (i % 2 === 0 || messages.length === 0) {
        const clips = clipsByGuild.get(guildId)!;
        const message = { guildId, channelId: `${guildId}-c1`, messageId: `bench-${seed}-${i}` };
        await recordMessage(
          tx,
          {
            ...message,
            authorId: 'b',
            authorName: 'b',
            authorIsBot: false,
            postedAt: at,
            content: `https://clips.twitch.tv/${clips[Math.floor(random() * clips.length)]}`,
            source: 'discord',
          },
          now,
        );
        messages.push(message);
      } else {
        const target = messages[Math.floor(random() * messages.length)]!;
        await recordReactionAdded(tx, { ...target, emojiKey: '🔥', userId: `bench-user-${i}`, at }, now);
      }
    }
  });
}

/** The aggregation and the top-creators read on PostgreSQL, against pg.floor.group_by_s and the 2 ms goal. */
export function postgresAnalytics(readCalls = 1_000): (ctx: BenchContext) => Promise<Figure[]> {
  return async (ctx) => {
    const db = await openBenchDatabase(ctx);
    const bare = new pg.Client({ connectionString: ctx.postgresUrl });
    await bare.connect();
    const clock = new ManualClock(ctx.endAt);
    try {
      const largest = await largestGuild(db);
      const guildIds = (await queries(db).all<{ guild_id: string }>('SELECT DISTINCT guild_id FROM clips ORDER BY guild_id')).map(
        (r) => r.guild_id,
      );
      const ordered = [largest.guildId, ...guildIds.filter((g) => g !== largest.guildId)];
      // The floor and the full run take turns within each run, as on SQLite, so a busy spell hits both alike.
      const floorRuns: number[] = [];
      const fullRuns: number[] = [];
      for (let run = -1; run < ctx.runs; run++) {
        let t0 = performance.now();
        await bareGroupBy(bare);
        const floor = (performance.now() - t0) / 1000;
        for (const table of SUMMARY_TABLES) await queries(db).run(`DELETE FROM ${table}`);
        t0 = performance.now();
        await aggregateAll(db, { clock }, { full: true });
        const full = (performance.now() - t0) / 1000;
        if (run >= 0) {
          floorRuns.push(floor);
          fullRuns.push(full);
        }
      }
      const roundTrips: number[] = [];
      const incremental = await repeat(ctx.runs, async (run) => {
        await addEvents(db, ordered, 1000 + run, ctx.endAt);
        const counted = countRoundTrips();
        const t0 = performance.now();
        try {
          await aggregateAll(db, { clock });
          return (performance.now() - t0) / 1000;
        } finally {
          roundTrips.push(counted.stop());
        }
      });
      const context = { guildId: largest.guildId, timezone: largest.timezone, now: ctx.endAt };
      const p50s: number[] = [];
      const p99s: number[] = [];
      await topCreators(db, context);
      for (let run = 0; run < ctx.runs; run++) {
        const samples: number[] = [];
        for (let i = 0; i < readCalls; i++) {
          const t0 = performance.now();
          await topCreators(db, context);
          samples.push(performance.now() - t0);
        }
        samples.sort((a, b) => a - b);
        p50s.push(samples[Math.floor(samples.length / 2)]!);
        p99s.push(samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.99) - 1)]!);
      }
      const per = `largest guild (${largest.clips.toLocaleString('en-US')} clips); ${readCalls} calls per run over loopback`;
      // Issue #22's reads, as on SQLite (fewer calls: the stream-moments read scans the raw tables).
      const moodFigures: Figure[] = [];
      const moodCalls = Math.max(20, Math.round(readCalls / 5));
      for (const read of moodReads(db, context)) {
        await read.read('auto');
        const readP50s: number[] = [];
        const readP99s: number[] = [];
        for (let run = 0; run < ctx.runs; run++) {
          const samples: number[] = [];
          for (let i = 0; i < moodCalls; i++) {
            const t0 = performance.now();
            await read.read('auto');
            samples.push(performance.now() - t0);
          }
          samples.sort((a, b) => a - b);
          readP50s.push(samples[Math.floor(samples.length / 2)]!);
          readP99s.push(samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.99) - 1)]!);
        }
        const note = `${read.label}; largest guild; ${moodCalls} calls per run over loopback`;
        const goal = readGoalMs(read.key);
        moodFigures.push(
          figure(`analytics.read_${read.key}_p50_ms`, summarise(readP50s), 'ms', { better: 'lower', note }),
          figure(`analytics.read_${read.key}_p99_ms`, summarise(readP99s), 'ms', {
            better: 'lower',
            note: goal === null ? note : `${note}; goal ≤ ${goal} ms`,
          }),
        );
      }
      return [
        ...moodFigures,
        figure('analytics.bare_group_by_s', summarise(floorRuns), 's', {
          better: 'lower',
          note: 'bench/postgres-floor.ts GROUP BY, taking turns with the full run',
        }),
        figure('analytics.full_aggregation_s', summarise(fullRuns), 's', {
          better: 'lower',
          note: 'aggregateAll({ full: true }) from empty summaries; goal ≤ 1.5× the GROUP BY floor',
        }),
        figure('analytics.incremental_1000_events_s', incremental, 's', {
          better: 'lower',
          note: '1,000 new shares and reactions of the last two days through capture batches, then aggregateAll(); goal ≤ 1 s at L',
        }),
        figure('analytics.incremental_1000_events_round_trips', summarise(roundTrips), 'count', {
          better: 'lower',
          note: 'statements sent to the server by that incremental run (each a round trip; BEGIN and COMMIT included), all guilds',
        }),
        figure('analytics.read_top_creators_p50_ms', summarise(p50s), 'ms', { better: 'lower', note: `top creators, all time; ${per}` }),
        figure('analytics.read_top_creators_p99_ms', summarise(p99s), 'ms', {
          better: 'lower',
          note: `top creators, all time; ${per}; goal ≤ 2 ms`,
        }),
      ];
    } finally {
      await bare.end();
      await closeDb(db);
    }
  };
}
