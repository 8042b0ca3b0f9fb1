// Job leases and run history (docs/adr/0024-job-leases-and-process-roles.md): every process with the `jobs` role
// schedules the same jobs, and the lease row decides which one runs each tick. Each step is one statement whose
// outcome the database decides, the same text on both engines, so of any number of takers exactly one wins.
import type { Db } from '../database';
import { queries } from '../sql';

export interface LeaseRequest {
  job: string;
  /** Who asks: one id per process (host, pid and a random part). */
  holder: string;
  now: number;
  /** The lease ends at now + ttlMs unless renewed. */
  ttlMs: number;
  /** The scheduled tick (epoch ms) the run is for; null for a run started by hand, which any tick may follow. */
  tick: number | null;
}

/**
 * Takes the job's lease when nobody holds it (or the holder's lease has expired, or the caller holds it already: a
 * release that failed to reach the database does not lock the process out of its own job) and, for a scheduled run, no process
 * has run this tick or a later one yet. True when this caller now holds it. PostgreSQL re-checks the condition on the
 * row a concurrent taker just wrote, SQLite runs one writer at a time, so two takers never both win.
 */
export async function takeJobLease(db: Db, r: LeaseRequest): Promise<boolean> {
  const result = await queries(db).run(
    `INSERT INTO job_leases (job, holder, expires_at, last_tick, taken_at) VALUES (@job, @holder, @expires, @tick, @now)
     ON CONFLICT (job) DO UPDATE SET
       holder = excluded.holder,
       expires_at = excluded.expires_at,
       last_tick = coalesce(excluded.last_tick, job_leases.last_tick),
       taken_at = excluded.taken_at
     WHERE (job_leases.expires_at <= @now OR job_leases.holder = excluded.holder)
       AND (excluded.last_tick IS NULL OR job_leases.last_tick IS NULL OR job_leases.last_tick < excluded.last_tick)`,
    { job: r.job, holder: r.holder, expires: r.now + r.ttlMs, tick: r.tick, now: r.now },
  );
  return result.changes > 0;
}

/**
 * Extends the holder's lease to now + ttlMs while its run goes on. False when the lease is no longer this holder's
 * (it expired and another process took it over): the run then goes on without it, and the caller says so.
 */
export async function renewJobLease(db: Db, r: Omit<LeaseRequest, 'tick'>): Promise<boolean> {
  const result = await queries(db).run('UPDATE job_leases SET expires_at = @expires WHERE job = @job AND holder = @holder', {
    job: r.job,
    holder: r.holder,
    expires: r.now + r.ttlMs,
  });
  return result.changes > 0;
}

/** Ends the holder's lease at once, so the next tick need not wait for its expiry. Keeps the tick it ran. */
export async function releaseJobLease(db: Db, r: { job: string; holder: string; now: number }): Promise<void> {
  await queries(db).run('UPDATE job_leases SET expires_at = @now WHERE job = @job AND holder = @holder AND expires_at > @now', r);
}

export interface JobLease {
  job: string;
  holder: string;
  expiresAt: number;
  lastTick: number | null;
  takenAt: number;
}

/** Every job's lease, by job name (status, tests). */
export async function listJobLeases(db: Db): Promise<JobLease[]> {
  return queries(db).all<JobLease>(
    'SELECT job, holder, expires_at AS "expiresAt", last_tick AS "lastTick", taken_at AS "takenAt" FROM job_leases ORDER BY job',
  );
}

/** Runs of one job kept in job_run_history; older ones are pruned when a run finishes. */
export const JOB_RUN_HISTORY_KEPT = 500;

/** Records a run's start; returns its id for recordJobRunFinished. */
export async function recordJobRunStarted(
  db: Db,
  run: { job: string; tick: number | null; holder: string; startedAt: number },
): Promise<number> {
  const row = await queries(db).get<{ id: number | string }>(
    'INSERT INTO job_run_history (job, tick, holder, started_at) VALUES (@job, @tick, @holder, @startedAt) RETURNING id',
    run,
  );
  return Number(row?.id);
}

/** Records a run's end (error null on success) and prunes the job's runs beyond the last JOB_RUN_HISTORY_KEPT. */
export async function recordJobRunFinished(
  db: Db,
  run: { id: number; job: string; finishedAt: number; error: string | null },
  kept = JOB_RUN_HISTORY_KEPT,
): Promise<void> {
  const q = queries(db);
  await q.run('UPDATE job_run_history SET finished_at = @finishedAt, error = @error WHERE id = @id', {
    id: run.id,
    finishedAt: run.finishedAt,
    error: run.error,
  });
  await q.run(
    `DELETE FROM job_run_history WHERE job = @job AND id <= (
       SELECT id FROM job_run_history WHERE job = @job ORDER BY id DESC LIMIT 1 OFFSET @kept)`,
    { job: run.job, kept },
  );
}

export interface JobRunRecord {
  id: number;
  job: string;
  tick: number | null;
  holder: string;
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
}

/** The recorded runs, oldest first; of one job when `job` is given. */
export async function listJobRunHistory(db: Db, job?: string): Promise<JobRunRecord[]> {
  const columns = 'SELECT id, job, tick, holder, started_at AS "startedAt", finished_at AS "finishedAt", error FROM job_run_history';
  const q = queries(db);
  const rows =
    job === undefined
      ? await q.all<JobRunRecord>(`${columns} ORDER BY id`)
      : await q.all<JobRunRecord>(`${columns} WHERE job = ? ORDER BY id`, [job]);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
