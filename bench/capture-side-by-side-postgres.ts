// capture-side-by-side.ts on PostgreSQL: two checkouts' capture batches and the bare batched-upsert floor
// (postgres-floor.ts) take turns in every run, each on its own clone of the dataset: `node --import tsx
// bench/capture-side-by-side-postgres.ts --base DIR --data FILE [--runs N] [--clips N] [--postgres URL]`.
// It also counts each side's round trips (every pg query, BEGIN and COMMIT included) per batch, by statement, through
// a wrapper of pg.Client's query in this process only (`--statements` prints the commonest statements of each side).
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freshEvents, floorEvents } from './capture-storage';
import { BENCH_END_AT } from './dataset';
import { DEFAULT_BENCH_POSTGRES_URL, freshPostgresDatabase, preparePostgresDataset } from './postgres';
import { applyBatched } from './postgres-floor';
import type { BenchContext } from './types';

const BATCH = 1000;

// The round-trip counter: every query a pg.Client sends while `counting` names a side is counted for it, with the time
// until its answer, by the first words of its text (a wrapper of this process's pg, not of the product's code).
let counting: string | null = null;
const roundTrips = new Map<string, Map<string, { n: number; ms: number }>>();
const originalQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: unknown, ...args: unknown[]) {
  const result = originalQuery.apply(this, args);
  if (counting) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
    const bySide = roundTrips.get(counting) ?? new Map<string, { n: number; ms: number }>();
    const entry = bySide.get(key) ?? { n: 0, ms: 0 };
    entry.n++;
    bySide.set(key, entry);
    roundTrips.set(counting, bySide);
    const t0 = performance.now();
    if (result instanceof Promise) {
      result.then(
        () => {
          entry.ms += performance.now() - t0;
        },
        () => {},
      );
    }
  }
  return result;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      data: { type: 'string' },
      runs: { type: 'string', default: '3' },
      clips: { type: 'string', default: '6000' },
      postgres: { type: 'string', default: process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_POSTGRES_URL },
      statements: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.base || !values.data) throw new Error('--base DIR and --data FILE are required');
  const runs = Number(values.runs);
  const clips = Number(values.clips);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1');
  if (!Number.isInteger(clips) || clips < 10) throw new Error('--clips must be a whole number ≥ 10');
  const server = values.postgres;
  const dataset = await preparePostgresDataset(server, values.data, (line) => console.error(line));
  const clones: Array<{ drop(): Promise<void> }> = [];
  const rates = new Map<string, number[]>();
  try {
    const sides = [];
    for (const [name, root] of [
      ['before', path.resolve(values.base)],
      ['after', path.resolve(import.meta.dirname, '..')],
    ] as const) {
      const clone = await freshPostgresDatabase(server, dataset.template, `capture_${name}`);
      clones.push(clone);
      const open = await import(path.join(root, 'src/db/open.ts'));
      const batch = await import(path.join(root, 'src/capture/capture-batch.ts'));
      const share = await import(path.join(root, 'src/capture/record-share.ts'));
      const reaction = await import(path.join(root, 'src/capture/record-reaction.ts'));
      const db = await open.openDb(
        { engine: 'postgres', url: clone.url, poolSize: 4, statementTimeoutMs: 0, acquireTimeoutMs: 30_000 },
        { migrate: false, applicationName: 'clipscope-bench' },
      );
      sides.push({ name, open, batch, share, reaction, db });
    }
    const floorClone = await freshPostgresDatabase(server, dataset.template, 'capture_floor');
    clones.push(floorClone);
    const floor = new pg.Client({ connectionString: floorClone.url });
    await floor.connect();
    const largest = (
      await floor.query<{ guild_id: string }>('SELECT guild_id, count(*) AS n FROM clips GROUP BY guild_id ORDER BY 2 DESC LIMIT 1')
    ).rows[0];
    if (!largest) throw new Error('the dataset has no clips');
    const ctx = { endAt: BENCH_END_AT } as BenchContext;
    let eventsPerRun = 0;
    let batchesCounted = 0;
    const record = (key: string, n: number, seconds: number): void => {
      rates.set(key, [...(rates.get(key) ?? []), n / seconds]);
    };
    for (let run = -1; run < runs; run++) {
      const events = freshEvents(ctx, largest.guild_id, 1_000_003 * (run + 2) + 11, clips);
      eventsPerRun = events.length;
      if (run >= 0) batchesCounted += Math.ceil(events.length / BATCH);
      for (const s of sides) {
        counting = run >= 0 ? s.name : null;
        const t0 = performance.now();
        for (let start = 0; start < events.length; start += BATCH) {
          const slice = events.slice(start, start + BATCH);
          await s.batch.inCaptureBatch(s.db, async (tx: unknown) => {
            for (const e of slice) {
              if (e.kind === 'message') await s.share.recordMessage(tx, e.snapshot, e.now);
              else if (e.kind === 'reaction') await s.reaction.recordReactionAdded(tx, e.event, e.now);
              else await s.share.recordMessagesDeleted(tx, e.guildId, [e.messageId], e.now);
            }
          });
        }
        if (run >= 0) record(s.name, events.length, (performance.now() - t0) / 1000);
        counting = null;
      }
      const rows = floorEvents(events);
      counting = run >= 0 ? 'floor' : null;
      const t0 = performance.now();
      for (let start = 0; start < rows.length; start += BATCH) await applyBatched(floor, rows.slice(start, start + BATCH));
      if (run >= 0) record('floor', rows.length, (performance.now() - t0) / 1000);
      counting = null;
    }
    await floor.end();
    for (const s of sides) await s.open.closeDb(s.db);
    const median = (xs: number[]): number => {
      const sorted = [...xs].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    };
    const floorRate = median(rates.get('floor') ?? []);
    console.log(
      `${eventsPerRun.toLocaleString('en-US')} events per run, ${runs} runs, PostgreSQL, load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    console.log('| path | events/s (median, min–max) | ÷ floor | round trips per batch |');
    console.log('|:--|--:|--:|--:|');
    const tripsPerBatch = (side: string): number =>
      [...(roundTrips.get(side)?.values() ?? [])].reduce((a, b) => a + b.n, 0) / Math.max(1, batchesCounted);
    for (const [key, r] of rates) {
      const m = median(r);
      const trips = tripsPerBatch(key).toFixed(1);
      console.log(
        `| ${key} | ${Math.round(m).toLocaleString('en-US')} (${Math.round(Math.min(...r)).toLocaleString('en-US')}–${Math.round(Math.max(...r)).toLocaleString('en-US')}) | ${(m / floorRate).toFixed(2)}× | ${trips} |`,
      );
    }
    if (values.statements) {
      for (const [side, byText] of roundTrips) {
        console.log(`\n${side}: round trips and ms until the answer per batch, by statement (${batchesCounted} batches)`);
        for (const [text, { n, ms }] of [...byText].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
          console.log(`${(n / batchesCounted).toFixed(1).padStart(8)} ${(ms / batchesCounted).toFixed(1).padStart(8)} ms  ${text}`);
      }
    }
  } finally {
    for (const c of clones) await c.drop();
    await dataset.drop();
  }
}

await main();
