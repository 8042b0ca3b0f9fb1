// The cluster section's probe process (forked by bench/cluster-processes.ts): while the bots write, one job lease
// taken and released every interval (timed), and on PostgreSQL pg_stat_activity and pg_locks sampled for lock waits.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { z } from 'zod';
import { closeDatabase, openDatabase } from '../src/db/client';
import type { Db } from '../src/db/database';
import { closePostgres, openPostgres } from '../src/db/postgres/engine';
import { releaseJobLease, takeJobLease } from '../src/db/stores/job-leases';

const task = z.object({
  database: z.union([z.object({ DATABASE_PATH: z.string().min(1) }), z.object({ DATABASE_URL: z.string().min(1) })]),
  intervalMs: z.number().int().min(1).max(10_000),
});

/** A bound on the run: the section finishes it long before. */
const MAX_RUN_MS = 30 * 60_000;

const SAMPLE = `SELECT
  (SELECT coalesce(json_agg(json_build_object('pid', pid, 'since', query_start, 'event', wait_event)), '[]'::json)
     FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock') AS waiting,
  (SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
     WHERE NOT l.granted AND d.datname = current_database())::int AS ungranted`;

async function main(): Promise<void> {
  const parsed = task.safeParse(JSON.parse(process.argv[2] ?? 'null'));
  if (!parsed.success) throw new Error(`cluster probe task: ${parsed.error.message}`);
  const { database, intervalMs } = parsed.data;
  const postgresUrl = 'DATABASE_URL' in database ? database.DATABASE_URL : null;
  const db: Db = postgresUrl
    ? openPostgres({ url: postgresUrl, poolSize: 1 })
    : openDatabase({ path: (database as { DATABASE_PATH: string }).DATABASE_PATH, migrate: false });
  const sampler = postgresUrl ? new pg.Client({ connectionString: postgresUrl }) : null;
  await sampler?.connect();
  let finishing = false;
  // The section process gone (its IPC channel closed): stop, as on its finish message.
  process.on('disconnect', () => {
    finishing = true;
  });
  process.on('message', (m) => {
    if ((m as { type?: string } | null)?.type === 'finish') finishing = true;
  });
  const report = {
    leaseMs: [] as number[],
    samples: 0,
    samplesWaiting: 0,
    waits: 0,
    waitMs: 0,
    ungranted: 0,
    waitEvents: {} as Record<string, number>,
  };
  const seen = new Set<string>();
  const started = performance.now();
  let last = performance.now();
  process.send?.({ type: 'started' });
  try {
    // Ticks only move forward (a lease refuses a tick already run), also past an earlier probe's on the same database.
    const firstTick = Date.now() * 1_000;
    for (let tick = firstTick; !finishing && performance.now() - started < MAX_RUN_MS; tick++) {
      const t0 = performance.now();
      if (!(await takeJobLease(db, { job: 'bench-cluster', holder: `probe-${process.pid}`, now: Date.now(), ttlMs: 60_000, tick })))
        throw new Error('the bench-cluster lease was not taken');
      await releaseJobLease(db, { job: 'bench-cluster', holder: `probe-${process.pid}`, now: Date.now() });
      report.leaseMs.push(performance.now() - t0);
      if (sampler) {
        const row = (await sampler.query<{ waiting: { pid: number; since: string | null; event: string }[]; ungranted: number }>(SAMPLE))
          .rows[0];
        const now = performance.now();
        report.samples++;
        if (row && row.waiting.length > 0) {
          report.samplesWaiting++;
          // Each waiting backend is counted as waiting since the previous sample: an estimate bounded by the interval.
          report.waitMs += row.waiting.length * (now - last);
          for (const w of row.waiting) {
            const key = `${w.pid}:${w.since}`;
            if (!seen.has(key)) {
              seen.add(key);
              report.waits++;
              report.waitEvents[w.event] = (report.waitEvents[w.event] ?? 0) + 1;
            }
          }
        }
        report.ungranted += row?.ungranted ?? 0;
        last = now;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    await sampler?.end();
    if (postgresUrl) await closePostgres(db as Parameters<typeof closePostgres>[0]);
    else closeDatabase(db as Parameters<typeof closeDatabase>[0]);
  }
  process.send?.({ type: 'report', ...report }, () => process.disconnect?.());
}

main().catch((error: unknown) => {
  process.send?.({ type: 'error', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1));
});
