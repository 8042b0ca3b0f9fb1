// Two schedulers over one database, as two `jobs` processes: every tick of a job runs in exactly one of them, and a
// run by hand is refused while another process holds the job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { listJobRunHistory, takeJobLease } from '../../src/db/stores/job-leases';
import { silentLogger } from '../../src/logger';
import { createScheduler, type Scheduler } from '../../src/scheduler/scheduler';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

describe.each(testEngines())('schedulers sharing one database on %s', (engine) => {
  let t: TestDatabase;
  let other: { db: Db; close(): Promise<void> };
  const schedulers: Scheduler[] = [];

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'scheduler-leases');
    other = await t.openAnother();
  });

  afterAll(async () => {
    for (const s of schedulers) await s.stop();
    await other?.close();
    await t?.close();
  });

  it('runs each tick of a job in one of two schedulers, never both', async () => {
    const ran: string[] = [];
    for (const [db, name] of [
      [t.db, 'a'],
      [other.db, 'b'],
    ] as const) {
      const s = createScheduler({ db, logger: silentLogger(), clock: systemClock, timezone: 'UTC', holder: name, leaseMs: 2000 });
      s.add({ name: 'tick', cron: '* * * * * *', run: () => void ran.push(name) });
      schedulers.push(s);
    }
    for (const s of schedulers) s.start();
    const deadline = Date.now() + 30_000;
    while ((await listJobRunHistory(t.db, 'tick')).filter((r) => r.finishedAt !== null).length < 4) {
      if (Date.now() > deadline) throw new Error('the job never ran four ticks');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const s of schedulers) await s.stop();
    const history = await listJobRunHistory(t.db, 'tick');
    const ticks = history.map((r) => r.tick);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ran).toHaveLength(history.length);
    expect(history.map((r) => r.holder).sort()).toEqual([...ran].sort());
  });

  it('refuses a run by hand while another process holds the job', async () => {
    const s = createScheduler({ db: t.db, logger: silentLogger(), clock: systemClock, timezone: 'UTC', holder: 'here', leaseMs: 60_000 });
    let runs = 0;
    s.add({ name: 'held', cron: '0 0 1 1 *', run: () => void (runs += 1) });
    expect(await takeJobLease(other.db, { job: 'held', holder: 'elsewhere', now: Date.now(), ttlMs: 60_000, tick: null })).toBe(true);
    expect(await s.runNow('held')).toBe(false);
    expect(runs).toBe(0);
    await s.stop();
  });
});
