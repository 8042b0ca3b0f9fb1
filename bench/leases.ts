// Job leases (issue #17, docs/adr/0024-job-leases-and-process-roles.md): one job lease taken and released (two
// statements, what every scheduled run adds), beside the floor of one single-row upsert on the same handle.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { closeDatabase, openDatabase } from '../src/db/client';
import type { Db } from '../src/db/database';
import { closePostgres, openPostgres } from '../src/db/postgres/engine';
import { releaseJobLease, takeJobLease } from '../src/db/stores/job-leases';
import { recordJobRun } from '../src/db/stores/jobs';
import { figure, repeat } from './measure';
import type { BenchContext, BenchSection, Figure } from './types';

/** Lease cycles per measured run; the figure is the mean of one cycle. */
const CYCLES = 200;

async function measure(db: Db, ctx: BenchContext): Promise<Figure[]> {
  let tick = 0;
  const lease = await repeat(ctx.runs, async () => {
    const started = performance.now();
    for (let i = 0; i < CYCLES; i++) {
      tick += 1000;
      const now = Date.now();
      if (!(await takeJobLease(db, { job: 'bench', holder: 'bench', now, ttlMs: 60_000, tick }))) throw new Error('lease not taken');
      await releaseJobLease(db, { job: 'bench', holder: 'bench', now: Date.now() });
    }
    return (performance.now() - started) / CYCLES;
  });
  const floor = await repeat(ctx.runs, async () => {
    const started = performance.now();
    for (let i = 0; i < CYCLES; i++) {
      await recordJobRun(db, { job: 'bench-floor', started: i, finished: null, error: null, summary: null });
    }
    return (performance.now() - started) / CYCLES;
  });
  return [
    figure('leases.take_and_release_ms', lease, 'ms', {
      better: 'lower',
      note: 'one job lease taken (conditional upsert) and released (update), one process; goal ≤ 5 ms',
    }),
    figure('leases.floor_one_upsert_ms', floor, 'ms', {
      better: 'lower',
      note: 'floor: one single-row upsert (job_runs) on the same handle',
    }),
  ];
}

export const leasesSection: BenchSection = {
  name: 'leases',
  title: 'Job leases: one lease taken and released, beside one upsert',
  async run(ctx) {
    const db = openDatabase({ path: path.join(ctx.workDir, 'leases.db') });
    try {
      return await measure(db, ctx);
    } finally {
      closeDatabase(db);
    }
  },
  postgres: {
    needs: [],
    async run(ctx) {
      if (!ctx.postgresUrl) throw new Error('no PostgreSQL database for the leases section');
      const db = openPostgres({ url: ctx.postgresUrl, poolSize: 2 });
      try {
        return await measure(db, ctx);
      } finally {
        await closePostgres(db);
      }
    },
  },
};
